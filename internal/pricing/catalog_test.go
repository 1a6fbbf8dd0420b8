package pricing

import (
	"sync"
	"testing"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/tenant"
)

// perMillion is what a million tokens of each kind cost, in nano-dollars, so
// that the BEHAVIOUR §7 table (USD per 1M tokens) can be checked exactly: $2.50
// per 1M is 2_500_000_000 nanos per 1M.
type perMillion struct {
	input, cached, output tenant.Nanos
}

// TestBehaviourTablePrices checks the catalog against docs/openai BEHAVIOUR.md
// §7 (standard tier, USD per 1M tokens). A cached price of "—" in the table is
// CachedInput 0 here, which prices cached tokens as input; an output of "—"
// (embeddings) is Output 0.
func TestBehaviourTablePrices(t *testing.T) {
	t.Parallel()
	const usd = 1_000_000_000 // nanos per dollar
	tests := []struct {
		model           string
		want            perMillion
		noCachedPrice   bool
		context, maxOut int64
		provider, mode  string
	}{
		{"gpt-4o", perMillion{2.50 * usd, 1.25 * usd, 10.00 * usd}, false, 128_000, 16_384, "openai", "chat"},
		{"gpt-4o-mini", perMillion{0.15 * usd, 0.075 * usd, 0.60 * usd}, false, 128_000, 16_384, "openai", "chat"},
		{"gpt-4.1", perMillion{2.00 * usd, 0.50 * usd, 8.00 * usd}, false, 1_047_576, 32_768, "openai", "chat"},
		{"gpt-4.1-mini", perMillion{0.40 * usd, 0.10 * usd, 1.60 * usd}, false, 1_047_576, 32_768, "openai", "chat"},
		{"gpt-4.1-nano", perMillion{0.10 * usd, 0.025 * usd, 0.40 * usd}, false, 1_047_576, 32_768, "openai", "chat"},
		{"o3", perMillion{2.00 * usd, 0.50 * usd, 8.00 * usd}, false, 200_000, 100_000, "openai", "chat"},
		{"o4-mini", perMillion{1.10 * usd, 0.275 * usd, 4.40 * usd}, false, 200_000, 100_000, "openai", "chat"},
		{"gpt-3.5-turbo", perMillion{0.50 * usd, 0.50 * usd, 1.50 * usd}, true, 16_385, 4_096, "openai", "chat"},
		{"text-embedding-3-small", perMillion{0.02 * usd, 0.02 * usd, 0}, true, 8_191, 0, "openai", "embedding"},
		{"text-embedding-3-large", perMillion{0.13 * usd, 0.13 * usd, 0}, true, 8_191, 0, "openai", "embedding"},
		{"text-embedding-ada-002", perMillion{0.10 * usd, 0.10 * usd, 0}, true, 8_191, 0, "openai", "embedding"},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			t.Parallel()
			p, ok := Default().Lookup(tt.model)
			if !ok {
				t.Fatalf("Lookup(%q): not found", tt.model)
			}
			const m = 1_000_000
			got := perMillion{
				input:  Cost(p, openai.Usage{PromptTokens: m}),
				cached: Cost(p, openai.Usage{PromptTokens: m, CachedTokens: m}),
				output: Cost(p, openai.Usage{CompletionTokens: m}),
			}
			if got != tt.want {
				t.Errorf("per 1M tokens: got input %v cached %v output %v, want %v %v %v",
					got.input, got.cached, got.output, tt.want.input, tt.want.cached, tt.want.output)
			}
			if (p.CachedInput == 0) != tt.noCachedPrice {
				t.Errorf("CachedInput = %g, table has a cached price: %v", p.CachedInput, !tt.noCachedPrice)
			}
			if p.ContextWindow != tt.context || p.MaxOutput != tt.maxOut {
				t.Errorf("limits: got context %d max output %d, want %d %d", p.ContextWindow, p.MaxOutput, tt.context, tt.maxOut)
			}
			if p.Provider != tt.provider || p.Mode != tt.mode {
				t.Errorf("got provider %q mode %q, want %q %q", p.Provider, p.Mode, tt.provider, tt.mode)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name, model string
		want        string // the catalog key whose price Lookup must return; "" for a miss
	}{
		{"exact", "gpt-4o", "gpt-4o"},
		{"exact dated snapshot keeps its own price", "gpt-4o-2024-05-13", "gpt-4o-2024-05-13"},
		{"exact provider key", "azure/gpt-4o", "azure/gpt-4o"},
		{"vendor prefix stripped", "openai/gpt-4o", "gpt-4o"},
		{"vendor prefix stripped, nested id", "anthropic/claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001"},
		{"keygate vendor respelled as LiteLLM's", "together/Qwen/Qwen3-Next-80B-A3B-Instruct", "together_ai/Qwen/Qwen3-Next-80B-A3B-Instruct"},
		{"keygate vendor respelled, case-insensitive", "Together/Qwen/Qwen3-Next-80B-A3B-Instruct", "together_ai/Qwen/Qwen3-Next-80B-A3B-Instruct"},
		{"LiteLLM's own spelling", "together_ai/Qwen/Qwen3-Next-80B-A3B-Instruct", "together_ai/Qwen/Qwen3-Next-80B-A3B-Instruct"},
		{"absent dated snapshot falls back to base", "gpt-4o-mini-2030-01-15", "gpt-4o-mini"},
		{"absent dated snapshot with vendor prefix", "openai/gpt-4o-mini-2030-01-15", "gpt-4o-mini"},
		{"absent dated snapshot under a provider key", "azure/gpt-4o-2030-01-15", "azure/gpt-4o"},
		{"absent MMDD snapshot", "gpt-4-1231", "gpt-4"},
		{"absent YYYYMMDD snapshot", "claude-opus-4-1-20991231", "claude-opus-4-1"},
		{"present MMDD snapshot with its own price", "gpt-3.5-turbo-1106", "gpt-3.5-turbo-1106"},

		{"unknown model", "gpt-5o-ultra", ""},
		{"unknown vendor model", "openai/no-such-model", ""},
		{"empty", "", ""},
		{"vendor only", "openai/", ""},
		{"suffix that is not a date", "gpt-4o-mini-foo", ""},
		{"YYMM is not a date", "gpt-4o-mini-2411", ""},
		{"invalid month", "gpt-4o-mini-2024-13-01", ""},
		{"invalid day", "gpt-4o-mini-0100", ""},
		{"year outside 20xx", "gpt-4o-mini-1999-01-01", ""},
		{"a bare date is not a model", "2024-07-18", ""},
		{"no family guessing: mini is not 4o", "gpt-4o-maxi", ""},
		{"no family guessing: prefix of a key", "gpt-4", "gpt-4"}, // exact, not gpt-4o
		{"no family guessing: case", "GPT-4o", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := c.Lookup(tt.model)
			if tt.want == "" {
				if ok {
					t.Fatalf("Lookup(%q) = %+v, want a miss", tt.model, got)
				}
				return
			}
			want, wok := c.models[tt.want]
			if !wok {
				t.Fatalf("fixture %q is not in the catalog", tt.want)
			}
			if !ok || got != want {
				t.Fatalf("Lookup(%q) = %+v, %v; want %q's %+v", tt.model, got, ok, tt.want, want)
			}
		})
	}
}

func TestUndated(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"gpt-4o-mini-2024-07-18", "gpt-4o-mini"},
		{"claude-3-7-sonnet-20250219", "claude-3-7-sonnet"},
		{"gpt-3.5-turbo-0125", "gpt-3.5-turbo"},
		{"gpt-4-32k-0613", "gpt-4-32k"},
		{"llama3-8b-8192", ""},
		{"mistral-large-2411", ""},
		{"Qwen3-235B-A22B-Instruct-2507", ""},
		{"gpt-4o", ""},
		{"-0613", ""},
		{"x-2024-07-1a", ""},
	}
	for _, tt := range tests {
		got, ok := undated(tt.in)
		if (tt.want != "") != ok || got != tt.want {
			t.Errorf("undated(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestWith(t *testing.T) {
	t.Parallel()
	base := Default()
	gpt4o, _ := base.Lookup("gpt-4o")
	c := base.With(map[string]Price{
		"gpt-4o":        {Input: 3e-6},                                     // one field changed
		"openai/o3":     {Output: 2e-5, Reasoning: 3e-5},                   // prefixed name, laid over o3
		"local-llama":   {Input: 1e-7, Output: 2e-7, ContextWindow: 32768}, // new model
		"gpt-4o-mini":   {},                                                // all zero: no change
		"my-unknown/xy": {Mode: "chat"},                                    // new, unpriced
	})

	tests := []struct {
		model string
		want  Price
		ok    bool
	}{
		{"gpt-4o", Price{Input: 3e-6, CachedInput: gpt4o.CachedInput, Output: gpt4o.Output,
			ContextWindow: gpt4o.ContextWindow, MaxOutput: gpt4o.MaxOutput, Provider: "openai", Mode: "chat"}, true},
		{"openai/gpt-4o", Price{Input: 3e-6, CachedInput: gpt4o.CachedInput, Output: gpt4o.Output,
			ContextWindow: gpt4o.ContextWindow, MaxOutput: gpt4o.MaxOutput, Provider: "openai", Mode: "chat"}, true},
		{"openai/o3", Price{Input: 2e-6, CachedInput: 5e-7, Output: 2e-5, Reasoning: 3e-5,
			ContextWindow: 200_000, MaxOutput: 100_000, Provider: "openai", Mode: "chat"}, true},
		{"o3", base.models["o3"], true}, // an override of openai/o3 leaves o3 alone
		{"local-llama", Price{Input: 1e-7, Output: 2e-7, ContextWindow: 32768}, true},
		{"gpt-4o-mini", base.models["gpt-4o-mini"], true},
		{"my-unknown/xy", Price{Mode: "chat"}, true},
		{"gpt-4o-2024-08-06", base.models["gpt-4o-2024-08-06"], true}, // present snapshot keeps its price
	}
	for _, tt := range tests {
		got, ok := c.Lookup(tt.model)
		if ok != tt.ok || got != tt.want {
			t.Errorf("With(...).Lookup(%q) = %+v, %v; want %+v, %v", tt.model, got, ok, tt.want, tt.ok)
		}
	}

	// The receiver is unchanged.
	if p, _ := base.Lookup("gpt-4o"); p != gpt4o {
		t.Errorf("With changed its receiver: gpt-4o is now %+v", p)
	}
	if _, ok := base.Lookup("local-llama"); ok {
		t.Error("With added to its receiver")
	}
	// A nil catalog is empty, and With on it holds just the overrides.
	var nilCat *Catalog
	if _, ok := nilCat.Lookup("gpt-4o"); ok {
		t.Error("nil catalog found a model")
	}
	if p, ok := nilCat.With(map[string]Price{"x": {Input: 1e-6}}).Lookup("x"); !ok || p.Input != 1e-6 {
		t.Errorf("nil.With: got %+v, %v", p, ok)
	}
}

// TestEmbeddedData guards the generated file: size, entry count and sane values.
func TestEmbeddedData(t *testing.T) {
	t.Parallel()
	if n := len(pricesJSON); n > 1<<20 {
		t.Errorf("prices.json is %d bytes; keep it well under 1 MiB", n)
	}
	c := Default()
	if n := c.size(); n < 2000 {
		t.Errorf("catalog has %d models; the trim dropped too much", n)
	}
	for k, p := range c.models {
		for _, v := range []float64{p.Input, p.CachedInput, p.Output, p.Reasoning} {
			if !(v >= 0) || v > 1e-3 { // over $1,000 per 1M tokens: a unit error gen should drop
				t.Errorf("%s: implausible price %g", k, v)
			}
		}
		if p.ContextWindow < 0 || p.MaxOutput < 0 {
			t.Errorf("%s: negative limit %+v", k, p)
		}
		if p.Provider == "" {
			t.Errorf("%s: no provider", k)
		}
	}
	if _, ok := c.Lookup("sample_spec"); ok {
		t.Error("LiteLLM's sample_spec made it into the catalog")
	}
}

func TestDefaultConcurrent(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	got := make([]*Catalog, 8)
	for i := range got {
		wg.Go(func() {
			got[i] = Default()
			if _, ok := got[i].Lookup("openai/gpt-4o-mini"); !ok {
				t.Error("gpt-4o-mini missing")
			}
		})
	}
	wg.Wait()
	for _, c := range got {
		if c != got[0] {
			t.Fatal("Default returned different catalogs")
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	c := Default()
	for _, model := range []string{"gpt-4o", "openai/gpt-4o-mini-2030-01-15", "openai/unknown"} {
		b.Run(model, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Lookup(model)
			}
		})
	}
}
