package mockopenai

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestScopeHeaders checks the OpenAI-Organization and OpenAI-Project checks,
// and that the forced rate-limit scenarios refuse even an invalid request.
func TestScopeHeaders(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	good := Key(ScenarioGood)
	tests := []struct {
		name, org, project, key, body string
		status                        int
		code, message                 string
	}{
		{"own org", OrgID, "", good, "", 200, "", ""},
		{"own project", "", "proj_mock", good, "", 200, "", ""},
		{"other org", OtherOrgID, "", good, "", 401, "mismatched_organization", msgMismatchedOrg},
		{"unknown org", "org-nosuch", "", good, "", 401, "invalid_organization", "No such organization: org-nosuch."},
		{"other project", "", "proj_other", good, "", 401, "mismatched_project", msgMismatchedProject},
		{"revoked key first", OtherOrgID, "", Key(ScenarioRevoked), "", 401, "invalid_api_key", "~Incorrect API key provided"},
		{"throttled before validation", "", "", Key(ScenarioRateLimited), chatWith("gpt-4o", `,"max_tokens":-1`), 429, "rate_limit_exceeded", "~on requests per min (RPM): Limit 500"},
		{"token-throttled before validation", "", "", Key(ScenarioTokenLimited), chatWith("gpt-4o", `,"max_tokens":-1`), 429, "rate_limit_exceeded", "~on tokens per min (TPM): Limit 30000"},
		{"good key validates", "", "", good, chatWith("gpt-4o", `,"max_tokens":-1`), 400, "integer_below_min_value", "~Expected a value >= 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, path := "GET", "/v1/models"
			if tt.body != "" {
				method, path = "POST", "/v1/chat/completions"
			}
			req, _ := http.NewRequest(method, base+path, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+tt.key)
			if tt.org != "" {
				req.Header.Set("OpenAI-Organization", tt.org)
			}
			if tt.project != "" {
				req.Header.Set("OpenAI-Project", tt.project)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 200 {
				return
			}
			b, _ := io.ReadAll(resp.Body)
			_, code, _, msg := checkEnvelope(t, b)
			if code != tt.code {
				t.Errorf("code %q, want %q", code, tt.code)
			}
			if want, ok := strings.CutPrefix(tt.message, "~"); ok && !strings.Contains(msg, want) || !ok && msg != tt.message {
				t.Errorf("message %q, want %q", msg, tt.message)
			}
			hs := headersMinimal
			if tt.status == 400 || tt.status == 429 {
				hs = headersFull
			}
			checkHeaders(t, resp.Header, hs)
		})
	}
}
