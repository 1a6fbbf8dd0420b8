package limits

import "time"

// Option configures NewMemory and NewRedis.
type Option func(*options)

type options struct {
	now   func() time.Time
	lease time.Duration
}

func newOptions(opts []Option) options {
	o := options{lease: DefaultBudgetLease}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithClock sets the clock that rate buckets refill by. Memory uses
// time.Now by default. Redis by default uses the Redis server's clock
// (TIME inside the script), so that replicas with skewed clocks agree; with
// WithClock it uses the given clock instead, which tests use to advance
// time without sleeping. Budgets always use the now passed to ReserveBudget.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithBudgetLease sets how long an unsettled budget hold lasts, counted from
// the now given to ReserveBudget (default DefaultBudgetLease). Values ≤ 0
// keep the default.
func WithBudgetLease(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lease = d
		}
	}
}
