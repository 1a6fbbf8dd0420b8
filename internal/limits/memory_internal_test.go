package limits

import (
	"context"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

// TestMemorySweep checks that sweeping forgets full buckets and ended
// budget windows, and only those.
func TestMemorySweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2031, 7, 15, 12, 0, 0, 0, time.UTC)
	m := NewMemory(WithClock(func() time.Time { return now }))
	full := Charge{Key: "full", Kind: Requests, Limit: 60, Amount: 1}
	busy := Charge{Key: "busy", Kind: Tokens, Limit: 60, Amount: 60}
	for _, c := range []Charge{full, busy} {
		if _, err := m.Reserve(ctx, []Charge{c}); err != nil {
			t.Fatal(err)
		}
	}
	old, err := m.ReserveBudget(ctx, "old", 0, 5, tenant.Day, now.AddDate(0, 0, -3))
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Settle(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ReserveBudget(ctx, "today", 0, 5, tenant.Day, now); err != nil {
		t.Fatal(err)
	}

	now = now.Add(2 * time.Second) // full has refilled; busy has 58 in use
	for i := range m.shards {
		m.shards[i].sweepBuckets(now)
		m.shards[i].sweepBudgets(now)
	}
	count := func(key string) (buckets, budgets int) {
		s := &m.shards[m.shardOf(key)]
		for id := range s.buckets {
			if id.key == key {
				buckets++
			}
		}
		for id := range s.budgets {
			if id.key == key {
				budgets++
			}
		}
		return
	}
	if b, _ := count("full"); b != 0 {
		t.Error("a full bucket was kept")
	}
	if b, _ := count("busy"); b != 1 {
		t.Error("a bucket in use was dropped")
	}
	if _, w := count("old"); w != 0 {
		t.Error("a window that ended days ago was kept")
	}
	if _, w := count("today"); w != 1 {
		t.Error("the current window was dropped")
	}
	if _, err := m.Reserve(ctx, []Charge{{Key: "busy", Kind: Tokens, Limit: 60, Amount: 3}}); err == nil {
		t.Error("busy admitted 3 with 58 in use")
	}
}
