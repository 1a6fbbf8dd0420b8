package verify

import (
	"math"
	"time"

	"github.com/keygate/keygate/internal/credential"
)

// freeTierDayLimit is the largest per-day request limit read as a free
// account: the khanon key checker's threshold; free accounts show 200.
const freeTierDayLimit = 250

// tier1DayLimit is tier 1's requests-per-day limit on the models that have
// one (gpt-4o-mini, gpt-3.5-turbo, gpt-4; BEHAVIOUR.md §8).
const tier1DayLimit = 10_000

// RequestWindow tells whether x-ratelimit-*-requests report a per-day or a
// per-minute bucket (see the package documentation for the rule and its
// sources). limit, remaining and reset are the three headers' values.
func RequestWindow(limit, remaining int64, reset time.Duration) credential.Window {
	if limit <= 0 {
		return ""
	}
	if used := limit - remaining; used > 0 && reset > 0 {
		perRequest := reset.Seconds() / float64(used)
		// The geometric mean of 86400/limit and 60/limit: the rates differ
		// 1440-fold, so the boundary sits where the log distances are equal.
		if perRequest > math.Sqrt(86400*60)/float64(limit) {
			return credential.PerDay
		}
		return credential.PerMinute
	}
	if limit <= freeTierDayLimit || limit == tier1DayLimit {
		return credential.PerDay
	}
	return credential.PerMinute
}
