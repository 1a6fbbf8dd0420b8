package tenant

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// MaxSpan is the longest span ParseSpan accepts: a key that expires in a
// century is one that never does.
const MaxSpan = 100 * 365 * 24 * time.Hour

var errSpan = errors.New("want a span like 30d, 2w, 12h or 90m")

// ParseSpan reads a span as people write one for key expiry or a usage
// report: whole days ("30d"), whole weeks ("2w"), or anything
// time.ParseDuration reads ("12h", "90m"). It refuses negative spans and
// spans over MaxSpan.
func ParseSpan(s string) (time.Duration, error) {
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
		if err != nil || n < 0 || n > int64(MaxSpan/unit) {
			return 0, errSpan
		}
		return time.Duration(n) * unit, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > MaxSpan {
		return 0, errSpan
	}
	return d, nil
}

// ParseSince reads the start of a report: a date (2006-01-02, UTC), an RFC
// 3339 time, or a span back from now.
func ParseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := ParseSpan(s)
	if err != nil {
		return time.Time{}, errors.New("want a date like 2026-11-01, a time like 2026-11-01T09:00:00Z, or a span back from now like 24h, 7d or 2w")
	}
	return now.Add(-d), nil
}
