package limitstest

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/tenant"
)

// budgetTime is a fixed instant in the future (a Tuesday), so that budget
// windows and their key expiries are known and still ahead.
var budgetTime = time.Date(2031, time.July, 15, 12, 0, 0, 0, time.UTC)

// reserveBudget calls ReserveBudget and fails the test on errors other than
// *BudgetDenied.
func reserveBudget(t *testing.T, l limits.Limiter, key string, limit, amount tenant.Nanos, p tenant.Period, now time.Time) (*limits.BudgetReservation, *limits.BudgetDenied) {
	t.Helper()
	r, err := l.ReserveBudget(context.Background(), key, limit, amount, p, now)
	var d *limits.BudgetDenied
	switch {
	case err == nil:
		return r, nil
	case errors.As(err, &d):
		return nil, d
	}
	t.Fatalf("ReserveBudget(%q, %d, %d): %v", key, limit, amount, err)
	return nil, nil
}

func mustReserveBudget(t *testing.T, l limits.Limiter, key string, limit, amount tenant.Nanos, p tenant.Period, now time.Time) *limits.BudgetReservation {
	t.Helper()
	r, d := reserveBudget(t, l, key, limit, amount, p, now)
	if d != nil {
		t.Fatalf("ReserveBudget refused: %v", d)
	}
	return r
}

func spent(t *testing.T, l limits.Limiter, key string, p tenant.Period, now time.Time) tenant.Nanos {
	t.Helper()
	n, err := l.Spent(context.Background(), key, p, now)
	if err != nil {
		t.Fatalf("Spent: %v", err)
	}
	return n
}

func settle(t *testing.T, r *limits.BudgetReservation, cost tenant.Nanos) {
	t.Helper()
	if err := r.Settle(context.Background(), cost); err != nil {
		t.Fatalf("Settle: %v", err)
	}
}

func testBudgetDenied(t *testing.T, l limits.Limiter, c *Clock) {
	ctx := context.Background()
	r := mustReserveBudget(t, l, "p", 100, 60, tenant.Day, budgetTime)
	_, d := reserveBudget(t, l, "p", 100, 50, tenant.Day, budgetTime)
	want := limits.BudgetDenied{Key: "p", Period: tenant.Day, Limit: 100, Used: 60, Amount: 50,
		ResetsAt: time.Date(2031, time.July, 16, 0, 0, 0, 0, time.UTC)}
	if d == nil || *d != want {
		t.Fatalf("denial = %+v, want %+v", d, want)
	}
	if err := r.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	r = mustReserveBudget(t, l, "p", 100, 100, tenant.Day, budgetTime)
	if r.Key != "p" || r.Amount != 100 || r.Window.ID != "d20310715" {
		t.Fatalf("reservation %+v", r)
	}
	settle(t, r, 40)
	if _, d := reserveBudget(t, l, "p", 100, 61, tenant.Day, budgetTime); d == nil || d.Used != 40 {
		t.Fatalf("after settling 40 of 100: %+v, want refusal with 40 used", d)
	}
	mustReserveBudget(t, l, "p", 100, 60, tenant.Day, budgetTime)
}

// testBudgetConcurrent: 50 goroutines reserve random amounts of a $1.00
// budget and settle at or below the reservation. The settled sum never
// exceeds the limit and equals Spent.
func testBudgetConcurrent(t *testing.T, l limits.Limiter, c *Clock) {
	const limit = tenant.Nanos(1e9)
	var settled, admitted, refused atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for range 20 {
				amount := tenant.Nanos(rand.Int64N(int64(limit)/40) + 1)
				r, err := l.ReserveBudget(context.Background(), "p", limit, amount, tenant.Month, budgetTime)
				var d *limits.BudgetDenied
				if errors.As(err, &d) {
					refused.Add(1)
					if d.Used+amount <= limit {
						t.Errorf("refused %d with %d of %d used", amount, d.Used, limit)
					}
					continue
				}
				if err != nil {
					t.Errorf("ReserveBudget: %v", err)
					return
				}
				admitted.Add(1)
				cost := amount
				if rand.IntN(2) == 0 {
					cost = tenant.Nanos(rand.Int64N(int64(amount) + 1))
				}
				if err := r.Settle(context.Background(), cost); err != nil {
					t.Errorf("Settle: %v", err)
					return
				}
				settled.Add(int64(cost))
			}
		})
	}
	wg.Wait()
	got := spent(t, l, "p", tenant.Month, budgetTime)
	t.Logf("admitted %d, refused %d, settled %d of %d nano-dollars", admitted.Load(), refused.Load(), got, limit)
	if tenant.Nanos(settled.Load()) != got {
		t.Fatalf("Spent = %d, sum of settled costs = %d", got, settled.Load())
	}
	if got > limit {
		t.Fatalf("spent %s, above the limit %s", got, limit)
	}
	if refused.Load() == 0 {
		t.Fatal("no reservation was refused: the test did not reach the limit")
	}
}

func testBudgetSpentExact(t *testing.T, l limits.Limiter, c *Clock) {
	var sum tenant.Nanos
	for i := range 30 {
		cost := tenant.Nanos(1_234_567 * (i + 1))
		r := mustReserveBudget(t, l, "p", 0, cost+999, tenant.Week, budgetTime)
		settle(t, r, cost)
		sum += cost
	}
	// An open hold is not spend.
	mustReserveBudget(t, l, "p", 0, 5e9, tenant.Week, budgetTime)
	if got := spent(t, l, "p", tenant.Week, budgetTime); got != sum {
		t.Fatalf("Spent = %d, want %d", got, sum)
	}
	if got := spent(t, l, "nobody", tenant.Week, budgetTime); got != 0 {
		t.Fatalf("Spent of an unknown key = %d", got)
	}
}

func testBudgetRollover(t *testing.T, l limits.Limiter, c *Clock) {
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2031, m, d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		period             tenant.Period
		first, same, next  time.Time
		window, nextWindow string
		resetsAt           time.Time
	}{
		// 2031-07-15 is a Tuesday; the week starts Monday the 14th.
		{tenant.Day, at(7, 15, 0, 0), at(7, 15, 23, 59), at(7, 16, 0, 0), "d20310715", "d20310716", at(7, 16, 0, 0)},
		{tenant.Week, at(7, 14, 0, 0), at(7, 20, 23, 59), at(7, 21, 0, 0), "w20310714", "w20310721", at(7, 21, 0, 0)},
		{tenant.Month, at(7, 1, 0, 0), at(7, 31, 23, 59), at(8, 1, 0, 0), "m203107", "m203108", at(8, 1, 0, 0)},
		{tenant.Total, at(7, 1, 0, 0), at(12, 31, 23, 59), time.Time{}, "total", "", time.Time{}},
	}
	for _, tt := range tests {
		key := "p-" + string(tt.period)
		r := mustReserveBudget(t, l, key, 100, 100, tt.period, tt.first)
		if r.Window.ID != tt.window {
			t.Errorf("%s window %q, want %q", tt.period, r.Window.ID, tt.window)
		}
		settle(t, r, 100)
		if got := spent(t, l, key, tt.period, tt.same); got != 100 {
			t.Errorf("%s: Spent later in the window = %d, want 100", tt.period, got)
		}
		_, d := reserveBudget(t, l, key, 100, 1, tt.period, tt.same)
		if d == nil || !d.ResetsAt.Equal(tt.resetsAt) {
			t.Errorf("%s: refusal %+v, want resets at %v", tt.period, d, tt.resetsAt)
		}
		if tt.next.IsZero() {
			continue
		}
		if got := spent(t, l, key, tt.period, tt.next); got != 0 {
			t.Errorf("%s: Spent in the next window = %d, want 0", tt.period, got)
		}
		if r := mustReserveBudget(t, l, key, 100, 100, tt.period, tt.next); r.Window.ID != tt.nextWindow {
			t.Errorf("%s next window %q, want %q", tt.period, r.Window.ID, tt.nextWindow)
		}
	}

	// A reservation settles into the window it was made in.
	r := mustReserveBudget(t, l, "late", 0, 10, tenant.Day, at(7, 15, 23, 59))
	settle(t, r, 7)
	if got := spent(t, l, "late", tenant.Day, at(7, 15, 12, 0)); got != 7 {
		t.Errorf("late settlement: Spent of its window = %d, want 7", got)
	}
}

func testBudgetLease(t *testing.T, l limits.Limiter, c *Clock) {
	now := time.Date(2031, time.July, 1, 0, 0, 0, 0, time.UTC)
	abandoned := mustReserveBudget(t, l, "p", 100, 100, tenant.Month, now)
	if _, d := reserveBudget(t, l, "p", 100, 1, tenant.Month, now.Add(limits.DefaultBudgetLease-time.Second)); d == nil {
		t.Fatal("admitted while the hold's lease runs")
	}
	r := mustReserveBudget(t, l, "p", 100, 100, tenant.Month, now.Add(limits.DefaultBudgetLease))
	settle(t, r, 30)
	// Settling after the lease still records the cost.
	settle(t, abandoned, 70)
	if got := spent(t, l, "p", tenant.Month, now); got != 100 {
		t.Fatalf("Spent = %d, want 100", got)
	}
}

func testBudgetUnlimited(t *testing.T, l limits.Limiter, c *Clock) {
	for range 5 {
		settle(t, mustReserveBudget(t, l, "p", 0, 1e15, tenant.Total, budgetTime), 1e15)
	}
	if got := spent(t, l, "p", tenant.Total, budgetTime.AddDate(5, 0, 0)); got != 5e15 {
		t.Fatalf("Spent = %d, want 5e15", got)
	}
}

func testBudgetIdempotent(t *testing.T, l limits.Limiter, c *Clock) {
	ctx := context.Background()
	r := mustReserveBudget(t, l, "p", 100, 50, tenant.Day, budgetTime)
	settle(t, r, 20)
	settle(t, r, 30)
	if err := r.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	r = mustReserveBudget(t, l, "p", 100, 50, tenant.Day, budgetTime)
	for range 2 {
		if err := r.Cancel(ctx); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, r, 50)
	if err := r.Settle(ctx, -1); !errors.Is(err, limits.ErrInvalid) {
		t.Fatalf("Settle(-1) = %v, want ErrInvalid", err)
	}
	if got := spent(t, l, "p", tenant.Day, budgetTime); got != 20 {
		t.Fatalf("Spent = %d, want 20", got)
	}
	// Nothing is held: the full remainder fits.
	mustReserveBudget(t, l, "p", 100, 80, tenant.Day, budgetTime)
}

func testBudgetInvalid(t *testing.T, l limits.Limiter, c *Clock) {
	ctx := context.Background()
	for _, tt := range []struct {
		key           string
		limit, amount tenant.Nanos
		period        tenant.Period
	}{
		{"", 100, 1, tenant.Day},
		{"p", -1, 1, tenant.Day},
		{"p", 100, -1, tenant.Day},
		{"p", 100, 1, "fortnight"},
		{"p", 100, 1, ""},
	} {
		if _, err := l.ReserveBudget(ctx, tt.key, tt.limit, tt.amount, tt.period, budgetTime); !errors.Is(err, limits.ErrInvalid) {
			t.Errorf("ReserveBudget(%+v) = %v, want ErrInvalid", tt, err)
		}
	}
	if _, err := l.Spent(ctx, "p", "year", budgetTime); !errors.Is(err, limits.ErrInvalid) {
		t.Errorf("Spent(year) = %v, want ErrInvalid", err)
	}
}

// testBudgetSeed: a seed counts as spend in an empty window, is ignored in
// one that already counts spend, and Used reports spend plus other holds.
func testBudgetSeed(t *testing.T, l limits.Limiter, c *Clock) {
	ctx := context.Background()
	if err := l.SeedBudget(ctx, "p", tenant.Month, budgetTime, 700); err != nil {
		t.Fatal(err)
	}
	if err := l.SeedBudget(ctx, "p", tenant.Month, budgetTime, 5); err != nil {
		t.Fatal(err)
	}
	if got := spent(t, l, "p", tenant.Month, budgetTime); got != 700 {
		t.Fatalf("Spent after seeds = %d, want 700", got)
	}
	r := mustReserveBudget(t, l, "p", 1000, 200, tenant.Month, budgetTime)
	if r.Used != 700 {
		t.Fatalf("Used = %d, want 700", r.Used)
	}
	r2 := mustReserveBudget(t, l, "p", 1000, 100, tenant.Month, budgetTime)
	if r2.Used != 900 {
		t.Fatalf("Used with a hold open = %d, want 900", r2.Used)
	}
	if _, d := reserveBudget(t, l, "p", 1000, 1, tenant.Month, budgetTime); d == nil {
		t.Fatal("budget passed its limit after a seed")
	}
	settle(t, r, 150)
	if err := l.SeedBudget(ctx, "p", tenant.Month, budgetTime, 0); err != nil {
		t.Fatal(err)
	}
	if got := spent(t, l, "p", tenant.Month, budgetTime); got != 850 {
		t.Fatalf("Spent = %d, want 850", got)
	}
	// A window with settled spend but no seed is not overwritten either.
	settle(t, mustReserveBudget(t, l, "q", 0, 10, tenant.Day, budgetTime), 10)
	if err := l.SeedBudget(ctx, "q", tenant.Day, budgetTime, 99); err != nil {
		t.Fatal(err)
	}
	if got := spent(t, l, "q", tenant.Day, budgetTime); got != 10 {
		t.Fatalf("Spent = %d, want 10", got)
	}
}
