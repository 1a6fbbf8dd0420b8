package limits

import (
	"fmt"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

// Denied is the error Reserve returns when a charge does not fit its bucket.
// Nothing was taken from any bucket.
type Denied struct {
	// Charge is the first charge, in the order given, that did not fit.
	Charge Charge
	// Used is the units in use in that bucket, rounded up: taken by
	// admitted requests and not yet refilled.
	Used int64
	// RetryAfter is how long until Charge.Amount fits if nothing else is
	// taken meanwhile (for retry-after). It is 0 or more; when TooLarge it
	// is the time until the bucket is full, after which the charge still
	// does not fit.
	RetryAfter time.Duration
	// Reset is the time until the bucket is full again (for
	// x-ratelimit-reset-*); Remaining is 0 or the units left, which are
	// fewer than Charge.Amount.
	Reset time.Duration
}

// TooLarge reports whether the charge exceeds the bucket's whole limit, so
// that no wait lets it through (OpenAI's "Request too large").
func (d *Denied) TooLarge() bool { return d.Charge.Amount > d.Charge.Limit }

func (d *Denied) Error() string {
	c := d.Charge
	if d.TooLarge() {
		return fmt.Sprintf("limits: %s request of %d is above the limit of %d per %s for %q",
			c.Kind, c.Amount, c.Limit, periodName(c.Kind), c.Key)
	}
	return fmt.Sprintf("limits: %s limit of %d per %s reached for %q: %d used, %d requested; retry in %s",
		c.Kind, c.Limit, periodName(c.Kind), c.Key, d.Used, c.Amount, d.RetryAfter.Round(time.Millisecond))
}

func periodName(k Kind) string {
	if k == RequestsPerDay {
		return "day"
	}
	return "minute"
}

// BudgetDenied is the error ReserveBudget returns when the amount does not
// fit the budget's window. Nothing was held.
type BudgetDenied struct {
	Key    string
	Period tenant.Period
	Limit  tenant.Nanos
	// Used is the settled spend plus the amounts held by open reservations
	// in the window.
	Used tenant.Nanos
	// Amount is the refused amount.
	Amount tenant.Nanos
	// ResetsAt is when the window ends and a new one starts with nothing
	// spent; zero for the Total period, which never resets.
	ResetsAt time.Time
}

func (d *BudgetDenied) Error() string {
	s := fmt.Sprintf("limits: budget of %s per %s for %q exhausted: %s used, %s requested",
		d.Limit, d.Period, d.Key, d.Used, d.Amount)
	if !d.ResetsAt.IsZero() {
		s += "; resets at " + d.ResetsAt.Format(time.RFC3339)
	}
	return s
}
