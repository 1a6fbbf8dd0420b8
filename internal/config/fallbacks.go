package config

import (
	"maps"
	"slices"
	"strings"

	"github.com/keygate/keygate/internal/suggest"
)

// fallbackSet collects fallback chains from every place a config can
// declare them, to be checked once all of model_list is known:
// an entry's fallbacks (keygate, PicoClaw), litellm_settings.fallbacks and
// router_settings.fallbacks (LiteLLM), agents.defaults.model_fallbacks
// (PicoClaw).
type fallbackSet struct {
	decls []fallbackDecl
}

type fallbackDecl struct {
	from string
	to   []string
	f    field
}

func (s *fallbackSet) add(from string, f field, to []string) {
	s.decls = append(s.decls, fallbackDecl{from: from, to: to, f: f})
}

// resolveFallbacks checks that every alias named exists and merges the
// chains in declaration order without duplicates. A chain naming an alias
// whose entries were all skipped (unsupported vendor, disabled) is dropped
// with a warning, so that documented configs still load; one naming an
// alias whose entries had errors is dropped quietly, those errors being
// the ones to fix.
func (p *parser) resolveFallbacks(cfg *Config, s *fallbackSet, declared, skipped map[string]bool) {
	aliases := map[string]bool{}
	for _, d := range cfg.Models {
		aliases[d.Alias] = true
	}
	names := slices.Sorted(maps.Keys(declared))
	check := func(alias string, d fallbackDecl) bool {
		switch {
		case aliases[alias]:
			return true
		case skipped[alias]:
			p.warnf(d.f.key, d.f.path, "ignored fallback %q: its model_list entries were skipped", alias)
			return false
		case declared[alias]:
			return false
		}
		hint := ""
		if s := suggest.Closest(alias, names); s != "" {
			hint = "; did you mean \"" + s + "\"?"
		} else if len(names) > 0 {
			hint = "; model_list defines " + strings.Join(names, ", ")
		}
		p.errorf(d.f.key, d.f.path, "unknown model_name %q%s", alias, hint)
		return false
	}
	for _, d := range s.decls {
		fromOK := check(d.from, d)
		for _, to := range d.to {
			if to == d.from {
				p.warnf(d.f.key, d.f.path, "ignored fallback %q: a model cannot fall back to itself", to)
				continue
			}
			// Targets are checked even when the source is not usable, so
			// that one run reports every misspelt name.
			if !check(to, d) || !fromOK || slices.Contains(cfg.Fallbacks[d.from], to) {
				continue
			}
			cfg.Fallbacks[d.from] = append(cfg.Fallbacks[d.from], to)
		}
	}
}
