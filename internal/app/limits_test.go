package app_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

// sdkFor returns an openai-go client for replica 0 with key, retrying as
// the SDK does by default.
func (c *cluster) sdkFor(key string) openai.Client {
	return openai.NewClient(option.WithBaseURL(c.Replicas[0].URL+"/v1"), option.WithAPIKey(key), option.WithMaxRetries(2))
}

func sdkChat(c openai.Client, model string, maxTokens int64) (*openai.ChatCompletion, error) {
	p := openai.ChatCompletionNewParams{
		Model:    model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello to the whole team, please.")},
	}
	if maxTokens > 0 {
		p.MaxTokens = openai.Int(maxTokens)
	}
	return c.Chat.Completions.New(context.Background(), p)
}

// TestSDKSeesLimits: openai-go gets keygate's refusals as the API errors it
// knows, with the headers its retry logic reads: it retries a rate-limit 429
// after retry-after, and does not retry a budget refusal.
func TestSDKSeesLimits(t *testing.T) {
	forEachMode(t, func(t *testing.T, m clusterMode) {
		c := newCluster(t, m, pricedModels, false)

		// x-ratelimit-* on success describe the caller's tightest limits:
		// the key's 1000 RPM is looser than the project's 3 RPM.
		key, _ := c.project(t, tenant.Project{Name: "team", Limits: tenant.Limits{RPM: 3, TPM: 100000}}, tenant.Limits{RPM: 1000})
		client := c.sdkFor(key)
		var resp *http.Response
		if _, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
			Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}, MaxTokens: openai.Int(10),
		}, option.WithResponseInto(&resp)); err != nil {
			t.Fatal(err)
		}
		h := resp.Header
		if h.Get("X-Ratelimit-Limit-Requests") != "3" || h.Get("X-Ratelimit-Remaining-Requests") != "2" ||
			h.Get("X-Ratelimit-Limit-Tokens") != "100000" || h.Get("X-Ratelimit-Reset-Requests") == "" {
			t.Fatalf("x-ratelimit headers on success: %v", h)
		}
		if rem, _ := strconv.Atoi(h.Get("X-Ratelimit-Remaining-Tokens")); rem <= 100000-40 || rem >= 100000 {
			t.Fatalf("remaining tokens %q: want the limit less the prompt and max_tokens", h.Get("X-Ratelimit-Remaining-Tokens"))
		}

		// A 429 for the rate limit: the SDK retries it (after retry-after),
		// and each retry is refused too while the bucket is empty.
		for range 2 {
			if _, err := sdkChat(client, "m", 10); err != nil {
				t.Fatal(err)
			}
		}
		before := c.Requests.Load()
		noRetry := openai.NewClient(option.WithBaseURL(c.Replicas[0].URL+"/v1"), option.WithAPIKey(key), option.WithMaxRetries(0))
		_, err := sdkChat(noRetry, "m", 10)
		var apiErr *openai.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Type != "requests" || apiErr.Code != "rate_limit_exceeded" {
			t.Fatalf("rate refusal: %v", err)
		}
		rh := apiErr.Response.Header
		ra, _ := strconv.Atoi(rh.Get("Retry-After"))
		ms, _ := strconv.Atoi(rh.Get("Retry-After-Ms"))
		if ra < 1 || ra > 20 || ms < 1 || ms > 20000 || rh.Get("X-Ratelimit-Limit-Requests") != "3" || rh.Get("X-Ratelimit-Remaining-Requests") != "0" {
			t.Fatalf("rate refusal headers: %v", rh)
		}
		if !strings.Contains(apiErr.Message, "in project team on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in") {
			t.Fatalf("message: %s", apiErr.Message)
		}
		if got := c.Requests.Load() - before; got != 1 {
			t.Fatalf("%d requests for one call with retries off", got)
		}

		// A budget refusal carries x-should-retry: false, so the SDK, with
		// its retries on, sends exactly one request.
		key2, _ := c.project(t, tenant.Project{Name: "broke", Limits: tenant.Limits{Budget: tenant.FromUSD(0.05), Period: tenant.Day}}, tenant.Limits{})
		client2 := c.sdkFor(key2)
		before = c.Requests.Load()
		start := time.Now()
		_, err = sdkChat(client2, "m", 100) // at most 100 output tokens cost $0.20, more than the budget
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "insufficient_quota" || apiErr.Type != "insufficient_quota" {
			t.Fatalf("budget refusal: %v", err)
		}
		if got := c.Requests.Load() - before; got != 1 {
			t.Fatalf("the SDK sent %d requests for a budget refusal; want 1 (no retries)", got)
		}
		if time.Since(start) > 2*time.Second {
			t.Fatal("the SDK waited before giving up on a budget refusal")
		}
		if !strings.Contains(apiErr.Message, "$0.00 used of $0.05 today") || !strings.Contains(apiErr.Message, "resets at") {
			t.Fatalf("budget message: %s", apiErr.Message)
		}
		// A smaller request fits the budget.
		if _, err := sdkChat(client2, "m", 5); err != nil {
			t.Fatalf("small request: %v", err)
		}
	})
}

// TestTokenLimits: TPM admission counts the prompt plus max_tokens; one
// request larger than the whole limit is "Request too large" and not worth
// retrying; real usage is what stays counted.
func TestTokenLimits(t *testing.T) {
	c := newCluster(t, single, pricedModels, true)
	key, _ := c.project(t, tenant.Project{Name: "team"}, tenant.Limits{TPM: 500})
	a := c.chat(t, 0, key, "m", 1000)
	if a.status != 429 || a.header.Get("X-Should-Retry") != "false" || !strings.Contains(a.body, `"type":"tokens"`) ||
		!strings.Contains(a.body, "Request too large for m in keygate key vk_") || !strings.Contains(a.body, "tokens per min (TPM): Limit 500, Requested 10") {
		t.Fatalf("too large: %d %v %s", a.status, a.header, a.body)
	}
	// Each request reserves its prompt and 200 output tokens, but the mock
	// answers with a few: settlement gives the rest back, so many more
	// than 500/200 requests fit in the minute (the clock is stopped).
	for i := range 10 {
		if a := c.chat(t, 0, key, "m", 200); a.status != 200 {
			t.Fatalf("request %d: %d %s", i, a.status, a.body)
		}
	}
}

// TestDeploymentLimits: a deployment's own rpm in the model_list is kept by
// sending the excess to the alias's other deployment, then refusing with a
// 429 that says whose limit it is.
func TestDeploymentLimits(t *testing.T) {
	c := newCluster(t, single, `
model_list:
  - {model_name: m, model: openai/gpt-4o-mini, api_key: "${GOOD_KEY}", api_base: "{{MOCK}}", rpm: 2}
  - {model_name: m, model: openai/gpt-4o, api_key: "${GOOD_KEY}", api_base: "{{MOCK}}", rpm: 1}
`, true)
	key, _ := c.project(t, tenant.Project{Name: "team"}, tenant.Limits{})
	for i := range 3 {
		if a := c.chat(t, 0, key, "m", 5); a.status != 200 {
			t.Fatalf("request %d: %d %s", i, a.status, a.body)
		}
	}
	a := c.chat(t, 0, key, "m", 5)
	if a.status != 429 || !strings.Contains(a.body, "every deployment of this model is at the rpm/tpm set for it") || a.header.Get("Retry-After") == "" {
		t.Fatalf("4th request: %d %v %s", a.status, a.header, a.body)
	}
}

// TestRedisDown: with Redis unreachable keygate serves on per-replica
// limits and says so in its log and metrics.
func TestRedisDown(t *testing.T) {
	c := newCluster(t, single, "redis: redis://127.0.0.1:1/0\n"+pricedModels, false)
	key, _ := c.project(t, tenant.Project{Name: "team"}, tenant.Limits{RPM: 2})
	for i := range 2 {
		if a := c.chat(t, 0, key, "m", 5); a.status != 200 {
			t.Fatalf("request %d: %d %s", i, a.status, a.body)
		}
	}
	if a := c.chat(t, 0, key, "m", 5); a.status != 429 {
		t.Fatalf("per-replica limit not kept: %d %s", a.status, a.body)
	}
	if !strings.Contains(c.Logs.String(), "serving per-replica limits") {
		t.Fatalf("log does not say limits are per replica:\n%s", c.Logs.String())
	}
	a := c.get(t, 0, "/metrics", adminToken)
	if !strings.Contains(a.body, "keygate_limits_degraded 1") || !strings.Contains(a.body, `keygate_limit_refusals_total{kind="requests",scope="key"} 1`) {
		t.Fatalf("metrics: %s", a.body)
	}
}

// TestBudgetChargesUnreportedUsage: a stream cut before its usage arrives
// still cost money; keygate counts the prompt and the text the client got,
// charges the budget that, and records the same in the ledger.
func TestBudgetChargesUnreportedUsage(t *testing.T) {
	c := newCluster(t, single, `
model_list:
  - {model_name: m, model: openai/gpt-4o-mini, api_key: "`+mockopenai.Key(mockopenai.ScenarioDrop)+`", api_base: "{{MOCK}}", input_cost_per_token: 0.0005, output_cost_per_token: 0.001}
`, false)
	key, _ := c.project(t, tenant.Project{Name: "team", Limits: tenant.Limits{Budget: tenant.FromUSD(1), Period: tenant.Month}}, tenant.Limits{})
	a := c.post(t, 0, "/v1/chat/completions", key, `{"model":"m","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`)
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	c.closeLedgers(t)
	spent, err := c.Replicas[0].Limiter.Spent(context.Background(), "p:team", tenant.Month, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := c.Replicas[0].Store.UsageSummary(context.Background(), store.UsageQuery{Project: "team"})
	if err != nil || len(rows) != 1 {
		t.Fatalf("ledger %+v (%v), want one record", rows, err)
	}
	r := rows[0]
	// "hi" is 8 tokens as a chat prompt; the two chunks before the cut carry
	// a few more.
	if r.PromptTokens != 8 || r.CompletionTokens < 1 || r.CompletionTokens > 10 {
		t.Fatalf("estimated usage %+v", r)
	}
	if spent == 0 || r.Cost != spent {
		t.Fatalf("ledger cost %s, budget spend %s; want equal and not zero", r.Cost, spent)
	}
}
