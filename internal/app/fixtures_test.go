package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
)

// seenRequest is what an upstream received.
type seenRequest struct{ path, auth, model string }

// recordingUpstream answers every request with a small chat completion and
// remembers what it was sent.
func recordingUpstream(t *testing.T) (string, func() []seenRequest) {
	var mu sync.Mutex
	var seen []seenRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		if k := r.Header.Get("Api-Key"); k != "" {
			auth = "api-key " + k
		}
		var model string
		if i := strings.Index(string(b), `"model":"`); i >= 0 {
			rest := string(b[i+9:])
			model = rest[:strings.IndexByte(rest, '"')]
		}
		mu.Lock()
		seen = append(seen, seenRequest{r.URL.Path + "?" + r.URL.RawQuery, auth, model})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []seenRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]seenRequest(nil), seen...)
	}
}

// PicoClaw's and LiteLLM's documented example configs load unchanged, and a
// request for each alias reaches that alias's upstream model with its key, in
// the wire form its vendor speaks (the vendor prefix never goes upstream).
func TestFixtureConfigsRoute(t *testing.T) {
	for _, file := range []string{"picoclaw/config.json", "picoclaw/providers.json", "litellm/config.yaml", "litellm/load_balancing.yaml"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "config", "testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Parse(file, data, func(k string) (string, bool) { return "env-" + strings.ToLower(k), true })
			if err != nil {
				t.Fatalf("the documented config does not load: %v", err)
			}
			if len(cfg.Models) == 0 {
				t.Fatal("no deployments")
			}
			url, seen := recordingUpstream(t)
			want := map[string][]seenRequest{}
			for i := range cfg.Models {
				d := &cfg.Models[i]
				// Send the request to the recorder, keeping the path the base URL had.
				path := d.APIBase[strings.Index(d.APIBase, "://")+3:]
				if j := strings.IndexByte(path, '/'); j >= 0 {
					path = path[j:]
				} else {
					path = ""
				}
				d.APIBase = url + path
				w := seenRequest{model: d.Model, path: path + "/chat/completions?"}
				if len(d.APIKeys) > 0 {
					w.auth = "Bearer " + d.APIKeys[0].Reveal()
				}
				if d.Protocol == "azure" {
					w.path = path + "/openai/deployments/" + d.Model + "/chat/completions?api-version=" + orDefault(d.APIVersion, "2024-10-21")
					w.auth = "api-key " + d.APIKeys[0].Reveal()
				}
				want[d.Alias] = append(want[d.Alias], w)
			}
			cfg.ClientKeys = nil // loopback clients only, as with no client_keys
			a := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
			ts := httptest.NewServer(a.Server.Handler())
			defer ts.Close()
			for alias, ws := range want {
				before := len(seen())
				for range ws {
					resp, err := http.Post(ts.URL+"/v1/chat/completions", "application/json",
						strings.NewReader(`{"model":"`+alias+`","messages":[{"role":"user","content":"hi"}]}`))
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						t.Fatalf("%s: %d %s", alias, resp.StatusCode, b)
					}
				}
				got := seen()[before:]
				if !sameRequests(got, ws) {
					t.Errorf("%s: upstream saw %+v\nwant %+v", alias, got, ws)
				}
			}
		})
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sameRequests(a, b []seenRequest) bool {
	key := func(r []seenRequest) []string {
		out := make([]string, len(r))
		for i, x := range r {
			out[i] = x.path + "|" + x.auth + "|" + x.model
		}
		sort.Strings(out)
		return out
	}
	return strings.Join(key(a), "\n") == strings.Join(key(b), "\n")
}
