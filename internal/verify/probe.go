package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/openai"
)

// IsEmbedding reports whether a model serves /embeddings rather than
// /chat/completions, judged by its name (text-embedding-3-small,
// nomic-embed-text, mistral-embed, …).
func IsEmbedding(model string) bool {
	return strings.Contains(strings.ToLower(model), "embed")
}

// probeRequest is a request OpenAI refuses with 400 after authenticating the
// key and resolving the model, so it spends nothing yet carries the model's
// rate-limit headers: max_tokens -1 for chat, an empty input for embeddings.
func probeRequest(model string) (string, []byte) {
	if IsEmbedding(model) {
		b, _ := json.Marshal(map[string]any{"model": model, "input": ""})
		return "/embeddings", b
	}
	b, _ := json.Marshal(map[string]any{
		"model":      model,
		"messages":   []map[string]string{{"role": "user", "content": "ping"}},
		"max_tokens": -1,
	})
	return "/chat/completions", b
}

// Probe learns a model's access and rate limits without spending tokens, and
// judges them against req (nil: no requirement). The fault, when not nil, is
// the finding that fails the model; its ModelLevel method tells a finding
// about this model alone (no access, throttled, limits too low) from one
// about the whole key or the network, after which probing other models is
// pointless. ml.Cause and ml.Message repeat it.
func (c *Client) Probe(ctx context.Context, model string, req *credential.Requirement) (ml credential.ModelLimits, f *Fault) {
	ml = credential.ModelLimits{Model: model, Requirement: req}
	path, body := probeRequest(model)
	a, f := c.do(ctx, http.MethodPost, path, body, KeyAndScope)
	if f != nil {
		return withFault(ml, f), f
	}
	switch status := a.resp.StatusCode; {
	case status == http.StatusOK || status == http.StatusBadRequest:
		// 400 is the answer the probe asks for; 200 comes from servers that
		// accept max_tokens -1 as "no limit" (a few tokens spent, no harm).
		ml.Accessible = true
		readLimits(a.resp.Header, &ml)
		f = judge(&ml)
		return ml, f
	case status == http.StatusTooManyRequests && parseError(a.body).code == "rate_limit_exceeded":
		// Throttled on this model, which therefore exists for this key.
		ml.Accessible = true
		readLimits(a.resp.Header, &ml)
	}
	f = c.responseFault(a, model)
	return withFault(ml, f), f
}

// ModelLevel reports whether f concerns one model only, so that the key's
// other models are still worth probing.
func (f *Fault) ModelLevel() bool {
	switch f.Cause {
	case credential.CauseModelNotAccessible, credential.CauseThrottled, credential.CauseFreeTier,
		credential.CauseInsufficientRateLimit, credential.CauseUpstreamError:
		return true
	}
	return false
}

func withFault(ml credential.ModelLimits, f *Fault) credential.ModelLimits {
	ml.Cause, ml.Message = f.Cause, f.Error()
	return ml
}

// readLimits fills ml from the six x-ratelimit-* headers, where present.
func readLimits(h http.Header, ml *credential.ModelLimits) {
	num := func(k string) int64 {
		n, _ := strconv.ParseInt(strings.TrimSpace(h.Get(k)), 10, 64)
		return n
	}
	ml.RequestsLimit = num(openai.HeaderLimitRequests)
	ml.RequestsRemaining = num(openai.HeaderRemainingRequests)
	ml.RequestsReset, _ = openai.ParseReset(h.Get(openai.HeaderResetRequests))
	ml.TokensLimit = num(openai.HeaderLimitTokens)
	ml.TokensRemaining = num(openai.HeaderRemainingTokens)
	ml.TokensReset, _ = openai.ParseReset(h.Get(openai.HeaderResetTokens))
	if h.Get(openai.HeaderRemainingRequests) == "" {
		ml.RequestsRemaining = ml.RequestsLimit // unknown: assume unused
	}
	ml.RequestsWindow = RequestWindow(ml.RequestsLimit, ml.RequestsRemaining, ml.RequestsReset)
}

// DescribeLimits renders a model's limits as a person reads them:
// "10000 requests/day, 200000 TPM" or "500 RPM, 30000 TPM".
func DescribeLimits(ml *credential.ModelLimits) string {
	var parts []string
	switch ml.RequestsWindow {
	case credential.PerDay:
		parts = append(parts, fmt.Sprintf("%d requests/day", ml.RequestsLimit))
	case credential.PerMinute:
		parts = append(parts, fmt.Sprintf("%d RPM", ml.RequestsLimit))
	}
	if ml.TokensLimit > 0 {
		parts = append(parts, fmt.Sprintf("%d TPM", ml.TokensLimit))
	}
	if len(parts) == 0 {
		return "no rate-limit headers"
	}
	return strings.Join(parts, ", ")
}
