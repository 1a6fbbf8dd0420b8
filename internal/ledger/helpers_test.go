package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/ledger"
	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/store/pgtest"
	"github.com/keygate/keygate/internal/store/postgres"
	"github.com/keygate/keygate/internal/store/sqlite"
	"github.com/keygate/keygate/internal/tenant"
)

// fakeSink keeps records in memory, skipping known request ids as the
// stores do.
type fakeSink struct {
	mu       sync.Mutex
	rows     map[string]tenant.Usage
	calls    int
	maxBatch int
	delay    time.Duration // per call, to let the buffer fill
}

func newFakeSink() *fakeSink { return &fakeSink{rows: map[string]tenant.Usage{}} }

func (s *fakeSink) InsertUsage(ctx context.Context, us []tenant.Usage) error {
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.maxBatch = max(s.maxBatch, len(us))
	for _, u := range us {
		if _, ok := s.rows[u.RequestID]; !ok {
			s.rows[u.RequestID] = u
		}
	}
	return ctx.Err()
}

func (s *fakeSink) count() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.rows))
}

// flaky fails its first n calls. With afterCommit it fails them after the
// inner sink has stored the batch, as when a commit's reply is lost.
type flaky struct {
	inner       ledger.Sink
	n           atomic.Int32
	afterCommit bool
}

func newFlaky(inner ledger.Sink, n int32, afterCommit bool) *flaky {
	f := &flaky{inner: inner, afterCommit: afterCommit}
	f.n.Store(n)
	return f
}

func (f *flaky) InsertUsage(ctx context.Context, us []tenant.Usage) error {
	if f.n.Add(-1) < 0 {
		return f.inner.InsertUsage(ctx, us)
	}
	if f.afterCommit {
		if err := f.inner.InsertUsage(ctx, us); err != nil {
			return err
		}
	}
	return errors.New("injected failure")
}

// usage returns record i of a run, costing one nano-dollar, so that a sum
// of cost counts rows.
func usage(prefix string, i int) tenant.Usage {
	return tenant.Usage{
		RequestID: fmt.Sprintf("%s-%07d", prefix, i), Time: time.Now(), Project: "p", KeyID: "vk_1",
		Alias: "gpt-4o-mini", Deployment: "openai-main", UpstreamModel: "gpt-4o-mini-2024-07-18",
		PromptTokens: 120, CachedTokens: 0, CompletionTokens: 40, Cost: 1, Status: 200,
		Latency: 350 * time.Millisecond,
	}
}

// target is a sink and a way to count the records it holds.
type target struct {
	sink  ledger.Sink
	count func(t testing.TB) int64
}

// store is what the ledger tests need of a real store.
type store interface {
	ledger.Sink
	SpentSince(ctx context.Context, project, keyID string, since time.Time) (tenant.Nanos, error)
	Close() error
}

// storeTarget counts a real store's rows by their cost, one each.
func storeTarget(tb testing.TB, st store) target {
	tb.Cleanup(func() { st.Close() })
	return target{sink: st, count: func(tb testing.TB) int64 {
		n, err := st.SpentSince(context.Background(), "", "", time.Time{})
		if err != nil {
			tb.Fatal(err)
		}
		return int64(n)
	}}
}

func testSealer(tb testing.TB) *seal.Sealer {
	s, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// newSQLite returns a target on a fresh SQLite file.
func newSQLite(tb testing.TB) target {
	db, err := sqlite.Open(context.Background(), tb.TempDir()+"/keygate.db", testSealer(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return storeTarget(tb, db)
}

// newPostgres returns a target on a fresh PostgreSQL schema, or skips.
func newPostgres(tb testing.TB) target {
	db, err := postgres.Open(context.Background(), pgtest.DSN(tb), testSealer(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return storeTarget(tb, db)
}

// newFake returns a target on a fakeSink.
func newFake(tb testing.TB) target {
	s := newFakeSink()
	return target{sink: s, count: func(testing.TB) int64 { return s.count() }}
}

// mustClose closes w within a minute.
func mustClose(t *testing.T, w *ledger.Writer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
