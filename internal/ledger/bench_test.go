package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/ledger"
	"github.com/keygate/keygate/internal/tenant"
)

// benchLedger pushes b.N records through a Writer with default options
// into tg and reports end-to-end throughput: from the first Record to Close
// returning with every row committed.
func benchLedger(b *testing.B, tg target) {
	w := ledger.New(tg.sink, ledger.Options{}, nil)
	us := make([]tenant.Usage, b.N)
	for i := range us {
		us[i] = usage("bench", i)
	}
	b.ResetTimer()
	for i := range b.N {
		w.Record(us[i])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if got := tg.count(b); got != int64(b.N) {
		b.Fatalf("%d rows, want %d", got, b.N)
	}
}

func BenchmarkLedgerSQLite(b *testing.B)   { benchLedger(b, newSQLite(b)) }
func BenchmarkLedgerPostgres(b *testing.B) { benchLedger(b, newPostgres(b)) }

// BenchmarkRecord is the request path's share: one Record call, from many
// goroutines, with a sink that keeps nothing.
func BenchmarkRecord(b *testing.B) {
	w := ledger.New(discard{}, ledger.Options{}, nil)
	u := usage("rec", 0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w.Record(u)
		}
	})
	b.StopTimer()
	if err := w.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
}

type discard struct{}

func (discard) InsertUsage(context.Context, []tenant.Usage) error { return nil }
