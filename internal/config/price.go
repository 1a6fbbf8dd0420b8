package config

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/keygate/keygate/internal/suggest"
)

// Per-model prices and token limits, under the names LiteLLM users already
// write: in litellm_params (the costs) and in model_info (costs and limits,
// with max_tokens as LiteLLM's legacy name of max_output_tokens). keygate's
// flat entries and PicoClaw's take the same names at entry level. They fill
// Deployment.PriceOverride; the router lays it over the pricing catalog.

// costFields are the per-token prices, in PriceOverride's field order.
var costFields = []string{
	"input_cost_per_token", "output_cost_per_token",
	"cache_read_input_token_cost", "output_cost_per_reasoning_token",
}

// capFields are the token limits an entry may state flat or in model_info.
// max_tokens is read from model_info only: in litellm_params and PicoClaw
// entries it is the completion default sent with each request, not a limit
// of the model.
var capFields = []string{"max_output_tokens", "max_input_tokens"}

// maxTokensIgnored is why max_tokens is ignored outside model_info.
const maxTokensIgnored = "a completion default, not the model's limit; write max_output_tokens for that"

// modelInfoFields are the model_info fields keygate reads.
var modelInfoFields = slices.Concat(costFields, capFields, []string{"max_tokens"})

// maxPlausiblePrice is the price per token above which a value is most likely
// a price per million tokens written in a per-token field: $1,000 per 1M
// tokens, the sanity cap the pricing catalog is built with.
const maxPlausiblePrice = 1e-3

// modelInfo reads LiteLLM's model_info into raw: its prices and limits, each
// of which may not also be set flat or in litellm_params. The rest is model
// metadata keygate has no use for, reported in one warning per entry (a
// model_info copied from LiteLLM's dataset holds dozens of such fields);
// names close to one keygate reads are reported one by one, as likely typos.
func (p *parser) modelInfo(mi field, raw rawEntry) {
	fs, _ := p.fields(mi.val, mi.path)
	var skipped []string
	for _, g := range fs {
		switch {
		case slices.Contains(modelInfoFields, g.name):
			if prev, dup := raw[g.name]; dup {
				p.errorf(g.key, g.path, "also set at line %d (%s); set it once", prev.key.Line, prev.path)
				continue
			}
			raw[g.name] = g
		case suggest.Closest(g.name, modelInfoFields) != "":
			p.unknown(g, modelInfoFields)
		default:
			skipped = append(skipped, g.name)
		}
	}
	if len(skipped) == 0 {
		return
	}
	const show = 5
	names := strings.Join(skipped[:min(len(skipped), show)], ", ")
	if len(skipped) > show {
		names += fmt.Sprintf(" and %d more", len(skipped)-show)
	}
	p.warnf(mi.key, mi.path, "ignored: keygate reads only prices and token limits from model_info, not %s (LiteLLM model metadata)", names)
}

// priceOverride reads the entry's prices and limits.
func (p *parser) priceOverride(raw rawEntry) PriceOverride {
	var o PriceOverride
	for i, dst := range []**float64{&o.Input, &o.Output, &o.CachedInput, &o.Reasoning} {
		if g, ok := raw[costFields[i]]; ok {
			*dst = p.cost(g)
		}
	}
	// pricing.Price reads a zero cached or reasoning price as "the same as
	// the input (output) price", so 0 cannot make those tokens free.
	for _, c := range []struct {
		v          *float64
		name, base string
	}{{o.CachedInput, costFields[2], costFields[0]}, {o.Reasoning, costFields[3], costFields[1]}} {
		if c.v != nil && *c.v == 0 {
			g := raw[c.name]
			p.warnf(resolve(g.val), g.path, "0 means the same price as %s, not free", c.base)
		}
	}
	if g, ok := raw["max_output_tokens"]; ok {
		o.MaxOutput = p.tokens(g)
	}
	if g, ok := raw["max_tokens"]; ok {
		// LiteLLM's dataset writes both; max_output_tokens is the one that
		// means the output limit, so it wins.
		if n := p.tokens(g); o.MaxOutput == nil {
			o.MaxOutput = n
		}
	}
	if g, ok := raw["max_input_tokens"]; ok {
		o.ContextWindow = p.tokens(g)
	}
	return o
}

// cost reads a price in USD per token: finite and not negative. nil when the
// value is null or wrong (reported). A price above $1,000 per million tokens
// is kept, with a warning that it looks like a price per million.
func (p *parser) cost(f field) *float64 {
	v, ok := p.scalar(f.val, f.path, "a price in USD per token", false)
	if !ok {
		return nil
	}
	x, ok := parseDecimal(v)
	if !ok {
		p.errorf(resolve(f.val), f.path, "expected a price in USD per token such as 2.5e-06, got %s", quoteExpanded(f.val, v))
		return nil
	}
	if x < 0 {
		p.errorf(resolve(f.val), f.path, "must not be negative, got %s", quoteExpanded(f.val, v))
		return nil
	}
	if x > maxPlausiblePrice {
		p.warnf(resolve(f.val), f.path, "%s USD per token is $%s per million tokens; if $%s is the price per million, write %s",
			v, rounded(x*1e6, 'f'), v, rounded(x/1e6, 'g'))
	}
	return &x
}

// rounded formats x to six significant digits, without the float noise
// that scaling by a million leaves (0.002·1e6 is 2000.0000000000002).
func rounded(x float64, format byte) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 6, 64), 64)
	return strconv.FormatFloat(r, format, -1, 64)
}

// tokens reads a token limit: a positive integer. nil when the value is
// null or wrong (reported).
func (p *parser) tokens(f field) *int64 {
	n, ok := p.integer(f)
	if !ok {
		return nil
	}
	if n == 0 {
		p.errorf(resolve(f.val), f.path, "must be positive, got 0")
		return nil
	}
	return &n
}

// parseDecimal parses a finite decimal number such as 0.8, 2.5e-06 or
// "1e-6". Go's extras that no config writer means (hexadecimal floats, digit
// separators, Inf, NaN) and surrounding spaces are refused. Negative zero
// reads as zero.
func parseDecimal(v string) (float64, bool) {
	if strings.ContainsAny(v, "xXpP_ \t") {
		return 0, false
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	if x == 0 {
		x = 0 // drop the sign of -0
	}
	return x, true
}

// fraction reads a share in (0, 1]: a number (0.8) or a percentage
// ("80%"; up to "100%").
func (p *parser) fraction(f field) (float64, bool) {
	v, ok := p.scalar(f.val, f.path, "a fraction or a percentage", false)
	if !ok {
		return 0, false
	}
	num, pct := strings.CutSuffix(v, "%")
	x, ok := parseDecimal(num)
	if !ok {
		p.errorf(resolve(f.val), f.path, "expected a fraction in (0, 1] such as 0.8, or a percentage such as \"80%%\", got %s", quoteExpanded(f.val, v))
		return 0, false
	}
	if pct {
		x /= 100
	}
	if x <= 0 || x > 1 {
		hint := ""
		if !pct && x > 1 && x <= 100 {
			hint = fmt.Sprintf("; did you mean %q?", v+"%")
		}
		p.errorf(resolve(f.val), f.path, "must be in (0, 1] or a percentage up to 100%%, got %s%s", quoteExpanded(f.val, v), hint)
		return 0, false
	}
	return x, true
}
