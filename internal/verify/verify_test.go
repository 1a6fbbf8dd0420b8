package verify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/verify"
	"github.com/keygate/keygate/internal/verify/verifytest"
)

// mock serves a fresh mock upstream on loopback and returns its base URL
// (with /v1).
func mock(t *testing.T, opts mockopenai.Options) string {
	t.Helper()
	srv := httptest.NewServer(mockopenai.New(opts))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// assertNoKey fails when key, or a long piece of it, appears anywhere in v.
func assertNoKey(t *testing.T, v any, key string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	k := strings.TrimSpace(key)
	for _, piece := range []string{k, k[:min(len(k), 14)], k[max(0, len(k)-14):]} {
		if len(piece) >= 10 && strings.Contains(string(b), piece) {
			t.Errorf("the key (or %q of it) leaks into %s", piece, b)
		}
	}
}

func req(rpm, tpm int64) map[string]credential.Requirement {
	return map[string]credential.Requirement{"gpt-3.5-turbo": {RPM: rpm, TPM: tpm}}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	good := mock(t, mockopenai.Options{})
	slow := mock(t, mockopenai.Options{Latency: 2 * time.Second})
	tlsSrv := httptest.NewTLSServer(mockopenai.New(mockopenai.Options{}))
	t.Cleanup(tlsSrv.Close)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!DOCTYPE html><html><body>Welcome</body></html>"))
	}))
	t.Cleanup(html.Close)
	nx := verifytest.NXDomainResolver(t)
	closed := verifytest.ClosedPort(t)

	key := mockopenai.Key
	tests := []struct {
		name    string
		target  verify.Target
		opts    verify.Options
		ok      bool
		cause   credential.Cause
		message string // substring of Message
		check   func(t *testing.T, v credential.Verification)
	}{
		{name: "good key, limits table", target: verify.Target{APIBase: good, Key: secret.New(key("good"))},
			opts: verify.Options{Models: []string{"gpt-4o-mini", "gpt-4o", "text-embedding-3-small"}}, ok: true,
			message: "gpt-4o-mini 10000 requests/day, 200000 TPM",
			check: func(t *testing.T, v credential.Verification) {
				want := []credential.ModelLimits{
					{Model: "gpt-4o-mini", Accessible: true, RequestsLimit: 10000, RequestsRemaining: 10000, RequestsWindow: credential.PerDay, TokensLimit: 200000, TokensRemaining: 200000, Meets: true},
					{Model: "gpt-4o", Accessible: true, RequestsLimit: 500, RequestsRemaining: 500, RequestsWindow: credential.PerMinute, TokensLimit: 30000, TokensRemaining: 30000, Meets: true},
					{Model: "text-embedding-3-small", Accessible: true, RequestsLimit: 3000, RequestsRemaining: 3000, RequestsWindow: credential.PerMinute, TokensLimit: 1000000, TokensRemaining: 1000000, Meets: true},
				}
				if len(v.Models) != len(want) {
					t.Fatalf("models %+v", v.Models)
				}
				for i := range want {
					if v.Models[i] != want[i] {
						t.Errorf("model %d:\n got %+v\nwant %+v", i, v.Models[i], want[i])
					}
				}
			}},
		{name: "good key meets requirement", target: verify.Target{Vendor: "openai", APIBase: good, Key: secret.New(key("good"))},
			opts: verify.Options{Requirements: req(200, 50000)}, ok: true, message: "meets the 200 RPM / 50000 TPM minimum",
			check: func(t *testing.T, v credential.Verification) {
				if m := v.Models[0]; !m.Meets || m.Requirement == nil || m.RequestsLimit != 10000 || m.TokensLimit != 200000 || !strings.Contains(m.Message, "lasts 50m a day") {
					t.Errorf("gpt-3.5-turbo %+v", m)
				}
			}},
		{name: "free key misses requirement", target: verify.Target{Vendor: "openai", APIBase: good, Key: secret.New(key("free"))},
			opts: verify.Options{Requirements: req(200, 50000)}, cause: credential.CauseFreeTier, message: "TPM 40000 is 10000 below the required 50000",
			check: func(t *testing.T, v credential.Verification) {
				m := v.Models[0]
				if m.Meets || m.RequestsLimit != 200 || m.RequestsWindow != credential.PerDay || m.TokensLimit != 40000 ||
					!strings.Contains(m.Shortfall, "per-day bucket of 200 requests, the free tier's signature") || !strings.Contains(m.Message, "$5 of credit") {
					t.Errorf("gpt-3.5-turbo %+v", m)
				}
			}},
		{name: "good key below requirement", target: verify.Target{APIBase: good, Key: secret.New(key("good"))},
			opts:  verify.Options{Requirements: map[string]credential.Requirement{"gpt-4o": {RPM: 1000, TPM: 10000}}},
			cause: credential.CauseInsufficientRateLimit, message: "RPM 500 is 500 below the required 1000"},
		{name: "free account", target: verify.Target{APIBase: good, Key: secret.New(key("free"))},
			opts: verify.Options{Models: []string{"gpt-4o-mini"}}, cause: credential.CauseFreeTier, message: "free-tier limits (200 requests/day, 40000 TPM). Add a payment method"},
		{name: "mistyped key", target: verify.Target{Vendor: "openai", APIBase: "http://" + closed + "/v1", Key: secret.New(key("good") + "\n")},
			cause: credential.CauseMistypedKey, message: "ends with a line break"},
		{name: "revoked key", target: verify.Target{APIBase: good, Key: secret.New(key("revoked"))},
			cause: credential.CauseInvalidKey, message: "rejected the key sk-…Io9K: it is revoked, deleted or mistyped"},
		{name: "unknown key", target: verify.Target{Vendor: "openai", APIBase: good, Key: secret.New("sk-proj-" + strings.Repeat("A1b2", 12))},
			cause: credential.CauseInvalidKey, message: "Create a new key"},
		{name: "deactivated account", target: verify.Target{APIBase: good, Key: secret.New(key("deactivated"))},
			cause: credential.CauseAccountDeactivated, message: "has been deactivated"},
		{name: "mismatched organization", target: verify.Target{APIBase: good, Organization: mockopenai.OtherOrgID, Key: secret.New(key("good"))},
			cause: credential.CauseOrganization, message: `"org-KeygateOtherOrg0000000" (OpenAI-Organization) is not the key's organization`},
		{name: "unknown organization", target: verify.Target{APIBase: good, Organization: "org-nosuch", Key: secret.New(key("good"))},
			cause: credential.CauseOrganization, message: `No organization "org-nosuch" exists`},
		{name: "mismatched project", target: verify.Target{APIBase: good, Project: "proj_other", Key: secret.New(key("good"))},
			cause: credential.CauseOrganization, message: "is not the key's project"},
		{name: "own organization", target: verify.Target{APIBase: good, Organization: mockopenai.OrgID, Project: "proj_mock", Key: secret.New(key("good"))}, ok: true},
		{name: "forbidden region", target: verify.Target{APIBase: good, Key: secret.New(key("forbidden"))},
			cause: credential.CauseForbidden, message: "country or region"},
		{name: "no billing", target: verify.Target{APIBase: good, Key: secret.New(key("nobilling"))},
			cause: credential.CauseNoBilling, message: "Add a payment method"},
		{name: "no quota", target: verify.Target{APIBase: good, Key: secret.New(key("noquota"))},
			cause: credential.CauseNoQuota, message: "run out of quota"},
		{name: "throttled", target: verify.Target{APIBase: good, Key: secret.New(key("ratelimited"))},
			opts: verify.Options{Models: []string{"gpt-4o"}}, cause: credential.CauseThrottled, message: "Wait 20s and verify again",
			check: func(t *testing.T, v credential.Verification) {
				if m := v.Models[0]; !m.Accessible || m.RequestsLimit != 500 || m.RequestsRemaining != 0 {
					t.Errorf("gpt-4o %+v", m)
				}
			}},
		{name: "model not accessible", target: verify.Target{APIBase: good, Key: secret.New(key("good"))},
			opts: verify.Options{Models: []string{"gpt-4o-mini", "gpt-9"}}, cause: credential.CauseModelNotAccessible, message: `"gpt-9" does not exist or this key has no access`,
			check: func(t *testing.T, v credential.Verification) {
				if len(v.Models) != 2 || !v.Models[0].Accessible || v.Models[1].Accessible {
					t.Errorf("models %+v", v.Models)
				}
			}},
		{name: "DNS failure", target: verify.Target{APIBase: "http://api.keygate.invalid/v1", Key: secret.New(key("good"))},
			opts: verify.Options{Resolver: nx}, cause: credential.CauseDNS, message: `"api.keygate.invalid" did not resolve (no such host)`},
		{name: "connection refused", target: verify.Target{APIBase: "http://" + closed + "/v1", Key: secret.New(key("good"))},
			cause: credential.CauseRefused, message: "refused the connection"},
		{name: "TLS failure", target: verify.Target{APIBase: tlsSrv.URL + "/v1", Key: secret.New(key("good"))},
			cause: credential.CauseTLS, message: "is not trusted"},
		{name: "proxy failure", target: verify.Target{APIBase: good, Proxy: "http://" + closed, Key: secret.New(key("good"))},
			cause: credential.CauseProxy, message: "through the proxy http://" + closed},
		{name: "base URL without /v1", target: verify.Target{APIBase: strings.TrimSuffix(good, "/v1"), Key: secret.New(key("good"))},
			cause: credential.CauseBadBaseURL, message: "answered unknown_url (HTTP 404). Does it end in /v1? OpenAI-compatible servers usually need it: try " + good},
		{name: "base URL is a web page", target: verify.Target{APIBase: html.URL + "/v1", Key: secret.New(key("good"))},
			cause: credential.CauseBadBaseURL, message: "answered a web page (HTTP 200)"},
		{name: "base URL without scheme", target: verify.Target{APIBase: "api.openai.com/v1", Key: secret.New(key("good"))},
			cause: credential.CauseBadBaseURL, message: "lacks http:// or https://"},
		{name: "timeout", target: verify.Target{APIBase: slow, Key: secret.New(key("good"))},
			opts: verify.Options{Timeout: 200 * time.Millisecond}, cause: credential.CauseTimeout, message: "did not answer within 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := verify.Verify(context.Background(), tt.target, tt.opts)
			t.Logf("%s: %s", v.Cause, v.Message)
			if v.OK != tt.ok || v.Cause != tt.cause {
				t.Fatalf("OK %v cause %q, want %v %q: %s", v.OK, v.Cause, tt.ok, tt.cause, v.Message)
			}
			if !strings.Contains(v.Message, tt.message) {
				t.Errorf("message %q\nwant it to contain %q", v.Message, tt.message)
			}
			if v.Redacted != secret.Redact(tt.target.Key.Reveal()) || v.At.IsZero() || v.Duration < 0 {
				t.Errorf("redacted %q at %v duration %v", v.Redacted, v.At, v.Duration)
			}
			assertNoKey(t, v, tt.target.Key.Reveal())
			if tt.check != nil {
				tt.check(t, v)
			}
		})
	}
}

// countingHandler records the most requests it ever had in flight.
type countingHandler struct {
	next          http.Handler
	inFlight, max atomic.Int64
}

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := h.inFlight.Add(1)
	defer h.inFlight.Add(-1)
	for {
		m := h.max.Load()
		if n <= m || h.max.CompareAndSwap(m, n) {
			break
		}
	}
	h.next.ServeHTTP(w, r)
}

func TestVerifyMany(t *testing.T) {
	t.Parallel()
	h := &countingHandler{next: mockopenai.New(mockopenai.Options{Latency: 20 * time.Millisecond})}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	var ts []verify.NamedTarget
	for i := range 20 {
		sc := "good"
		if i%3 == 2 {
			sc = "revoked"
		}
		ts = append(ts, verify.NamedTarget{Name: "key" + string(rune('a'+i)), Target: verify.Target{APIBase: srv.URL + "/v1", Key: secret.New(mockopenai.Key(sc))}})
	}
	var (
		mu    sync.Mutex
		calls []int
		names = map[string]bool{}
	)
	out := verify.VerifyMany(context.Background(), ts, verify.Options{Models: []string{"gpt-4o-mini"}}, 0, func(done, total int, name string) {
		mu.Lock()
		defer mu.Unlock()
		if total != 20 {
			t.Errorf("total %d", total)
		}
		calls = append(calls, done)
		names[name] = true
	})
	if len(calls) != 20 || len(names) != 20 {
		t.Fatalf("progress called %d times for %d names", len(calls), len(names))
	}
	for i, d := range calls {
		if d != i+1 {
			t.Errorf("progress call %d said done=%d", i, d)
		}
	}
	if got := h.max.Load(); got <= 1 || got > 2*verify.DefaultParallel {
		t.Errorf("max in flight %d, want concurrent within the bound", got)
	}
	for i, v := range out {
		if wantOK := i%3 != 2; v.OK != wantOK {
			t.Errorf("result %d OK=%v (%s), want %v: not in input order", i, v.OK, v.Cause, wantOK)
		}
	}
}
