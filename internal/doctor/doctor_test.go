package doctor_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/doctor"
	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/verify"
	"github.com/keygate/keygate/internal/verify/verifytest"
)

// forwardProxy is a loopback HTTP proxy: it forwards absolute-form requests
// and opens CONNECT tunnels, as squid or tinyproxy would.
func forwardProxy(t *testing.T) string {
	t.Helper()
	fwd := &httputil.ReverseProxy{Rewrite: func(*httputil.ProxyRequest) {}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			fwd.ServeHTTP(w, r)
			return
		}
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { _, _ = io.Copy(up, conn); up.Close() }()
		_, _ = io.Copy(conn, up)
		conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestRun(t *testing.T) {
	t.Parallel()
	mock := httptest.NewServer(mockopenai.New(mockopenai.Options{SlowLatency: 2 * time.Second}))
	t.Cleanup(mock.Close)
	good := mock.URL + "/v1"
	tlsSrv := httptest.NewTLSServer(mockopenai.New(mockopenai.Options{}))
	t.Cleanup(tlsSrv.Close)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>Dashboard</body></html>"))
	}))
	t.Cleanup(html.Close)
	badGateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream unreachable", http.StatusBadGateway)
	}))
	t.Cleanup(badGateway.Close)
	proxy := forwardProxy(t)
	nx := verifytest.NXDomainResolver(t)
	closed := verifytest.ClosedPort(t)

	target := func(scenario string) verify.Target {
		return verify.Target{Vendor: "openai", APIBase: good, Key: secret.New(mockopenai.Key(scenario))}
	}
	with := func(t verify.Target, f func(*verify.Target)) verify.Target { f(&t); return t }
	reqs := map[string]credential.Requirement{"gpt-3.5-turbo": {RPM: 200, TPM: 50000}}

	tests := []struct {
		name      string
		check     doctor.Check
		failAt    string // "" = every step passes
		cause     credential.Cause
		detail    string // substring of the failing step's Detail (or, when passing, of the limits step)
		fix       string // substring of its Fix
		notApplic []string
	}{
		{name: "good", check: doctor.Check{Target: target("good"), Model: "gpt-3.5-turbo", Requirements: reqs},
			detail: "gpt-3.5-turbo: 10000 requests/day, 200000 TPM; meets the requirement", notApplic: []string{doctor.StepProxy, doctor.StepTLS, doctor.StepOrganization}},
		{name: "good through a proxy", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.Proxy = proxy; t.Organization = mockopenai.OrgID }), Model: "gpt-4o-mini"},
			detail: "gpt-4o-mini: 10000 requests/day, 200000 TPM; no requirement set", notApplic: []string{doctor.StepTLS}},
		{name: "config error", check: doctor.Check{Target: target("good"), ConfigErr: errors.New("keygate.yaml:3: model_list[0].model: expected vendor/model")},
			failAt: doctor.StepConfig, detail: "keygate.yaml:3", fix: "keygate config check"},
		{name: "mistyped key", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.Key = secret.New(`"` + mockopenai.Key("good") + `"`) })},
			failAt: doctor.StepKeyFormat, cause: credential.CauseMistypedKey, detail: "wrapped in quotes", fix: "without the quotes"},
		{name: "base URL without scheme", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.APIBase = strings.TrimPrefix(good, "http://") })},
			failAt: doctor.StepBaseURL, cause: credential.CauseBadBaseURL, detail: "lacks http:// or https://", fix: "with its scheme"},
		{name: "DNS failure", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.APIBase = "http://api.keygate.invalid/v1" }), Resolver: nx},
			failAt: doctor.StepDNS, cause: credential.CauseDNS, detail: `"api.keygate.invalid" did not resolve (no such host)`, fix: "typo"},
		{name: "proxy host DNS failure", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.Proxy = "http://proxy.keygate.invalid:3128" }), Resolver: nx},
			failAt: doctor.StepDNS, cause: credential.CauseDNS, detail: "The proxy's host", fix: "proxy URL"},
		{name: "connection refused", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.APIBase = "http://" + closed + "/v1" })},
			failAt: doctor.StepTCP, cause: credential.CauseRefused, detail: "refused the connection", fix: "host and port"},
		{name: "proxy not running", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.Proxy = "http://" + closed })},
			failAt: doctor.StepTCP, cause: credential.CauseProxy, detail: "The proxy http://" + closed + " cannot be reached", fix: "proxy is running"},
		{name: "proxy cannot reach the server", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.Proxy = badGateway.URL })},
			failAt: doctor.StepProxy, cause: credential.CauseProxy, detail: "could not reach", fix: "proxy can reach the provider"},
		{name: "proxy refuses CONNECT", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.APIBase = tlsSrv.URL + "/v1"; t.Proxy = badGateway.URL })},
			failAt: doctor.StepProxy, cause: credential.CauseProxy, detail: "did not open a tunnel", fix: "allows CONNECT"},
		{name: "TLS failure", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.APIBase = tlsSrv.URL + "/v1" })},
			failAt: doctor.StepTLS, cause: credential.CauseTLS, detail: "is not trusted", fix: "trust store"},
		{name: "TLS failure through the proxy's tunnel", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.APIBase = tlsSrv.URL + "/v1"; t.Proxy = proxy })},
			failAt: doctor.StepTLS, cause: credential.CauseTLS, detail: "is not trusted", fix: "trust store"},
		{name: "base URL without /v1", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.APIBase = mock.URL })},
			failAt: doctor.StepAPI, cause: credential.CauseBadBaseURL, detail: "unknown_url", fix: "Does it end in /v1? OpenAI-compatible servers usually need it: try " + good},
		{name: "base URL is a web page", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.APIBase = html.URL + "/v1" })},
			failAt: doctor.StepAPI, cause: credential.CauseBadBaseURL, detail: "a web page"},
		{name: "revoked key", check: doctor.Check{Target: target("revoked")},
			failAt: doctor.StepAuth, cause: credential.CauseInvalidKey, detail: "revoked, deleted or mistyped", fix: "Create a new key"},
		{name: "deactivated account", check: doctor.Check{Target: target("deactivated")},
			failAt: doctor.StepAuth, cause: credential.CauseAccountDeactivated, detail: "deactivated", fix: "email"},
		{name: "no billing", check: doctor.Check{Target: target("nobilling")},
			failAt: doctor.StepAuth, cause: credential.CauseNoBilling, fix: "payment method"},
		{name: "mismatched organization", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.Organization = mockopenai.OtherOrgID })},
			failAt: doctor.StepOrganization, cause: credential.CauseOrganization, detail: "is not the key's organization", fix: "leave it empty"},
		{name: "unknown organization", check: doctor.Check{Target: with(target("good"), func(t *verify.Target) { t.Organization = "org-nosuch" })},
			failAt: doctor.StepOrganization, cause: credential.CauseOrganization, detail: `No organization "org-nosuch"`},
		{name: "model not accessible", check: doctor.Check{Target: target("good"), Model: "gpt-9"},
			failAt: doctor.StepModel, cause: credential.CauseModelNotAccessible, detail: `"gpt-9" does not exist`, fix: "model's name"},
		{name: "free account below requirement", check: doctor.Check{Target: target("free"), Model: "gpt-3.5-turbo", Requirements: reqs},
			failAt: doctor.StepLimits, cause: credential.CauseFreeTier, detail: "TPM 40000 is 10000 below the required 50000", fix: "$5 of credit"},
		{name: "throttled", check: doctor.Check{Target: target("ratelimited"), Model: "gpt-4o"},
			failAt: doctor.StepLimits, cause: credential.CauseThrottled, detail: "rate-limiting this key on requests for gpt-4o", fix: "Wait 20s"},
		{name: "overloaded", check: doctor.Check{Target: target("overloaded"), Model: "gpt-4o-mini"},
			failAt: doctor.StepCompletion, cause: credential.CauseUpstreamError, detail: "HTTP 503, server_is_overloaded", fix: "retry"},
		{name: "timeout", check: doctor.Check{Target: target("slow"), Model: "gpt-4o-mini", Timeout: 300 * time.Millisecond},
			failAt: doctor.StepCompletion, cause: credential.CauseTimeout, detail: "did not answer within 300ms", fix: "retry"},
	}
	order := []string{doctor.StepConfig, doctor.StepKeyFormat, doctor.StepBaseURL, doctor.StepDNS, doctor.StepTCP, doctor.StepProxy, doctor.StepTLS,
		doctor.StepAPI, doctor.StepAuth, doctor.StepOrganization, doctor.StepModel, doctor.StepLimits, doctor.StepCompletion}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var emitted []doctor.Step
			rep := doctor.Run(context.Background(), tt.check, func(s doctor.Step) { emitted = append(emitted, s) })
			for _, s := range rep.Steps {
				t.Logf("%-16s ok=%-5v skipped=%-5v %s | %s %s", s.Name, s.OK, s.Skipped, s.Cause, s.Detail, s.Fix)
			}
			if len(rep.Steps) != len(order) || len(emitted) != len(order) {
				t.Fatalf("%d steps, %d emitted, want %d", len(rep.Steps), len(emitted), len(order))
			}
			failed := false
			for i, s := range rep.Steps {
				if s.Name != order[i] || emitted[i].Name != s.Name {
					t.Errorf("step %d is %q (emitted %q), want %q", i, s.Name, emitted[i].Name, order[i])
				}
				switch {
				case failed:
					if s.OK || !s.Skipped {
						t.Errorf("step %q after the failure: OK %v skipped %v, want skipped", s.Name, s.OK, s.Skipped)
					}
				case s.Name == tt.failAt:
					failed = true
					if s.OK || s.Skipped || s.Cause != tt.cause || !strings.Contains(s.Detail, tt.detail) || !strings.Contains(s.Fix, tt.fix) || s.Fix == "" {
						t.Errorf("step %q: OK %v cause %q detail %q fix %q; want cause %q, detail ~%q, fix ~%q", s.Name, s.OK, s.Cause, s.Detail, s.Fix, tt.cause, tt.detail, tt.fix)
					}
				default:
					if !s.OK || s.Cause != "" {
						t.Errorf("step %q before the failure: OK %v cause %q: %s", s.Name, s.OK, s.Cause, s.Detail)
					}
					if want := contains(tt.notApplic, s.Name); s.Skipped != want && tt.failAt == "" {
						t.Errorf("step %q skipped %v, want %v", s.Name, s.Skipped, want)
					}
					if tt.failAt == "" && s.Name == doctor.StepLimits && !strings.Contains(s.Detail, tt.detail) {
						t.Errorf("limits detail %q, want ~%q", s.Detail, tt.detail)
					}
				}
			}
			if rep.OK != (tt.failAt == "") {
				t.Errorf("report OK %v", rep.OK)
			}
			if tt.failAt != "" && !failed {
				t.Errorf("no step failed; want %q", tt.failAt)
			}
			b, _ := json.Marshal(rep)
			if k := tt.check.Target.Key.Reveal(); strings.Contains(string(b), strings.Trim(k, `"`)) || strings.Contains(string(b), k[:14]) {
				t.Errorf("the key leaks into the report: %s", b)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
