package ledger_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/ledger"
	"github.com/keygate/keygate/internal/tenant"
)

// The scenarios every target runs: the fake sink, SQLite and PostgreSQL.
var scenarios = []struct {
	name string
	fn   func(t *testing.T, tg target)
}{
	{"ExactlyN", testExactlyN},
	{"RetryBeforeCommit", func(t *testing.T, tg target) { testRetry(t, tg, false) }},
	{"RetryAfterCommit", func(t *testing.T, tg target) { testRetry(t, tg, true) }},
	{"ConcurrentRecord", testConcurrentRecord},
	{"CloseDuringRecord", testCloseDuringRecord},
}

func runScenarios(t *testing.T, newTarget func(testing.TB) target) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.fn(t, newTarget(t))
		})
	}
}

func TestFake(t *testing.T)     { t.Parallel(); runScenarios(t, newFake) }
func TestSQLite(t *testing.T)   { t.Parallel(); runScenarios(t, newSQLite) }
func TestPostgres(t *testing.T) { t.Parallel(); runScenarios(t, newPostgres) }

// testExactlyN: N records in, exactly N rows out.
func testExactlyN(t *testing.T, tg target) {
	const n = 12345
	w := ledger.New(tg.sink, ledger.Options{}, nil)
	for i := range n {
		w.Record(usage("exact", i))
	}
	mustClose(t, w)
	if got := tg.count(t); got != n {
		t.Errorf("%d rows, want %d", got, n)
	}
	if s := w.Stats(); s.Recorded != n || s.Written != n || s.Pending != 0 || s.Retries != 0 {
		t.Errorf("Stats = %+v", s)
	}
}

// testRetry: the sink fails three times, before or after committing; the
// Writer retries and nothing is lost or counted twice.
func testRetry(t *testing.T, tg target, afterCommit bool) {
	const n = 1800
	w := ledger.New(newFlaky(tg.sink, 3, afterCommit), ledger.Options{BatchSize: 400}, nil)
	for i := range n {
		w.Record(usage("retry", i))
	}
	mustClose(t, w)
	if got := tg.count(t); got != n {
		t.Errorf("%d rows, want %d", got, n)
	}
	if s := w.Stats(); s.Retries != 3 || s.Written != n || s.Pending != 0 {
		t.Errorf("Stats = %+v, want 3 retries and %d written", s, n)
	}
}

// testConcurrentRecord: 8 goroutines record through a small buffer, so
// records overflow; Close after them loses nothing.
func testConcurrentRecord(t *testing.T, tg target) {
	const goroutines, each = 8, 2500
	w := ledger.New(tg.sink, ledger.Options{Buffer: 64, BatchSize: 200}, nil)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				w.Record(usage("conc", g*each+i))
			}
		})
	}
	wg.Wait()
	mustClose(t, w)
	if got := tg.count(t); got != goroutines*each {
		t.Errorf("%d rows, want %d", got, goroutines*each)
	}
	if s := w.Stats(); s.Written != goroutines*each || s.Pending != 0 {
		t.Errorf("Stats = %+v", s)
	}
}

// testCloseDuringRecord: Close races 8 recording goroutines. Every record
// Record accepted is written; the rest are counted as rejected.
func testCloseDuringRecord(t *testing.T, tg target) {
	const goroutines, each = 8, 2500
	w := ledger.New(tg.sink, ledger.Options{Buffer: 64, BatchSize: 200}, nil)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				w.Record(usage("race", g*each+i))
			}
		})
	}
	for w.Stats().Recorded < goroutines*each/4 {
		time.Sleep(100 * time.Microsecond)
	}
	mustClose(t, w)
	wg.Wait()
	s := w.Stats()
	t.Logf("Stats after Close: %+v", s)
	if got := tg.count(t); got != s.Recorded {
		t.Errorf("%d rows, want the %d recorded before Close", got, s.Recorded)
	}
	if s.Recorded+s.Rejected != goroutines*each || s.Written != s.Recorded {
		t.Errorf("Stats = %+v; want recorded + rejected = %d, all recorded written", s, goroutines*each)
	}
}

// failing always fails, or blocks until released ignoring its context.
type failing struct{ block chan struct{} }

func (f failing) InsertUsage(context.Context, []tenant.Usage) error {
	if f.block != nil {
		<-f.block
	}
	return errors.New("database down")
}

func TestCloseGivesUp(t *testing.T) {
	t.Parallel()
	for name, sink := range map[string]failing{
		"failing":          {},
		"ignoring context": {block: make(chan struct{})},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if sink.block != nil {
				defer close(sink.block)
			}
			w := ledger.New(sink, ledger.Options{BatchSize: 10, FlushInterval: time.Millisecond}, nil)
			for i := range 25 {
				w.Record(usage("lost", i))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := w.Close(ctx)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Close took %v after its context ended", d)
			}
			var nw *ledger.NotWrittenError
			if !errors.As(err, &nw) || nw.Count != 25 || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Close = %v; want 25 not written, deadline exceeded", err)
			}
			if !strings.Contains(err.Error(), "25 usage record") {
				t.Errorf("error %q does not give the count", err)
			}
		})
	}
}

func TestFlushInterval(t *testing.T) {
	t.Parallel()
	s := newFakeSink()
	w := ledger.New(s, ledger.Options{FlushInterval: 20 * time.Millisecond}, nil)
	defer mustClose(t, w)
	w.Record(usage("tick", 1))
	deadline := time.Now().Add(5 * time.Second)
	for s.count() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a lone record was not written within 5s of a 20ms flush interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBatchSize(t *testing.T) {
	t.Parallel()
	s := newFakeSink()
	s.delay = time.Millisecond
	w := ledger.New(s, ledger.Options{BatchSize: 50, Buffer: 16}, nil)
	for i := range 5000 {
		w.Record(usage("batch", i))
	}
	mustClose(t, w)
	if s.maxBatch > 50 || s.count() != 5000 {
		t.Errorf("largest batch %d (want ≤ 50), %d rows (want 5000)", s.maxBatch, s.count())
	}
	if st := w.Stats(); st.Overflowed == 0 {
		t.Errorf("Stats = %+v; want some records overflowed through a 16-record buffer", st)
	}
}

func TestRecordEdgeCases(t *testing.T) {
	t.Parallel()
	s := newFakeSink()
	w := ledger.New(s, ledger.Options{}, nil)
	u := usage("x", 0)
	u.RequestID = ""
	w.Record(u)
	mustClose(t, w)
	for id := range s.rows {
		if !strings.HasPrefix(id, "ledger-") {
			t.Errorf("record without an id was stored as %q", id)
		}
	}
	w.Record(usage("late", 0)) // after Close: counted, not written
	mustClose(t, w)            // a second Close is fine
	if st := w.Stats(); s.count() != 1 || st.Rejected != 1 || st.Written != 1 {
		t.Errorf("%d rows, Stats = %+v; want 1 written, 1 rejected", s.count(), st)
	}
}
