package app_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/ledger"
	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/procusage"
	"github.com/keygate/keygate/internal/requestid"
	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/store/pgtest"
	"github.com/keygate/keygate/internal/store/postgres"
	"github.com/keygate/keygate/internal/store/sqlite"
	"github.com/keygate/keygate/internal/tenant"
)

// The load BenchmarkLedgerOverhead offers: chat completions at
// -ledgerbench.rate through keygate, and synthetic usage records (with
// request ids like real ones) topping the ledger up to
// -ledgerbench.records a second, a rate one process on this machine could
// not reach with real requests.
var (
	ledgerBenchRate    = flag.Int("ledgerbench.rate", 2000, "BenchmarkLedgerOverhead: chat completions per second")
	ledgerBenchRecords = flag.Int("ledgerbench.records", 10_000, "BenchmarkLedgerOverhead: usage records per second into the store, requests included")
)

// ledgerBenchWarmup is how long each run sends requests before measuring.
const ledgerBenchWarmup = 500 * time.Millisecond

// ledgerBenchOptions are the ledger options `keygate serve` uses.
var ledgerBenchOptions = ledger.Options{BatchSize: 128, FlushInterval: 100 * time.Millisecond}

// BenchmarkLedgerOverhead measures what the usage ledger costs the request
// path, side by side: keygate in front of the mock (2 ms latency) driven
// open loop at 2,000 requests/s, with no ledger ("off"), and with a ledger
// taking 10,000 records/s into a sink that keeps nothing ("discard": the
// Writer's own cost), into SQLite, or into PostgreSQL (skipped without
// KEYGATE_TEST_POSTGRES), each on an empty table. b.N is the number of
// requests measured, so run it with -benchtime=Nx (10000x is 5 s at 2,000
// requests/s).
//
// It reports:
//   - cpu-ns/op: this process's CPU time (user + system) per request, from
//     the first measured request until the ledger has written every record.
//     The mock and the load generator share the process, so only the
//     difference between the sub-benchmarks is the ledger's. PostgreSQL's
//     own CPU is not in it. ctxsw/op counts the process's context switches
//     per request the same way.
//   - p50-µs, p99-µs: latency from the moment a request was due to its last
//     byte read, so that a stalled process shows even in requests it was
//     late to send.
//   - records/s and max-pending: what the ledger was given, and the most
//     records it held unwritten at once (sampled each millisecond).
//
// Run it with -cpu 1 to see one core, as `keygate serve` pinned with taskset
// has (GOMAXPROCS=1), with -ledgerbench.rate 1000: on one core this process
// cannot serve 2,000 requests/s to itself. BENCHMARKS.md, "Ledger", has the
// commands and figures.
func BenchmarkLedgerOverhead(b *testing.B) {
	sealer, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		open func(b *testing.B) ledger.Sink // nil: no ledger
	}{
		{"off", nil},
		// A ledger whose store keeps nothing: the Writer's own share.
		{"discard", func(*testing.B) ledger.Sink { return discardSink{} }},
		{"sqlite", func(b *testing.B) ledger.Sink {
			db, err := sqlite.Open(context.Background(), b.TempDir()+"/keygate.db", sealer)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		}},
		{"postgres", func(b *testing.B) ledger.Sink {
			db, err := postgres.Open(context.Background(), pgtest.DSN(b), sealer)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var w *ledger.Writer
			if bc.open != nil {
				w = ledger.New(bc.open(b), ledgerBenchOptions, nil)
			}
			benchLedgerOverhead(b, w)
		})
	}
}

func benchLedgerOverhead(b *testing.B, w *ledger.Writer) {
	mock := httptest.NewServer(mockopenai.New(mockopenai.Options{Latency: 2 * time.Millisecond}))
	defer mock.Close()
	text := strings.ReplaceAll(defaultModels, "{{MOCK}}", mock.URL+"/v1")
	env := func(string) (string, bool) { return mockopenai.Key(mockopenai.ScenarioUnlimited), true }
	cfg, err := config.Parse("bench.yaml", []byte(text), env)
	if err != nil {
		b.Fatal(err)
	}
	opts := app.Options{}
	if w != nil {
		opts.Ledger = w
	}
	a := app.New(cfg, slog.New(slog.DiscardHandler), opts)
	defer a.Close()
	srv := httptest.NewServer(a.Server.Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	l := &openLoad{client: client, url: srv.URL + "/v1/chat/completions"}

	// The filler ticks without a ledger too, so that its own cost is in
	// every sub-benchmark.
	fill := startFiller(w, *ledgerBenchRecords-*ledgerBenchRate)
	defer fill.stop()
	if b.N > 1 {
		l.run(int(time.Duration(*ledgerBenchRate)*ledgerBenchWarmup/time.Second), nil)
	}
	var recorded int64
	if w != nil {
		fill.resetMax()
		recorded = -w.Stats().Recorded
	}
	lat := make([]time.Duration, b.N)
	meter := procusage.Start(b)
	b.ResetTimer()
	l.run(b.N, lat)
	if w != nil {
		fill.stop()
		recorded += w.Stats().Recorded
		// Until every record is written: the window's CPU time then
		// holds all its records' inserts (and the warm-up's last few).
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := w.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	meter.Report(b)
	if n := l.failed(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[b.N/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[b.N*99/100].Microseconds()), "p99-µs")
	if w != nil {
		b.ReportMetric(float64(fill.maxPending()), "max-pending")
		b.ReportMetric(float64(recorded)/b.Elapsed().Seconds(), "records/s")
	}
}

// discardSink stores nothing.
type discardSink struct{}

func (discardSink) InsertUsage(context.Context, []tenant.Usage) error { return nil }

// openLoad sends chat completions at -ledgerbench.rate, each on its own
// goroutine when it falls due, whether or not earlier ones are answered.
type openLoad struct {
	client *http.Client
	url    string
	mu     sync.Mutex
	fails  int
}

const ledgerBenchBody = `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the benchmark."}]}`

// run sends n requests and, when lat is not nil, stores request i's
// latency, counted from when it was due, in lat[i].
func (l *openLoad) run(n int, lat []time.Duration) {
	interval := time.Second / time.Duration(*ledgerBenchRate)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		wg.Go(func() {
			ok := l.send()
			if lat != nil {
				lat[i] = time.Since(due)
			}
			if !ok {
				l.mu.Lock()
				l.fails++
				l.mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func (l *openLoad) send() bool {
	req, err := http.NewRequest(http.MethodPost, l.url, strings.NewReader(ledgerBenchBody))
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+clientKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err == nil && resp.StatusCode == http.StatusOK
}

func (l *openLoad) failed() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fails
}

// filler records synthetic usage at a steady rate, a millisecond's worth
// at a time, and samples how many records the Writer holds unwritten. With
// no Writer it only ticks.
type filler struct {
	w        *ledger.Writer
	quit     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	pending int64 // the most seen since resetMax
}

func startFiller(w *ledger.Writer, perSecond int) *filler {
	f := &filler{w: w, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		start := time.Now()
		sent := 0
		u := tenant.Usage{Project: "bench", KeyID: "vk_bench", Alias: "gpt-4o-mini", Deployment: "gpt-4o-mini",
			UpstreamModel: "gpt-4o-mini-2024-07-18", PromptTokens: 120, CompletionTokens: 40, Cost: 1, Status: 200,
			Latency: 350 * time.Millisecond}
		for {
			select {
			case <-f.quit:
				return
			case now := <-tick.C:
				if w == nil {
					continue
				}
				for due := int(now.Sub(start).Seconds() * float64(perSecond)); sent < due; sent++ {
					u.RequestID = requestid.New()
					u.Time = now
					w.Record(u)
				}
				p := w.Stats().Pending
				f.mu.Lock()
				f.pending = max(f.pending, p)
				f.mu.Unlock()
			}
		}
	}()
	return f
}

func (f *filler) stop() {
	f.stopOnce.Do(func() { close(f.quit) })
	<-f.done
}

func (f *filler) resetMax() {
	f.mu.Lock()
	f.pending = 0
	f.mu.Unlock()
}

func (f *filler) maxPending() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pending
}
