package app_test

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/keygate/keygate/internal/mockopenai"
)

func chatOnce(t *testing.T, s *stack, model string) error {
	t.Helper()
	c := s.sdk()
	_, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: model, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	return err
}

// Entries sharing an alias take turns.
func TestLoadBalancing(t *testing.T) {
	keyA, keyB := mockopenai.Key("good")+"-a", mockopenai.Key("good")+"-b"
	s := newStack(t, `
client_keys: [`+clientKey+`]
model_list:
  - {model_name: lb, model: openai/gpt-4o-mini, api_key: `+keyA+`, api_base: "{{MOCK}}"}
  - model_name: lb
    litellm_params: {model: openai/gpt-4o-mini, api_key: `+keyB+`, api_base: "{{MOCK}}"}
`, stackOptions{})
	for range 10 {
		if err := chatOnce(t, s, "lb"); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Mock.Stats()
	if st[keyA].Requests != 5 || st[keyB].Requests != 5 {
		t.Fatalf("requests per key: a=%d b=%d, want 5 and 5", st[keyA].Requests, st[keyB].Requests)
	}
}

// A deployment that fails for reasons of its own (a revoked key, an overloaded
// provider) is skipped for the next in line, then for the alias's fallbacks;
// the failed one cools down and stops getting traffic.
func TestFailover(t *testing.T) {
	good := mockopenai.Key("good")
	s := newStack(t, `
client_keys: [`+clientKey+`]
model_list:
  - {model_name: pair, model: openai/gpt-4o-mini, api_key: `+mockopenai.Key("revoked")+`, api_base: "{{MOCK}}"}
  - {model_name: pair, model: openai/gpt-4o-mini, api_key: `+good+`, api_base: "{{MOCK}}"}
  - {model_name: primary, model: openai/gpt-4o-mini, api_key: `+mockopenai.Key("overloaded")+`, api_base: "{{MOCK}}", fallbacks: [backup]}
  - {model_name: backup, model: openai/gpt-4o-mini, api_key: `+good+`, api_base: "{{MOCK}}"}
`, stackOptions{})
	for range 6 {
		if err := chatOnce(t, s, "pair"); err != nil {
			t.Fatalf("pair: %v", err)
		}
	}
	if n := s.Mock.Stats()[mockopenai.Key("revoked")].Requests; n != 1 {
		t.Fatalf("the revoked deployment got %d requests; after the first it should cool down", n)
	}
	if err := chatOnce(t, s, "primary"); err != nil {
		t.Fatalf("fallback: %v", err)
	}
	if n := s.Mock.Stats()[good].Requests; n != 7 {
		t.Fatalf("good key served %d, want 7", n)
	}
}

// A client's own mistake is not retried on other deployments.
func TestNoFailoverOnClientError(t *testing.T) {
	good := mockopenai.Key("good")
	s := newStack(t, `
client_keys: [`+clientKey+`]
model_list:
  - {model_name: pair, model: openai/gpt-4o-mini, api_key: `+good+`-a, api_base: "{{MOCK}}", preflight: false}
  - {model_name: pair, model: openai/gpt-4o-mini, api_key: `+good+`-b, api_base: "{{MOCK}}", preflight: false}
`, stackOptions{})
	resp, _ := s.post(t, "/chat/completions", `{"model":"pair","max_tokens":1000000,"messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 400 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if n := len(s.Mock.Received()); n != 1 {
		t.Fatalf("a 400 was tried on %d deployments", n)
	}
}
