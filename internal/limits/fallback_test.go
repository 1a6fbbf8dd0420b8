package limits_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/limits/limitstest"
	"github.com/keygate/keygate/internal/tenant"
)

// switchDialer is a redis.Options.Dialer that can take the server away:
// while down it closes the connections it made and dials a closed port.
type switchDialer struct {
	closed string // an address nobody listens on
	dials  atomic.Int64

	mu    sync.Mutex
	down  bool
	conns []net.Conn
}

func newSwitchDialer(t *testing.T) *switchDialer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return &switchDialer{closed: addr}
}

func (s *switchDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	s.dials.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		addr = s.closed
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err == nil {
		s.conns = append(s.conns, c)
	}
	return c, err
}

func (s *switchDialer) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
	if down {
		for _, c := range s.conns {
			c.Close()
		}
		s.conns = nil
	}
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.b.String()), "\n")
}

type fallbackRig struct {
	f      *limits.Fallback
	dialer *switchDialer
	clock  *limitstest.Clock
	log    *syncBuffer
}

func newFallbackRig(t *testing.T, failOpen bool) *fallbackRig {
	opt := redisOptions(t)
	rig := &fallbackRig{dialer: newSwitchDialer(t), clock: limitstest.NewClock(time.Now()), log: &syncBuffer{}}
	opt.Dialer = rig.dialer.dial
	opt.MaxRetries = -1 // fail at once, so that the test sees each outcome
	opt.DialerRetries = 1
	opt.DialTimeout = time.Second
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	rig.f = limits.NewFallback(limits.NewRedis(c, testPrefix(t)), limits.NewMemory(), limits.FallbackConfig{
		Logger:          slog.New(slog.NewTextHandler(rig.log, nil)),
		BudgetsFailOpen: failOpen,
		Replicas:        2,
		Now:             rig.clock.Now,
	})
	return rig
}

func TestFallback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rig := newFallbackRig(t, false)
	f := rig.f
	vk := []limits.Charge{{Key: "vk", Kind: limits.Requests, Limit: 10, Amount: 1}}

	// Healthy: served by Redis.
	before, err := f.Reserve(ctx, vk)
	if err != nil || f.Degraded() {
		t.Fatalf("healthy Reserve: %v, degraded %v", err, f.Degraded())
	}
	if _, err := f.Reserve(ctx, vk); err != nil {
		t.Fatal(err)
	}

	// Redis goes away: still admitting, from this replica's share (10/2).
	rig.dialer.setDown(true)
	admitted := 0
	for range 8 {
		_, err := f.Reserve(ctx, vk)
		var d *limits.Denied
		switch {
		case err == nil:
			admitted++
		case errors.As(err, &d):
			if d.Charge.Limit != 5 {
				t.Fatalf("local denial limit %d, want 5 (10 over 2 replicas)", d.Charge.Limit)
			}
		default:
			t.Fatalf("degraded Reserve: %v", err)
		}
	}
	if !f.Degraded() || admitted != 5 {
		t.Fatalf("degraded %v, admitted %d locally, want true and 5", f.Degraded(), admitted)
	}

	// Budgets fail closed; an unlimited one is still held locally.
	if _, err := f.ReserveBudget(ctx, "p", 100, 1, tenant.Day, time.Now()); !errors.Is(err, limits.ErrUnavailable) {
		t.Fatalf("degraded ReserveBudget = %v, want ErrUnavailable", err)
	}
	if _, err := f.ReserveBudget(ctx, "p", 0, 1, tenant.Day, time.Now()); err != nil {
		t.Fatalf("degraded unlimited ReserveBudget: %v", err)
	}
	if _, err := f.Spent(ctx, "p", tenant.Day, time.Now()); !errors.Is(err, limits.ErrUnavailable) {
		t.Fatalf("degraded Spent = %v, want ErrUnavailable", err)
	}
	// A reservation Redis made cannot settle while it is gone.
	if err := before.Cancel(ctx); !errors.Is(err, limits.ErrUnavailable) {
		t.Fatalf("Cancel of a Redis reservation during the outage = %v, want ErrUnavailable", err)
	}

	// Probes: none until a second has passed, then one, which fails.
	dials := rig.dialer.dials.Load()
	for range 20 {
		f.Reserve(ctx, vk)
	}
	if n := rig.dialer.dials.Load() - dials; n != 0 {
		t.Fatalf("%d dials within the probe interval, want 0", n)
	}
	rig.clock.Advance(time.Second)
	for range 20 {
		f.Reserve(ctx, vk)
	}
	if n := rig.dialer.dials.Load() - dials; n != 1 || !f.Degraded() {
		t.Fatalf("%d dials after a second, degraded %v; want 1 probe that fails", n, f.Degraded())
	}

	// Redis is back: used again at the next probe, with its own counts.
	rig.dialer.setDown(false)
	if f.Reserve(ctx, vk); !f.Degraded() {
		t.Fatal("left degraded mode before the probe interval passed")
	}
	rig.clock.Advance(time.Second)
	r, err := f.Reserve(ctx, vk)
	if err != nil || f.Degraded() {
		t.Fatalf("after recovery: %v, degraded %v", err, f.Degraded())
	}
	if s := r.States()[0]; s.Limit != 10 || s.Remaining != 7 {
		t.Fatalf("recovered state %+v, want Redis's bucket: 3 of 10 used", s)
	}

	lines := rig.log.lines()
	if len(lines) != 2 || !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[1], "level=INFO") {
		t.Fatalf("log lines %q, want one warning and one info", lines)
	}
}

func TestFallbackBudgetsFailOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rig := newFallbackRig(t, true)
	f := rig.f
	now := time.Now()
	r, err := f.ReserveBudget(ctx, "p", 100, 40, tenant.Day, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Settle(ctx, 40); err != nil {
		t.Fatal(err)
	}

	rig.dialer.setDown(true)
	// This replica's share of 100 over 2 replicas, counted from zero.
	r, err = f.ReserveBudget(ctx, "p", 100, 50, tenant.Day, now)
	if err != nil || !f.Degraded() {
		t.Fatalf("degraded fail-open ReserveBudget: %v, degraded %v", err, f.Degraded())
	}
	if err := r.Settle(ctx, 45); err != nil {
		t.Fatal(err)
	}
	var d *limits.BudgetDenied
	if _, err := f.ReserveBudget(ctx, "p", 100, 6, tenant.Day, now); !errors.As(err, &d) || d.Limit != 50 {
		t.Fatalf("over the local share: %v, want BudgetDenied with limit 50", err)
	}
	if n, err := f.Spent(ctx, "p", tenant.Day, now); err != nil || n != 45 {
		t.Fatalf("degraded Spent = %d, %v; want the local 45", n, err)
	}

	rig.dialer.setDown(false)
	rig.clock.Advance(time.Second)
	if n, err := f.Spent(ctx, "p", tenant.Day, now); err != nil || n != 40 || f.Degraded() {
		t.Fatalf("recovered Spent = %d, %v, degraded %v; want Redis's 40", n, err, f.Degraded())
	}
}
