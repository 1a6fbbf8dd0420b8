package app_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
	"github.com/keygate/keygate/internal/tokenizer"
)

// TestPreflight: requests the model would refuse for their size are
// refused before anything is sent, in OpenAI's words with the exact fix;
// preflight: false and models without known caps pass through.
func TestPreflight(t *testing.T) {
	s := newStack(t, defaultModels+`
  - {model_name: raw, model: openai/gpt-4o-mini, api_key: "${GOOD_KEY}", api_base: "{{MOCK}}", preflight: false}
  - {model_name: custom, model: openai/my-finetune-xyz, api_key: "${GOOD_KEY}", api_base: "{{MOCK}}"}
`, stackOptions{})
	// gpt-4o-mini: 128,000-token context, 16,384 output tokens (catalog).
	words := func(n int) string { return strings.Repeat("hello ", n) }
	enc, _ := tokenizer.ForModel("gpt-4o-mini")
	big := words(130000)
	bigTokens := int64(enc.Count(big)) + 7 // the cookbook's 3 per message, the role, and 3 to prime the reply
	mid := words(120000)
	midTokens := int64(enc.Count(mid)) + 7
	chat := func(model, extra, content string) string {
		b, _ := json.Marshal(content)
		return `{"model":"` + model + `"` + extra + `,"messages":[{"role":"user","content":` + string(b) + `}]}`
	}
	tests := []struct {
		name, body       string
		status           int
		param, code, msg string
		sent             int // requests the mock received
	}{
		{"max_tokens above the output cap", chat("gpt-4o-mini", `,"max_tokens":20000`, "hi"), 400, "max_tokens", "",
			"max_tokens is too large: 20000. This model supports at most 16384 completion tokens, whereas you provided 20000. Reduce max_tokens to at most 16384", 0},
		{"max_completion_tokens above the output cap", chat("gpt-4o-mini", `,"max_completion_tokens":16385`, "hi"), 400, "max_completion_tokens", "",
			"max_completion_tokens is too large: 16385. This model supports at most 16384 completion tokens", 0},
		{"prompt above the context window", chat("gpt-4o-mini", "", big), 400, "messages", "context_length_exceeded",
			"This model's maximum context length is 128000 tokens. However, your messages resulted in " + strconv.FormatInt(bigTokens, 10) + " tokens. Please reduce the length of the messages: remove at least " + strconv.FormatInt(bigTokens-128000, 10) + " tokens.", 0},
		{"prompt and output above the context window", chat("gpt-4o-mini", `,"max_tokens":16000`, mid), 400, "messages", "context_length_exceeded",
			"However, you requested " + strconv.FormatInt(midTokens+16000, 10) + " tokens (" + strconv.FormatInt(midTokens, 10) + " in the messages, 16000 in the completion). Please reduce the length of the messages or completion: reduce max_tokens to at most " + strconv.FormatInt(128000-midTokens, 10) + ".", 0},
		{"fits, counted", chat("gpt-4o-mini", `,"max_tokens":16000`, words(20000)), 200, "", "", "", 1},
		{"preflight off", chat("raw", `,"max_tokens":20000`, "hi"), 400, "max_tokens", "", "max_tokens is too large: 20000", 1},
		// The mock does not know this model either: what matters is that it
		// was asked.
		{"model without known caps", chat("custom", `,"max_tokens":20000`, "hi"), 502, "", "", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Mock.Reset()
			resp, body := s.post(t, "/chat/completions", tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if n := len(s.Mock.Received()); n != tt.sent {
				t.Fatalf("the upstream received %d requests, want %d", n, tt.sent)
			}
			if tt.status != 400 {
				return
			}
			var e struct {
				Error struct {
					Message, Type string
					Param, Code   *string
				}
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if e.Error.Type != "invalid_request_error" || e.Error.Param == nil || *e.Error.Param != tt.param ||
				(tt.code == "") != (e.Error.Code == nil) || (e.Error.Code != nil && *e.Error.Code != tt.code) ||
				!strings.Contains(e.Error.Message, tt.msg) {
				t.Fatalf("error %s", body)
			}
		})
	}
}

// TestUsageFallback: an upstream that reports no usage (some
// OpenAI-compatible servers) leaves keygate to count the prompt and the
// completion it relayed, and the ledger record says the counts are
// keygate's.
func TestUsageFallback(t *testing.T) {
	c := newCluster(t, single, `
model_list:
  - {model_name: m, model: openai/gpt-4o-mini, api_key: "`+mockopenai.Key(mockopenai.ScenarioNoUsage)+`", api_base: "{{MOCK}}"}
`, false)
	key, _ := c.project(t, tenant.Project{Name: "team"}, tenant.Limits{})
	for _, stream := range []string{"false", "true"} {
		a := c.post(t, 0, "/v1/chat/completions", key, `{"model":"m","stream":`+stream+`,"messages":[{"role":"user","content":"hi"}]}`)
		if a.status != 200 || strings.Contains(a.body, `"usage":{`) {
			t.Fatalf("stream %s: %d %s", stream, a.status, a.body)
		}
	}
	c.closeLedgers(t)
	rows, err := c.Replicas[0].Store.UsageSummary(context.Background(), store.UsageQuery{Project: "team"})
	if err != nil || len(rows) != 1 {
		t.Fatalf("ledger %+v (%v)", rows, err)
	}
	enc, _ := tokenizer.ForModel("gpt-4o-mini")
	reply := int64(enc.Count("Hello! This is a mock reply from keygate."))
	if r := rows[0]; r.Requests != 2 || r.PromptTokens != 2*8 || r.CompletionTokens != 2*reply || r.Cost == 0 {
		t.Fatalf("ledger %+v; want 2 requests of 8 prompt and %d completion tokens, priced", r, reply)
	}
}
