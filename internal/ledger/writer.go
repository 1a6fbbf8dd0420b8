// Package ledger writes usage records to the store in batches, off the
// request path.
//
// A request hands its record to Writer.Record, which never waits for I/O;
// one goroutine collects records into batches and inserts each with one
// InsertUsage call. Record wakes that goroutine only once a batch's worth
// is queued, not for every record: waking a sleeping goroutine (often a
// sleeping thread too) costs far more than the rest of Record, and the
// goroutine writes whatever is queued each FlushInterval anyway
// (BENCHMARKS.md, "Ledger"). A failed batch is retried, with backoff, until
// it is written: the store skips request ids it already has, so a retry
// after an error that hid a commit never counts twice. Close writes what is
// still buffered before the process exits.
package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

// Sink stores batches of usage records; store.Tenants is one. InsertUsage
// must store a batch whole or not at all, and skip records whose RequestID
// it already has, so that the Writer may retry a batch it is not sure of.
type Sink interface {
	InsertUsage(ctx context.Context, us []tenant.Usage) error
}

// Options tune a Writer. Zero fields take the defaults.
type Options struct {
	// BatchSize is the most records one InsertUsage call carries; default
	// 500.
	BatchSize int
	// FlushInterval is how long a record may wait for its batch to fill
	// before the batch is written anyway; default 200ms.
	FlushInterval time.Duration
	// Buffer is how many records the channel between Record and the writing
	// goroutine holds; default 65536. Beyond it Record spills to an
	// overflow list (see Record).
	Buffer int
	// MaxBackoff caps the wait between retries of a failed batch, which
	// starts at 50ms and doubles; default 5s.
	MaxBackoff time.Duration
}

// Defaults for Options.
const (
	DefaultBatchSize     = 500
	DefaultFlushInterval = 200 * time.Millisecond
	DefaultBuffer        = 65536
	DefaultMaxBackoff    = 5 * time.Second
)

// minBackoff is the first wait before retrying a failed batch.
const minBackoff = 50 * time.Millisecond

// Writer batches usage records into a Sink from one background goroutine.
// Its methods are safe for concurrent use.
type Writer struct {
	sink Sink
	opts Options
	log  *slog.Logger

	ch   chan tenant.Usage
	full chan struct{} // signalled by Record when a batch's worth is queued

	mu          sync.Mutex     // guards overflow
	overflow    []tenant.Usage // records that found ch full, oldest first
	overflowLen atomic.Int64   // len(overflow), read without mu

	closeMu   sync.RWMutex // Record holds it for reading; Close sets closed under it
	closed    bool
	closeOnce sync.Once
	stop      chan struct{}      // closed by Close: drain and return
	ctx       context.Context    // for InsertUsage; ends when Close's context does
	cancel    context.CancelFunc // ends ctx
	done      chan struct{}      // closed when the goroutine has returned

	recorded, written, overflowed, retries, rejected atomic.Int64
}

// New starts a Writer that inserts into sink, logging retries and losses to
// log (nil: discard). Call Close to stop it.
func New(sink Sink, opts Options, log *slog.Logger) *Writer {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultBuffer
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Writer{
		sink: sink, opts: opts, log: log,
		ch: make(chan tenant.Usage, opts.Buffer), full: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{}),
		ctx: ctx, cancel: cancel,
	}
	go w.run()
	return w
}

// Record queues u to be written. It never waits for I/O: it puts u on the
// channel or, when the channel is full (the database is slow or down),
// appends it to an in-memory overflow list, counted in Stats.Overflowed.
// Nothing recorded before Close is dropped; the price of a long outage is
// memory, which Stats.Pending shows.
//
// A record without a RequestID is given a random one, since the store
// needs one to make retries safe. A record arriving once Close has begun is
// not written: it is logged and counted in Stats.Rejected.
func (w *Writer) Record(u tenant.Usage) {
	if u.RequestID == "" {
		u.RequestID = randomID()
		w.log.Warn("ledger: usage record without a request id; gave it one", "request_id", u.RequestID)
	}
	w.closeMu.RLock()
	defer w.closeMu.RUnlock()
	if w.closed {
		w.rejected.Add(1)
		w.log.Error("ledger: usage recorded after Close; not written",
			"request_id", u.RequestID, "project", u.Project, "cost_nanos", int64(u.Cost))
		return
	}
	w.recorded.Add(1)
	select {
	case w.ch <- u:
		if len(w.ch) >= w.opts.BatchSize {
			w.wake()
		}
		return
	default:
	}
	w.mu.Lock()
	w.overflow = append(w.overflow, u)
	n := len(w.overflow)
	w.overflowLen.Store(int64(n))
	w.mu.Unlock()
	w.overflowed.Add(1)
	w.wake() // behind: whether a batch is queued is the goroutine's to judge
	if n == 1 {
		w.log.Warn("ledger: buffer full; holding usage records in memory until the database catches up",
			"buffer", w.opts.Buffer)
	}
}

// wake tells the writing goroutine that a batch may be ready, unless it
// has been told already.
func (w *Writer) wake() {
	select {
	case w.full <- struct{}{}:
	default:
	}
}

// Stats are a Writer's counters since New, for metrics.
type Stats struct {
	Recorded   int64 // records accepted by Record
	Written    int64 // records the sink has stored
	Pending    int64 // Recorded - Written: queued, overflowed or being written
	Overflowed int64 // records that found the channel full and went to the overflow list
	Retries    int64 // failed InsertUsage calls, each followed by a retry
	Rejected   int64 // records given to Record after Close began; not written
}

// Stats returns the Writer's counters.
func (w *Writer) Stats() Stats {
	s := Stats{
		Written: w.written.Load(), Overflowed: w.overflowed.Load(),
		Retries: w.retries.Load(), Rejected: w.rejected.Load(),
	}
	s.Recorded = w.recorded.Load() // after Written, so Pending is never negative
	s.Pending = s.Recorded - s.Written
	return s
}

// randomID returns a request id for a record that came without one.
func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails
	return "ledger-" + hex.EncodeToString(b)
}
