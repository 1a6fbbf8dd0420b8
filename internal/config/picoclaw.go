package config

// PicoClaw config.json support (sipeed/picoclaw docs/guides/providers.md,
// "model_list Entry Fields", and pkg/config ModelConfig). keygate reads
// model_name, provider, model, api_key, api_keys, api_base, proxy,
// request_timeout, rpm, fallbacks, enabled and auth_method (oauth and token
// entries are skipped: keygate forwards API keys only), and, under LiteLLM's
// names, the prices and limits of price.go (input_cost_per_token, …,
// max_output_tokens, max_input_tokens). From the rest of
// the file it reads only agents.defaults.model_fallbacks, PicoClaw's
// "primary + fallbacks" failover chain, as fallbacks of
// agents.defaults.model_name (or the older agents.defaults.model).

// picoclawEntryIgnored are PicoClaw model_list fields keygate does not use.
var picoclawEntryIgnored = map[string]string{
	"max_tokens_field":      "clients choose max_tokens or max_completion_tokens",
	"thinking_level":        "",
	"tool_schema_transform": "",
	"streaming":             "clients choose streaming per request",
	"extra_body":            "",
	"custom_headers":        "",
	"user_agent":            "",
	"capabilities":          "",
	"connect_mode":          "",
	"workspace":             "",
	"command":               "",
	"max_tokens":            maxTokensIgnored,
	"context_window":        "keygate reads the context window as max_input_tokens",
	"strict_compat":         "",
	"no_tools":              "",
	"extra_args":            "",
	"env":                   "",
	"temperature":           "",
	"top_p":                 "",
	"enable_thinking":       "",
	"max_concurrent":        "",
}

func picoclawEntryNames() []string { return mapKeys(picoclawEntryIgnored) }

// picoclawTopLevel are PicoClaw's other top-level sections.
var picoclawTopLevel = map[string]string{
	"channels": "PicoClaw chat channels", "channel_list": "PicoClaw chat channels",
	"tools": "PicoClaw agent tools", "heartbeat": "", "devices": "", "gateway": "PicoClaw's own server; use listen",
	"providers": "PicoClaw's legacy provider table; write model_list entries", "bindings": "", "session": "",
	"voice": "", "version": "", "llm": "", "stt": "", "rate_limits": "", "evolution": "", "hooks": "",
	"isolation": "", "skills": "", "mcp": "", "logging": "", "security": "",
}

// picoclawAgents reads agents.defaults' fallback chain and reports the rest
// of agents as ignored.
func (p *parser) picoclawAgents(f field, fb *fallbackSet) {
	p.warnf(f.key, f.path, "ignored: keygate does not use agents (PicoClaw agent settings), except agents.defaults.model_fallbacks")
	fs, _ := p.fields(f.val, f.path)
	for _, g := range fs {
		if g.name != "defaults" {
			continue
		}
		dfs, _ := p.fields(g.val, g.path)
		var primary string
		var chain *field
		for _, h := range dfs {
			switch h.name {
			case "model_name":
				primary = p.str(h)
			case "model":
				if primary == "" {
					primary = p.str(h)
				}
			case "model_fallbacks":
				chain = &h
			}
		}
		if chain == nil {
			continue
		}
		if primary == "" {
			p.warnf(chain.key, chain.path, "ignored: agents.defaults.model_name is not set, so there is nothing to fall back from")
			continue
		}
		fb.add(primary, *chain, p.list(*chain, false, false))
	}
}
