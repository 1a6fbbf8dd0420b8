package verify

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/credential"
)

// Complete sends the smallest real request for model, a one-token "ping"
// completion (or a one-word embedding), and checks that it answers 200 with
// a choice (or a vector). It costs a handful of tokens; doctor sends it last,
// to prove the whole path end to end.
func (c *Client) Complete(ctx context.Context, model string) *Fault {
	path, body := "/chat/completions", chatPing(model, "max_tokens")
	if IsEmbedding(model) {
		path = "/embeddings"
		body, _ = json.Marshal(map[string]any{"model": model, "input": "ping"})
	}
	a, f := c.do(ctx, http.MethodPost, path, body, KeyAndScope)
	if f != nil {
		return f
	}
	// o-series and gpt-5 models refuse max_tokens; they take
	// max_completion_tokens, and need room to reason before a word.
	if e := parseError(a.body); a.resp.StatusCode == http.StatusBadRequest && e.code == "unsupported_parameter" {
		if a, f = c.do(ctx, http.MethodPost, path, chatPing(model, "max_completion_tokens"), KeyAndScope); f != nil {
			return f
		}
	}
	if a.resp.StatusCode != http.StatusOK {
		return c.responseFault(a, model)
	}
	want := "choices.0"
	if IsEmbedding(model) {
		want = "data.0"
	}
	if !gjson.ValidBytes(a.body) || !gjson.GetBytes(a.body, want).Exists() {
		return fault(credential.CauseUpstreamError, "Check that the base URL points at an OpenAI-compatible API.",
			"POST %s answered 200 without a %s.", path, map[bool]string{true: "vector", false: "choice"}[IsEmbedding(model)])
	}
	return nil
}

func chatPing(model, limitField string) []byte {
	n := 1
	if limitField == "max_completion_tokens" {
		n = 16
	}
	b, _ := json.Marshal(map[string]any{
		"model":    model,
		"messages": []map[string]string{{"role": "user", "content": "ping"}},
		limitField: n,
	})
	return b
}
