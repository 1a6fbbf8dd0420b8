package pricing

import (
	"math"
	"testing"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/tenant"
)

func mustLookup(t testing.TB, model string) Price {
	t.Helper()
	p, ok := Default().Lookup(model)
	if !ok {
		t.Fatalf("Lookup(%q): not found", model)
	}
	return p
}

func TestCost(t *testing.T) {
	t.Parallel()
	gpt4o := mustLookup(t, "gpt-4o")                                 // 2.50 / 1.25 cached / 10.00 per 1M
	o3 := mustLookup(t, "o3")                                        // 2.00 / 0.50 / 8.00, no separate reasoning price
	embed := mustLookup(t, "text-embedding-3-small")                 // 0.02 input only
	nova := mustLookup(t, "amazon.nova-2-pro-preview-20251202-v1:0") // input 2.1875 per 1M
	gpt5nanoEU := mustLookup(t, "azure/eu/gpt-5-nano-2025-08-07")    // cached 0.0055 per 1M
	// A price with every rate distinct, to see each term land where it should.
	distinct := Price{Input: 1e-6, CachedInput: 2.5e-7, Output: 4e-6, Reasoning: 1.2e-5}

	tests := []struct {
		name string
		p    Price
		u    openai.Usage
		want tenant.Nanos
	}{
		// (600·2.50 + 400·1.25 + 500·10.00) / 1e6 USD = (1500 + 500 + 5000) / 1e6 = $0.0070 = 7,000,000 nanos.
		{"gpt-4o with cached prompt", gpt4o, openai.Usage{PromptTokens: 1000, CachedTokens: 400, CompletionTokens: 500}, 7_000_000},
		// (500·2.00 + 1500·0.50 + 500·8.00 + 2500·8.00) / 1e6 = (1000 + 750 + 4000 + 20000) / 1e6 = $0.02575.
		{"o3 reasoning billed as output", o3, openai.Usage{PromptTokens: 2000, CachedTokens: 1500, CompletionTokens: 3000, ReasoningTokens: 2500}, 25_750_000},
		// (800·1.00 + 200·0.25 + 200·4.00 + 100·12.00) / 1e6 = (800 + 50 + 800 + 1200) / 1e6 = $0.00285.
		{"every rate distinct", distinct, openai.Usage{PromptTokens: 1000, CachedTokens: 200, CompletionTokens: 300, ReasoningTokens: 100}, 2_850_000},
		// 1000·0.02 / 1e6 = $0.00002 = 20,000 nanos.
		{"embedding", embed, openai.Usage{PromptTokens: 1000, TotalTokens: 1000}, 20_000},
		{"no usage", gpt4o, openai.Usage{}, 0},
		{"zero price", Price{}, openai.Usage{PromptTokens: 1000, CompletionTokens: 1000}, 0},

		// Rounding up. A nano-dollar is $0.001 per 1M tokens, so only prices with
		// digits below that leave a fraction: Amazon Nova 2 Pro's input is $2.1875
		// per 1M, 2187.5 nanos a token → 2188.
		{"round up a fraction of a nano", nova, openai.Usage{PromptTokens: 1}, 2188},
		// gpt-5-nano on Azure EU reads cached tokens at $0.0055 per 1M: 5.5 nanos → 6.
		{"round up cached", gpt5nanoEU, openai.Usage{PromptTokens: 1, CachedTokens: 1}, 6},
		// Two of them are 11 nanos exactly, not 2·6.
		{"round once, not per token", gpt5nanoEU, openai.Usage{PromptTokens: 2, CachedTokens: 2}, 11},
		// 0.15 + 0.25 = 0.4 nanos → 1, not 1 + 1 (terms are summed exactly, then rounded once).
		{"round once, not per term", Price{Input: 1.5e-10, Output: 2.5e-10}, openai.Usage{PromptTokens: 1, CompletionTokens: 1}, 1},
		{"never rounds zero up", Price{Input: 1.5e-10}, openai.Usage{CompletionTokens: 5}, 0},
		// Exact where float64 is not: 3 · 2.5e-06 · 1e9 is 7500.000000000001 in
		// float64, and a float ceil would charge 7501.
		{"exact multiple is not bumped", gpt4o, openai.Usage{PromptTokens: 3}, 7500},
		// 7 · 1.1e-06 · 1e9 is 7700.000000000001 in float64 (o4-mini input).
		{"exact multiple is not bumped, o4-mini", mustLookup(t, "o4-mini"), openai.Usage{PromptTokens: 7}, 7700},
		// 3 · 2e-08 · 1e9 is 60.00000000000001 in float64.
		{"exact multiple is not bumped, embedding", embed, openai.Usage{PromptTokens: 3}, 60},
		// A price finer than an atto-dollar (LiteLLM's databricks-claude-3-7-sonnet input): exact through
		// math/big. 1e6 · 2.9999900000000002e-06 USD = 2.9999900000000002 USD = 2,999,990,000.0000002 nanos → …001.
		{"price finer than an atto-dollar", Price{Input: 2.9999900000000002e-06}, openai.Usage{PromptTokens: 1_000_000}, 2_999_990_001},

		// Inconsistent usage, read so as never to undercount.
		{"cached above prompt raises prompt", gpt4o, openai.Usage{PromptTokens: 100, CachedTokens: 400}, 500_000}, // 400·1.25
		{"reasoning above completion", o3, openai.Usage{CompletionTokens: 10, ReasoningTokens: 1000}, 8_000_000},  // 1000·8
		{"negative counts are zero", gpt4o, openai.Usage{PromptTokens: -5, CachedTokens: -1, CompletionTokens: -7, ReasoningTokens: -9}, 0},
		{"negative price is zero", Price{Input: -1e-6, Output: 1e-6}, openai.Usage{PromptTokens: 1000, CompletionTokens: 1000}, 1_000_000},
		{"NaN price is zero", Price{Input: math.NaN(), Output: 1e-6}, openai.Usage{PromptTokens: 1000, CompletionTokens: 1000}, 1_000_000},

		// Saturation instead of wrapping.
		{"saturates", Price{Input: 1}, openai.Usage{PromptTokens: math.MaxInt64}, math.MaxInt64},
		{"saturates in big", Price{Input: 2.9999900000000002e-06}, openai.Usage{PromptTokens: math.MaxInt64, CompletionTokens: math.MaxInt64}, math.MaxInt64},
		{"infinite price saturates", Price{Output: math.Inf(1)}, openai.Usage{CompletionTokens: 1}, math.MaxInt64},
		// Just below the limit: MaxInt64 tokens at 1e-9 USD = MaxInt64 nanos, exactly.
		{"largest exact", Price{Input: 1e-9}, openai.Usage{PromptTokens: math.MaxInt64}, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Cost(tt.p, tt.u); got != tt.want {
				t.Errorf("Cost(%+v, %+v) = %d, want %d", tt.p, tt.u, got, tt.want)
			}
		})
	}
}

func TestMaxCost(t *testing.T) {
	t.Parallel()
	gpt4o := mustLookup(t, "gpt-4o") // 2.50 / 10.00 per 1M, MaxOutput 16,384
	tests := []struct {
		name              string
		p                 Price
		prompt, maxOutput int64
		want              tenant.Nanos
	}{
		// (1000·2.50 + 500·10.00) / 1e6 = (2500 + 5000) / 1e6 = $0.0075.
		{"explicit max_tokens", gpt4o, 1000, 500, 7_500_000},
		// (1000·2.50 + 16384·10.00) / 1e6 = (2500 + 163840) / 1e6 = $0.16634.
		{"model's MaxOutput", gpt4o, 1000, 0, 166_340_000},
		{"negative max_tokens is unset", gpt4o, 1000, -1, 166_340_000},
		// (100·1.00 + 4096·2.00) / 1e6 = (100 + 8192) / 1e6 = $0.008292.
		{"unknown MaxOutput assumes 4096", Price{Input: 1e-6, Output: 2e-6}, 100, 0, 8_292_000},
		// A pricier reasoning rate bounds the output: 1000·2.00 + 100·5.00 per 1e6 = $0.0025.
		{"reasoning above output", Price{Input: 2e-6, Output: 1e-6, Reasoning: 5e-6}, 1000, 100, 2_500_000},
		// 1·2187.5 nanos (Nova 2 Pro input) + 1·0.25 → 2187.75 → 2188.
		{"rounds up", Price{Input: 2.1875e-06, Output: 2.5e-10}, 1, 1, 2188},
		{"negative prompt is zero", Price{Input: 1e-6, Output: 1e-6}, -50, 10, 10_000},
		{"saturates", Price{Input: 1, Output: 1}, math.MaxInt64, math.MaxInt64, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := MaxCost(tt.p, tt.prompt, tt.maxOutput); got != tt.want {
				t.Errorf("MaxCost(%+v, %d, %d) = %d, want %d", tt.p, tt.prompt, tt.maxOutput, got, tt.want)
			}
		})
	}
}

func TestToAtto(t *testing.T) {
	t.Parallel()
	tests := []struct {
		usd  float64
		want uint64
		ok   bool
	}{
		{2.5e-6, 2_500_000_000_000, true},
		{7.5e-8, 75_000_000_000, true},
		{1e-18, 1, true},
		{1.5e-18, 0, false},
		{1, 1_000_000_000_000_000_000, true},
		{9.3, 0, false}, // over 2⁶³ atto-dollars
		{2.9999900000000002e-06, 0, false},
	}
	for _, tt := range tests {
		got, ok := toAtto(tt.usd)
		if got != tt.want || ok != tt.ok {
			t.Errorf("toAtto(%g) = %d, %v; want %d, %v", tt.usd, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzCost checks that Cost is never negative, never decreases when any
// billed quantity grows, agrees with the arbitrary-precision path, and stays
// within MaxCost. The billed quantities are the four disjoint counts
// (uncached prompt, cached, plain completion, reasoning) and the reported
// prompt and completion totals. (More cached tokens at a fixed prompt total
// may cost less; that is the discount, not a bug.)
func FuzzCost(f *testing.F) {
	for _, model := range []string{"gpt-4o", "gpt-4o-mini", "o3", "text-embedding-3-small", "dashscope/qwen-turbo"} {
		p := mustLookup(f, model)
		f.Add(p.Input, p.CachedInput, p.Output, p.Reasoning, int64(600), int64(400), int64(400), int64(100), int64(1))
	}
	f.Add(2.9999900000000002e-06, 0.0, 1.5000020000000002e-05, 0.0, int64(1), int64(2), int64(3), int64(4), int64(1000))
	f.Add(1.0, 0.5, 2.0, 3.0, int64(math.MaxInt64/4), int64(math.MaxInt64/4), int64(math.MaxInt64/4), int64(0), int64(math.MaxInt64/4))

	f.Fuzz(func(t *testing.T, in, cachedIn, out, reasoningOut float64, uncached, cached, plain, reasoning, delta int64) {
		// Prices: non-negative and finite (negatives and NaN count as 0 by
		// contract, which TestCost covers). Counts: non-negative and small
		// enough that the totals below do not overflow int64.
		price := func(v float64) float64 {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0
			}
			return math.Abs(v)
		}
		count := func(v int64) int64 { return (v & math.MaxInt64) >> 3 } // < 2⁶⁰
		p := Price{Input: price(in), CachedInput: price(cachedIn), Output: price(out), Reasoning: price(reasoningOut)}
		uncached, cached, plain, reasoning = count(uncached), count(cached), count(plain), count(reasoning)
		delta = count(delta)%1_000_000 + 1

		usage := func(uncached, cached, plain, reasoning int64) openai.Usage {
			return openai.Usage{PromptTokens: uncached + cached, CachedTokens: cached,
				CompletionTokens: plain + reasoning, ReasoningTokens: reasoning}
		}
		u := usage(uncached, cached, plain, reasoning)
		c := Cost(p, u)
		if c < 0 {
			t.Fatalf("Cost(%+v, %+v) = %d < 0", p, u, c)
		}

		grown := []openai.Usage{
			usage(uncached+delta, cached, plain, reasoning),
			usage(uncached, cached+delta, plain, reasoning),
			usage(uncached, cached, plain+delta, reasoning),
			usage(uncached, cached, plain, reasoning+delta),
		}
		raw := u
		raw.PromptTokens += delta
		grown = append(grown, raw)
		raw = u
		raw.CompletionTokens += delta
		grown = append(grown, raw)
		for _, g := range grown {
			if gc := Cost(p, g); gc < c {
				t.Fatalf("not monotonic: Cost(%+v) = %d < Cost(%+v) = %d at %+v", g, gc, u, c, p)
			}
		}

		// The integer fast path and math/big agree.
		i, ci, o, ro := rates(p)
		terms := []term{{uncached, i}, {cached, ci}, {plain, o}, {reasoning, ro}}
		if fast, slow := total(terms), totalBig(terms); fast != slow {
			t.Fatalf("total = %d, totalBig = %d for %+v", fast, slow, terms)
		}

		// What a request cost never exceeds what was reserved for it.
		if m := MaxCost(p, u.PromptTokens, max(u.CompletionTokens, 1)); m < c {
			t.Fatalf("MaxCost = %d < Cost = %d for %+v at %+v", m, c, u, p)
		}
	})
}

func BenchmarkCost(b *testing.B) {
	u := openai.Usage{PromptTokens: 1000, CachedTokens: 400, CompletionTokens: 500, ReasoningTokens: 100}
	for _, tt := range []struct {
		name string
		p    Price
	}{
		{"atto", mustLookup(b, "o3")},
		{"big", Price{Input: 2.9999900000000002e-06, Output: 1.5000020000000002e-05}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Cost(tt.p, u)
			}
		})
	}
}
