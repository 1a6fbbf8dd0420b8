package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/secret"
)

// Verifying 20 keys runs them side by side and reports each as it finishes.
func TestVerifyAllConcurrent(t *testing.T) {
	mock := mockopenai.New(mockopenai.Options{Latency: 20 * time.Millisecond})
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		mock.ServeHTTP(w, r)
	}))
	defer srv.Close()
	var creds []credential.Credential
	for i := range 20 {
		creds = append(creds, credential.Credential{Name: fmt.Sprintf("key-%02d", i), Vendor: "openai", APIBase: srv.URL + "/v1",
			Key: secret.New(mockopenai.Key(mockopenai.ScenarioGood) + fmt.Sprintf("-%02d", i))})
	}
	var mu sync.Mutex
	var calls []int
	vs := app.VerifyAll(context.Background(), &config.Config{}, creds, 8, func(done, total int, name string) {
		mu.Lock()
		defer mu.Unlock()
		if total != 20 {
			t.Errorf("total %d", total)
		}
		calls = append(calls, done)
	})
	if len(vs) != 20 || len(calls) != 20 || calls[19] != 20 {
		t.Fatalf("%d results, progress %v", len(vs), calls)
	}
	for i, v := range vs {
		if !v.OK {
			t.Fatalf("%s: %s", creds[i].Name, v.Message)
		}
	}
	if peak.Load() < 2 {
		t.Fatalf("at most %d requests were in flight: the keys were verified one by one", peak.Load())
	}
}
