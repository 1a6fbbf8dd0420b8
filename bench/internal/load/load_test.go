package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	seq := func(n int) []time.Duration {
		d := make([]time.Duration, n)
		for i := range d {
			d[i] = time.Duration(i + 1)
		}
		return d
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", seq(1), 99, 1},
		{"p50 of 10", seq(10), 50, 5},
		{"p90 of 10", seq(10), 90, 9},
		{"p99 of 10 is the max", seq(10), 99, 10},
		{"p100 of 10", seq(10), 100, 10},
		{"p99 of 100", seq(100), 99, 99},
		{"p99 of 1000", seq(1000), 99, 990},
		{"p99 of 1001 rounds up", seq(1001), 99, 991},
		{"p50 of 2", seq(2), 50, 1},
		{"tiny p gives the min", seq(10), 0.001, 1},
	}
	for _, tt := range tests {
		if got := Percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("%s: Percentile(n=%d, %v) = %v, want %v", tt.name, len(tt.sorted), tt.p, got, tt.want)
		}
	}
}

func TestSummarizeSorts(t *testing.T) {
	t.Parallel()
	d := []time.Duration{5, 1, 4, 2, 3}
	got := Summarize(d)
	want := Percentiles{N: 5, P50: 3, P90: 5, P99: 5, Max: 5}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if (Summarize(nil) != Percentiles{}) {
		t.Error("Summarize(nil) is not zero")
	}
}

func TestSSECheck(t *testing.T) {
	t.Parallel()
	usage := `data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3}}` + "\n\n"
	chunk := `data: {"choices":[{"delta":{"content":"hi"}}],"usage":null}` + "\n\n"
	done := "data: [DONE]\n\n"
	tests := []struct {
		name      string
		reads     []string
		wantDone  bool
		wantUsage bool
	}{
		{"complete in one read", []string{chunk + usage + done}, true, true},
		{"one byte at a time", strings.Split(chunk+usage+done, ""), true, true},
		{"usage marker split across reads", []string{chunk + `data: {"usage":{"prompt_to`, `kens":9}}` + "\n\n" + done}, true, true},
		{"DONE split across reads", []string{chunk + usage + "data: [DO", "NE]\n\n"}, true, true},
		{"no usage", []string{chunk, done}, true, false},
		{"usage null is not usage", []string{chunk + chunk + done}, true, false},
		{"cut before DONE", []string{chunk, usage}, false, true},
		{"DONE then more data", []string{usage + done + chunk}, false, true},
		{"empty", nil, false, false},
		{"long final read", []string{usage, strings.Repeat(chunk, 50) + done}, true, true},
	}
	for _, tt := range tests {
		var c sseCheck
		for _, r := range tt.reads {
			c.feed([]byte(r))
		}
		if c.done() != tt.wantDone || c.sawUsage != tt.wantUsage {
			t.Errorf("%s: done=%v usage=%v, want done=%v usage=%v", tt.name, c.done(), c.sawUsage, tt.wantDone, tt.wantUsage)
		}
		if len(c.tail) > tailSize {
			t.Errorf("%s: tail grew to %d bytes", tt.name, len(c.tail))
		}
	}
}

func TestErrKind(t *testing.T) {
	t.Parallel()
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/x", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: fmt.Errorf("connect: %w", syscall.ECONNREFUSED)}}
	tests := []struct {
		err  error
		want string
	}{
		{refused, "transport: dial: connect: connection refused"},
		{&url.Error{Op: "Post", URL: "u", Err: context.DeadlineExceeded}, "timeout"},
		{context.Canceled, "canceled"},
		{&url.Error{Op: "Post", URL: "u", Err: io.ErrUnexpectedEOF}, "connection closed early"},
		{errors.New("boom"), "transport: boom"},
	}
	for _, tt := range tests {
		if got := errKind(tt.err); got != tt.want {
			t.Errorf("errKind(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestChatBody(t *testing.T) {
	t.Parallel()
	small, err := ChatBody("gpt-4o-mini", false, 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		stream      bool
		promptBytes int
		wantLen     int // 0: the small body's length
	}{
		{"small", false, 0, 0},
		{"small stream", true, 0, 0},
		{"too few bytes to pad", false, len(small) + 1, 0},
		{"one byte of padding", false, len(small) + 2, len(small) + 2},
		{"4 KB", false, 4096, 4096},
		{"4 KB stream", true, 4096, 4096},
		{"64 KB", false, 64 << 10, 64 << 10},
	}
	for _, tt := range tests {
		b, err := ChatBody("gpt-4o-mini", tt.stream, tt.promptBytes)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got struct {
			Model    string
			Messages []struct {
				Role, Content string
			}
			Stream        bool
			StreamOptions *struct {
				IncludeUsage bool `json:"include_usage"`
			} `json:"stream_options"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got.Model != "gpt-4o-mini" || len(got.Messages) != 2 || got.Stream != tt.stream ||
			(got.StreamOptions != nil && got.StreamOptions.IncludeUsage) != tt.stream {
			t.Errorf("%s: body %s", tt.name, b)
		}
		if !strings.HasPrefix(got.Messages[1].Content, userContent) {
			t.Errorf("%s: user message %.80q…", tt.name, got.Messages[1].Content)
		}
		switch {
		case tt.wantLen == 0 && !tt.stream && string(b) != string(small):
			t.Errorf("%s: padded: %d bytes", tt.name, len(b))
		case tt.wantLen > 0 && len(b) != tt.wantLen:
			t.Errorf("%s: %d bytes, want %d", tt.name, len(b), tt.wantLen)
		}
		if again, _ := ChatBody("gpt-4o-mini", tt.stream, tt.promptBytes); string(again) != string(b) {
			t.Errorf("%s: not deterministic", tt.name)
		}
	}
}

func TestFiller(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2, 37, 4096} {
		if got := len(Filler(n)); got != n {
			t.Errorf("len(Filler(%d)) = %d", n, got)
		}
	}
	text := Filler(4096)
	if strings.HasSuffix(text, " ") || strings.HasPrefix(text, " ") {
		t.Errorf("Filler starts or ends with a space: %q", text)
	}
	for _, c := range text {
		if c < ' ' || c > '~' || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			t.Fatalf("Filler has %q, which JSON would escape", c)
		}
	}
	// Varied text, not one word over and over: most of the vocabulary shows
	// up, and no word is a third of the text.
	counts := map[string]int{}
	words := strings.Fields(strings.NewReplacer(".", " ", ",", " ").Replace(strings.ToLower(text)))
	for _, w := range words {
		counts[w]++
	}
	if len(counts) < len(fillerWords)/3 {
		t.Errorf("Filler(4096) uses %d distinct words of %d", len(counts), len(fillerWords))
	}
	for w, c := range counts {
		if 3*c > len(words) {
			t.Errorf("%q is %d of %d words", w, c, len(words))
		}
	}
	if !strings.HasPrefix(Filler(8192), text[:len(text)-1]) { // but for a final space made a full stop
		t.Error("Filler(8192) does not extend Filler(4096)")
	}
}

// upstream is a small test server: a chat completion, streamed or not, or a
// failure depending on the path.
func upstream(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /ok/v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"stream":true`) {
			io.WriteString(w, `{"object":"chat.completion","choices":[{"message":{"content":"hi"}}]}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for range 3 {
			io.WriteString(w, `data: {"choices":[{"delta":{"content":"hi"}}]}`+"\n\n")
			w.(http.Flusher).Flush()
		}
		io.WriteString(w, `data: {"choices":[],"usage":{"prompt_tokens":1}}`+"\n\ndata: [DONE]\n\n")
	})
	mux.HandleFunc("POST /limited/v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"message":"slow down"}}`, http.StatusTooManyRequests)
	})
	mux.HandleFunc("POST /cut/v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `data: {"choices":[],"usage":{"prompt_tokens":1}}`+"\n\n")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestRun(t *testing.T) {
	t.Parallel()
	srv := upstream(t)
	tests := []struct {
		path     string
		stream   bool
		wantOK   bool
		wantKind string
	}{
		{"/ok", false, true, ""},
		{"/ok", true, true, ""},
		{"/limited", false, false, "HTTP 429"},
		{"/cut", true, false, "stream does not end with data: [DONE]"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s stream=%v", tt.path, tt.stream), func(t *testing.T) {
			t.Parallel()
			res, err := Run(t.Context(), Config{URL: srv.URL + tt.path + "/v1", Key: "k", Model: "m", Stream: tt.stream,
				Rate: 200, Duration: 200 * time.Millisecond, Conns: 8, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if res.Planned != 40 || res.Sent != 40 {
				t.Fatalf("planned %d sent %d, want 40", res.Planned, res.Sent)
			}
			if tt.wantOK {
				if res.OK != 40 || res.Failed != 0 || res.Latency.N != 40 || res.RPS <= 0 {
					t.Fatalf("result %+v, want 40 OK", res)
				}
				if tt.stream && res.TTFB.N != 40 {
					t.Errorf("TTFB measured for %d streams, want 40", res.TTFB.N)
				}
				return
			}
			if res.OK != 0 || res.Failed != 40 || len(res.Failures) != 1 || res.Failures[0].Kind != tt.wantKind || res.Failures[0].Count != 40 {
				t.Fatalf("result %+v, want 40 failures %q", res, tt.wantKind)
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	srv := upstream(t)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	res, err := Run(ctx, Config{URL: srv.URL + "/ok/v1", Key: "k", Rate: 100, Duration: time.Hour, Conns: 4, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent >= res.Planned || res.Failed < res.Planned-res.Sent {
		t.Errorf("cancelled run: planned %d sent %d failed %d", res.Planned, res.Sent, res.Failed)
	}
}

func TestRunCutOff(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {}\n\n")
		w.(http.Flusher).Flush()
		select { // a stream that never ends on its own
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	res, err := Run(t.Context(), Config{URL: srv.URL + "/v1", Stream: true, Rate: 50, Duration: 100 * time.Millisecond,
		Conns: 8, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != res.Planned || len(res.Failures) != 1 || res.Failures[0].Kind != cutOff {
		t.Errorf("result %+v, want every request %q", res, cutOff)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	good := Config{URL: "http://x/v1", Rate: 1, Duration: time.Second, Conns: 1, Timeout: time.Second}
	if _, err := Run(t.Context(), Config{}); err == nil {
		t.Error("Run accepted an empty config")
	}
	for _, mutate := range []func(*Config){
		func(c *Config) { c.Rate = 0 },
		func(c *Config) { c.Duration = 0 },
		func(c *Config) { c.Conns = 0 },
		func(c *Config) { c.Timeout = 0 },
	} {
		c := good
		mutate(&c)
		if c.validate() == nil {
			t.Errorf("validate accepted %+v", c)
		}
	}
	if err := good.validate(); err != nil {
		t.Errorf("validate(%+v) = %v", good, err)
	}
}

func TestNovelChatBodies(t *testing.T) {
	bodies, at, err := NovelChatBodies("gpt-4o-mini", false, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != NovelVariants {
		t.Fatalf("%d bodies, want %d", len(bodies), NovelVariants)
	}
	content := func(body []byte) string {
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatalf("stamped body is not JSON: %v", err)
		}
		return req.Messages[1].Content
	}
	seen := map[string]bool{}
	for v, body := range bodies {
		if len(body) != 4096 {
			t.Errorf("len(bodies[%d]) = %d, want 4096", v, len(body))
		}
		for _, n := range []uint64{7, 1e12 + 8} {
			Stamp(body[at:], n)
			want := fmt.Sprintf("Request %012d.", n%1e12)
			if got := content(body); !strings.HasPrefix(got, want) {
				t.Errorf("bodies[%d] stamped with %d starts %q, want %q", v, n, got[:21], want)
			}
		}
		seen[content(body)] = true
	}
	if len(seen) != NovelVariants {
		t.Errorf("%d different texts among %d bodies", len(seen), NovelVariants)
	}
}
