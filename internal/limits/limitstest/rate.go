package limitstest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/limits"
)

func testRPMAdmitsLimitThenRefills(t *testing.T, l limits.Limiter, c *Clock) {
	admitted := 0
	for range 100 {
		if _, d := reserve(t, l, rpm("vk", 60)); d == nil {
			admitted++
		} else if d.Charge.Key != "vk" || d.Charge.Limit != 60 || d.Used != 60 || !near(d.RetryAfter, time.Second) || !near(d.Reset, time.Minute) {
			t.Fatalf("denial = %+v, want vk limit 60, used 60, retry 1s, reset 1m", d)
		}
	}
	if admitted != 60 {
		t.Fatalf("admitted %d of 100 immediate requests at 60 RPM, want 60", admitted)
	}
	c.Advance(time.Second)
	mustReserve(t, l, rpm("vk", 60))
	if d := mustDeny(t, l, rpm("vk", 60)); !near(d.RetryAfter, time.Second) {
		t.Fatalf("after one refill: retry after %v, want 1s", d.RetryAfter)
	}
	c.Advance(500 * time.Millisecond)
	if d := mustDeny(t, l, rpm("vk", 60)); !near(d.RetryAfter, 500*time.Millisecond) {
		t.Fatalf("half a refill: retry after %v, want 500ms", d.RetryAfter)
	}
}

func testRPMConcurrent(t *testing.T, l limits.Limiter, c *Clock) {
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			r, err := l.Reserve(context.Background(), []limits.Charge{rpm("vk", 60), rpm("project", 1000)})
			var d *limits.Denied
			switch {
			case err == nil && r != nil:
				admitted.Add(1)
			case !errors.As(err, &d):
				t.Errorf("Reserve: %v", err)
			}
		})
	}
	wg.Wait()
	if n := admitted.Load(); n != 60 {
		t.Fatalf("admitted %d of 100 concurrent requests at 60 RPM, want 60", n)
	}
	// The project bucket took exactly the admitted ones: 940 left.
	r := mustReserve(t, l, rpm("project", 1000))
	if got := r.States()[0].Remaining; got != 939 {
		t.Fatalf("project remaining %d, want 939", got)
	}
}

func testStates(t *testing.T, l limits.Limiter, c *Clock) {
	rpd := limits.Charge{Key: "vk", Kind: limits.RequestsPerDay, Limit: 200, Amount: 1}
	r := mustReserve(t, l, rpm("vk", 60), tpm("vk", 1000, 250), rpd)
	want := []limits.State{
		{Key: "vk", Kind: limits.Requests, Limit: 60, Remaining: 59, Reset: time.Second},
		{Key: "vk", Kind: limits.Tokens, Limit: 1000, Remaining: 750, Reset: 15 * time.Second},
		// OpenAI's free tier: one request of 200 RPD resets in 7m12s.
		{Key: "vk", Kind: limits.RequestsPerDay, Limit: 200, Remaining: 199, Reset: 7*time.Minute + 12*time.Second},
	}
	for i, s := range r.States() {
		if s != want[i] {
			t.Errorf("state %d = %+v, want %+v", i, s, want[i])
		}
	}
	if got := r.Charges(); len(got) != 3 || got[1] != tpm("vk", 1000, 250) {
		t.Errorf("Charges() = %v", got)
	}
	c.Advance(500 * time.Millisecond)
	s := mustReserve(t, l, rpm("vk", 60)).States()[0]
	if s.Remaining != 58 || !near(s.Reset, 1500*time.Millisecond) {
		t.Errorf("after 0.5s and a second request: %+v, want remaining 58, reset 1.5s", s)
	}
}

func testAllOrNothing(t *testing.T, l limits.Limiter, c *Clock) {
	a, b := rpm("a", 10), tpm("b", 100, 100)
	mustReserve(t, l, a, b)
	d := mustDeny(t, l, a, tpm("b", 100, 1))
	if d.Charge.Key != "b" || d.Charge.Kind != limits.Tokens || d.Used != 100 {
		t.Fatalf("denial names %+v used %d, want bucket b with 100 used", d.Charge, d.Used)
	}
	// a was not charged by the refused admission: 9 left, not 8.
	for range 9 {
		mustReserve(t, l, a)
	}
	if d := mustDeny(t, l, a, tpm("b", 100, 1)); d.Charge.Key != "a" {
		t.Fatalf("first charge that does not fit is %q, want a", d.Charge.Key)
	}
}

func testTooLarge(t *testing.T, l limits.Limiter, c *Clock) {
	d := mustDeny(t, l, tpm("vk", 1000, 1001))
	if !d.TooLarge() || d.Used != 0 || d.RetryAfter != 0 {
		t.Fatalf("denial %+v: TooLarge %v, want true with 0 used, retry 0", d, d.TooLarge())
	}
	if d := mustDeny(t, l, rpm("vk", 5), tpm("vk", 1000, 5000)); !d.TooLarge() || d.Charge.Kind != limits.Tokens {
		t.Fatalf("denial %+v, want the tokens charge too large", d)
	}
	mustReserve(t, l, tpm("vk", 1000, 500))
	if d := mustDeny(t, l, tpm("vk", 1000, 1500)); !d.TooLarge() || !near(d.RetryAfter, 30*time.Second) || d.RetryAfter != d.Reset {
		t.Fatalf("too large with 500 in use: %+v, want retry = reset = 30s", d)
	}
	mustReserve(t, l, tpm("vk", 1000, 500))
	if d := mustDeny(t, l, tpm("vk", 1000, 1)); d.TooLarge() {
		t.Fatal("a charge within the limit is not too large")
	}
}

func testInvalid(t *testing.T, l limits.Limiter, c *Clock) {
	for _, charges := range [][]limits.Charge{
		{rpm("a", 1), rpm("a", 2)},
		{rpm("", 1)},
		{rpm("a", 0)},
		{tpm("a", 10, -1)},
		{{Key: "a", Kind: 0, Limit: 1, Amount: 1}},
	} {
		if _, err := l.Reserve(context.Background(), charges); !errors.Is(err, limits.ErrInvalid) {
			t.Errorf("Reserve(%v) = %v, want ErrInvalid", charges, err)
		}
	}
	// Same key, different kinds: different buckets.
	mustReserve(t, l, rpm("a", 1), tpm("a", 10, 10))
}

func testSettleDown(t *testing.T, l limits.Limiter, c *Clock) {
	ctx := context.Background()
	r := mustReserve(t, l, rpm("vk", 2), tpm("vk", 1000, 800), tpm("dep", 5000, 800))
	if err := r.Settle(ctx, map[string]int64{"vk": 300, "dep": 300}); err != nil {
		t.Fatal(err)
	}
	// 700 tokens left in vk; the request itself stays counted (1 of 2).
	mustReserve(t, l, rpm("vk", 2), tpm("vk", 1000, 700))
	mustDeny(t, l, tpm("vk", 1000, 1))
	if d := mustDeny(t, l, rpm("vk", 2)); d.Used != 2 {
		t.Fatalf("requests used %d, want 2: Settle does not give requests back", d.Used)
	}
	if s := mustReserve(t, l, tpm("dep", 5000, 0)).States()[0]; s.Remaining != 4700 {
		t.Fatalf("dep remaining %d, want 4700", s.Remaining)
	}
}

func testSettleUpOverdraws(t *testing.T, l limits.Limiter, c *Clock) {
	ctx := context.Background()
	r := mustReserve(t, l, tpm("vk", 1000, 100))
	if err := r.Settle(ctx, map[string]int64{"vk": 1500}); err != nil {
		t.Fatal(err)
	}
	d := mustDeny(t, l, tpm("vk", 1000, 1))
	// 1501 − 1000 tokens at 1000 per minute.
	if d.Used != 1500 || !near(d.RetryAfter, 30060*time.Millisecond) || !near(d.Reset, 90*time.Second) {
		t.Fatalf("overdrawn: %+v, want used 1500, retry 30.06s, reset 1m30s", d)
	}
	if d := mustDeny(t, l, tpm("vk", 1000, 0)); d.Used != 1500 {
		t.Fatalf("an overdrawn bucket refuses even 0: %+v", d)
	}
	// A key missing from actual keeps its reservation.
	r = mustReserve(t, l, tpm("other", 1000, 400))
	if err := r.Settle(ctx, map[string]int64{"vk": 0}); err != nil {
		t.Fatal(err)
	}
	if d := mustDeny(t, l, tpm("other", 1000, 601)); d.Used != 400 {
		t.Fatalf("unsettled key: used %d, want 400", d.Used)
	}
	// Negative actual is invalid and leaves the reservation open.
	r = mustReserve(t, l, tpm("third", 1000, 400))
	if err := r.Settle(ctx, map[string]int64{"third": -1}); !errors.Is(err, limits.ErrInvalid) {
		t.Fatalf("Settle(-1) = %v, want ErrInvalid", err)
	}
	if err := r.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	mustReserve(t, l, tpm("third", 1000, 1000))
}

func testCancel(t *testing.T, l limits.Limiter, c *Clock) {
	ctx := context.Background()
	charges := []limits.Charge{rpm("vk", 1), tpm("vk", 100, 100), {Key: "vk", Kind: limits.RequestsPerDay, Limit: 1, Amount: 1}}
	r := mustReserve(t, l, charges...)
	mustDeny(t, l, charges...)
	if err := r.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	s := mustReserve(t, l, charges...).States()
	if s[0].Remaining != 0 || s[1].Remaining != 0 || s[2].Remaining != 0 {
		t.Fatalf("after cancel and a new reservation: %+v", s)
	}
}

func testRefundAfterRefill(t *testing.T, l limits.Limiter, c *Clock) {
	ctx := context.Background()
	r := mustReserve(t, l, tpm("vk", 60, 60)) // one token per second
	c.Advance(30 * time.Second)
	if err := r.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	// Empty, not 30 above full: refill during the request is not counted twice.
	mustReserve(t, l, tpm("vk", 60, 60))
	mustDeny(t, l, tpm("vk", 60, 1))
}

func testIdempotent(t *testing.T, l limits.Limiter, c *Clock) {
	ctx := context.Background()
	r := mustReserve(t, l, rpm("vk", 10), tpm("vk", 1000, 500))
	for range 3 {
		if err := r.Settle(ctx, map[string]int64{"vk": 100}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Settle(ctx, map[string]int64{"vk": 0}); err != nil {
		t.Fatal(err)
	}
	if err := r.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	s := mustReserve(t, l, rpm("vk", 10), tpm("vk", 1000, 0)).States()
	if s[0].Remaining != 8 || s[1].Remaining != 900 {
		t.Fatalf("after settling once: %+v, want 8 requests and 900 tokens left", s)
	}

	r = mustReserve(t, l, tpm("c", 1000, 500))
	for range 2 {
		if err := r.Cancel(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Settle(ctx, map[string]int64{"c": 900}); err != nil {
		t.Fatal(err)
	}
	if s := mustReserve(t, l, tpm("c", 1000, 0)).States()[0]; s.Remaining != 1000 {
		t.Fatalf("after cancel: remaining %d, want 1000", s.Remaining)
	}
}

func testLimitChange(t *testing.T, l limits.Limiter, c *Clock) {
	for range 10 {
		mustReserve(t, l, rpm("vk", 10))
	}
	// Raised to 20: the 10 in use still count.
	s := mustReserve(t, l, rpm("vk", 20)).States()[0]
	if s.Remaining != 9 || !near(s.Reset, 33*time.Second) {
		t.Fatalf("after raising the limit: %+v, want 9 left, reset 33s", s)
	}
	// Lowered to 5: refused until 11 in use drain below 5 at 5 per minute.
	if d := mustDeny(t, l, rpm("vk", 5)); d.Used != 11 || !near(d.RetryAfter, 84*time.Second) {
		t.Fatalf("after lowering: %+v, want used 11, retry 1m24s", d)
	}
}
