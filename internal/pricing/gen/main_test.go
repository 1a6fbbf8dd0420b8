package main

import (
	"bytes"
	"os"
	"testing"
)

// TestCommittedCatalogIsCurrent regenerates prices.json from the shared copy
// of LiteLLM's file, when this checkout has one, and compares it with the
// committed file, so a hand edit or a stale rebuild shows up.
func TestCommittedCatalogIsCurrent(t *testing.T) {
	const in = "../../../../shared/data/model_prices_and_context_window.json" // the flag's default, from here
	raw, err := os.ReadFile(in)
	if err != nil {
		t.Skipf("no source data: %v", err)
	}
	f, err := trim(raw)
	if err != nil {
		t.Fatal(err)
	}
	got, err := encode(f)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../prices.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("internal/pricing/prices.json is not what the generator makes from " + in + "; run `go run ./internal/pricing/gen` from the module root")
	}
}

func TestConvert(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want entry
		keep bool
	}{
		{"chat with prices", map[string]any{"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000.0, "max_output_tokens": 16384.0, "max_tokens": 16384.0, "input_cost_per_token": 2.5e-6, "output_cost_per_token": 1e-5, "cache_read_input_token_cost": 1.25e-6},
			entry{Provider: "openai", Mode: "chat", MaxInput: 128000, MaxOutput: 16384, Input: 2.5e-6, Output: 1e-5, CacheRead: 1.25e-6}, true},
		{"legacy max_tokens is a chat model's output limit", map[string]any{"mode": "chat", "max_tokens": 8192.0, "input_cost_per_token": 1e-6},
			entry{Mode: "chat", MaxOutput: 8192, Input: 1e-6}, true},
		{"legacy max_tokens is an embedding's input limit", map[string]any{"mode": "embedding", "max_tokens": 8191.0, "max_input_tokens": 8191.0, "input_cost_per_token": 2e-8},
			entry{Mode: "embedding", MaxInput: 8191, Input: 2e-8}, true},
		{"explicitly free chat model", map[string]any{"mode": "chat", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
			entry{Mode: "chat"}, true},
		{"chat model priced some other way", map[string]any{"mode": "chat", "max_input_tokens": 1000.0}, entry{}, false},
		{"image model without token prices", map[string]any{"mode": "image_generation", "input_cost_per_pixel": 1e-8}, entry{}, false},
		{"realtime model with token prices", map[string]any{"mode": "realtime", "input_cost_per_token": 5e-6, "output_cost_per_token": 2e-5, "max_tokens": 4096.0},
			entry{Mode: "realtime", Input: 5e-6, Output: 2e-5, MaxOutput: 4096}, true},
		{"float and string limits", map[string]any{"mode": "chat", "max_input_tokens": 2000000.0, "max_output_tokens": "30000", "input_cost_per_token": 2e-7},
			entry{Mode: "chat", MaxInput: 2000000, MaxOutput: 30000, Input: 2e-7}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, keep, err := convert(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if keep != tt.keep || got != tt.want {
				t.Errorf("convert = %+v, %v; want %+v, %v", got, keep, tt.want, tt.keep)
			}
		})
	}
	if _, _, err := convert(map[string]any{"mode": "chat", "input_cost_per_token": "cheap"}); err == nil {
		t.Error("a non-numeric price was accepted")
	}
}
