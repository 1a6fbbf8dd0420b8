package limits

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/keygate/keygate/internal/tenant"
)

// Redis is a Limiter whose buckets and budgets live in Redis, shared by
// every replica that uses the same prefix. Each admission, adjustment and
// budget hold is one Lua script, so it is atomic and costs one round trip
// (two the first time a script is unknown to the server). Rate buckets
// expire when they would be full; budget windows a day after they end
// (Total never). Errors from Redis wrap ErrUnavailable.
//
// Keys: <prefix>rl:<kind>:<key> for a rate bucket, <prefix>bs:<window>:<key>
// and <prefix>bh:<window>:<key> for a budget window's counters and holds.
// The scripts touch several keys at once, so they need a single Redis
// server (or one hash slot: put the prefix in braces, "{kg}:").
//
// github.com/go-redis/redis_rate is not used: it limits one key per call
// (no all-or-nothing admission across buckets in one round trip), cannot
// give back a part of what it admitted (a negative cost is lost once the
// bucket's TAT falls behind the present), and its float seconds since 2017
// carry about 14 significant digits through tostring.
type Redis struct {
	client *redis.Client
	prefix string
	now    func() time.Time // nil: the server's clock
	lease  time.Duration
}

// NewRedis returns a Limiter on client whose keys start with prefix. Rate
// buckets refill by the Redis server's clock unless WithClock is given.
func NewRedis(client *redis.Client, prefix string, opts ...Option) *Redis {
	o := newOptions(opts)
	return &Redis{client: client, prefix: prefix, now: o.now, lease: o.lease}
}

func (r *Redis) bucketKey(c Charge) string {
	return r.prefix + "rl:" + c.Kind.String() + ":" + c.Key
}

// clockArg is the scripts' ARGV[1]: now in µs, or "" for the server's TIME.
func (r *Redis) clockArg() string {
	if r.now == nil {
		return ""
	}
	return strconv.FormatInt(r.now().UnixMicro(), 10)
}

// scriptArgs returns the keys and arguments of a rate script whose third
// per-charge argument is amounts[i].
func (r *Redis) scriptArgs(charges []Charge, amounts []int64) ([]string, []any) {
	keys := make([]string, len(charges))
	args := make([]any, 1, 1+3*len(charges))
	args[0] = r.clockArg()
	for i, c := range charges {
		keys[i] = r.bucketKey(c)
		args = append(args, c.Limit, int64(c.Kind.Period()/time.Microsecond), amounts[i])
	}
	return keys, args
}

// Reserve implements Limiter.
func (r *Redis) Reserve(ctx context.Context, charges []Charge) (*Reservation, error) {
	if err := validate(charges); err != nil {
		return nil, err
	}
	own := append([]Charge(nil), charges...)
	amounts := make([]int64, len(own))
	for i, c := range own {
		amounts[i] = c.Amount
	}
	keys, args := r.scriptArgs(own, amounts)
	res, err := reserveScript.Run(ctx, r.client, keys, args...).Int64Slice()
	if err != nil {
		return nil, unavailable("reserve", err)
	}
	if len(res) == 0 {
		return nil, unavailable("reserve", errors.New("empty reply"))
	}
	if i := res[0]; i != 0 {
		if i < 0 || int(i) > len(own) || len(res) != 4 {
			return nil, unavailable("reserve", fmt.Errorf("malformed reply %v", res))
		}
		return nil, &Denied{
			Charge:     own[i-1],
			Used:       res[1],
			RetryAfter: time.Duration(res[2]) * time.Microsecond,
			Reset:      time.Duration(res[3]) * time.Microsecond,
		}
	}
	if len(res) != 1+2*len(own) {
		return nil, unavailable("reserve", fmt.Errorf("malformed reply %v", res))
	}
	states := make([]State, len(own))
	for i, c := range own {
		states[i] = State{
			Key: c.Key, Kind: c.Kind, Limit: c.Limit,
			Remaining: res[1+2*i],
			Reset:     time.Duration(res[2+2*i]) * time.Microsecond,
		}
	}
	return newReservation(r, own, states), nil
}

// adjust implements adjuster.
func (r *Redis) adjust(ctx context.Context, charges []Charge, deltas []int64) error {
	keys, args := r.scriptArgs(charges, deltas)
	if err := adjustScript.Run(ctx, r.client, keys, args...).Err(); err != nil {
		return unavailable("settle", err)
	}
	return nil
}

func (r *Redis) budgetKeys(key string, w Window) []string {
	return []string{r.prefix + "bs:" + w.ID + ":" + key, r.prefix + "bh:" + w.ID + ":" + key}
}

// budgetExpiry is when a window's keys expire, in ms since the epoch; 0 for
// never.
func budgetExpiry(w Window) int64 {
	if w.End.IsZero() {
		return 0
	}
	return w.End.Add(windowGrace).UnixMilli()
}

// ReserveBudget implements Limiter.
func (r *Redis) ReserveBudget(ctx context.Context, key string, limit, amount tenant.Nanos, period tenant.Period, now time.Time) (*BudgetReservation, error) {
	w, err := validateBudget(key, limit, amount, period, now)
	if err != nil {
		return nil, err
	}
	id := rand.Text() // unique across replicas
	res, err := budgetReserveScript.Run(ctx, r.client, r.budgetKeys(key, w),
		now.UnixMilli(), int64(limit), int64(amount), id, now.Add(r.lease).UnixMilli(), budgetExpiry(w),
	).Int64Slice()
	if err != nil {
		return nil, unavailable("reserve budget", err)
	}
	if len(res) != 2 {
		return nil, unavailable("reserve budget", fmt.Errorf("malformed reply %v", res))
	}
	if res[0] == 0 {
		return nil, &BudgetDenied{Key: key, Period: period, Limit: limit, Used: tenant.Nanos(res[1]), Amount: amount, ResetsAt: w.End}
	}
	return &BudgetReservation{Key: key, Window: w, Amount: amount, Used: tenant.Nanos(res[1]), id: id, backend: r}, nil
}

// settleBudget implements budgetSettler.
func (r *Redis) settleBudget(ctx context.Context, br *BudgetReservation, cost tenant.Nanos) error {
	err := budgetSettleScript.Run(ctx, r.client, r.budgetKeys(br.Key, br.Window),
		br.id, int64(cost), budgetExpiry(br.Window)).Err()
	if err != nil {
		return unavailable("settle budget", err)
	}
	return nil
}

// Spent implements Limiter.
func (r *Redis) Spent(ctx context.Context, key string, period tenant.Period, now time.Time) (tenant.Nanos, error) {
	w, err := WindowOf(period, now)
	if err != nil {
		return 0, err
	}
	n, err := r.client.HGet(ctx, r.budgetKeys(key, w)[0], "spent").Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, unavailable("spent", err)
	}
	return tenant.Nanos(n), nil
}

// SeedBudget implements Limiter.
func (r *Redis) SeedBudget(ctx context.Context, key string, period tenant.Period, now time.Time, spent tenant.Nanos) error {
	w, err := validateBudget(key, 0, spent, period, now)
	if err != nil {
		return err
	}
	if err := budgetSeedScript.Run(ctx, r.client, r.budgetKeys(key, w)[:1], int64(spent), budgetExpiry(w)).Err(); err != nil {
		return unavailable("seed budget", err)
	}
	return nil
}

// unavailable wraps a Redis failure in ErrUnavailable.
func unavailable(op string, err error) error {
	return fmt.Errorf("%w: redis %s: %w", ErrUnavailable, op, err)
}
