package limits_test

import (
	"context"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/limits/limitstest"
	"github.com/keygate/keygate/internal/tenant"
)

func TestMemory(t *testing.T) {
	t.Parallel()
	limitstest.Run(t, func(t *testing.T, now func() time.Time) limits.Limiter {
		return limits.NewMemory(limits.WithClock(now))
	})
}

// benchCharges is one request's charges: key, project and deployment
// buckets, large enough never to refuse.
func benchCharges(key string) []limits.Charge {
	return []limits.Charge{
		{Key: "vk:" + key, Kind: limits.Requests, Limit: 1e12, Amount: 1},
		{Key: "vk:" + key, Kind: limits.Tokens, Limit: 1e15, Amount: 1000},
		{Key: "project", Kind: limits.Requests, Limit: 1e12, Amount: 1},
		{Key: "project", Kind: limits.Tokens, Limit: 1e15, Amount: 1000},
		{Key: "deployment", Kind: limits.Tokens, Limit: 1e15, Amount: 1000},
	}
}

// benchReserve measures Reserve followed by Settle, as the gateway does
// per request, serially and in parallel.
func benchReserve(b *testing.B, l limits.Limiter) {
	ctx := context.Background()
	actual := map[string]int64{"vk:a": 600, "project": 600, "deployment": 600}
	b.Run("reserve+settle", func(b *testing.B) {
		b.ReportAllocs()
		charges := benchCharges("a")
		for b.Loop() {
			r, err := l.Reserve(ctx, charges)
			if err != nil {
				b.Fatal(err)
			}
			if err := r.Settle(ctx, actual); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			charges := benchCharges("a")
			for pb.Next() {
				r, err := l.Reserve(ctx, charges)
				if err != nil {
					b.Error(err)
					return
				}
				if err := r.Settle(ctx, actual); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("budget", func(b *testing.B) {
		b.ReportAllocs()
		now := time.Now()
		for b.Loop() {
			r, err := l.ReserveBudget(ctx, "project", 0, 5000, tenant.Month, now)
			if err != nil {
				b.Fatal(err)
			}
			if err := r.Settle(ctx, 4000); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkReserveMemory(b *testing.B) {
	benchReserve(b, limits.NewMemory())
}
