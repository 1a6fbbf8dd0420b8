package limits

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

// FallbackConfig configures NewFallback. The zero value is usable.
type FallbackConfig struct {
	// Logger receives one line per transition: a warning on entering the
	// degraded mode, an info line on leaving it. Nil discards.
	Logger *slog.Logger

	// BudgetsFailOpen decides budgets while degraded. False (fail closed):
	// ReserveBudget of a limited budget and Spent return an error wrapping
	// ErrUnavailable, so nothing is spent that cannot be counted; an
	// unlimited budget (limit 0) is still held locally. True (fail open): budgets are
	// held and counted by the per-replica limiter, from zero, as if each
	// replica had its share of the budget to itself.
	BudgetsFailOpen bool

	// Replicas divides every limit (rate and budget) while degraded, so that
	// replicas counting apart admit about the shared total: a local limit is
	// ceil(limit / Replicas). Values < 1 mean 1.
	Replicas int

	// ProbeInterval is the least time between attempts to use the primary
	// while degraded (default one second).
	ProbeInterval time.Duration

	// Now is the clock probes are spaced by (default time.Now).
	Now func() time.Time
}

// Fallback is a Limiter that serves from a primary (Redis) and, while the
// primary fails with ErrUnavailable, from a local per-replica limiter
// (Memory). Refusals (Denied, BudgetDenied), invalid arguments and the
// caller's own cancellation are not failures. While degraded, at most one
// call per ProbeInterval tries the primary; the first answer ends the
// degraded mode.
//
// A call that probes or first meets the outage waits for the primary to
// fail: give the Redis client a short DialTimeout, few DialerRetries and
// MaxRetries, so that the wait stays short.
//
// A reservation is settled by the limiter that made it: one made by the
// primary before an outage fails to settle during it (its error wraps
// ErrUnavailable) and is not carried over.
type Fallback struct {
	primary, local Limiter
	cfg            FallbackConfig
	degraded       atomic.Bool
	nextProbe      atomic.Int64 // unix ns; while degraded, the next probe time
}

// NewFallback returns a Fallback over primary and local.
func NewFallback(primary, local Limiter, cfg FallbackConfig) *Fallback {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Replicas < 1 {
		cfg.Replicas = 1
	}
	if cfg.ProbeInterval <= 0 {
		cfg.ProbeInterval = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Fallback{primary: primary, local: local, cfg: cfg}
}

// Degraded reports whether f is serving from the local limiter.
func (f *Fallback) Degraded() bool { return f.degraded.Load() }

// usePrimary reports whether this call should go to the primary: always
// when healthy; while degraded, only the one call that claims a due probe.
func (f *Fallback) usePrimary() bool {
	if !f.degraded.Load() {
		return true
	}
	next := f.nextProbe.Load()
	now := f.cfg.Now().UnixNano()
	return now >= next && f.nextProbe.CompareAndSwap(next, now+int64(f.cfg.ProbeInterval))
}

// failed records the primary's outcome and reports whether the call must be
// served locally instead.
func (f *Fallback) failed(ctx context.Context, err error) bool {
	if err != nil && ctx.Err() != nil {
		return false // the caller gave up; says nothing about the primary
	}
	if err == nil || !errors.Is(err, ErrUnavailable) {
		if f.degraded.CompareAndSwap(true, false) {
			f.cfg.Logger.InfoContext(ctx, "limits: shared counters answer again; leaving per-replica mode")
		}
		return false
	}
	f.nextProbe.Store(f.cfg.Now().Add(f.cfg.ProbeInterval).UnixNano())
	if f.degraded.CompareAndSwap(false, true) {
		f.cfg.Logger.WarnContext(ctx, "limits: shared counters unavailable; serving per-replica limits",
			"err", err, "budgets_fail_open", f.cfg.BudgetsFailOpen, "replicas", f.cfg.Replicas)
	}
	return true
}

// share is a limit's per-replica part while degraded.
func (f *Fallback) share(limit int64) int64 {
	n := int64(f.cfg.Replicas)
	return (limit + n - 1) / n
}

// Reserve implements Limiter.
func (f *Fallback) Reserve(ctx context.Context, charges []Charge) (*Reservation, error) {
	if f.usePrimary() {
		r, err := f.primary.Reserve(ctx, charges)
		if !f.failed(ctx, err) {
			return r, err
		}
	}
	local := make([]Charge, len(charges))
	for i, c := range charges {
		local[i] = c
		if c.Limit > 0 {
			local[i].Limit = f.share(c.Limit)
		}
	}
	return f.local.Reserve(ctx, local)
}

// ReserveBudget implements Limiter.
func (f *Fallback) ReserveBudget(ctx context.Context, key string, limit, amount tenant.Nanos, period tenant.Period, now time.Time) (*BudgetReservation, error) {
	if f.usePrimary() {
		r, err := f.primary.ReserveBudget(ctx, key, limit, amount, period, now)
		if !f.failed(ctx, err) {
			return r, err
		}
	}
	if !f.cfg.BudgetsFailOpen && limit > 0 {
		return nil, fmt.Errorf("%w: budget of %q cannot be checked while shared counters are down", ErrUnavailable, key)
	}
	return f.local.ReserveBudget(ctx, key, tenant.Nanos(f.share(int64(limit))), amount, period, now)
}

// SeedBudget implements Limiter. While degraded it seeds the local
// limiter, whose windows start empty.
func (f *Fallback) SeedBudget(ctx context.Context, key string, period tenant.Period, now time.Time, spent tenant.Nanos) error {
	if f.usePrimary() {
		err := f.primary.SeedBudget(ctx, key, period, now, spent)
		if !f.failed(ctx, err) {
			return err
		}
	}
	return f.local.SeedBudget(ctx, key, period, now, spent)
}

// Spent implements Limiter. While degraded it returns the local spend when
// budgets fail open — only what this replica settled since it degraded —
// and an error wrapping ErrUnavailable when they fail closed.
func (f *Fallback) Spent(ctx context.Context, key string, period tenant.Period, now time.Time) (tenant.Nanos, error) {
	if f.usePrimary() {
		n, err := f.primary.Spent(ctx, key, period, now)
		if !f.failed(ctx, err) {
			return n, err
		}
	}
	if !f.cfg.BudgetsFailOpen {
		return 0, fmt.Errorf("%w: spend of %q unknown while shared counters are down", ErrUnavailable, key)
	}
	return f.local.Spent(ctx, key, period, now)
}
