package mockopenai

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/keygate/keygate/internal/openai"
)

var reqIDPattern = regexp.MustCompile(`^req_[0-9a-f]{32}$`)

var rateHeaders = []string{
	openai.HeaderLimitRequests, openai.HeaderLimitTokens,
	openai.HeaderRemainingRequests, openai.HeaderRemainingTokens,
	openai.HeaderResetRequests, openai.HeaderResetTokens,
}

var openaiHeaders = []string{"Openai-Organization", "Openai-Processing-Ms", "Openai-Version", "Openai-Project"}

// checkHeaders asserts that h carries exactly the header set hs.
func checkHeaders(t *testing.T, h http.Header, hs headerSet) {
	t.Helper()
	if id := h.Get("X-Request-Id"); !reqIDPattern.MatchString(id) {
		t.Errorf("x-request-id = %q, want req_<32 hex>", id)
	}
	for _, k := range openaiHeaders {
		if got := h.Get(k) != ""; got != (hs >= headersOpenAI) {
			t.Errorf("header %s present = %v, want %v", k, got, hs >= headersOpenAI)
		}
	}
	for _, k := range rateHeaders {
		if got := h.Get(k) != ""; got != (hs >= headersFull) {
			t.Errorf("header %s present = %v, want %v", k, got, hs >= headersFull)
		}
	}
	if hs >= headersOpenAI && h.Get("Openai-Version") != "2020-10-01" {
		t.Errorf("openai-version = %q", h.Get("Openai-Version"))
	}
}

// checkEnvelope decodes an error body, asserting the four keys are present.
func checkEnvelope(t *testing.T, body []byte) (typ, code, param, msg string) {
	t.Helper()
	var env map[string]map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("error body is not an envelope: %v: %s", err, body)
	}
	e, ok := env["error"]
	if !ok || len(env) != 1 {
		t.Fatalf("envelope keys: %s", body)
	}
	for _, k := range []string{"message", "type", "param", "code"} {
		if _, ok := e[k]; !ok {
			t.Errorf("error object lacks %q: %s", k, body)
		}
	}
	if len(e) != 4 {
		t.Errorf("error object has %d keys, want 4: %s", len(e), body)
	}
	str := func(k string) string {
		var s *string
		if err := json.Unmarshal(e[k], &s); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if s == nil {
			return "<null>"
		}
		return *s
	}
	return str("type"), str("code"), str("param"), str("message")
}

const chatBody = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}`

func chatWith(model, extra string) string {
	return `{"model":"` + model + `"` + extra + `,"messages":[{"role":"user","content":"Say hello"}]}`
}

func TestErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 4*130_000)
	tests := []struct {
		name    string
		method  string
		path    string
		key     string
		body    string
		status  int
		typ     string
		code    string
		param   string
		message string // exact unless prefixed with "~" (substring)
		headers headerSet
	}{
		{"no key", "POST", "/v1/chat/completions", "", chatBody, 401, "invalid_request_error", "<null>", "<null>", msgNoKey, headersMinimal},
		{"wrong key", "POST", "/v1/chat/completions", "sk-PMafP" + strings.Repeat("x", 39) + "E873", chatBody, 401, "invalid_request_error", "invalid_api_key", "<null>",
			"Incorrect API key provided: sk-PMafP***************************************E873. You can find your API key at https://platform.openai.com/account/api-keys.", headersMinimal},
		{"unknown scenario", "POST", "/v1/chat/completions", "sk-mock-nosuch", chatBody, 401, "invalid_request_error", "invalid_api_key", "<null>", "~sk-mock-**such.", headersMinimal},
		{"revoked", "POST", "/v1/chat/completions", Key(ScenarioRevoked), chatBody, 401, "invalid_request_error", "invalid_api_key", "<null>", "~Incorrect API key provided: sk-mock-", headersMinimal},
		{"revoked before validation", "POST", "/v1/chat/completions", Key(ScenarioRevoked), `not json`, 401, "invalid_request_error", "invalid_api_key", "<null>", "~Incorrect API key", headersMinimal},
		{"deactivated", "POST", "/v1/embeddings", Key(ScenarioDeactivated), `{}`, 401, "invalid_request_error", "account_deactivated", "<null>", msgDeactivated, headersMinimal},
		{"forbidden", "POST", "/v1/chat/completions", Key(ScenarioForbidden), chatBody, 403, "request_forbidden", "unsupported_country_region_territory", "<null>", msgForbidden, headersMinimal},
		{"noquota", "POST", "/v1/chat/completions", Key(ScenarioNoQuota), chatBody, 429, "insufficient_quota", "insufficient_quota", "<null>", msgNoQuota, headersOpenAI},
		{"nobilling", "POST", "/v1/chat/completions", Key(ScenarioNoBilling), chatBody, 429, "billing_not_active", "billing_not_active", "<null>", msgNoBilling, headersMinimal},
		{"ratelimited", "POST", "/v1/chat/completions", Key(ScenarioRateLimited), chatBody, 429, "requests", "rate_limit_exceeded", "<null>",
			"Rate limit reached for gpt-4o-mini in organization " + mockOrgID + " on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.", headersFull},
		{"tokenlimited", "POST", "/v1/chat/completions", Key(ScenarioTokenLimited), chatBody, 429, "tokens", "rate_limit_exceeded", "<null>",
			"~on tokens per min (TPM): Limit 200000, Used 200000, Requested 19. Please try again in 20s.", headersFull},
		{"overloaded", "POST", "/v1/chat/completions", Key(ScenarioOverloaded), chatBody, 503, "service_unavailable_error", "server_is_overloaded", "<null>", msgOverloaded, headersOpenAI},
		{"flaky first", "POST", "/v1/chat/completions", Key(ScenarioFlaky), chatBody, 500, "server_error", "<null>", "<null>", "~The server had an error processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if you keep seeing this error. (Please include the request ID req_", headersOpenAI},
		{"fault model", "POST", "/v1/chat/completions", Key(ScenarioGood), chatWith("fault-overloaded", ""), 503, "service_unavailable_error", "server_is_overloaded", "<null>", msgOverloaded, headersOpenAI},
		{"fault model account", "POST", "/v1/responses", Key(ScenarioUnlimited), `{"model":"fault-noquota","input":"x"}`, 429, "insufficient_quota", "insufficient_quota", "<null>", msgNoQuota, headersOpenAI},
		{"unknown url", "POST", "/chat/completions", Key(ScenarioGood), chatBody, 404, "invalid_request_error", "unknown_url", "<null>",
			"Unknown request URL: POST /chat/completions. Please check the URL for typos, or see the docs at https://platform.openai.com/docs/api-reference/.", headersMinimal},
		{"wrong method", "GET", "/v1/chat/completions", Key(ScenarioGood), "", 404, "invalid_request_error", "unknown_url", "<null>", "~Unknown request URL: GET /v1/chat/completions.", headersMinimal},
		{"unknown model", "POST", "/v1/chat/completions", Key(ScenarioGood), chatWith("gpt-9", ""), 404, "invalid_request_error", "model_not_found", "<null>", "The model `gpt-9` does not exist or you do not have access to it.", headersMinimal},
		{"not json", "POST", "/v1/chat/completions", Key(ScenarioGood), `{"model":`, 400, "invalid_request_error", "<null>", "<null>", msgBadJSON, headersFull},
		{"no model", "POST", "/v1/embeddings", Key(ScenarioGood), `{"input":"x"}`, 400, "invalid_request_error", "<null>", "<null>", msgNoModel, headersFull},
		{"wrong type", "POST", "/v1/chat/completions", Key(ScenarioGood), chatWith("gpt-4o", `,"max_tokens":"5"`), 400, "invalid_request_error", "invalid_type", "max_tokens", "Invalid type for 'max_tokens': expected an integer, but got a string instead.", headersFull},
		{"max_tokens too large", "POST", "/v1/chat/completions", Key(ScenarioGood), chatWith("gpt-3.5-turbo", `,"max_tokens":8192`), 400, "invalid_request_error", "<null>", "max_tokens",
			"max_tokens is too large: 8192. This model supports at most 4096 completion tokens, whereas you provided 8192.", headersFull},
		{"max_tokens on o3", "POST", "/v1/chat/completions", Key(ScenarioGood), chatWith("o3", `,"max_tokens":100`), 400, "invalid_request_error", "unsupported_parameter", "max_tokens",
			"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", headersFull},
		{"max_tokens negative", "POST", "/v1/chat/completions", Key(ScenarioFree), chatWith("gpt-4o-mini", `,"max_tokens":-1`), 400, "invalid_request_error", "integer_below_min_value", "max_tokens",
			"Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -1 instead.", headersFull},
		{"max_tokens zero", "POST", "/v1/chat/completions", Key(ScenarioGood), chatWith("gpt-4o-mini", `,"max_tokens":0`), 400, "invalid_request_error", "integer_below_min_value", "max_tokens", "~Expected a value >= 1, but got 0 instead.", headersFull},
		{"context too long", "POST", "/v1/chat/completions", Key(ScenarioGood), `{"model":"gpt-4o","messages":[{"role":"user","content":"` + long + `"}]}`, 400, "invalid_request_error", "context_length_exceeded", "messages",
			"This model's maximum context length is 128000 tokens. However, your messages resulted in 130006 tokens. Please reduce the length of the messages.", headersFull},
		{"missing messages", "POST", "/v1/chat/completions", Key(ScenarioGood), `{"model":"gpt-4o"}`, 400, "invalid_request_error", "missing_required_parameter", "messages", "Missing required parameter: 'messages'.", headersFull},
		{"stream_options without stream", "POST", "/v1/chat/completions", Key(ScenarioGood), chatWith("gpt-4o", `,"stream_options":{"include_usage":true}`), 400, "invalid_request_error", "<null>", "stream_options", msgStreamOptionsWithoutStream, headersFull},
		{"chat model on completions", "POST", "/v1/completions", Key(ScenarioGood), `{"model":"gpt-4o","prompt":"x"}`, 404, "invalid_request_error", "<null>", "model", "~This is a chat model", headersMinimal},
		{"dimensions on ada", "POST", "/v1/embeddings", Key(ScenarioGood), `{"model":"text-embedding-ada-002","input":"x","dimensions":8}`, 400, "invalid_request_error", "<null>", "<null>", "This model does not support specifying dimensions.", headersFull},
		{"empty embedding input", "POST", "/v1/embeddings", Key(ScenarioGood), `{"model":"text-embedding-3-small","input":""}`, 400, "invalid_request_error", "<null>", "<null>", msgBadInput, headersFull},
		{"responses min output", "POST", "/v1/responses", Key(ScenarioGood), `{"model":"gpt-4o","input":"x","max_output_tokens":5}`, 400, "invalid_request_error", "integer_below_min_value", "max_output_tokens", "~Expected a value >= 16, but got 5 instead.", headersFull},
		{"legacy context", "POST", "/v1/completions", Key(ScenarioGood), `{"model":"gpt-3.5-turbo-instruct","prompt":"hello","max_tokens":4096}`, 400, "invalid_request_error", "context_length_exceeded", "<null>",
			"This model's maximum context length is 4096 tokens, however you requested 4098 tokens (2 in your prompt; 4096 for the completion). Please reduce your prompt; or completion length.", headersFull},
		{"unknown model retrieve", "GET", "/v1/models/gpt-9", Key(ScenarioGood), "", 404, "invalid_request_error", "model_not_found", "<null>", "~`gpt-9`", headersMinimal},
	}
	base := start(t, New(Options{}))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := send(t, base, tc.method, tc.path, tc.key, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("content-type %q", ct)
			}
			typ, code, param, msg := checkEnvelope(t, body)
			if typ != tc.typ || code != tc.code || param != tc.param {
				t.Errorf("type/code/param = %s/%s/%s, want %s/%s/%s", typ, code, param, tc.typ, tc.code, tc.param)
			}
			if want, ok := strings.CutPrefix(tc.message, "~"); ok {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q\nlacks %q", msg, want)
				}
			} else if msg != tc.message {
				t.Errorf("message %q\nwant    %q", msg, tc.message)
			}
			checkHeaders(t, resp.Header, tc.headers)
		})
	}
}

func TestRateLimitedHeaders(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	resp, _ := send(t, base, "POST", "/v1/chat/completions", Key(ScenarioRateLimited), chatBody)
	h := resp.Header
	for k, want := range map[string]string{
		"Retry-After":                   "20",
		openai.HeaderRemainingRequests:  "0",
		openai.HeaderLimitRequests:      "10000", // gpt-4o-mini has an RPD, which the header reports
		openai.HeaderResetRequests:      "20s",
		openai.HeaderLimitTokens:        "200000",
		openai.HeaderRemainingTokens:    "200000",
		"X-Should-Retry":                "",
		"Openai-Organization":           "user-mock",
		"Access-Control-Expose-Headers": "X-Request-ID",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	resp, _ = send(t, base, "POST", "/v1/chat/completions", Key(ScenarioTokenLimited), chatBody)
	if got := resp.Header.Get(openai.HeaderRemainingTokens); got != "0" {
		t.Errorf("tokenlimited remaining tokens %q", got)
	}
}

func TestMaskKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"sk-PMafP" + strings.Repeat("x", 39) + "E873", "sk-PMafP***************************************E873"},
		{"Toxic", "Toxic"},
		{"sk jj", "sk jj"},
		{"DEADBEEF", "DEADBEEF"},
		{"123456789012", "123456789012"},
		{"1234567890123", "12345678*0123"},
		{"", ""},
	} {
		if got := MaskKey(tc.in); got != tc.want {
			t.Errorf("MaskKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if n := strings.Count(MaskKey(tc.in), "*"); len(tc.in) > 12 && n != len(tc.in)-12 {
			t.Errorf("MaskKey(%q) has %d asterisks", tc.in, n)
		}
	}
}
