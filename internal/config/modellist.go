package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/keygate/keygate/internal/suggest"

	yaml "go.yaml.in/yaml/v3"

	"github.com/keygate/keygate/internal/secret"
)

// entryFields are the model_list fields keygate reads. They may be written
// flat (keygate, PicoClaw) or, except for the first three, inside LiteLLM's
// litellm_params.
var entryFields = []string{
	"model_name", "litellm_params", "model_info",
	"model", "provider", "api_key", "api_keys", "credential", "litellm_credential_name",
	"api_base", "api_version", "organization", "project", "proxy",
	"request_timeout", "timeout", "rpm", "tpm", "fallbacks", "enabled", "auth_method",
	"input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost",
	"output_cost_per_reasoning_token", "max_output_tokens", "max_input_tokens", "preflight",
}

// entryOnly may not appear inside litellm_params.
var entryOnly = map[string]bool{"model_name": true, "litellm_params": true, "model_info": true}

// rawEntry gathers one entry's fields from both places before they are
// interpreted.
type rawEntry map[string]field

// modelList reads model_list. It records every alias declared (even by
// entries that were skipped or wrong) so that fallbacks naming them are not
// reported a second time.
func (p *parser) modelList(cfg *Config, f field, fb *fallbackSet, declared, skipped map[string]bool) {
	for i, item := range p.sequence(f) {
		path := fmt.Sprintf("%s[%d]", f.path, i)
		ds, alias, skip := p.entry(resolve(item), path, fb)
		if alias != "" {
			declared[alias] = true
		}
		if skip && alias != "" {
			skipped[alias] = true
		}
		cfg.Models = append(cfg.Models, ds...)
	}
}

// entry reads one model_list entry. It returns no deployments when the entry
// is wrong (errors recorded) or skipped (skip=true, warning recorded), and
// several when LiteLLM's organization lists more than one organization.
func (p *parser) entry(item *yaml.Node, path string, fb *fallbackSet) (_ []Deployment, alias string, skip bool) {
	fs, ok := p.fields(item, path)
	if !ok {
		return nil, "", false
	}
	raw := rawEntry{}
	known := append(slices.Clone(entryFields), picoclawEntryNames()...)
	known = append(known, litellmParamNames()...)
	collect := func(fs []field, inParams bool) {
		for _, g := range fs {
			switch {
			case inParams && entryOnly[g.name]:
				p.unknown(g, nil)
			case slices.Contains(entryFields, g.name):
				if prev, dup := raw[g.name]; dup {
					p.errorf(g.key, g.path, "also set at line %d (%s); set it once", prev.key.Line, prev.path)
					continue
				}
				raw[g.name] = g
			case g.name == "litellm_params" || g.name == "model_info":
			default:
				if why, ok := picoclawEntryIgnored[g.name]; ok {
					p.ignored(g, why)
				} else if why, ok := litellmParamsIgnored[g.name]; ok {
					p.ignored(g, why)
				} else {
					p.unknown(g, known)
				}
			}
		}
	}
	collect(fs, false)
	if lp, ok := raw["litellm_params"]; ok {
		pfs, _ := p.fields(lp.val, lp.path)
		collect(pfs, true)
	}
	if mi, ok := raw["model_info"]; ok {
		p.modelInfo(mi, raw)
	}

	d := Deployment{Pos: p.pos(item)}
	if g, ok := raw["model_name"]; ok {
		d.Alias = p.str(g)
	}
	if d.Alias == "" {
		p.errorf(item, path+".model_name", "required: the name clients send as \"model\"")
	}
	if g, ok := raw["enabled"]; ok {
		if on, ok := p.boolean(g); ok && !on {
			p.warnf(g.key, g.path, "entry disabled (enabled: false); skipped")
			return nil, d.Alias, true
		}
	}
	if g, ok := raw["auth_method"]; ok {
		switch m := strings.ToLower(p.str(g)); m {
		case "", "api_key", "apikey", "key":
		case "oauth", "token":
			p.warnf(g.key, g.path, "auth_method %s is not supported: keygate forwards API keys only; entry skipped", m)
			return nil, d.Alias, true
		default:
			p.errorf(resolve(g.val), g.path, "unknown auth_method %q; keygate forwards API keys only", m)
		}
	}

	modelField, hasModel := raw["model"]
	if !hasModel {
		p.errorf(item, path+".model", "required: vendor/model-id, e.g. openai/gpt-4o-mini")
		return nil, d.Alias, false
	}
	nerr := len(p.errs)
	model, _ := p.scalar(modelField.val, modelField.path, "a string", false)
	if model == "" {
		if len(p.errs) == nerr {
			p.errorf(resolve(modelField.val), modelField.path, "required: vendor/model-id, e.g. openai/gpt-4o-mini")
		}
		return nil, d.Alias, false
	}
	if strings.Contains(model, "*") || strings.Contains(d.Alias, "*") {
		p.warnf(modelField.key, modelField.path, "wildcard routes (%q) are not supported; entry skipped", model)
		return nil, d.Alias, true
	}
	vendor, ok, skipEntry := p.vendor(raw, modelField, model, &d)
	if skipEntry {
		return nil, d.Alias, true
	}
	if !ok {
		return nil, d.Alias, false
	}
	d.Vendor, d.Protocol = vendor.Name, vendor.Protocol

	nerr = len(p.errs)
	p.endpoint(raw, vendor, &d, item, path)
	orgs := p.limits(raw, &d)
	d.PriceOverride = p.priceOverride(raw)
	if g, ok := raw["fallbacks"]; ok && d.Alias != "" {
		fb.add(d.Alias, g, p.list(g, false, false))
	}
	if len(p.errs) > nerr || d.Alias == "" {
		return nil, d.Alias, false
	}
	if len(orgs) <= 1 {
		if len(orgs) == 1 {
			d.Organization = orgs[0]
		}
		return []Deployment{d}, d.Alias, false
	}
	// LiteLLM: "LiteLLM will automatically create separate deployments for
	// each org" (docs/proxy/configs.md, Multiple OpenAI Organizations).
	out := make([]Deployment, len(orgs))
	for i, o := range orgs {
		out[i] = d
		out[i].APIKeys = slices.Clone(d.APIKeys)
		out[i].Organization = o
	}
	return out, d.Alias, false
}

// vendor resolves the entry's vendor and upstream model id. PicoClaw's
// provider field names the vendor and leaves model as it is; otherwise the
// first segment of model is the vendor and the rest, slashes included, is
// the id. A bare id is OpenAI's, as LiteLLM reads it.
func (p *parser) vendor(raw rawEntry, mf field, model string, d *Deployment) (v Vendor, ok, skip bool) {
	name, id, vf := "", model, mf
	if g, has := raw["provider"]; has && p.str(g) != "" {
		name, vf = p.str(g), g
	} else if pre, rest, found := strings.Cut(model, "/"); found {
		name, id = pre, rest
	} else {
		name = "openai"
		_, hasBase := raw["api_base"]
		if !hasBase && !looksOpenAI(model) {
			p.warnf(resolve(mf.val), mf.path, "%q has no vendor prefix and is sent to OpenAI; write vendor/%s to choose another vendor", model, model)
		}
	}
	if why, bad := unroutable[strings.ToLower(name)]; bad {
		p.warnf(resolve(vf.val), vf.path, "vendor %s is not supported (%s); entry skipped", strings.ToLower(name), why)
		return Vendor{}, false, true
	}
	v, ok = LookupVendor(name)
	if !ok {
		hint := ""
		if s := suggest.Closest(name, vendorNames()); s != "" {
			hint = fmt.Sprintf("did you mean %q? ", s)
		}
		p.errorf(resolve(vf.val), vf.path, "unknown vendor %q; %sknown vendors: %s", name, hint, strings.Join(vendorNames(), ", "))
		return Vendor{}, false, false
	}
	if id == "" {
		p.errorf(resolve(mf.val), mf.path, "expected vendor/model-id, got %q", model)
		return Vendor{}, false, false
	}
	d.Model = id
	return v, true, false
}

// looksOpenAI reports whether a bare model id is one of OpenAI's own, for
// which sending it to OpenAI needs no warning.
func looksOpenAI(id string) bool {
	for _, p := range []string{"gpt-", "chatgpt-", "o1", "o3", "o4", "text-embedding-", "text-moderation", "omni-moderation", "dall-e", "whisper", "tts-", "davinci", "babbage", "computer-use", "codex-"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// endpoint reads where and how to call: base, keys, proxy, headers.
func (p *parser) endpoint(raw rawEntry, v Vendor, d *Deployment, item *yaml.Node, path string) {
	if g, ok := raw["api_base"]; ok {
		if b := p.str(g); b != "" {
			d.APIBase = p.baseURL(g, b)
		}
	}
	if d.APIBase == "" {
		d.APIBase = v.APIBase
	}
	if d.APIBase == "" {
		p.errorf(item, path+".api_base", "required for vendor %s (it has no default)", v.Name)
	}
	if v.Name == "ollama" && d.APIBase != "" && !strings.HasSuffix(d.APIBase, "/v1") {
		if g, ok := raw["api_base"]; ok {
			p.warnf(resolve(g.val), g.path, "Ollama's OpenAI-compatible API is under /v1; did you mean %q?", d.APIBase+"/v1")
		}
	}
	if g, ok := raw["api_version"]; ok {
		d.APIVersion = p.str(g)
	}
	if g, ok := raw["project"]; ok {
		d.Project = p.str(g)
	}
	if g, ok := raw["proxy"]; ok {
		if pr := p.str(g); pr != "" {
			d.Proxy = p.proxyURL(g, pr)
		}
	}
	p.keys(raw, v, d, item, path)
}

// keys reads api_key, api_keys and credential. With none of them, the
// vendor's conventional variable (OPENAI_API_KEY, …) is read, as LiteLLM
// does, unless the vendor runs without a key.
func (p *parser) keys(raw rawEntry, v Vendor, d *Deployment, item *yaml.Node, path string) {
	nerr := len(p.errs)
	var keys []string
	if g, ok := raw["api_key"]; ok {
		if k := p.secretStr(g); k != "" {
			keys = append(keys, k)
		}
	}
	if g, ok := raw["api_keys"]; ok {
		for _, k := range p.list(g, true, false) {
			if k != "" {
				keys = append(keys, k)
			}
		}
	}
	for _, name := range []string{"credential", "litellm_credential_name"} {
		if g, ok := raw[name]; ok {
			if c := p.str(g); c != "" {
				d.Credential = c
				if len(keys) > 0 {
					p.errorf(g.key, g.path, "a credential and api_key/api_keys are mutually exclusive; keep one")
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			d.APIKeys = append(d.APIKeys, secret.New(k))
		}
	}
	if len(d.APIKeys) > 0 || d.Credential != "" || v.KeyOptional || len(p.errs) > nerr {
		return // a key field that failed to read was reported already
	}
	if v.KeyEnv != "" {
		if k, ok := p.env(v.KeyEnv); ok && k != "" {
			d.APIKeys = []secret.Secret{secret.New(k)}
			return
		}
		p.errorf(item, path+".api_key", "required for vendor %s: set api_key, api_keys or credential, or the %s environment variable", v.Name, v.KeyEnv)
		return
	}
	p.errorf(item, path+".api_key", "required for vendor %s: set api_key, api_keys or credential", v.Name)
}

// limits reads timeouts and rate limits, and returns the organizations.
func (p *parser) limits(raw rawEntry, d *Deployment) []string {
	rt, hasRT := raw["request_timeout"]
	t, hasT := raw["timeout"]
	switch {
	case hasRT && hasT:
		p.errorf(t.key, t.path, "both request_timeout (line %d) and timeout are set; keep one", rt.key.Line)
	case hasRT:
		d.Timeout, _ = p.seconds(rt)
	case hasT:
		d.Timeout, _ = p.seconds(t)
	}
	if g, ok := raw["rpm"]; ok {
		n, _ := p.integer(g)
		d.RPM = int(min(n, maxInt))
	}
	if g, ok := raw["tpm"]; ok {
		n, _ := p.integer(g)
		d.TPM = int(min(n, maxInt))
	}
	if g, ok := raw["preflight"]; ok {
		if on, ok := p.boolean(g); ok {
			d.NoPreflight = !on
		}
	}
	if g, ok := raw["organization"]; ok {
		var out []string
		for _, o := range p.list(g, false, true) {
			if o != "" {
				out = append(out, o)
			}
		}
		return out
	}
	return nil
}

// baseURL checks that an api_base is an absolute http(s) URL and drops
// trailing slashes, so that base+"/chat/completions" is always right.
func (p *parser) baseURL(f field, v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.errorf(resolve(f.val), f.path, "expected an absolute http:// or https:// URL, got %q", secret.RedactURL(v))
		return ""
	}
	if u.RawQuery != "" || u.Fragment != "" {
		p.errorf(resolve(f.val), f.path, "expected a base URL without ?query or #fragment, got %q", secret.RedactURL(v))
		return ""
	}
	return strings.TrimRight(v, "/")
}

// proxyURL checks a per-deployment proxy URL.
func (p *parser) proxyURL(f field, v string) string {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		p.errorf(resolve(f.val), f.path, "expected a proxy URL such as http://host:port or socks5://host:port, got %q", secret.RedactURL(v))
		return ""
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
		return v
	}
	p.errorf(resolve(f.val), f.path, "unsupported proxy scheme %q; use http, https, socks5 or socks5h", u.Scheme)
	return ""
}
