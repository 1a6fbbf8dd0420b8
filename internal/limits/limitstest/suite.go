// Package limitstest is the semantic test suite every limits.Limiter
// passes: rate admission, all-or-nothing, reconciliation, budgets and their
// windows.
package limitstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/limits"
)

// Factory returns a new, empty Limiter whose rate buckets refill by now
// (pass it to limits.WithClock). Budgets take their time from the suite's
// arguments. The Limiter must be independent of any other the factory
// returned, and the factory cleans up after it with t.Cleanup.
type Factory func(t *testing.T, now func() time.Time) limits.Limiter

// start is the clock's starting time: the present, so that keys a backend
// expires by wall time are still there while a test runs.
func start() time.Time { return time.Now().Truncate(time.Second) }

// Run runs the suite against limiters from newLimiter, each subtest in
// parallel with its own limiter and clock.
func Run(t *testing.T, newLimiter Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l limits.Limiter, c *Clock)
	}{
		{"RPMAdmitsLimitThenRefills", testRPMAdmitsLimitThenRefills},
		{"RPMConcurrent", testRPMConcurrent},
		{"States", testStates},
		{"AllOrNothing", testAllOrNothing},
		{"TooLarge", testTooLarge},
		{"Invalid", testInvalid},
		{"SettleDown", testSettleDown},
		{"SettleUpOverdraws", testSettleUpOverdraws},
		{"Cancel", testCancel},
		{"RefundAfterRefill", testRefundAfterRefill},
		{"Idempotent", testIdempotent},
		{"LimitChange", testLimitChange},
		{"BudgetDenied", testBudgetDenied},
		{"BudgetConcurrent", testBudgetConcurrent},
		{"BudgetSpentExact", testBudgetSpentExact},
		{"BudgetRollover", testBudgetRollover},
		{"BudgetLease", testBudgetLease},
		{"BudgetUnlimited", testBudgetUnlimited},
		{"BudgetIdempotent", testBudgetIdempotent},
		{"BudgetInvalid", testBudgetInvalid},
		{"BudgetSeed", testBudgetSeed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := NewClock(start())
			tt.fn(t, newLimiter(t, c.Now), c)
		})
	}
}

// reserve calls l.Reserve and fails the test on errors other than *Denied.
func reserve(t *testing.T, l limits.Limiter, charges ...limits.Charge) (*limits.Reservation, *limits.Denied) {
	t.Helper()
	r, err := l.Reserve(context.Background(), charges)
	var d *limits.Denied
	switch {
	case err == nil:
		return r, nil
	case errors.As(err, &d):
		return nil, d
	}
	t.Fatalf("Reserve(%v): %v", charges, err)
	return nil, nil
}

// mustReserve reserves and fails the test if refused.
func mustReserve(t *testing.T, l limits.Limiter, charges ...limits.Charge) *limits.Reservation {
	t.Helper()
	r, d := reserve(t, l, charges...)
	if d != nil {
		t.Fatalf("Reserve(%v) refused: %v", charges, d)
	}
	return r
}

// mustDeny reserves, expects a refusal and returns it.
func mustDeny(t *testing.T, l limits.Limiter, charges ...limits.Charge) *limits.Denied {
	t.Helper()
	_, d := reserve(t, l, charges...)
	if d == nil {
		t.Fatalf("Reserve(%v) admitted, want refusal", charges)
	}
	return d
}

// near reports whether got is within a millisecond of want.
func near(got, want time.Duration) bool {
	d := got - want
	return d > -time.Millisecond && d < time.Millisecond
}

func rpm(key string, limit int64) limits.Charge {
	return limits.Charge{Key: key, Kind: limits.Requests, Limit: limit, Amount: 1}
}

func tpm(key string, limit, amount int64) limits.Charge {
	return limits.Charge{Key: key, Kind: limits.Tokens, Limit: limit, Amount: amount}
}
