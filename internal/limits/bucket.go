package limits

import (
	"math"
	"time"
)

// The continuous-refill model shared by every implementation (the Redis
// scripts repeat it in Lua, in microseconds). A bucket is the number of
// units in use, u ≥ 0, at a time t. At a later time it holds
//
//	u' = max(0, u − elapsed · Limit / Period)
//
// A charge of n fits when u' + n ≤ Limit. Units in use are kept as float64 so
// that refill is continuous and exact to far below one unit for every
// realistic limit; comparisons allow epsilon so that rounding never turns
// an exact fit into a refusal.
const epsilon = 1e-6

// drain returns the units in use after elapsed of refill.
func drain(used float64, elapsed time.Duration, limit int64, period time.Duration) float64 {
	if elapsed <= 0 {
		return used
	}
	return max(0, used-float64(elapsed)*float64(limit)/float64(period))
}

// fits reports whether c.Amount more units fit into a bucket with used units
// in use.
func fits(used float64, c Charge) bool {
	return used+float64(c.Amount) <= float64(c.Limit)+epsilon
}

// refillTime returns how long the bucket of c takes to regain units,
// rounded up to a microsecond, as the Redis scripts compute it.
func refillTime(units float64, c Charge) time.Duration {
	if units <= epsilon {
		return 0
	}
	us := math.Ceil(units * float64(c.Kind.Period()/time.Microsecond) / float64(c.Limit))
	return time.Duration(us) * time.Microsecond
}

// stateOf returns the header state of c's bucket with used units in use.
func stateOf(c Charge, used float64) State {
	return State{
		Key:       c.Key,
		Kind:      c.Kind,
		Limit:     c.Limit,
		Remaining: max(0, int64(math.Floor(float64(c.Limit)-used+epsilon))),
		Reset:     refillTime(used, c),
	}
}

// deniedFor returns the refusal of c by a bucket with used units in use.
func deniedFor(c Charge, used float64) *Denied {
	over := used + float64(c.Amount) - float64(c.Limit)
	if c.Amount > c.Limit {
		over = used // never fits; report the time until full
	}
	return &Denied{
		Charge:     c,
		Used:       int64(math.Ceil(used - epsilon)),
		RetryAfter: refillTime(over, c),
		Reset:      refillTime(used, c),
	}
}
