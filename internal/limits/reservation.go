package limits

import (
	"context"
	"fmt"
	"sync"
)

// adjuster changes the units in use of buckets by deltas (positive takes,
// negative gives back, never below empty). Each implementation provides one.
type adjuster interface {
	adjust(ctx context.Context, charges []Charge, deltas []int64) error
}

// Reservation is what Reserve took for one request. It is safe for
// concurrent use; the first of Settle and Cancel closes it and later calls
// do nothing.
type Reservation struct {
	charges []Charge
	states  []State
	backend adjuster

	mu   sync.Mutex
	done bool
}

func newReservation(b adjuster, charges []Charge, states []State) *Reservation {
	return &Reservation{charges: charges, states: states, backend: b}
}

// Charges returns the charges taken, in the order given to Reserve. The
// caller must not modify the slice.
func (r *Reservation) Charges() []Charge { return r.charges }

// States returns each charge's bucket state right after admission, in the
// order of Charges, for x-ratelimit-* headers. The caller must not modify
// the slice.
func (r *Reservation) States() []State { return r.states }

// Settle reconciles the Tokens charges with the tokens the request actually
// used. For each Tokens charge whose Key is in actual, the bucket gets back
// Amount − actual[Key] when the request used less than reserved, and gives
// up the difference when it used more — even beyond the limit, so that a
// bucket can be overdrawn and later requests wait until it has refilled.
// Tokens charges missing from actual keep their reserved amount; Requests
// and RequestsPerDay charges are never given back by Settle (the request
// happened). A refund never takes a bucket below empty: tokens that refilled
// while the request ran are not counted twice.
//
// The first call of Settle or Cancel closes the reservation, whether or not
// it succeeds; later calls return nil and change nothing. A failed call
// (ErrUnavailable) therefore loses its adjustment rather than risk applying
// it twice; rate buckets heal within their period. A negative actual count
// is an error wrapping ErrInvalid and leaves the reservation open.
func (r *Reservation) Settle(ctx context.Context, actual map[string]int64) error {
	deltas := make([]int64, len(r.charges))
	changed := false
	for i, c := range r.charges {
		if c.Kind != Tokens {
			continue
		}
		n, ok := actual[c.Key]
		if !ok {
			continue
		}
		if n < 0 {
			return fmt.Errorf("%w: settle %q with %d tokens", ErrInvalid, c.Key, n)
		}
		deltas[i] = n - c.Amount
		changed = changed || deltas[i] != 0
	}
	if !r.close() || !changed {
		return nil
	}
	return r.backend.adjust(ctx, r.charges, deltas)
}

// Cancel gives back every charge in full, requests included, as if Reserve
// had not been called — apart from refill that happened meanwhile, which is
// not counted twice. Use it when the request failed before the upstream
// spent anything. It shares Settle's closing rule: only the first of Settle
// and Cancel has an effect.
func (r *Reservation) Cancel(ctx context.Context) error {
	if !r.close() {
		return nil
	}
	deltas := make([]int64, len(r.charges))
	for i, c := range r.charges {
		deltas[i] = -c.Amount
	}
	return r.backend.adjust(ctx, r.charges, deltas)
}

// close marks r done and reports whether this call did so.
func (r *Reservation) close() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return false
	}
	r.done = true
	return true
}
