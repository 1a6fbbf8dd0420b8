package app_test

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/mockopenai"
)

// clientKey is the keygate key the tests' clients use.
const clientKey = "kg-test-client-key-0123456789"

// stack is keygate in front of the mock OpenAI upstream, both on real
// loopback sockets.
type stack struct {
	URL     string // keygate's base URL, ending in /v1
	Mock    *mockopenai.Server
	MockURL string // the mock's base URL, ending in /v1
	Logs    *syncBuffer
	Config  *config.Config
}

type stackOptions struct {
	mock     mockopenai.Options
	resolver *net.Resolver
	env      map[string]string
}

// defaultModels is a model_list serving the usual models from the mock with
// a good key. {{MOCK}} is replaced with the mock's base URL.
const defaultModels = `
client_keys: [` + clientKey + `]
model_list:
  - model_name: gpt-4o-mini
    model: openai/gpt-4o-mini
    api_key: ${GOOD_KEY}
    api_base: {{MOCK}}
  - model_name: gpt-3.5-turbo-instruct
    model: openai/gpt-3.5-turbo-instruct
    api_key: ${GOOD_KEY}
    api_base: {{MOCK}}
  - model_name: text-embedding-3-small
    model: openai/text-embedding-3-small
    api_key: ${GOOD_KEY}
    api_base: {{MOCK}}
`

func newStack(t *testing.T, cfgYAML string, o stackOptions) *stack {
	t.Helper()
	mock := mockopenai.New(o.mock)
	ms := httptest.NewServer(mock)
	t.Cleanup(ms.Close)
	env := map[string]string{"GOOD_KEY": mockopenai.Key(mockopenai.ScenarioGood)}
	for k, v := range o.env {
		env[k] = v
	}
	text := strings.ReplaceAll(cfgYAML, "{{MOCK}}", ms.URL+"/v1")
	text = strings.ReplaceAll(text, "{{MOCKROOT}}", ms.URL)
	cfg, err := config.Parse("test.yaml", []byte(text), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := app.New(cfg, log, app.Options{Resolver: o.resolver})
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(func() { ts.Close(); a.Close() })
	return &stack{URL: ts.URL + "/v1", Mock: mock, MockURL: ms.URL + "/v1", Logs: logs, Config: cfg}
}

// sdk returns an official openai-go client pointed at keygate, with the SDK's
// own retries off so that each test sees exactly one answer.
func (s *stack) sdk(opts ...option.RequestOption) openai.Client {
	base := []option.RequestOption{option.WithBaseURL(s.URL), option.WithAPIKey(clientKey), option.WithMaxRetries(0)}
	return openai.NewClient(append(base, opts...)...)
}

// post sends body to keygate at path with the client key.
func (s *stack) post(t *testing.T, path, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+clientKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lastReceived returns the newest request the mock recorded. The mock records
// a request when its handler returns, which can be just after the client has
// read the last byte, so this waits briefly for it.
func (s *stack) lastReceived(t *testing.T, atLeast int) mockopenai.Recorded {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := s.Mock.Received()
		if len(got) >= atLeast {
			return got[len(got)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("mock recorded %d requests, want %d", len(got), atLeast)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
