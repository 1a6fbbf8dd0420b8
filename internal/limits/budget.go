package limits

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

// DefaultBudgetLease is how long a budget hold lasts when it is neither
// settled nor cancelled — a replica that crashed mid-request, say. It is
// longer than any request is expected to run.
const DefaultBudgetLease = 30 * time.Minute

// budgetSettler ends a budget hold and adds the cost to the window's spend.
type budgetSettler interface {
	settleBudget(ctx context.Context, r *BudgetReservation, cost tenant.Nanos) error
}

// BudgetReservation holds Amount of a key's budget for one request, in the
// window that contained the time given to ReserveBudget. It is safe for
// concurrent use; the first of Settle and Cancel closes it and later calls
// do nothing.
type BudgetReservation struct {
	Key    string
	Window Window
	Amount tenant.Nanos
	// Used is the window's spend plus the other holds' amounts just before
	// this hold was made, so that Used + Amount is the budget in use.
	Used tenant.Nanos

	id      string // identifies the hold within the window
	backend budgetSettler

	mu   sync.Mutex
	done bool
}

// Settle releases the hold and adds cost, the request's actual cost, to the
// spend of the reservation's window (even if the window has ended since, or
// the hold's lease has run out). Cost may exceed Amount; the spend then
// passes the reserved share, and if other holds are in flight the window's
// spend can end above its limit by at most the sum of such excesses. While
// every request settles at or below its reservation, spend never exceeds
// the limit.
//
// The first call of Settle or Cancel closes the reservation, whether or not
// it succeeds; later calls return nil and change nothing. A negative cost is
// an error wrapping ErrInvalid and leaves the reservation open.
func (r *BudgetReservation) Settle(ctx context.Context, cost tenant.Nanos) error {
	if cost < 0 {
		return fmt.Errorf("%w: settle budget %q with negative cost %d", ErrInvalid, r.Key, cost)
	}
	if !r.close() {
		return nil
	}
	return r.backend.settleBudget(ctx, r, cost)
}

// Cancel releases the hold without spending anything.
func (r *BudgetReservation) Cancel(ctx context.Context) error {
	if !r.close() {
		return nil
	}
	return r.backend.settleBudget(ctx, r, 0)
}

func (r *BudgetReservation) close() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return false
	}
	r.done = true
	return true
}

// validateBudget checks ReserveBudget's arguments and returns the window.
func validateBudget(key string, limit, amount tenant.Nanos, period tenant.Period, now time.Time) (Window, error) {
	switch {
	case key == "":
		return Window{}, fmt.Errorf("%w: budget without a key", ErrInvalid)
	case limit < 0:
		return Window{}, fmt.Errorf("%w: budget %q has negative limit %d", ErrInvalid, key, limit)
	case amount < 0:
		return Window{}, fmt.Errorf("%w: budget %q reserve of negative amount %d", ErrInvalid, key, amount)
	}
	return WindowOf(period, now)
}
