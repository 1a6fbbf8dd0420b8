package pricing

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/tenant"
)

// defaultMaxOutput is what MaxCost assumes a response may generate when
// neither the request nor the catalog says.
const defaultMaxOutput = 4096

// Cost is what usage u costs at price p:
//
//	(prompt − cached)·Input + cached·CachedInput + (completion − reasoning)·Output + reasoning·Reasoning
//
// with CachedInput and Reasoning defaulting to Input and Output when zero. It
// is computed exactly from the prices' decimal values (the shortest decimal
// that round-trips each float64, i.e. the number as written in the dataset or
// config) and rounded up to a whole nano-dollar, so it never undercounts.
//
// Inconsistent usage is read the way that does not undercount: negative counts
// are 0, and a cached (reasoning) count above the prompt (completion) count
// raises the latter to match. A result beyond tenant.Nanos' range is the
// largest Nanos.
func Cost(p Price, u openai.Usage) tenant.Nanos {
	prompt, cached := whole(u.PromptTokens, u.CachedTokens)
	completion, reasoning := whole(u.CompletionTokens, u.ReasoningTokens)
	in, cachedIn, out, reasoningOut := rates(p)
	return total([]term{
		{prompt - cached, in},
		{cached, cachedIn},
		{completion - reasoning, out},
		{reasoning, reasoningOut},
	})
}

// MaxCost is the most a request of promptTokens that may generate maxOutput
// tokens can cost at price p: prompt·Input + maxOutput·Output, rounded up.
// maxOutput 0 means the model's MaxOutput, or 4096 when that is unknown. It
// is what to reserve against a budget before the request is sent. Should an
// override price cached or reasoning tokens above Input or Output, the higher
// price is used, so the bound still holds.
func MaxCost(p Price, promptTokens, maxOutput int64) tenant.Nanos {
	if maxOutput <= 0 {
		maxOutput = p.MaxOutput
	}
	if maxOutput <= 0 {
		maxOutput = defaultMaxOutput
	}
	in, cachedIn, out, reasoningOut := rates(p)
	return total([]term{
		{max(promptTokens, 0), max(in, cachedIn)},
		{maxOutput, max(out, reasoningOut)},
	})
}

// whole returns a count and the part of it priced differently (cached within
// prompt, reasoning within completion), both non-negative, part ≤ count.
func whole(count, part int64) (int64, int64) {
	count, part = max(count, 0), max(part, 0)
	return max(count, part), part
}

// rates returns p's four per-token prices with the zero defaults applied.
func rates(p Price) (in, cachedIn, out, reasoningOut float64) {
	in, out = p.Input, p.Output
	cachedIn, reasoningOut = p.CachedInput, p.Reasoning
	if cachedIn == 0 {
		cachedIn = in
	}
	if reasoningOut == 0 {
		reasoningOut = out
	}
	return in, cachedIn, out, reasoningOut
}

// term is tokens at a price in USD per token.
type term struct {
	tokens int64
	usd    float64
}

// total returns Σ tokens·usd in nano-dollars, rounded up. tokens must be
// non-negative; a negative or NaN price counts as 0 and +Inf saturates.
//
// Prices are taken as exact decimals. The fast path holds each as an integer
// number of atto-dollars (10⁻¹⁸ USD), which is exact for every price with at
// most 18 decimal places (all but a few dozen derived prices in LiteLLM's
// data), and sums the products in 128 bits; other prices go through math/big.
func total(terms []term) tenant.Nanos {
	var hi, lo uint64
	for _, t := range terms {
		if t.tokens == 0 || !(t.usd > 0) { // !(>0) also catches NaN
			continue
		}
		if math.IsInf(t.usd, 1) {
			return math.MaxInt64
		}
		atto, ok := toAtto(t.usd)
		if !ok {
			return totalBig(terms)
		}
		h, l := bits.Mul64(uint64(t.tokens), atto)
		var carry uint64
		lo, carry = bits.Add64(lo, l, 0)
		hi, carry = bits.Add64(hi, h, carry)
		if carry != 0 {
			return math.MaxInt64
		}
	}
	// Nanos = ⌈atto / 10⁹⌉. Div64 needs hi < divisor, else the quotient
	// overflows 64 bits and far exceeds MaxInt64 anyway.
	const attoPerNano = 1_000_000_000
	if hi >= attoPerNano {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, attoPerNano)
	if q >= math.MaxInt64 {
		return math.MaxInt64
	}
	if r != 0 {
		q++ // ≤ MaxInt64 after the check above
	}
	return tenant.Nanos(q)
}

// toAtto returns usd as a whole number of atto-dollars when that is exact and
// below 2⁶³. usd must be positive and finite.
func toAtto(usd float64) (uint64, bool) {
	// The shortest decimal that round-trips, e.g. "2.5e-06": digits "25",
	// value 25·10^(-6-1).
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], usd, 'e', -1, 64)
	var mant uint64
	ndigits := 0
	i := 0
	for ; i < len(s) && s[i] != 'e'; i++ {
		if s[i] == '.' {
			continue
		}
		mant = mant*10 + uint64(s[i]-'0') // ≤ 17 digits: no overflow
		ndigits++
	}
	exp, err := strconv.Atoi(string(s[i+1:]))
	if err != nil {
		return 0, false
	}
	shift := exp - (ndigits - 1) + 18 // power of ten to multiply mant by
	if shift < 0 {
		return 0, false // finer than an atto-dollar
	}
	for ; shift > 0; shift-- {
		if mant > (math.MaxInt64-9)/10 {
			return 0, false
		}
		mant *= 10
	}
	return mant, true
}

// totalBig is total in arbitrary precision, for prices finer than an
// atto-dollar. It is exact for any finite price.
func totalBig(terms []term) tenant.Nanos {
	sum := new(big.Rat)
	var price, n big.Rat
	for _, t := range terms {
		if t.tokens == 0 || !(t.usd > 0) {
			continue
		}
		if math.IsInf(t.usd, 1) {
			return math.MaxInt64
		}
		// SetString of the shortest decimal is the price as written; SetFloat64
		// would be the binary float's value, a hair off.
		if _, ok := price.SetString(strconv.FormatFloat(t.usd, 'g', -1, 64)); !ok {
			price.SetFloat64(t.usd) // unreachable: FormatFloat output always parses
		}
		n.SetInt64(t.tokens)
		sum.Add(sum, price.Mul(&price, &n))
	}
	sum.Mul(sum, new(big.Rat).SetInt64(1_000_000_000))
	q, r := new(big.Int).QuoRem(sum.Num(), sum.Denom(), new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return math.MaxInt64
	}
	return tenant.Nanos(q.Int64())
}
