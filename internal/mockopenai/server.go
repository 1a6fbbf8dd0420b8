package mockopenai

import (
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keygate/keygate/internal/openai"
)

// Options configure a Server. The zero value is a fast, healthy upstream.
type Options struct {
	// Latency is added before the first byte of every /v1 response, errors
	// included, to stand in for the network and the model's time to first token.
	Latency time.Duration
	// ChunkDelay is the pause between two stream events.
	ChunkDelay time.Duration
	// SlowLatency is the extra latency of the "slow" scenario; 2s when zero.
	SlowLatency time.Duration
	// Keys maps further API keys to scenario names. A key mapped to a name
	// that is not a scenario is refused as an incorrect key, so typos show.
	Keys map[string]string
	// Organization is sent as openai-organization; "user-mock" when empty.
	Organization string
	// Project is sent as openai-project; "proj_mock" when empty.
	Project string
	// Record is how many recent requests Received keeps; 256 when zero.
	Record int
}

// Server is the mock upstream. It implements http.Handler, serving OpenAI's
// routes under /v1/ and its own control routes under /_mock/
// (GET /_mock/stats, POST /_mock/reset). It is safe for concurrent use.
type Server struct {
	opts   Options
	models *catalogue
	limits limiter
	rec    recorder
	flaky  sync.Map // API key → *atomic.Int64, requests seen under "flaky"

	// now and rng are the clock and randomness, replaced by tests that need
	// byte-exact output.
	now func() time.Time
	rng func() uint64

	// Header values that never change, built once so the hot path only
	// assigns slices.
	orgHeader, projectHeader []string
}

// New returns a Server configured by opts.
func New(opts Options) *Server {
	if opts.SlowLatency == 0 {
		opts.SlowLatency = 2 * time.Second
	}
	if opts.Organization == "" {
		opts.Organization = "user-mock"
	}
	if opts.Project == "" {
		opts.Project = "proj_mock"
	}
	if opts.Record <= 0 {
		opts.Record = 256
	}
	s := &Server{
		opts:          opts,
		models:        newCatalogue(),
		now:           time.Now,
		rng:           rand.Uint64,
		orgHeader:     []string{opts.Organization},
		projectHeader: []string{opts.Project},
	}
	s.rec.init(opts.Record)
	return s
}

// Reset clears statistics, recordings, rate-limit state and the flaky
// scenario's alternation, so a benchmark can start from a known state.
func (s *Server) Reset() {
	s.rec.reset()
	s.limits.reset()
	s.flaky.Clear()
}

// maxBody bounds what the mock reads from a request; OpenAI's own limit is
// larger, but no test needs more.
const maxBody = 32 << 20

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_mock/") {
		s.serveControl(w, r)
		return
	}
	c := &call{s: s, r: r, w: newStatusWriter(w), start: s.now()}
	c.reqID = s.randomID("req_", 32, hexDigits)
	c.key, c.hasKey = bearer(r)
	c.body, _ = io.ReadAll(io.LimitReader(r.Body, maxBody))
	// Recording runs deferred so aborted (drop) requests are counted too.
	defer s.rec.record(c)
	if !c.sleep(s.opts.Latency) {
		return
	}
	c.serve()
}

// bearer extracts the API key from Authorization: Bearer, or from the
// password of Basic auth, which OpenAI accepts for browsers.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		k := strings.TrimSpace(h[7:])
		return k, k != ""
	}
	if _, pw, ok := r.BasicAuth(); ok && pw != "" {
		return pw, true
	}
	return "", false
}

// call is one request on its way through the mock.
type call struct {
	s      *Server
	r      *http.Request
	w      *statusWriter
	start  time.Time
	reqID  string
	key    string
	hasKey bool
	body   []byte

	keyScenario string // what the key selects
	scenario    string // what applies: the key's, or a fault-* model's
	model       *model
	stream      bool
	rate        *rateSnapshot // reported by x-ratelimit-* once known
}

// serve routes the request. Routing comes before authentication, so a base
// URL missing /v1 shows up as unknown_url whatever the key.
func (c *call) serve() {
	path, method := c.r.URL.Path, c.r.Method
	var handler func()
	want := http.MethodPost
	switch path {
	case "/v1/chat/completions":
		handler = c.serveChat
	case "/v1/completions":
		handler = c.serveCompletions
	case "/v1/embeddings":
		handler = c.serveEmbeddings
	case "/v1/responses":
		handler = c.serveResponses
	default:
		if path == "/v1/models" || strings.HasPrefix(path, "/v1/models/") {
			handler, want = c.serveModels, http.MethodGet
		}
	}
	if handler == nil || method != want {
		c.fail(errUnknownURL(method, path), headersMinimal)
		return
	}
	if !c.hasKey {
		c.fail(errNoKey(), headersMinimal)
		return
	}
	sc, ok := c.s.scenarioForKey(c.key)
	if !ok {
		c.fail(errInvalidKey(c.key), headersMinimal)
		return
	}
	c.keyScenario, c.scenario = sc, sc
	// The organization is checked once the key is known to be valid, so a
	// revoked key still answers invalid_api_key.
	if e := c.scopeFault(); e != nil && sc != ScenarioRevoked {
		c.fail(e, headersMinimal)
		return
	}
	if e, hs := c.accountFault(sc); e != nil {
		c.fail(e, hs)
		return
	}
	handler()
}

// headerSet names which of OpenAI's headers a response carries; the real API
// varies them by status (BEHAVIOUR.md §1.1, §9).
type headerSet uint8

const (
	// headersMinimal: content-type and x-request-id only (401, 403, 404).
	headersMinimal headerSet = iota + 1
	// headersOpenAI adds openai-organization, -processing-ms, -version, -project.
	headersOpenAI
	// headersFull adds the six x-ratelimit-* headers (200, 400, 429 limits).
	headersFull
)

var (
	hdrVersion   = []string{"2020-10-01"}
	hdrJSON      = []string{"application/json"}
	hdrSSE       = []string{"text/event-stream; charset=utf-8"}
	hdrExposeRID = []string{"X-Request-ID"}
)

// writeHeaders sets the headers of set hs; content-type is the caller's.
func (c *call) writeHeaders(hs headerSet) {
	h := c.w.Header()
	h["X-Request-Id"] = []string{c.reqID}
	if hs < headersOpenAI {
		return
	}
	h["Access-Control-Expose-Headers"] = hdrExposeRID
	h["Openai-Organization"] = c.s.orgHeader
	h["Openai-Processing-Ms"] = []string{strconv.FormatInt(c.s.now().Sub(c.start).Milliseconds(), 10)}
	h["Openai-Project"] = c.s.projectHeader
	h["Openai-Version"] = hdrVersion
	if hs >= headersFull && c.rate != nil {
		c.rate.apply(h)
	}
}

// fail sends e with the header set hs.
func (c *call) fail(e *openai.Error, hs headerSet) {
	c.writeHeaders(hs)
	openai.WriteError(c.w, e)
}

// writeJSON sends a successful JSON body.
func (c *call) writeJSON(status int, body []byte, hs headerSet) {
	c.writeHeaders(hs)
	h := c.w.Header()
	h["Content-Type"] = hdrJSON
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

// sleep waits d, or until the client goes away, which it reports as false.
func (c *call) sleep(d time.Duration) bool {
	ctx := c.r.Context()
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// abort drops the connection without completing the response, as a network
// fault would: after hijacking, the client sees the body cut short (or no
// response at all). HTTP/2 cannot hijack, so there the handler aborts the
// stream with http.ErrAbortHandler, which resets it.
func (c *call) abort() {
	c.w.aborted = true
	conn, _, err := http.NewResponseController(c.w.ResponseWriter).Hijack()
	if err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// statusWriter remembers the status for recording and whether headers went
// out, and passes flushes straight through.
type statusWriter struct {
	http.ResponseWriter
	flusher http.Flusher
	status  int
	aborted bool
}

func newStatusWriter(w http.ResponseWriter) *statusWriter {
	f, _ := w.(http.Flusher)
	return &statusWriter{ResponseWriter: w, flusher: f}
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush sends buffered bytes to the client.
func (w *statusWriter) Flush() {
	if w.flusher != nil {
		w.flusher.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Characters of OpenAI's identifiers.
const (
	hexDigits = "0123456789abcdef"
	alnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// randomID returns prefix followed by n characters drawn from alphabet.
func (s *Server) randomID(prefix string, n int, alphabet string) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	var x uint64
	left := 0
	for i := len(prefix); i < len(b); i++ {
		if left == 0 {
			x, left = s.rng(), 8
		}
		b[i] = alphabet[int(x&0xff)%len(alphabet)]
		x >>= 8
		left--
	}
	return string(b)
}

// flakyFails reports whether this request of key under the flaky scenario
// fails: the 1st, 3rd, 5th… do.
func (s *Server) flakyFails(key string) bool {
	v, ok := s.flaky.Load(key)
	if !ok {
		v, _ = s.flaky.LoadOrStore(key, new(atomic.Int64))
	}
	return v.(*atomic.Int64).Add(1)%2 == 1
}
