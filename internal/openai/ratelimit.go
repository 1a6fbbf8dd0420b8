package openai

import (
	"math"
	"time"
)

// Rate-limit header names OpenAI sends on successful and validation responses.
const (
	HeaderLimitRequests     = "X-Ratelimit-Limit-Requests"
	HeaderLimitTokens       = "X-Ratelimit-Limit-Tokens"
	HeaderRemainingRequests = "X-Ratelimit-Remaining-Requests"
	HeaderRemainingTokens   = "X-Ratelimit-Remaining-Tokens"
	HeaderResetRequests     = "X-Ratelimit-Reset-Requests"
	HeaderResetTokens       = "X-Ratelimit-Reset-Tokens"
)

// FormatReset renders a reset delay the way OpenAI does: a Go duration rounded
// to milliseconds ("1s", "6m0s", "120ms", "54.889s").
func FormatReset(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return d.Round(time.Millisecond).String()
}

// ParseReset reads a reset header value. It accepts OpenAI's Go-duration form
// and a bare number of seconds, which some OpenAI-compatible servers send.
func ParseReset(s string) (time.Duration, bool) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, true
	}
	var secs float64
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			secs = secs*10 + float64(c-'0')
			n++
		default:
			return 0, false
		}
	}
	// Past what a Duration holds (about 292 years) the value is nonsense, and
	// converting it would overflow to a negative delay.
	if n == 0 || secs > float64(math.MaxInt64)/float64(time.Second) {
		return 0, false
	}
	return time.Duration(secs * float64(time.Second)), true
}
