package upstream

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/route"
	"github.com/keygate/keygate/internal/secret"
)

func testDeployment(base string) *route.Deployment {
	return &route.Deployment{Name: "m#1", Deployment: config.Deployment{Alias: "m", Vendor: "openai", Model: "gpt-4o-mini", APIBase: base,
		APIKeys: []secret.Secret{secret.New("sk-test-abcdefghijklmnop")}}}
}

func TestClassifyResponse(t *testing.T) {
	d := testDeployment("https://api.example.com/v1")
	tests := []struct {
		name        string
		status      int
		header      http.Header
		body        string
		wantStatus  int
		code        string
		passthrough bool
		failover    bool
		retryAfter  time.Duration
	}{
		{"bad key", 401, nil, `{"error":{"code":"invalid_api_key","type":"invalid_request_error","message":"Incorrect API key provided: sk-test-***mnop."}}`, 502, CodeInvalidKey, false, true, 0},
		{"no org", 401, nil, `{"error":{"code":"no_organization","type":"invalid_request_error","message":"x"}}`, 502, CodeOrganization, false, true, 0},
		{"model", 404, nil, `{"error":{"code":"model_not_found","message":"The model x does not exist"}}`, 502, CodeModelNotFound, false, true, 0},
		{"unknown url", 404, nil, `{"error":{"code":"unknown_url","message":"Unknown request URL"}}`, 502, CodeBadBaseURL, false, true, 0},
		{"plain 404 page", 404, http.Header{"Content-Type": {"text/plain"}}, `404 page not found`, 502, CodeBadBaseURL, false, true, 0},
		{"quota", 429, nil, `{"error":{"code":"insufficient_quota","type":"insufficient_quota","message":"x"}}`, 503, CodeQuota, false, true, 0},
		{"credit", 429, nil, `{"error":{"code":"credit_balance_exhausted","type":"insufficient_quota","message":"x"}}`, 503, CodeQuota, false, true, 0},
		{"billing, 2023 shape", 429, nil, `{"error":{"code":null,"type":"billing_not_active","message":"x"}}`, 503, CodeBilling, false, true, 0},
		{"rate limit from retry-after-ms", 429, http.Header{"Retry-After-Ms": {"1500"}, "Retry-After": {"2"}}, `{"error":{"code":"rate_limit_exceeded","type":"requests","message":"x"}}`, 429, CodeRateLimited, false, true, 1500 * time.Millisecond},
		{"rate limit from the message", 429, nil, `{"error":{"code":"rate_limit_exceeded","type":"tokens","message":"Rate limit reached ... Please try again in 6m0s. Visit"}}`, 429, CodeRateLimited, false, true, 6 * time.Minute},
		{"overloaded", 503, nil, `{"error":{"code":"server_is_overloaded","type":"service_unavailable_error","message":"x"}}`, 503, CodeOverloaded, false, true, time.Second},
		{"CDN error page is the provider's trouble", 502, http.Header{"Content-Type": {"text/html"}}, `<html>bad gateway</html>`, 502, CodeServerError, false, true, 0},
		{"server error", 500, nil, `{"error":{"code":null,"type":"server_error","message":"x"}}`, 502, CodeServerError, false, true, 0},
		{"max_tokens too large passes through", 400, nil, `{"error":{"code":null,"param":"max_tokens","type":"invalid_request_error","message":"max_tokens is too large"}}`, 0, "", true, false, 0},
		{"html 200", 200, http.Header{"Content-Type": {"text/html"}}, `<!doctype html><p>hi`, 502, CodeBadBaseURL, false, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{"Content-Type": {"application/json"}}
			}
			f := ClassifyResponse(d, d.APIKeys[0], &http.Response{StatusCode: tt.status, Header: h}, []byte(tt.body))
			if f.Passthrough != tt.passthrough || f.Failover != tt.failover {
				t.Fatalf("passthrough %v failover %v", f.Passthrough, f.Failover)
			}
			if tt.passthrough {
				return
			}
			if f.Err.Status != tt.wantStatus || f.Err.Code != tt.code || f.Err.RetryAfter != tt.retryAfter {
				t.Fatalf("got %d %s retry %v: %s", f.Err.Status, f.Err.Code, f.Err.RetryAfter, f.Err.Message)
			}
		})
	}
}

// The base-URL hint names the likely fix only when it applies.
func TestBadBaseHint(t *testing.T) {
	resp := &http.Response{StatusCode: 404, Header: http.Header{"Content-Type": {"text/html"}}}
	for base, want := range map[string]bool{"http://h:1": true, "http://h:1/v1": false, "http://h:1/api/v1/": false} {
		msg := ClassifyResponse(testDeployment(base), secret.Secret{}, resp, []byte("<html>")).Err.Message
		if got := contains(msg, "does not end in /v1"); got != want {
			t.Errorf("%s: hint %v, want %v: %s", base, got, want, msg)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
