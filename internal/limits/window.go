package limits

import (
	"fmt"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

// Window is one span of a budget period, in UTC: [Start, End).
type Window struct {
	Period tenant.Period
	// ID names the window within its period: "d20260314" for a day,
	// "w20260309" for the ISO week starting Monday 9 March, "m202603" for a
	// month, "total" for Total.
	ID    string
	Start time.Time // zero for Total
	End   time.Time // zero for Total, which never ends
}

// WindowOf returns the window of period p that contains t. Days start at
// 00:00 UTC, weeks on Monday 00:00 UTC, months on the 1st at 00:00 UTC. An
// unknown period is an error wrapping ErrInvalid.
func WindowOf(p tenant.Period, t time.Time) (Window, error) {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch p {
	case tenant.Day:
		return Window{p, "d" + day.Format("20060102"), day, day.AddDate(0, 0, 1)}, nil
	case tenant.Week:
		start := day.AddDate(0, 0, -(int(day.Weekday())+6)%7)
		return Window{p, "w" + start.Format("20060102"), start, start.AddDate(0, 0, 7)}, nil
	case tenant.Month:
		start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return Window{p, "m" + start.Format("200601"), start, start.AddDate(0, 1, 0)}, nil
	case tenant.Total:
		return Window{Period: p, ID: "total"}, nil
	}
	return Window{}, fmt.Errorf("%w: unknown budget period %q", ErrInvalid, p)
}
