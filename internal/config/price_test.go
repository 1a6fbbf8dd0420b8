package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func fp(x float64) *float64 { return &x }
func ip(n int64) *int64     { return &n }

// render shows an override's set fields, for failure messages.
func render(o PriceOverride) string {
	var out []string
	for _, f := range []struct {
		name string
		v    *float64
	}{{"Input", o.Input}, {"Output", o.Output}, {"CachedInput", o.CachedInput}, {"Reasoning", o.Reasoning}} {
		if f.v != nil {
			out = append(out, fmt.Sprintf("%s=%g", f.name, *f.v))
		}
	}
	if o.MaxOutput != nil {
		out = append(out, fmt.Sprintf("MaxOutput=%d", *o.MaxOutput))
	}
	if o.ContextWindow != nil {
		out = append(out, fmt.Sprintf("ContextWindow=%d", *o.ContextWindow))
	}
	return "{" + strings.Join(out, " ") + "}"
}

func TestPriceOverride(t *testing.T) {
	t.Parallel()
	entry := "model_list:\n  - model_name: a\n    model: openai/x\n    api_key: k\n"
	tests := []struct {
		name, file, src string
		want            PriceOverride
	}{
		{"none", "c.yaml", entry, PriceOverride{}},
		{"flat, every field", "c.yaml", entry +
			"    input_cost_per_token: 2.5e-06\n    output_cost_per_token: 0.00001\n" +
			"    cache_read_input_token_cost: 1.25e-6\n    output_cost_per_reasoning_token: 1.2e-05\n" +
			"    max_output_tokens: 16384\n    max_input_tokens: 128000\n",
			PriceOverride{Input: fp(2.5e-6), Output: fp(1e-5), CachedInput: fp(1.25e-6), Reasoning: fp(1.2e-5), MaxOutput: ip(16384), ContextWindow: ip(128000)}},
		// LiteLLM's docs: costs in litellm_params, metadata in model_info.
		{"litellm_params and model_info", "c.yaml", `model_list:
  - model_name: a
    litellm_params:
      model: azure/prod
      api_base: https://x.openai.azure.com
      api_key: k
      input_cost_per_token: 0.000421
      output_cost_per_token: 0.000520
    model_info:
      mode: chat
      base_model: azure/gpt-4-1106-preview
      cache_read_input_token_cost: 0.0000001
      max_tokens: 4096
      max_input_tokens: 128000
`, PriceOverride{Input: fp(0.000421), Output: fp(0.00052), CachedInput: fp(1e-7), MaxOutput: ip(4096), ContextWindow: ip(128000)}},
		{"max_output_tokens wins over max_tokens", "c.yaml", entry + "    model_info: {max_tokens: 128000, max_output_tokens: 4096}\n",
			PriceOverride{MaxOutput: ip(4096)}},
		{"max_output_tokens in litellm_params", "c.yaml", "model_list:\n  - model_name: a\n    litellm_params: {model: openai/x, api_key: k, max_output_tokens: 8}\n",
			PriceOverride{MaxOutput: ip(8)}},
		{"strings and environment", "c.yaml", entry + "    input_cost_per_token: \"1e-6\"\n    output_cost_per_token: ${OUT:-0.000002}\n    max_input_tokens: \"8192\"\n",
			PriceOverride{Input: fp(1e-6), Output: fp(2e-6), ContextWindow: ip(8192)}},
		{"free", "c.yaml", entry + "    input_cost_per_token: 0\n    output_cost_per_token: -0.0\n",
			PriceOverride{Input: fp(0), Output: fp(0)}},
		{"null is unset", "c.yaml", entry + "    input_cost_per_token: null\n    model_info: {max_tokens: ~}\n", PriceOverride{}},
		{"picoclaw json", "config.json", `{"model_list": [{"model_name": "a", "model": "deepseek/deepseek-chat", "api_key": "k",
  "input_cost_per_token": 2.8e-7, "output_cost_per_token": 4.2e-7, "max_input_tokens": 131072}]}`,
			PriceOverride{Input: fp(2.8e-7), Output: fp(4.2e-7), ContextWindow: ip(131072)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse(tt.file, []byte(tt.src), nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(cfg.Models) != 1 {
				t.Fatalf("%d models, want 1", len(cfg.Models))
			}
			got := cfg.Models[0].PriceOverride
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PriceOverride = %s, want %s", render(got), render(tt.want))
			}
			if got.IsZero() != (tt.want == PriceOverride{}) {
				t.Errorf("IsZero = %v", got.IsZero())
			}
			if got.Input != nil && *got.Input == 0 && 1/(*got.Input) < 0 {
				t.Error("negative zero price")
			}
		})
	}
}

// TestPriceOverrideSharedByOrganizations: the deployments LiteLLM's list of
// organizations makes all carry the entry's prices.
func TestPriceOverrideSharedByOrganizations(t *testing.T) {
	t.Parallel()
	src := "model_list:\n  - model_name: a\n    litellm_params: {model: openai/x, api_key: k, organization: [o1, o2], input_cost_per_token: 1e-6}\n"
	cfg, err := Parse("c.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Models) != 2 {
		t.Fatalf("%d models, want 2", len(cfg.Models))
	}
	for _, d := range cfg.Models {
		if d.PriceOverride.Input == nil || *d.PriceOverride.Input != 1e-6 {
			t.Errorf("%s: PriceOverride = %s", d.Organization, render(d.PriceOverride))
		}
	}
}

func TestPriceErrors(t *testing.T) {
	t.Parallel()
	m := func(body string) string {
		return "model_list:\n  - model_name: a\n    model: openai/x\n    api_key: k\n" + body
	}
	tests := []struct {
		name, file, src, want string
	}{
		{"negative", "k.yaml", m("    input_cost_per_token: -1e-6\n"),
			`k.yaml:5:27: model_list[0].input_cost_per_token: must not be negative, got -1e-6`},
		{"words", "k.yaml", m("    output_cost_per_token: cheap\n"),
			`k.yaml:5:28: model_list[0].output_cost_per_token: expected a price in USD per token such as 2.5e-06, got "cheap"`},
		{"yaml nan", "k.yaml", m("    output_cost_per_token: .nan\n"),
			`k.yaml:5:28: model_list[0].output_cost_per_token: expected a price in USD per token such as 2.5e-06, got .nan`},
		{"infinity string", "k.yaml", m("    output_cost_per_token: \"Infinity\"\n"),
			`k.yaml:5:28: model_list[0].output_cost_per_token: expected a price in USD per token such as 2.5e-06, got "Infinity"`},
		{"overflow", "k.yaml", m("    output_cost_per_token: 1e999\n"),
			`k.yaml:5:28: model_list[0].output_cost_per_token: expected a price in USD per token such as 2.5e-06, got "1e999"`},
		{"hex float", "k.yaml", m("    output_cost_per_token: 0x1p-20\n"),
			`k.yaml:5:28: model_list[0].output_cost_per_token: expected a price in USD per token such as 2.5e-06, got "0x1p-20"`},
		{"from env", "k.yaml", m("    cache_read_input_token_cost: ${C:-1,5}\n"),
			`k.yaml:5:34: model_list[0].cache_read_input_token_cost: expected a price in USD per token such as 2.5e-06, got "1,5"`},
		{"list", "k.yaml", m("    output_cost_per_reasoning_token: [1]\n"),
			`k.yaml:5:38: model_list[0].output_cost_per_reasoning_token: expected a price in USD per token, got a list`},
		{"cap zero", "k.yaml", m("    max_input_tokens: 0\n"),
			`k.yaml:5:23: model_list[0].max_input_tokens: must be positive, got 0`},
		{"cap float", "k.yaml", m("    max_output_tokens: 1.5\n"),
			`k.yaml:5:24: model_list[0].max_output_tokens: expected an integer, got 1.5`},
		{"cap negative in model_info", "k.yaml", m("    model_info:\n      max_tokens: -1\n"),
			`k.yaml:6:19: model_list[0].model_info.max_tokens: must not be negative, got -1`},
		{"flat and model_info", "k.yaml", m("    max_input_tokens: 8\n    model_info: {max_input_tokens: 8}\n"),
			`k.yaml:6:18: model_list[0].model_info.max_input_tokens: also set at line 5 (model_list[0].max_input_tokens); set it once`},
		{"litellm_params and model_info", "k.yaml", "model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/x\n      api_key: k\n      input_cost_per_token: 1e-6\n    model_info:\n      input_cost_per_token: 1e-6\n",
			`k.yaml:8:7: model_list[0].model_info.input_cost_per_token: also set at line 6 (model_list[0].litellm_params.input_cost_per_token); set it once`},
		{"model_info not a mapping", "k.yaml", m("    model_info: [1]\n"),
			`k.yaml:5:17: model_list[0].model_info: expected a mapping, got a list`},
		{"json", "c.json", `{"model_list": [{"model_name": "a", "model": "openai/x", "api_key": "k", "input_cost_per_token": "-0.5"}]}`,
			`c.json:1:98: model_list[0].input_cost_per_token: must not be negative, got "-0.5"`},
		{"budget_alert above 1", "k.yaml", "budget_alert: 1.5\n",
			`k.yaml:1:15: budget_alert: must be in (0, 1] or a percentage up to 100%, got 1.5; did you mean "1.5%"?`},
		{"budget_alert zero", "k.yaml", "budget_alert: 0\n",
			`k.yaml:1:15: budget_alert: must be in (0, 1] or a percentage up to 100%, got 0`},
		{"budget_alert percent above 100", "k.yaml", "budget_alert: 120%\n",
			`k.yaml:1:15: budget_alert: must be in (0, 1] or a percentage up to 100%, got "120%"`},
		{"budget_alert words", "k.yaml", "budget_alert: high\n",
			`k.yaml:1:15: budget_alert: expected a fraction in (0, 1] such as 0.8, or a percentage such as "80%", got "high"`},
		{"budget_alert space before percent", "k.yaml", "budget_alert: 80 %\n",
			`k.yaml:1:15: budget_alert: expected a fraction in (0, 1] such as 0.8, or a percentage such as "80%", got "80 %"`},
		{"budgets_fail_open yes", "k.yaml", "budgets_fail_open: yes\n",
			`k.yaml:1:20: budgets_fail_open: expected true or false, got "yes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.file, []byte(tt.src), nil)
			if err == nil {
				t.Fatalf("no error, want %s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestPriceWarnings(t *testing.T) {
	t.Parallel()
	m := func(body string) string {
		return "model_list:\n  - model_name: a\n    model: openai/x\n    api_key: k\n" + body
	}
	tests := []struct {
		name, src, want string
	}{
		{"price per million", m("    input_cost_per_token: 2.5\n"),
			`c.yaml:5:27: model_list[0].input_cost_per_token: 2.5 USD per token is $2500000 per million tokens; if $2.5 is the price per million, write 2.5e-06`},
		{"price per million, rounding", m("    output_cost_per_token: 0.002\n"),
			`c.yaml:5:28: model_list[0].output_cost_per_token: 0.002 USD per token is $2000 per million tokens; if $0.002 is the price per million, write 2e-09`},
		{"zero cached price", m("    model_info:\n      cache_read_input_token_cost: 0\n"),
			`c.yaml:6:36: model_list[0].model_info.cache_read_input_token_cost: 0 means the same price as input_cost_per_token, not free`},
		{"typo in model_info", m("    model_info: {input_cost_per_tokn: 1e-6}\n"),
			`c.yaml:5:18: model_list[0].model_info.input_cost_per_tokn: unknown field; did you mean "input_cost_per_token"?`},
		{"typo at entry level", m("    max_input_token: 8\n"),
			`c.yaml:5:5: model_list[0].max_input_token: unknown field; did you mean "max_input_tokens"?`},
		{"model_info metadata", m("    model_info: {id: x, mode: chat, supports_vision: true, supports_function_calling: true, litellm_provider: openai, base_model: y, max_tokens: 8}\n"),
			`c.yaml:5:5: model_list[0].model_info: ignored: keygate reads only prices and token limits from model_info, not id, mode, supports_vision, supports_function_calling, litellm_provider and 1 more (LiteLLM model metadata)`},
		{"max_tokens in an entry", m("    max_tokens: 8192\n"),
			`c.yaml:5:5: model_list[0].max_tokens: ignored: keygate does not use max_tokens (a completion default, not the model's limit; write max_output_tokens for that)`},
		{"max_tokens in litellm_params", "model_list:\n  - model_name: a\n    litellm_params: {model: openai/x, api_key: k, max_tokens: 8}\n",
			`c.yaml:3:51: model_list[0].litellm_params.max_tokens: ignored: keygate does not use max_tokens (a completion default, not the model's limit; write max_output_tokens for that)`},
		{"picoclaw context_window", m("    context_window: 8192\n"),
			`c.yaml:5:5: model_list[0].context_window: ignored: keygate does not use context_window (keygate reads the context window as max_input_tokens)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse("c.yaml", []byte(tt.src), nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := Errors(cfg.Warnings).Error(); got != tt.want {
				t.Errorf("warnings\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestBudgetSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, src string
		failOpen        bool
		alert           float64
	}{
		{"absent", "c.yaml", "listen: 127.0.0.1:4000\n", false, 0.8},
		{"empty file", "c.yaml", "", false, 0.8},
		{"null", "c.yaml", "budgets_fail_open: null\nbudget_alert: ~\n", false, 0.8},
		{"fail open", "c.yaml", "budgets_fail_open: true\n", true, 0.8},
		{"fail closed", "c.yaml", "budgets_fail_open: \"false\"\n", false, 0.8},
		{"fraction", "c.yaml", "budget_alert: 0.5\n", false, 0.5},
		{"one", "c.yaml", "budget_alert: 1\n", false, 1},
		{"percentage", "c.yaml", "budget_alert: 80%\n", false, 0.8},
		{"quoted percentage", "c.yaml", "budget_alert: \"95.5%\"\n", false, 0.955},
		{"hundred percent", "c.yaml", "budget_alert: 100%\n", false, 1},
		{"environment", "c.yaml", "budget_alert: ${ALERT:-90%}\nbudgets_fail_open: ${OPEN:-true}\n", true, 0.9},
		{"json", "c.json", `{"budgets_fail_open": true, "budget_alert": "75%"}`, true, 0.75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse(tt.file, []byte(tt.src), nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(cfg.Warnings) > 0 {
				t.Errorf("warnings: %v", Errors(cfg.Warnings))
			}
			if cfg.BudgetsFailOpen != tt.failOpen || cfg.BudgetAlert != tt.alert {
				t.Errorf("BudgetsFailOpen, BudgetAlert = %v, %v; want %v, %v", cfg.BudgetsFailOpen, cfg.BudgetAlert, tt.failOpen, tt.alert)
			}
		})
	}
}
