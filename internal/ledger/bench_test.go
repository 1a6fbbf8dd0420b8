package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/ledger"
	"github.com/keygate/keygate/internal/procusage"
	"github.com/keygate/keygate/internal/requestid"
	"github.com/keygate/keygate/internal/tenant"
)

// benchLedger pushes b.N records through a Writer with the options
// `keygate serve` uses into a fresh tg and reports end-to-end throughput,
// from the first Record to Close returning with every row committed, and
// this process's CPU time per record (the database server's not included).
// ids names the records' request ids: "ordered" ones rise, as a counter's;
// "request" ones are requestid.New's, random as every real request's, so
// that each lands at a random place in the table's primary-key index.
func benchLedger(b *testing.B, newTarget func(testing.TB) target, ids string) {
	tg := newTarget(b)
	w := ledger.New(tg.sink, ledger.Options{BatchSize: 128, FlushInterval: 100 * time.Millisecond}, nil)
	us := make([]tenant.Usage, b.N)
	for i := range us {
		us[i] = usage("bench", i)
		if ids == "request" {
			us[i].RequestID = requestid.New()
		}
	}
	meter := procusage.Start(b)
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
	meter.Report(b)
	if got := tg.count(b); got != int64(b.N) {
		b.Fatalf("%d rows, want %d", got, b.N)
	}
}

func benchLedgerIDs(b *testing.B, newTarget func(testing.TB) target) {
	for _, ids := range []string{"ordered", "request"} {
		b.Run(ids+"-ids", func(b *testing.B) { benchLedger(b, newTarget, ids) })
	}
}

func BenchmarkLedgerSQLite(b *testing.B)   { benchLedgerIDs(b, newSQLite) }
func BenchmarkLedgerPostgres(b *testing.B) { benchLedgerIDs(b, newPostgres) }

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

// BenchmarkRecordPaced is what the ledger costs the process per record, its
// writing goroutine included, when records come spread out as from
// requests rather than back to back as in BenchmarkRecord, into a sink that
// keeps nothing: one record each millisecond ("sparse", so that each finds
// the writing goroutine asleep), or ten ("bursts", 10,000 a second).
// cpu-ns/op is the process's CPU time (user + system) per record, and
// ctxsw/op its threads' context switches per record, from the first Record
// to Close returning; "pacing" is the cost of the pacing alone, to subtract
// from "writer". On a noisy machine ctxsw/op is the steadier of the two.
func BenchmarkRecordPaced(b *testing.B) {
	for _, who := range []string{"pacing", "writer"} {
		for _, pace := range []struct {
			name    string
			perTick int
		}{{"sparse", 1}, {"bursts", 10}} {
			b.Run(who+"/"+pace.name, func(b *testing.B) { benchRecordPaced(b, who == "writer", pace.perTick) })
		}
	}
}

func benchRecordPaced(b *testing.B, record bool, perTick int) {
	var w *ledger.Writer
	if record {
		w = ledger.New(discard{}, ledger.Options{BatchSize: 128, FlushInterval: 100 * time.Millisecond}, nil)
	}
	us := make([]tenant.Usage, b.N)
	for i := range us {
		us[i] = usage("paced", i)
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	meter := procusage.Start(b)
	b.ResetTimer()
	for i := range b.N {
		if i%perTick == 0 {
			<-tick.C
		}
		if w != nil {
			w.Record(us[i])
		}
	}
	if w != nil {
		if err := w.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	meter.Report(b)
}
