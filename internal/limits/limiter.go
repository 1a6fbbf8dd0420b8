package limits

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

// Limiter admits requests against rate-limit buckets and budgets. Memory,
// Redis and Fallback implement it; all are safe for concurrent use.
type Limiter interface {
	// Reserve takes every charge's Amount from its bucket, or nothing. If a
	// bucket lacks room it returns a *Denied for the first charge, in the
	// given order, that does not fit, and no bucket changes. Charges must
	// name distinct (Key, Kind) buckets, have Limit > 0 and Amount >= 0;
	// otherwise the error wraps ErrInvalid. On success the caller must
	// eventually Settle or Cancel the reservation (or let it stand: a rate
	// reservation left alone is simply consumed).
	Reserve(ctx context.Context, charges []Charge) (*Reservation, error)

	// ReserveBudget holds amount against key's budget for the window of
	// period that contains now. It refuses with a *BudgetDenied when spent
	// + held + amount > limit; limit 0 means no limit (spend is still
	// counted). The hold lasts until the reservation is settled or
	// cancelled, or until its lease ends (see WithBudgetLease).
	ReserveBudget(ctx context.Context, key string, limit, amount tenant.Nanos, period tenant.Period, now time.Time) (*BudgetReservation, error)

	// Spent returns the settled spend of key in the window of period that
	// contains now. Amounts still held by open reservations are not
	// included.
	Spent(ctx context.Context, key string, period tenant.Period, now time.Time) (tenant.Nanos, error)

	// SeedBudget sets the settled spend of key in the window of period that
	// contains now to spent, unless the window already counts spend (this
	// process's or, in Redis, any replica's). It carries spend recorded in
	// the usage ledger over a restart of the counters.
	SeedBudget(ctx context.Context, key string, period tenant.Period, now time.Time, spent tenant.Nanos) error
}

// Kind is what a bucket counts and over which period it refills.
type Kind uint8

// Bucket kinds.
const (
	Requests       Kind = iota + 1 // requests per minute (RPM)
	Tokens                         // tokens per minute (TPM)
	RequestsPerDay                 // requests per day (RPD), refilling over 24 hours
)

// Period returns the time over which a bucket of kind k refills completely
// from empty: a minute, or 24 hours for RequestsPerDay.
func (k Kind) Period() time.Duration {
	if k == RequestsPerDay {
		return 24 * time.Hour
	}
	return time.Minute
}

// String returns "requests", "tokens" or "requests_per_day".
func (k Kind) String() string {
	switch k {
	case Requests:
		return "requests"
	case Tokens:
		return "tokens"
	case RequestsPerDay:
		return "requests_per_day"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Charge is what one request takes from one bucket. The bucket is named by
// (Key, Kind); Limit is its capacity per Kind.Period(). A request counts 1
// against Requests and RequestsPerDay buckets and its prompt tokens plus
// requested maximum output tokens against a Tokens bucket.
type Charge struct {
	Key    string
	Kind   Kind
	Limit  int64
	Amount int64
}

// State is a bucket's state right after an admission, in the terms of
// OpenAI's x-ratelimit-* headers.
type State struct {
	Key   string
	Kind  Kind
	Limit int64
	// Remaining is the number of whole units that could be taken now.
	Remaining int64
	// Reset is the time until the bucket is full again if nothing more is
	// taken (OpenAI's x-ratelimit-reset-*), rounded up to a microsecond.
	Reset time.Duration
}

var (
	// ErrInvalid is wrapped by errors about malformed charges, periods or
	// amounts: a bug in the caller, not a refusal.
	ErrInvalid = errors.New("limits: invalid argument")

	// ErrUnavailable is wrapped by errors of a shared backend (Redis) that
	// did not answer or failed, as opposed to a refusal. Fallback switches
	// to its per-replica limiter on such errors.
	ErrUnavailable = errors.New("limits: counters unavailable")
)

// validate checks charges as Reserve documents.
func validate(charges []Charge) error {
	for i, c := range charges {
		switch {
		case c.Key == "":
			return fmt.Errorf("%w: charge %d has no key", ErrInvalid, i)
		case c.Kind < Requests || c.Kind > RequestsPerDay:
			return fmt.Errorf("%w: charge %q has unknown kind %d", ErrInvalid, c.Key, c.Kind)
		case c.Limit <= 0:
			return fmt.Errorf("%w: charge %q %s has limit %d; omit unlimited buckets", ErrInvalid, c.Key, c.Kind, c.Limit)
		case c.Amount < 0:
			return fmt.Errorf("%w: charge %q %s has negative amount %d", ErrInvalid, c.Key, c.Kind, c.Amount)
		}
		for _, d := range charges[:i] {
			if d.Key == c.Key && d.Kind == c.Kind {
				return fmt.Errorf("%w: bucket %q %s charged twice", ErrInvalid, c.Key, c.Kind)
			}
		}
	}
	return nil
}
