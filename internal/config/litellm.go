package config

import (
	"slices"
	"strconv"

	"github.com/keygate/keygate/internal/suggest"

	yaml "go.yaml.in/yaml/v3"

	"github.com/keygate/keygate/internal/secret"
)

// LiteLLM proxy config.yaml support (docs.litellm.ai/docs/proxy/configs and
// /docs/proxy/config_settings). What keygate reads:
//
//	model_list[].litellm_params.{model, api_key, api_base, api_version,
//	    organization, rpm, tpm, timeout, litellm_credential_name,
//	    input_cost_per_token, output_cost_per_token,
//	    cache_read_input_token_cost, output_cost_per_reasoning_token}
//	model_list[].model_info.{the same four costs, max_tokens,
//	    max_output_tokens, max_input_tokens} → Deployment.PriceOverride
//	litellm_settings.request_timeout   → Config.RequestTimeout
//	litellm_settings.fallbacks         → Config.Fallbacks
//	router_settings.fallbacks          → Config.Fallbacks
//	router_settings.timeout            → Config.RequestTimeout (the Router's per-call timeout wins)
//	general_settings.master_key        → Config.ClientKeys, and Config.AdminToken unless admin_token is set
//	general_settings.database_url      → Config.Database unless database is set
//	environment_variables              → values for environment references
//
// LiteLLM's master_key is the bearer token clients and admins send; it is
// not an encryption key, so it does not become keygate's master_key.

// litellmTopLevel are LiteLLM's other top-level sections.
var litellmTopLevel = map[string]string{
	"credential_list":       "LiteLLM credentials; add each with `keygate keys add`",
	"include":               "LiteLLM config includes",
	"mcp_servers":           "",
	"guardrails":            "",
	"vector_store_registry": "",
	"search_tools":          "",
	"callback_settings":     "",
	"model_group_alias":     "",
}

// litellmParamsIgnored are litellm_params fields keygate does not use:
// completion defaults are the client's business, and the rest configure
// other LiteLLM providers or features.
var litellmParamsIgnored = map[string]string{
	"stream_timeout": "", "max_retries": "", "num_retries": "", "custom_llm_provider": "",
	"temperature": "", "top_p": "", "n": "", "stop": "", "max_completion_tokens": "",
	"presence_penalty": "", "frequency_penalty": "", "seed": "", "logit_bias": "", "user": "",
	"response_format": "", "tools": "", "tool_choice": "", "extra_headers": "", "headers": "",
	"extra_body": "", "input_cost_per_second": "", "output_cost_per_second": "", "azure_ad_token": "",
	"azure_ad_token_provider": "", "tenant_id": "", "client_id": "", "client_secret": "",
	"aws_region_name": "", "aws_access_key_id": "",
	"aws_secret_access_key": "", "aws_session_token": "", "aws_profile_name": "", "aws_role_name": "",
	"vertex_project": "", "vertex_location": "", "vertex_credentials": "", "region_name": "",
	"mock_response": "", "weight": "", "order": "", "tags": "", "max_budget": "", "budget_duration": "",
	"drop_params": "", "additional_drop_params": "", "merge_reasoning_content_in_choices": "",
	"use_in_pass_through": "", "use_litellm_proxy": "", "cache_control_injection_points": "",
	"base_model": "", "configurable_clientside_auth_params": "", "model_info": "",
	"max_tokens": maxTokensIgnored,
}

func litellmParamNames() []string { return mapKeys(litellmParamsIgnored) }

// litellmSettings reads litellm_settings.
func (p *parser) litellmSettings(cfg *Config, f field, set map[string]bool, fb *fallbackSet) {
	fs, _ := p.fields(f.val, f.path)
	for _, g := range fs {
		switch g.name {
		case "request_timeout":
			if d, ok := p.seconds(g); ok {
				if set["request_timeout"] {
					p.warnf(g.key, g.path, "ignored: top-level request_timeout is set")
				} else {
					cfg.RequestTimeout = d
				}
			}
		case "fallbacks":
			p.litellmFallbacks(g, fb)
		default:
			p.sectionField(g, []string{"request_timeout", "fallbacks"})
		}
	}
}

// routerSettings reads router_settings.
func (p *parser) routerSettings(cfg *Config, f field, set map[string]bool, fb *fallbackSet) {
	fs, _ := p.fields(f.val, f.path)
	for _, g := range fs {
		switch g.name {
		case "timeout":
			if d, ok := p.seconds(g); ok {
				if set["request_timeout"] {
					p.warnf(g.key, g.path, "ignored: top-level request_timeout is set")
				} else {
					cfg.RequestTimeout = d // read after litellm_settings, so the Router's own timeout wins
				}
			}
		case "fallbacks":
			p.litellmFallbacks(g, fb)
		case "redis_host", "redis_port", "redis_password", "redis_url":
			p.warnf(g.key, g.path, "ignored: keygate does not read %s; set the top-level redis: redis://[:PASSWORD@]HOST:PORT", g.name)
		default:
			p.sectionField(g, []string{"timeout", "fallbacks"})
		}
	}
}

// generalSettings reads general_settings.
func (p *parser) generalSettings(cfg *Config, f field, set map[string]bool) {
	fs, _ := p.fields(f.val, f.path)
	for _, g := range fs {
		switch g.name {
		case "master_key":
			k := p.secretStr(g)
			if k == "" {
				continue
			}
			cfg.ClientKeys = append(cfg.ClientKeys, secret.New(k))
			if !set["admin_token"] {
				cfg.AdminToken = secret.New(k)
			}
		case "database_url":
			v := p.str(g)
			if v == "" {
				continue
			}
			if set["database"] {
				p.warnf(g.key, g.path, "ignored: top-level database is set")
				continue
			}
			cfg.Database = p.database(g, v)
		default:
			p.sectionField(g, []string{"master_key", "database_url"})
		}
	}
}

// environmentVariables reads LiteLLM's environment_variables, a mapping of
// names to values that LiteLLM exports at startup.
func (p *parser) environmentVariables(f field) {
	fs, _ := p.fields(f.val, f.path)
	p.overlay = map[string]string{}
	for _, g := range fs {
		n := resolve(g.val)
		if n == nil || isNull(n) {
			continue
		}
		if n.Kind != yaml.ScalarNode {
			p.errorf(n, g.path, "expected a string, got %s", describe(n, true))
			continue
		}
		if !validEnvName(g.name) {
			p.errorf(g.key, g.path, "invalid environment variable name")
			continue
		}
		p.overlay[g.name] = n.Value // literal: LiteLLM does not expand these
	}
}

// sectionField reports a field of a LiteLLM settings section that keygate
// does not read: a likely typo of one it reads, or an ignored setting.
func (p *parser) sectionField(g field, used []string) {
	if s := suggest.Closest(g.name, used); s != "" {
		p.warnf(g.key, g.path, "unknown field; did you mean %q?", s)
		return
	}
	p.ignored(g, "")
}

// litellmFallbacks reads LiteLLM's fallbacks: a list of one-entry mappings,
// [{"gpt-3.5-turbo": ["gpt-4"]}], or (leniently) a single mapping.
func (p *parser) litellmFallbacks(f field, fb *fallbackSet) {
	n := resolve(f.val)
	if n == nil || isNull(n) {
		return
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	for i, it := range items {
		path := f.path
		if n.Kind == yaml.SequenceNode {
			path = f.path + "[" + strconv.Itoa(i) + "]"
		}
		fs, ok := p.fields(it, path)
		if !ok {
			continue
		}
		for _, g := range fs {
			fb.add(g.name, g, p.list(g, false, true))
		}
	}
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
