// Package config loads keygate's configuration file.
//
// The file is YAML (JSON is accepted too: it is parsed by the same YAML
// parser, after a check that it is valid JSON, so every finding carries a
// file:line:col position either way).
//
// Its model_list accepts unchanged the lists users already write for
// PicoClaw (config.json: flat entries with "model": "vendor/id", "api_key",
// "api_keys", "provider", "fallbacks", …) and for the LiteLLM proxy
// (config.yaml: entries with nested litellm_params and model_info, plus
// litellm_settings, router_settings, general_settings and
// environment_variables). Fields either project defines but keygate has no
// use for load as Warnings, never silently dropped; unknown fields are
// Warnings with a "did you mean"; wrong types and invalid values are Errors.
//
// An entry may state its model's prices and limits under LiteLLM's names,
// which the router lays over the pricing catalog's (Deployment.PriceOverride):
// input_cost_per_token, output_cost_per_token, cache_read_input_token_cost
// and output_cost_per_reasoning_token (USD per token; flat, in
// litellm_params or in model_info), max_output_tokens and max_input_tokens
// (flat or in model_info; model_info's legacy max_tokens is read as
// max_output_tokens).
//
// Two top-level settings govern budgets: budgets_fail_open (default false:
// while Redis is unreachable, requests a budget covers are refused; true:
// each replica counts budgets on its own) and budget_alert (the share of a
// budget at which its use is logged and flagged, 0.8 or "80%" by default).
//
// Environment references are expanded in scalar values that keygate reads:
// ${VAR}, ${VAR:-default} (default when VAR is unset or empty), LiteLLM's
// os.environ/VAR (the whole scalar), and $${ for a literal "${". Expanded
// text is never expanded again, and keys are never expanded.
package config
