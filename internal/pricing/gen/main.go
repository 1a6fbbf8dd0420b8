// Command gen rebuilds internal/pricing/prices.json from LiteLLM's
// model_prices_and_context_window.json, keeping only what keygate prices
// requests with. Run it from the module root:
//
//	go run ./internal/pricing/gen [-in ../shared/data/model_prices_and_context_window.json] [-out internal/pricing/prices.json]
//
// The output is deterministic (keys sorted), so a rebuild from the same input
// is byte-identical and a rebuild from a newer input diffs cleanly.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
)

// Source and licence of the data, written into the output's header so they
// travel with it (LiteLLM is MIT; see internal/pricing/LICENSE.litellm).
const (
	source  = "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json"
	licence = "MIT, Copyright (c) 2023 Berri AI; full text in LICENSE.litellm"
)

// tokenModes are the modes keygate serves and prices per token. Entries of
// other modes are kept only when they carry a positive per-token price
// (realtime, token-priced image and audio models).
var tokenModes = map[string]bool{"chat": true, "completion": true, "embedding": true, "responses": true}

// maxPrice is the most a token plausibly costs: $1,000 per 1M tokens, above
// o1-pro's $600. LiteLLM has entries over it that are unit errors (wandb's
// models carry per-1M prices in per-token fields, so DeepSeek-R1 would cost
// $0.54 a token); pricing them would exhaust a budget in one request, so they
// are dropped and reported, and Lookup misses them instead.
const maxPrice = 1e-3

// generative modes produce output tokens, so LiteLLM's legacy max_tokens is
// their output limit; for an embedding it is the input limit.
var generative = map[string]bool{"chat": true, "completion": true, "responses": true, "realtime": true}

// entry is one model in the output. Field names are LiteLLM's, so the file
// reads like its source; zero values are omitted.
type entry struct {
	Provider        string  `json:"litellm_provider,omitempty"`
	Mode            string  `json:"mode,omitempty"`
	MaxInput        int64   `json:"max_input_tokens,omitempty"`
	MaxOutput       int64   `json:"max_output_tokens,omitempty"`
	Input           float64 `json:"input_cost_per_token,omitempty"`
	Output          float64 `json:"output_cost_per_token,omitempty"`
	CacheRead       float64 `json:"cache_read_input_token_cost,omitempty"`
	OutputReasoning float64 `json:"output_cost_per_reasoning_token,omitempty"`
}

// file is the output document.
type file struct {
	Source    string           `json:"source"`
	Licence   string           `json:"licence"`
	Updated   string           `json:"updated,omitempty"` // the input's last_updated
	Generator string           `json:"generator"`
	Models    map[string]entry `json:"models"`

	dropped []string // implausible entries, for the log
}

func main() {
	in := flag.String("in", "../shared/data/model_prices_and_context_window.json", "LiteLLM's price file")
	out := flag.String("out", "internal/pricing/prices.json", "where to write the trimmed catalog")
	flag.Parse()
	if err := run(*in, *out, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out string, log io.Writer) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	f, err := trim(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	buf, err := encode(f)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, buf, 0o644); err != nil {
		return err
	}
	for _, d := range f.dropped {
		fmt.Fprintf(log, "gen: dropped %s: above the $%g sanity cap, most likely a unit error\n", d, maxPrice)
	}
	fmt.Fprintf(log, "gen: kept %d of %d top-level keys, %d bytes → %s\n", len(f.Models), countObjects(raw), len(buf), out)
	return nil
}

// encode writes f as compact JSON with one model per line, so that a rebuild
// from a newer LiteLLM file shows up in review as a readable line diff.
func encode(f *file) ([]byte, error) {
	header := *f
	header.Models = nil
	var buf bytes.Buffer
	h, err := marshal(header)
	if err != nil {
		return nil, err
	}
	// The header marshals with "models":null last; open the object there.
	h = bytes.TrimSuffix(h, []byte(`"models":null}`))
	buf.Write(h)
	buf.WriteString(`"models":{`)
	keys := make([]string, 0, len(f.Models))
	for k := range f.Models {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		eb, err := marshal(f.Models[k])
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(eb)
	}
	buf.WriteString("\n}}\n")
	// Guard the hand-made framing: the result must parse back to f.
	var back file
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Models) != len(f.Models) {
		return nil, fmt.Errorf("encoded catalog does not parse back: %v", err)
	}
	return buf.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping and without the newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// trim parses LiteLLM's document and keeps the entries and fields keygate uses.
func trim(raw []byte) (*file, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	f := &file{Source: source, Licence: licence, Generator: "go run ./internal/pricing/gen", Models: map[string]entry{}}
	if u, ok := doc["last_updated"]; ok {
		_ = json.Unmarshal(u, &f.Updated) // informational only
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "sample_spec" { // LiteLLM's schema description, not a model
			continue
		}
		var m map[string]any
		if json.Unmarshal(doc[k], &m) != nil {
			continue // last_updated and any other non-object
		}
		e, ok, err := convert(m)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", k, err)
		}
		if !ok {
			continue
		}
		if p := max(e.Input, e.Output, e.CacheRead, e.OutputReasoning); p > maxPrice {
			f.dropped = append(f.dropped, fmt.Sprintf("%s ($%g per token)", k, p))
			continue
		}
		f.Models[k] = e
	}
	if len(f.Models) == 0 {
		return nil, errors.New("no priced models found; is this LiteLLM's price file?")
	}
	return f, nil
}

// convert keeps an entry that carries a per-token price. Entries of the token
// modes without any per-token price field (priced per second, per request or
// by tier only) are dropped: found-but-unpriced would make them cost $0.
func convert(m map[string]any) (entry, bool, error) {
	var e entry
	e.Provider, _ = m["litellm_provider"].(string)
	e.Mode, _ = m["mode"].(string)
	var err error
	price := func(name string) (float64, bool) {
		v, present := m[name]
		if !present || err != nil {
			return 0, false
		}
		x, ok := v.(float64)
		if !ok || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			err = fmt.Errorf("%s: want a non-negative number, got %v", name, v)
			return 0, false
		}
		return x, true
	}
	in, hasIn := price("input_cost_per_token")
	outp, hasOut := price("output_cost_per_token")
	e.Input, e.Output = in, outp
	e.CacheRead, _ = price("cache_read_input_token_cost")
	e.OutputReasoning, _ = price("output_cost_per_reasoning_token")
	if err != nil {
		return entry{}, false, err
	}
	switch {
	case tokenModes[e.Mode]:
		if !hasIn && !hasOut {
			return entry{}, false, nil
		}
	case e.Input <= 0 && e.Output <= 0 && e.CacheRead <= 0 && e.OutputReasoning <= 0:
		return entry{}, false, nil
	}
	e.MaxInput = count(m["max_input_tokens"])
	e.MaxOutput = count(m["max_output_tokens"])
	if e.MaxOutput == 0 && generative[e.Mode] {
		e.MaxOutput = count(m["max_tokens"]) // legacy field; for generative modes it is the output limit
	}
	return e, true, nil
}

// count reads a token limit written as a JSON number (some entries write
// 2000000.0) or a numeric string; anything else is unknown (0).
func count(v any) int64 {
	switch x := v.(type) {
	case float64:
		if x > 0 && x < math.MaxInt64 && x == math.Trunc(x) {
			return int64(x)
		}
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

func countObjects(raw []byte) int {
	var doc map[string]json.RawMessage
	_ = json.Unmarshal(raw, &doc)
	return len(doc)
}
