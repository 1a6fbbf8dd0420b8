// Package load is the open-loop load generator behind bench/loadgen. It offers
// chat completions to one target at a fixed rate for a fixed time, whatever the
// target's response times, and measures every response: latency, time to first
// body byte for streams, and whether the response was a complete success.
//
// It is built to be cheap, because it shares the machine with the processes it
// measures: request bodies are built once, each worker reuses its buffers,
// measurements go into slices preallocated for the whole run and are sorted
// once at the end.
package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Config describes one load run against one target.
type Config struct {
	// URL is the target's base URL including /v1, e.g. http://127.0.0.1:4000/v1;
	// requests go to URL + "/chat/completions".
	URL string
	// Key is sent as "Authorization: Bearer Key".
	Key string
	// Model is the model name sent in every request.
	Model string
	// Stream selects a streaming chat completion with stream_options.include_usage.
	Stream bool
	// PromptBytes, when above the small body's size, pads the user message so
	// the request body is this many bytes (ChatBody).
	PromptBytes int
	// Novel makes every request's text new: the user message starts with
	// a number that differs per request and per run, and its padding is
	// one of NovelVariants texts in turn (NovelChatBodies), so a gateway
	// that remembers what it has counted never meets a text twice and a
	// CPU does not learn the text. The words are the same as ever, as in
	// real traffic.
	Novel bool
	// Rate is the offered load in requests per second. Requests are dispatched on
	// schedule (open loop), not when a previous one finishes.
	Rate float64
	// Duration is how long load is offered; Rate×Duration requests are sent.
	Duration time.Duration
	// Conns is the number of workers, hence the most requests in flight and the
	// most keep-alive connections.
	Conns int
	// Timeout bounds the run beyond Duration: requests still unfinished that
	// long after the schedule ends fail as timed out. (There is no per-request
	// timer; it would cost the generator CPU on every request.)
	Timeout time.Duration
}

// bodies returns the request bodies, sent in turn, and, for Novel ones,
// where to stamp them.
func (c Config) bodies() ([][]byte, int, error) {
	if c.Novel {
		return NovelChatBodies(c.Model, c.Stream, c.PromptBytes)
	}
	b, err := ChatBody(c.Model, c.Stream, c.PromptBytes)
	return [][]byte{b}, 0, err
}

func (c Config) validate() error {
	switch {
	case c.URL == "":
		return errors.New("load: URL is empty")
	case c.Rate <= 0:
		return fmt.Errorf("load: rate %v must be positive", c.Rate)
	case c.Duration <= 0:
		return fmt.Errorf("load: duration %v must be positive", c.Duration)
	case c.Conns <= 0:
		return fmt.Errorf("load: conns %d must be positive", c.Conns)
	case c.Timeout <= 0:
		return fmt.Errorf("load: timeout %v must be positive", c.Timeout)
	case c.PromptBytes < 0:
		return fmt.Errorf("load: prompt bytes %d must not be negative", c.PromptBytes)
	}
	return nil
}

// Result is what one run measured. Durations marshal as nanoseconds.
type Result struct {
	// Planned is Rate×Duration, the requests the run meant to send.
	Planned int `json:"planned"`
	// Sent counts requests dispatched; OK those that fully succeeded; Failed the
	// rest of Planned, including any never sent because the run was cancelled.
	Sent   int `json:"sent"`
	OK     int `json:"ok"`
	Failed int `json:"failed"`
	// Failures lists distinct kinds of failure, most frequent first.
	Failures []Failure `json:"failures,omitempty"`
	// Window runs from the first request's dispatch to the last one's, plus one
	// scheduled interval: the time the offered load actually took to send. It
	// stretches beyond Duration when the target (or the generator) cannot keep up.
	Window time.Duration `json:"window"`
	// RPS is OK / Window: the rate of successful requests achieved.
	RPS float64 `json:"rps"`
	// Latency of successful requests, from send to the last body byte read.
	Latency Percentiles `json:"latency"`
	// TTFB of successful streams, from send to the first body byte read.
	TTFB Percentiles `json:"ttfb"`
	// Lag is how late requests were dispatched compared to the schedule; a large
	// lag means the generator itself could not keep up.
	Lag Percentiles `json:"lag"`
}

// Failure is one kind of failed request.
type Failure struct {
	Kind    string `json:"kind"`
	Count   int    `json:"count"`
	Example string `json:"example,omitempty"`
}

// maxFailureKinds bounds the distinct failure kinds each worker remembers, so a
// failure storm with varying messages cannot grow memory without bound.
const maxFailureKinds = 16

// Run offers load as cfg says and returns what it measured. It returns early,
// with what it has, when ctx is cancelled. The error is non-nil only for an
// invalid cfg; failed requests are counted in the Result.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	n := int(cfg.Rate*cfg.Duration.Seconds() + 0.5)
	if n < 1 {
		n = 1
	}
	bodies, digits, err := cfg.bodies()
	if err != nil {
		return Result{}, err
	}
	base := uint64(time.Now().UnixNano()) // differs per run, as load.Run is once per process
	tr := &http.Transport{
		Proxy:               nil, // the targets are on loopback; never detour through HTTP_PROXY
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Conns,
		MaxIdleConnsPerHost: cfg.Conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	rec := newRecords(n)
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration+cfg.Timeout)
	defer cancel()

	header := http.Header{
		"Authorization": {"Bearer " + cfg.Key},
		"Content-Type":  {"application/json"},
		"Accept":        {"application/json"},
		"User-Agent":    {"keygate-bench-loadgen/1"},
	}
	url := strings.TrimSuffix(cfg.URL, "/") + "/chat/completions"
	t0 := time.Now().Add(10 * time.Millisecond) // leave the workers time to start
	sched := func(i int) time.Time {
		return t0.Add(time.Duration(float64(i) / cfg.Rate * float64(time.Second)))
	}

	jobs := make(chan int, cfg.Conns)
	workers := make([]*worker, cfg.Conns)
	var wg sync.WaitGroup
	for k := range workers {
		w := &worker{
			client:   client,
			url:      url,
			header:   header.Clone(),
			bodies:   bodies,
			body:     bytes.Clone(bodies[0]),
			digits:   digits,
			base:     base,
			stream:   cfg.Stream,
			rec:      rec,
			sched:    sched,
			buf:      make([]byte, 32<<10),
			failures: map[string]*Failure{},
		}
		workers[k] = w
		wg.Go(func() {
			for i := range jobs {
				w.do(ctx, i)
			}
		})
	}
	sent := pace(ctx, n, sched, jobs)
	close(jobs)
	wg.Wait()

	return summarize(n, sent, cfg.Rate, sched, rec, workers), nil
}

// pace dispatches job indices 0..n-1 on jobs, each at its scheduled time or as
// soon after as a worker takes it, and returns how many it dispatched.
func pace(ctx context.Context, n int, sched func(int) time.Time, jobs chan<- int) int {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for i := range n {
		if d := time.Until(sched(i)); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return i
			}
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			return i
		}
	}
	return n
}

// records holds one slot per planned request. Each index is written by exactly
// one worker and read only after all workers are done, so no locking is needed.
type records struct {
	ok      []bool
	latency []time.Duration
	ttfb    []time.Duration
	lag     []time.Duration
}

func newRecords(n int) *records {
	return &records{
		ok:      make([]bool, n),
		latency: make([]time.Duration, n),
		ttfb:    make([]time.Duration, n),
		lag:     make([]time.Duration, n),
	}
}

// worker sends requests one at a time and records their outcome.
type worker struct {
	client *http.Client
	url    string
	header http.Header // read-only once requests start; shared by this worker's requests
	bodies [][]byte    // read-only, shared by all workers: request i sends bodies[i%len(bodies)]
	body   []byte      // this worker's copy of the one it sends
	digits int         // where to Stamp the request's number in body; 0 for none
	base   uint64      // added to the request index when stamping
	stream bool
	rec    *records
	sched  func(int) time.Time

	buf      []byte       // read buffer, reused
	jsonBody bytes.Buffer // non-streaming body, reused
	failures map[string]*Failure
}

func (w *worker) do(ctx context.Context, i int) {
	start := time.Now()
	w.rec.lag[i] = max(start.Sub(w.sched(i)), 0)
	if w.digits > 0 {
		copy(w.body, w.bodies[i%len(w.bodies)])
		Stamp(w.body[w.digits:], w.base+uint64(i))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(w.body))
	if err != nil {
		w.fail("build request", err.Error())
		return
	}
	req.Header = w.header
	resp, err := w.client.Do(req)
	if err != nil {
		w.fail(w.ioErrKind(ctx, "", err), err.Error())
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		n, _ := io.ReadFull(resp.Body, w.buf[:512])
		_, _ = io.Copy(io.Discard, resp.Body) // drain so the connection is reused
		w.fail(fmt.Sprintf("HTTP %d", resp.StatusCode), string(w.buf[:n]))
		return
	}
	if w.stream {
		w.readStream(ctx, i, start, resp.Body)
	} else {
		w.readJSON(ctx, i, start, resp.Body)
	}
}

func (w *worker) readJSON(ctx context.Context, i int, start time.Time, body io.Reader) {
	w.jsonBody.Reset()
	if _, err := w.jsonBody.ReadFrom(body); err != nil {
		w.fail(w.ioErrKind(ctx, "read body: ", err), err.Error())
		return
	}
	elapsed := time.Since(start)
	if !bytes.Contains(w.jsonBody.Bytes(), []byte(`"choices"`)) {
		w.fail(`body has no "choices"`, truncate(w.jsonBody.String(), 200))
		return
	}
	w.rec.latency[i] = elapsed
	w.rec.ok[i] = true
}

func (w *worker) readStream(ctx context.Context, i int, start time.Time, body io.Reader) {
	var sc sseCheck
	var ttfb time.Duration
	for {
		n, err := body.Read(w.buf)
		if n > 0 {
			if ttfb == 0 {
				ttfb = time.Since(start)
			}
			sc.feed(w.buf[:n])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			w.fail(w.ioErrKind(ctx, "read stream: ", err), err.Error())
			return
		}
	}
	elapsed := time.Since(start)
	if !sc.done() {
		w.fail("stream does not end with data: [DONE]", string(sc.tail))
		return
	}
	if !sc.sawUsage {
		w.fail("stream has no usage chunk", string(sc.tail))
		return
	}
	w.rec.latency[i] = elapsed
	w.rec.ttfb[i] = ttfb
	w.rec.ok[i] = true
}

func (w *worker) fail(kind, example string) {
	f, ok := w.failures[kind]
	if !ok {
		if len(w.failures) >= maxFailureKinds {
			kind = "other"
			if f, ok = w.failures[kind]; !ok {
				f = &Failure{Kind: kind}
				w.failures[kind] = f
			}
		} else {
			f = &Failure{Kind: kind, Example: truncate(example, 300)}
			w.failures[kind] = f
		}
	}
	f.Count++
}

// cutOff is the failure of a request still unfinished when the run's deadline
// (the end of the schedule plus Config.Timeout) passed.
const cutOff = "cut off: unfinished at the run's deadline (end of schedule + timeout)"

// ioErrKind names a failed send or read; a failure caused by the run's own
// deadline is named as such, whatever error the transport reported for it.
func (w *worker) ioErrKind(ctx context.Context, prefix string, err error) string {
	if ctx.Err() != nil {
		return cutOff
	}
	return prefix + errKind(err)
}

// errKind names a transport error without the parts that vary per request
// (URLs, ports), so equal failures group together.
func errKind(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "connection closed early"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return "transport: " + oe.Op + ": " + oe.Err.Error()
	}
	return "transport: " + err.Error()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
