package mockopenai

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fixedClock is the instant deterministic servers report.
var fixedClock = time.Unix(1_760_000_000, 0)

// deterministic makes s's ids and clock fixed, for byte-exact output.
func deterministic(s *Server) *Server {
	var n atomic.Uint64
	s.rng = func() uint64 { return n.Add(1) * 0x9e3779b97f4a7c15 }
	s.now = func() time.Time { return fixedClock }
	return s
}

// start serves s over a real HTTP server for the duration of the test.
func start(t *testing.T, s *Server) string {
	t.Helper()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts.URL
}

// send performs one request; key "" sends no Authorization header.
func send(t *testing.T, base, method, path, key, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, b
}
