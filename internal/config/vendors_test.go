package config

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestVendorTable(t *testing.T) {
	t.Parallel()
	vs := Vendors()
	if !slices.IsSortedFunc(vs, func(a, b Vendor) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("Vendors() is not sorted by name")
	}
	for _, v := range vs {
		if v.Protocol != "openai" && v.Protocol != "azure" {
			t.Errorf("%s: protocol %q", v.Name, v.Protocol)
		}
		if v.APIBase == "" {
			continue
		}
		u, err := url.Parse(v.APIBase)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || strings.HasSuffix(v.APIBase, "/") {
			t.Errorf("%s: bad default base %q", v.Name, v.APIBase)
		}
		if _, bad := unroutable[v.Name]; bad {
			t.Errorf("%s is both routable and unroutable", v.Name)
		}
	}
	for alias, canon := range vendorAliases {
		v, ok := LookupVendor(strings.ToUpper(alias))
		if !ok || v.Name != canon {
			t.Errorf("LookupVendor(%q) = %v, %v; want %s", alias, v.Name, ok, canon)
		}
	}
	if _, ok := LookupVendor("bedrock"); ok {
		t.Error("bedrock is not routable")
	}
	if v, _ := LookupVendor("ollama"); !v.KeyOptional || v.APIBase != "http://localhost:11434/v1" {
		t.Errorf("ollama = %+v", v)
	}
}

// TestVendorPrefix covers how model splits into vendor and upstream id.
func TestVendorPrefix(t *testing.T) {
	t.Parallel()
	tests := []struct{ entry, vendor, model string }{
		{"model: openrouter/meta-llama/llama-3-70b", "openrouter", "meta-llama/llama-3-70b"},
		{"model: OpenAI/gpt-4o", "openai", "gpt-4o"},
		{"model: together_ai/mistralai/Mixtral-8x7B", "together", "mistralai/Mixtral-8x7B"},
		{"model: gpt-4o", "openai", "gpt-4o"},
		{"{provider: openrouter, model: openai/gpt-4o}", "openrouter", "openai/gpt-4o"},
		{"{model: my-model, api_base: 'http://10.0.0.1:8000/v1'}", "openai", "my-model"},
	}
	for _, tt := range tests {
		entry := tt.entry
		if strings.HasPrefix(entry, "{") {
			entry = strings.TrimSuffix(strings.TrimPrefix(entry, "{"), "}")
			entry = strings.ReplaceAll(entry, ", ", "\n    ")
		}
		src := "model_list:\n  - model_name: a\n    api_key: k\n    " + entry + "\n"
		cfg, err := Parse("c.yaml", []byte(src), nil)
		if err != nil {
			t.Errorf("%s: %v", tt.entry, err)
			continue
		}
		if d := cfg.Models[0]; d.Vendor != tt.vendor || d.Model != tt.model {
			t.Errorf("%s: vendor %q model %q, want %q %q", tt.entry, d.Vendor, d.Model, tt.vendor, tt.model)
		}
	}
}

// TestOrganizations: LiteLLM makes one deployment per listed organization.
func TestOrganizations(t *testing.T) {
	t.Parallel()
	src := "model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/gpt-4o\n      api_key: k\n      organization: [org-1, org-2]\n"
	cfg, err := Parse("c.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Models) != 2 || cfg.Models[0].Organization != "org-1" || cfg.Models[1].Organization != "org-2" {
		t.Errorf("models %+v", cfg.Models)
	}
}
