package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/secret"
)

// Limiter is where rate limits and budgets are counted.
type Limiter struct {
	limits.Limiter
	// Degraded reports whether Redis is down and limits are per replica;
	// always false without Redis.
	Degraded func() bool
	close    func() error
}

// Close releases the Redis connection, if any.
func (l *Limiter) Close() error {
	if l.close == nil {
		return nil
	}
	return l.close()
}

// NewLimiter counts in this process, or in Redis when cfg names one: then
// every replica shares the counters, and while Redis is unreachable each
// serves on its own (budgets as cfg.BudgetsFailOpen says) and says so.
// prefix namespaces the Redis keys ("keygate:" in production; tests use
// their own); opts go to the counters (tests stop their clock).
func NewLimiter(ctx context.Context, cfg *config.Config, prefix string, log *slog.Logger, opts ...limits.Option) (*Limiter, error) {
	if cfg.Redis == "" {
		return &Limiter{Limiter: limits.NewMemory(opts...), Degraded: func() bool { return false }}, nil
	}
	opt, err := redis.ParseURL(cfg.Redis)
	if err != nil {
		return nil, fmt.Errorf("redis: %s: %w", secret.RedactURL(cfg.Redis), err)
	}
	// Admission waits on Redis: fail fast so that an outage costs a request
	// milliseconds, not the client's timeout, before the per-replica limits
	// take over.
	opt.DialTimeout = 250 * time.Millisecond
	opt.ReadTimeout = 500 * time.Millisecond
	opt.WriteTimeout = 500 * time.Millisecond
	opt.MaxRetries = 1
	opt.DialerRetries = 1
	redisLogOnce.Do(func() { redis.SetLogger(redisLog{log}) })
	client := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		log.Warn("redis unreachable at start; serving per-replica limits until it answers", "redis", secret.RedactURL(cfg.Redis), "error", err.Error())
	}
	f := limits.NewFallback(limits.NewRedis(client, prefix, opts...), limits.NewMemory(opts...), limits.FallbackConfig{
		Logger: log, BudgetsFailOpen: cfg.BudgetsFailOpen,
	})
	return &Limiter{Limiter: f, Degraded: f.Degraded, close: client.Close}, nil
}

var redisLogOnce sync.Once

// redisLog sends go-redis's own messages (each failed dial, say) to the log
// at debug level: the limiter already says, once, when Redis goes away and
// when it is back.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
