package app_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/verify/verifytest"
)

// faultModels serves one alias per upstream fault.
func faultModels(t *testing.T) string {
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failures are the point
	tlsSrv.StartTLS()                                   // self-signed: keygate must not trust it
	t.Cleanup(tlsSrv.Close)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<!DOCTYPE html><html><body>Welcome to nginx!</body></html>"))
	}))
	t.Cleanup(html.Close)
	entry := func(alias, key, extra string) string {
		return "  - model_name: " + alias + "\n    model: openai/gpt-4o-mini\n    api_key: " + key + "\n    api_base: {{MOCK}}\n" + extra
	}
	var b strings.Builder
	b.WriteString("client_keys: [" + clientKey + "]\nmax_request_bytes: 4096\nmodel_list:\n")
	b.WriteString(entry("good", mockopenai.Key("good"), ""))
	for _, sc := range []string{"revoked", "deactivated", "forbidden", "noquota", "nobilling", "ratelimited", "tokenlimited", "overloaded", "flaky"} {
		b.WriteString(entry(sc, mockopenai.Key(sc), ""))
	}
	b.WriteString(entry("mistyped", "sk-proj-abc123mistyped0000000000000000000000", ""))
	b.WriteString(entry("slow", mockopenai.Key("slow"), "    request_timeout: 0.2\n"))
	b.WriteString("  - model_name: nomodel\n    model: openai/gpt-nonexistent\n    api_key: " + mockopenai.Key("good") + "\n    api_base: {{MOCK}}\n")
	b.WriteString("  - model_name: nov1\n    model: openai/gpt-4o-mini\n    api_key: " + mockopenai.Key("good") + "\n    api_base: {{MOCKROOT}}\n")
	b.WriteString("  - model_name: dns\n    model: openai/gpt-4o-mini\n    api_key: " + mockopenai.Key("good") + "\n    api_base: http://api.nonexistent-provider.test/v1\n")
	b.WriteString("  - model_name: refused\n    model: openai/gpt-4o-mini\n    api_key: " + mockopenai.Key("good") + "\n    api_base: http://" + verifytest.ClosedPort(t) + "/v1\n")
	b.WriteString("  - model_name: tls\n    model: openai/gpt-4o-mini\n    api_key: " + mockopenai.Key("good") + "\n    api_base: " + tlsSrv.URL + "/v1\n")
	b.WriteString("  - model_name: html\n    model: openai/gpt-4o-mini\n    api_key: " + mockopenai.Key("good") + "\n    api_base: " + html.URL + "/v1\n")
	b.WriteString("  - model_name: stored\n    model: openai/gpt-4o-mini\n    credential: openai-main\n")
	b.WriteString(entry("badproxy", mockopenai.Key("good"), "    proxy: http://"+verifytest.ClosedPort(t)+"\n"))
	return b.String()
}

func TestErrors(t *testing.T) {
	s := newStack(t, faultModels(t), stackOptions{resolver: verifytest.NXDomainResolver(t), mock: mockopenai.Options{SlowLatency: 3e9}})
	chat := func(model string) string {
		return `{"model":"` + model + `","messages":[{"role":"user","content":"hi"}]}`
	}
	tests := []struct {
		name        string
		path, body  string
		status      int
		typ, code   string
		shouldRetry string // x-should-retry header, "" = absent
		retryAfter  string
		cause, fix  string // substrings of the message
	}{
		// The client's own mistakes: OpenAI's statuses and wording.
		{name: "malformed JSON", body: `{"model": "good",`, status: 400, typ: "invalid_request_error",
			cause: "could not parse the JSON body", fix: "expects a JSON payload"},
		{name: "missing model", body: `{"messages":[]}`, status: 400, typ: "invalid_request_error",
			cause: "must provide a model parameter", fix: "GET /v1/models lists"},
		{name: "unknown alias", body: chat("gpt-4o-mnii"), status: 404, typ: "invalid_request_error", code: "model_not_found",
			cause: "does not exist", fix: "Use one of the models this keygate serves: badproxy, deactivated"},
		{name: "body over the limit", body: chat(strings.Repeat("x", 5000)), status: 413, typ: "invalid_request_error", code: "request_too_large",
			cause: "more than the 4096 bytes", fix: "raise max_request_bytes"},
		{name: "unknown URL", path: "/chat/complete", body: chat("good"), status: 404, typ: "invalid_request_error", code: "unknown_url",
			cause: "Unknown request URL: POST /v1/chat/complete", fix: "keygate serves POST /v1/chat/completions"},
		{name: "max_tokens above the model's cap is the provider's own 400", body: `{"model":"good","max_tokens":100000,"messages":[{"role":"user","content":"hi"}]}`,
			status: 400, typ: "invalid_request_error", cause: "max_tokens is too large", fix: "at most 16384"},

		// The gateway's upstream setup: 502/503, said to be keygate's fault, not the client's.
		{name: "DNS failure", body: chat("dns"), status: 502, typ: "upstream_error", code: "upstream_dns_failure", shouldRetry: "false",
			cause: `could not resolve the host "api.nonexistent-provider.test"`, fix: "Check api_base for a typo"},
		{name: "connection refused", body: chat("refused"), status: 502, typ: "upstream_error", code: "upstream_connection_refused", shouldRetry: "false",
			cause: "refused the connection", fix: "Check the host and port in api_base"},
		{name: "TLS failure", body: chat("tls"), status: 502, typ: "upstream_error", code: "upstream_tls_failure", shouldRetry: "false",
			cause: "does not trust the TLS certificate", fix: "private CA"},
		{name: "proxy failure", body: chat("badproxy"), status: 502, typ: "upstream_error", code: "upstream_proxy_failure", shouldRetry: "false",
			cause: "through its proxy", fix: "Check that the proxy is running"},
		{name: "timeout", body: chat("slow"), status: 504, typ: "timeout_error", code: "upstream_timeout",
			cause: "did not answer within its 200ms timeout", fix: "raise request_timeout"},
		{name: "base URL without /v1", body: chat("nov1"), status: 502, typ: "upstream_error", code: "upstream_bad_base_url", shouldRetry: "false",
			cause: "does not serve the OpenAI API at its configured base URL", fix: "does not end in /v1"},
		{name: "HTML page at the base URL", body: chat("html"), status: 502, typ: "upstream_error", code: "upstream_bad_base_url", shouldRetry: "false",
			cause: "does not serve the OpenAI API", fix: "api_base"},
		{name: "mistyped provider key", body: chat("mistyped"), status: 502, typ: "upstream_error", code: "upstream_invalid_api_key", shouldRetry: "false",
			cause: "rejected keygate's API key", fix: "Your own keygate key is fine"},
		{name: "revoked provider key", body: chat("revoked"), status: 502, typ: "upstream_error", code: "upstream_invalid_api_key", shouldRetry: "false",
			cause: "mistyped, revoked or deleted", fix: "put a valid provider key"},
		{name: "deactivated account", body: chat("deactivated"), status: 502, typ: "upstream_error", code: "upstream_account_deactivated", shouldRetry: "false",
			cause: "has been deactivated", fix: "switch this model to another key"},
		{name: "unsupported region", body: chat("forbidden"), status: 502, typ: "upstream_error", code: "upstream_forbidden", shouldRetry: "false",
			cause: "does not serve the country or region", fix: "proxy in a supported region"},
		{name: "upstream model missing", body: chat("nomodel"), status: 502, typ: "upstream_error", code: "upstream_model_not_found", shouldRetry: "false",
			cause: `"gpt-nonexistent"`, fix: "Check the model name"},
		{name: "no quota", body: chat("noquota"), status: 503, typ: "service_unavailable_error", code: "upstream_insufficient_quota", shouldRetry: "false",
			cause: "run out of quota or credit", fix: "add credit or raise the spending limit"},
		{name: "no billing", body: chat("nobilling"), status: 503, typ: "service_unavailable_error", code: "upstream_billing_not_active", shouldRetry: "false",
			cause: "no active billing", fix: "add a payment method"},
		{name: "rate limited on requests", body: chat("ratelimited"), status: 429, typ: "requests", code: "rate_limit_exceeded", retryAfter: "20",
			cause: "rate limit on requests", fix: "add another key or deployment"},
		{name: "rate limited on tokens", body: chat("tokenlimited"), status: 429, typ: "tokens", code: "rate_limit_exceeded",
			cause: "rate limit on tokens", fix: "try again in"},
		{name: "overloaded", body: chat("overloaded"), status: 503, typ: "service_unavailable_error", code: "upstream_overloaded",
			cause: "overloaded", fix: "Retry in a few seconds"},
		{name: "stored credential not loadable", body: chat("stored"), status: 503, typ: "service_unavailable_error", code: "credential_unavailable", shouldRetry: "false",
			cause: `uses the stored credential "openai-main"`, fix: "keygate keys add openai-main --vendor openai"},
		{name: "server error", body: chat("flaky"), status: 502, typ: "upstream_error", code: "upstream_server_error",
			cause: "internal error (HTTP 500)", fix: "retrying usually works"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = "/chat/completions"
			}
			resp, body := s.post(t, path, tt.body)
			e := gjson.GetBytes(body, "error")
			for _, k := range []string{"message", "type", "param", "code"} {
				if !e.Get(k).Exists() {
					t.Fatalf("error.%s missing: %s", k, body)
				}
			}
			if resp.StatusCode != tt.status || e.Get("type").String() != tt.typ || e.Get("code").String() != tt.code {
				t.Fatalf("got %d %s/%s, want %d %s/%s\n%s", resp.StatusCode, e.Get("type"), e.Get("code"), tt.status, tt.typ, tt.code, body)
			}
			msg := e.Get("message").String()
			if !strings.Contains(msg, tt.cause) || !strings.Contains(msg, tt.fix) {
				t.Fatalf("message does not name cause %q and fix %q:\n%s", tt.cause, tt.fix, msg)
			}
			if got := resp.Header.Get("X-Should-Retry"); got != tt.shouldRetry {
				t.Errorf("x-should-retry = %q, want %q", got, tt.shouldRetry)
			}
			if tt.retryAfter != "" && resp.Header.Get("Retry-After") != tt.retryAfter {
				t.Errorf("retry-after = %q, want %q", resp.Header.Get("Retry-After"), tt.retryAfter)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || resp.Header.Get("X-Request-Id") == "" {
				t.Errorf("headers %v", resp.Header)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	s := newStack(t, defaultModels, stackOptions{})
	body := `{"model":"gpt-4o-mini","messages":[]}`
	for _, tt := range []struct {
		name, header, code, msg string
	}{
		{"no key", "", "", "You didn't provide an API key"},
		{"wrong key", "Bearer kg-wrong-key-00000000000", "invalid_api_key", "Incorrect API key provided: kg-…0000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", s.URL+"/chat/completions", strings.NewReader(body))
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b strings.Builder
			_, _ = io.Copy(&b, resp.Body)
			e := gjson.Get(b.String(), "error")
			if resp.StatusCode != 401 || e.Get("code").String() != tt.code || !strings.Contains(e.Get("message").String(), tt.msg) {
				t.Fatalf("%d %s", resp.StatusCode, b.String())
			}
		})
	}
	if n := len(s.Mock.Received()); n != 0 {
		t.Fatalf("refused requests reached the upstream %d times", n)
	}
}
