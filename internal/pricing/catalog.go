// Package pricing knows what models cost: a catalog of per-token prices and
// context limits, embedded from LiteLLM's open price dataset, and the exact
// cost of a request's usage in tenant.Nanos.
//
// Costs are computed from the decimal prices as written in the dataset (or in
// an override), without floating-point accumulation, and rounded up to a whole
// nano-dollar, so a budget is never charged less than the provider bills.
package pricing

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"
)

// Price is what one model costs and how much it can take.
type Price struct {
	// Input, CachedInput, Output and Reasoning are USD per token. CachedInput
	// is the price of prompt tokens served from the provider's cache and
	// Reasoning that of reasoning tokens; 0 means the same as Input or Output.
	Input, CachedInput, Output, Reasoning float64
	// ContextWindow is the most prompt tokens the model accepts and MaxOutput
	// the most it generates in one response; 0 means unknown.
	ContextWindow, MaxOutput int64
	// Provider is LiteLLM's provider name ("openai", "azure", …) and Mode the
	// kind of endpoint ("chat", "embedding", "responses", …).
	Provider, Mode string
}

// Catalog maps model names to prices. A Catalog is immutable once made, so it
// is safe for concurrent use; With returns a changed copy.
type Catalog struct {
	models map[string]Price
}

//go:embed prices.json
var pricesJSON []byte

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := parse(pricesJSON)
	if err != nil {
		// The file is generated and checked by the tests; failing here means
		// a broken build, not a runtime condition.
		panic("pricing: embedded prices.json: " + err.Error())
	}
	return c
})

// Default returns the catalog embedded in the binary (LiteLLM's dataset as of
// its "updated" field, trimmed by ./gen). It is parsed on first use and shared.
func Default() *Catalog { return defaultCatalog() }

// entry is one model in prices.json; field names are LiteLLM's.
type entry struct {
	Provider        string  `json:"litellm_provider"`
	Mode            string  `json:"mode"`
	MaxInput        int64   `json:"max_input_tokens"`
	MaxOutput       int64   `json:"max_output_tokens"`
	Input           float64 `json:"input_cost_per_token"`
	Output          float64 `json:"output_cost_per_token"`
	CacheRead       float64 `json:"cache_read_input_token_cost"`
	OutputReasoning float64 `json:"output_cost_per_reasoning_token"`
}

func parse(data []byte) (*Catalog, error) {
	var f struct {
		Models map[string]entry `json:"models"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	if len(f.Models) == 0 {
		return nil, fmt.Errorf("no models")
	}
	c := &Catalog{models: make(map[string]Price, len(f.Models))}
	for k, e := range f.Models {
		c.models[k] = Price{
			Input: e.Input, CachedInput: e.CacheRead, Output: e.Output, Reasoning: e.OutputReasoning,
			ContextWindow: e.MaxInput, MaxOutput: e.MaxOutput,
			Provider: e.Provider, Mode: e.Mode,
		}
	}
	return c, nil
}

// size reports how many models c holds.
func (c *Catalog) size() int {
	if c == nil {
		return 0
	}
	return len(c.models)
}

// litellmPrefix maps keygate's vendor names to the key prefix LiteLLM files
// the same provider's models under, where the two spell it differently.
var litellmPrefix = map[string]string{
	"together":  "together_ai",
	"fireworks": "fireworks_ai",
	"nvidia":    "nvidia_nim",
	"lmstudio":  "lm_studio",
}

// Lookup finds the price of model, which may be a bare id ("gpt-4o") or
// keygate's vendor/id form ("openai/gpt-4o", "azure/gpt-4o"). It tries, in
// order, and takes the first hit:
//
//  1. model as given, which finds LiteLLM's own provider-prefixed keys
//     ("azure/gpt-4o", "groq/llama-3.1-8b-instant");
//  2. model with keygate's vendor respelled as LiteLLM's
//     ("together/x" → "together_ai/x", "fireworks/x" → "fireworks_ai/x");
//  3. model without its vendor prefix ("openai/gpt-4o" → "gpt-4o"), where
//     LiteLLM files first-party models (OpenAI's, Anthropic's);
//
// and for each of those names, when it is absent, the same name without a
// snapshot date suffix ("gpt-4o-mini-2024-07-18" → "gpt-4o-mini",
// "gpt-3.5-turbo-0125" → "gpt-3.5-turbo", "claude-x-20250101" → "claude-x").
// Only a date is ever removed: "gpt-4o-mini-foo" does not fall back to
// "gpt-4o-mini", so a miss means the price is unknown, not guessed. A dated
// snapshot present in the catalog keeps its own price, which may differ from
// the base model's (gpt-4o-2024-05-13 costs more than gpt-4o).
func (c *Catalog) Lookup(model string) (Price, bool) {
	if c == nil || model == "" {
		return Price{}, false
	}
	if p, ok := c.find(model); ok {
		return p, true
	}
	vendor, rest, ok := strings.Cut(model, "/")
	if !ok || rest == "" {
		return Price{}, false
	}
	if prefix, ok := litellmPrefix[strings.ToLower(vendor)]; ok {
		if p, ok := c.find(prefix + "/" + rest); ok {
			return p, true
		}
	}
	return c.find(rest)
}

// find looks name up as given, then without a date suffix.
func (c *Catalog) find(name string) (Price, bool) {
	if p, ok := c.models[name]; ok {
		return p, true
	}
	if base, ok := undated(name); ok {
		p, ok := c.models[base]
		return p, ok
	}
	return Price{}, false
}

// undated strips one snapshot date suffix: -YYYY-MM-DD (OpenAI), -YYYYMMDD
// (Anthropic) or -MMDD (OpenAI's older snapshots). Four digits that are not a
// valid month and day, such as Mistral's and Qwen's YYMM ("-2411", "-2507")
// or a context size ("-8192"), are left alone.
func undated(name string) (string, bool) {
	n := len(name)
	switch {
	case n > 11 && name[n-11] == '-' && name[n-6] == '-' && name[n-3] == '-' &&
		isYear(name[n-10:n-6]) && isMonthDay(name[n-5:n-3]+name[n-2:]):
		return name[:n-11], true
	case n > 9 && name[n-9] == '-' && isYear(name[n-8:n-4]) && isMonthDay(name[n-4:]):
		return name[:n-9], true
	case n > 5 && name[n-5] == '-' && isMonthDay(name[n-4:]):
		return name[:n-5], true
	}
	return "", false
}

// isYear reports whether s is four digits 20xx.
func isYear(s string) bool { return len(s) == 4 && s[:2] == "20" && digits(s[2:]) }

// isMonthDay reports whether s is four digits MMDD of a plausible date.
func isMonthDay(s string) bool {
	if len(s) != 4 || !digits(s) {
		return false
	}
	m := int(s[0]-'0')*10 + int(s[1]-'0')
	d := int(s[2]-'0')*10 + int(s[3]-'0')
	return m >= 1 && m <= 12 && d >= 1 && d <= 31
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// With returns a copy of c in which overrides (model name → price, e.g. the
// config's per-model prices) replace or extend entries; c is unchanged. The
// override for a name is laid over what c.Lookup(name) finds, field by field:
// a zero field keeps the catalog's value, so {"openai/gpt-4o": {Input: 3e-6}}
// changes only gpt-4o's input price. An override is stored under its own
// name, which Lookup tries first; it therefore also applies to the prefixed
// forms that fall back to that name ("openai/x" uses an override of "x"), but
// an override of "openai/x" does not change "x".
func (c *Catalog) With(overrides map[string]Price) *Catalog {
	out := &Catalog{models: make(map[string]Price, c.size()+len(overrides))}
	if c != nil {
		maps.Copy(out.models, c.models)
	}
	for name, o := range overrides {
		p, _ := c.Lookup(name)
		out.models[name] = overlay(p, o)
	}
	return out
}

// overlay returns p with o's non-zero fields.
func overlay(p, o Price) Price {
	set := func(dst *float64, v float64) {
		if v != 0 {
			*dst = v
		}
	}
	set(&p.Input, o.Input)
	set(&p.CachedInput, o.CachedInput)
	set(&p.Output, o.Output)
	set(&p.Reasoning, o.Reasoning)
	if o.ContextWindow != 0 {
		p.ContextWindow = o.ContextWindow
	}
	if o.MaxOutput != 0 {
		p.MaxOutput = o.MaxOutput
	}
	if o.Provider != "" {
		p.Provider = o.Provider
	}
	if o.Mode != "" {
		p.Mode = o.Mode
	}
	return p
}
