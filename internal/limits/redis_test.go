package limits_test

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mrand "math/rand/v2"

	"github.com/redis/go-redis/v9"

	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/limits/limitstest"
	"github.com/keygate/keygate/internal/tenant"
)

// redisOptions returns the options of KEYGATE_TEST_REDIS, skipping the test
// when it is unset.
func redisOptions(tb testing.TB) *redis.Options {
	tb.Helper()
	u := os.Getenv("KEYGATE_TEST_REDIS")
	if u == "" {
		tb.Skip("KEYGATE_TEST_REDIS not set")
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		tb.Fatalf("KEYGATE_TEST_REDIS: %v", err)
	}
	return opt
}

// newRedisClient returns a client of KEYGATE_TEST_REDIS, closed at cleanup.
func newRedisClient(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(redisOptions(tb))
	tb.Cleanup(func() { c.Close() })
	return c
}

// testPrefix returns a fresh key prefix whose keys are deleted at cleanup.
func testPrefix(tb testing.TB) string {
	tb.Helper()
	prefix := "kgtest:" + rand.Text() + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		c := redis.NewClient(redisOptions(tb))
		defer c.Close()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("scan %s*: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				tb.Errorf("delete %d keys of %s: %v", len(keys), prefix, err)
			}
		}
	})
	return prefix
}

func TestRedis(t *testing.T) {
	t.Parallel()
	c := newRedisClient(t)
	limitstest.Run(t, func(t *testing.T, now func() time.Time) limits.Limiter {
		return limits.NewRedis(c, testPrefix(t), limits.WithClock(now))
	})
}

// TestRedisServerClock uses the server's clock (no WithClock), as replicas
// do in production: buckets refill by real time and keys carry TTLs.
func TestRedisServerClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newRedisClient(t)
	prefix := testPrefix(t)
	l := limits.NewRedis(c, prefix)
	charge := []limits.Charge{{Key: "vk", Kind: limits.Tokens, Limit: 6000, Amount: 6000}} // 100 per second
	if _, err := l.Reserve(ctx, charge); err != nil {
		t.Fatal(err)
	}
	charge[0].Amount = 10
	_, err := l.Reserve(ctx, charge)
	var d *limits.Denied
	if !errors.As(err, &d) || d.RetryAfter <= 0 || d.RetryAfter > 100*time.Millisecond {
		t.Fatalf("10 more tokens: %v, want a refusal with retry ≤ 100ms", err)
	}
	time.Sleep(d.RetryAfter + 10*time.Millisecond)
	if _, err := l.Reserve(ctx, charge); err != nil {
		t.Fatalf("after %v of refill: %v", d.RetryAfter, err)
	}

	ttl := c.PTTL(ctx, prefix+"rl:tokens:vk").Val()
	if ttl <= 0 || ttl > 62*time.Second {
		t.Errorf("bucket TTL %v, want about a minute", ttl)
	}
	now := time.Now()
	r, err := l.ReserveBudget(ctx, "p", 0, 10, tenant.Day, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Settle(ctx, 10); err != nil {
		t.Fatal(err)
	}
	w, _ := limits.WindowOf(tenant.Day, now)
	if ttl := c.PTTL(ctx, prefix+"bs:"+w.ID+":p").Val(); ttl <= 24*time.Hour || ttl > 48*time.Hour {
		t.Errorf("budget window TTL %v, want its end plus a day", ttl)
	}
}

// TestRedisCrossInstance stands three replicas on one prefix, each with its
// own client, and hammers them at once.
func TestRedisCrossInstance(t *testing.T) {
	t.Parallel()
	prefix := testPrefix(t)
	var replicas [3]*limits.Redis
	for i := range replicas {
		replicas[i] = limits.NewRedis(newRedisClient(t), prefix)
	}

	t.Run("RPM", func(t *testing.T) {
		var admitted atomic.Int64
		var wg sync.WaitGroup
		charges := []limits.Charge{{Key: "vk", Kind: limits.Requests, Limit: 60, Amount: 1}}
		for i := range 60 {
			l := replicas[i%3]
			wg.Go(func() {
				for range 5 {
					_, err := l.Reserve(context.Background(), charges)
					var d *limits.Denied
					switch {
					case err == nil:
						admitted.Add(1)
					case !errors.As(err, &d):
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		// Refill during the run (one a second) may admit one more.
		if n := admitted.Load(); n < 60 || n > 61 {
			t.Fatalf("three replicas admitted %d of 300 at 60 RPM, want 60 ± 1", n)
		}
	})

	t.Run("Budget", func(t *testing.T) {
		const limit = tenant.Nanos(1e9) // $1.00
		now := time.Now()
		var settled, refused atomic.Int64
		var wg sync.WaitGroup
		for i := range 48 {
			l := replicas[i%3]
			wg.Go(func() {
				ctx := context.Background()
				for range 20 {
					amount := tenant.Nanos(mrand.Int64N(5e7) + 1)
					r, err := l.ReserveBudget(ctx, "p", limit, amount, tenant.Day, now)
					var d *limits.BudgetDenied
					if errors.As(err, &d) {
						refused.Add(1)
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					cost := tenant.Nanos(mrand.Int64N(int64(amount) + 1))
					if err := r.Settle(ctx, cost); err != nil {
						t.Error(err)
						return
					}
					settled.Add(int64(cost))
				}
			})
		}
		wg.Wait()
		got, err := replicas[0].Spent(context.Background(), "p", tenant.Day, now)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("spent %d of %d nano-dollars, %d refused", got, limit, refused.Load())
		if got != tenant.Nanos(settled.Load()) || got > limit {
			t.Fatalf("spent %d, settled %d, limit %d", got, settled.Load(), limit)
		}
		if refused.Load() == 0 {
			t.Fatal("nothing refused: the budget was never reached")
		}
	})
}

func BenchmarkReserveRedis(b *testing.B) {
	c := newRedisClient(b)
	benchReserve(b, limits.NewRedis(c, testPrefix(b)))
}
