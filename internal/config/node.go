package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/keygate/keygate/internal/suggest"

	yaml "go.yaml.in/yaml/v3"
)

// parser walks one file's node tree, collecting every error and warning
// rather than stopping at the first.
type parser struct {
	file    string
	lookup  func(string) (string, bool) // process environment
	overlay map[string]string           // LiteLLM environment_variables; the process environment wins
	errs    []*Error
	warns   []*Error
}

func (p *parser) pos(n *yaml.Node) Pos {
	return Pos{File: p.file, Line: n.Line, Column: n.Column}
}

func (p *parser) errorf(n *yaml.Node, field, format string, args ...any) {
	p.errs = append(p.errs, &Error{Pos: p.pos(n), Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) warnf(n *yaml.Node, field, format string, args ...any) {
	p.warns = append(p.warns, &Error{Pos: p.pos(n), Field: field, Msg: fmt.Sprintf(format, args...)})
}

// env looks a variable up in the process environment, then in the file's
// environment_variables (LiteLLM sets those at startup; letting the real
// environment win keeps the operator in control).
func (p *parser) env(name string) (string, bool) {
	if v, ok := p.lookup(name); ok {
		return v, true
	}
	v, ok := p.overlay[name]
	return v, ok
}

// resolve follows aliases (*anchor) to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names a node's type, or quotes its value, for "got …" messages.
// Secret fields pass secret=true so that their values are never echoed.
func describe(n *yaml.Node, secret bool) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch {
		case isNull(n):
			return "null"
		case secret && n.Tag == "!!str":
			return "a string" // never the value itself
		case secret:
			return "a scalar"
		case n.Tag == "!!str":
			return strconv.Quote(n.Value)
		}
		return n.Value
	}
	return "nothing"
}

// field is one key/value pair of a mapping.
type field struct {
	name string
	key  *yaml.Node
	val  *yaml.Node
	path string // "model_list[0].rpm"
}

// fields returns a mapping's pairs in file order. YAML merge keys
// ("<<: *base") are expanded, explicit keys overriding merged ones, and a
// key given twice is an error: JSON and YAML parsers disagree on which one
// wins, so neither reading is safe to assume.
func (p *parser) fields(n *yaml.Node, path string) ([]field, bool) {
	return p.fieldsDepth(n, path, 0)
}

// maxMergeDepth bounds nested merge keys, which an anchor can make
// self-referential ("a: &x {<<: *x}").
const maxMergeDepth = 8

func (p *parser) fieldsDepth(n *yaml.Node, path string, depth int) ([]field, bool) {
	n = resolve(n)
	if n == nil || isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "expected a mapping, got %s", describe(n, false))
		return nil, false
	}
	var out []field
	seen := map[string]*yaml.Node{}
	var merged []field
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			if depth >= maxMergeDepth {
				p.errorf(k, path, "merge keys (\"<<\") nested too deeply")
				continue
			}
			merged = append(merged, p.mergeFields(v, path, depth+1)...)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, path, "expected a field name, got %s", describe(k, false))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errorf(k, join(path, k.Value), "set twice (first at line %d)", first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, field{name: k.Value, key: k, val: v, path: join(path, k.Value)})
	}
	for _, f := range merged {
		if _, ok := seen[f.name]; !ok {
			seen[f.name] = f.key
			out = append(out, f)
		}
	}
	return out, true
}

func (p *parser) mergeFields(v *yaml.Node, path string, depth int) []field {
	v = resolve(v)
	var srcs []*yaml.Node
	if v != nil && v.Kind == yaml.SequenceNode {
		srcs = v.Content
	} else {
		srcs = []*yaml.Node{v}
	}
	var out []field
	for _, s := range srcs {
		s = resolve(s)
		if s == nil || s.Kind != yaml.MappingNode {
			p.errorf(v, path, "merge key \"<<\" needs a mapping or a list of mappings")
			continue
		}
		fs, _ := p.fieldsDepth(s, path, depth)
		out = append(out, fs...)
	}
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// scalar returns a scalar's text with environment references expanded.
// ok is false when the value is null (unset) or wrong; wrong values are
// reported.
func (p *parser) scalar(n *yaml.Node, path, want string, secret bool) (string, bool) {
	n = resolve(n)
	if n == nil || isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, path, "expected %s, got %s", want, describe(n, secret))
		return "", false
	}
	v, msg := expandEnv(n.Value, p.env)
	if msg != "" {
		p.errorf(n, path, "%s", msg)
		return "", false
	}
	return v, true
}

// str reads a string field. Any scalar is accepted, since YAML reads
// api_version: 2024-02-01 as a date and users should not need to quote it.
func (p *parser) str(f field) string {
	v, _ := p.scalar(f.val, f.path, "a string", false)
	return v
}

// secretStr reads a string field whose value must never be echoed.
func (p *parser) secretStr(f field) string {
	v, _ := p.scalar(f.val, f.path, "a string", true)
	return v
}

// integer reads a non-negative integer. Strings are accepted when they hold
// nothing but the digits ("60", as JSON configs often quote numbers).
func (p *parser) integer(f field) (int64, bool) {
	v, ok := p.scalar(f.val, f.path, "an integer", false)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || !cleanInt(v) {
		p.errorf(resolve(f.val), f.path, "expected an integer, got %s", quoteExpanded(f.val, v))
		return 0, false
	}
	if n < 0 {
		p.errorf(resolve(f.val), f.path, "must not be negative, got %d", n)
		return 0, false
	}
	return n, true
}

// cleanInt reports whether s is an optionally negative run of decimal
// digits: no sign "+", no spaces, no "_", "0x" or exponent.
func cleanInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// quoteExpanded shows the offending value: the expanded text when an
// environment reference produced it, so the user sees what was parsed.
func quoteExpanded(n *yaml.Node, v string) string {
	n = resolve(n)
	if n.Tag == "!!str" || n.Value != v {
		return strconv.Quote(v)
	}
	return v
}

// seconds reads a timeout: a positive number of seconds (120, 0.5, "120"),
// or a Go duration with a unit ("2m").
func (p *parser) seconds(f field) (time.Duration, bool) {
	v, ok := p.scalar(f.val, f.path, "a number of seconds", false)
	if !ok {
		return 0, false
	}
	var d time.Duration
	if x, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "xXpP_ \t") {
		if math.IsNaN(x) || math.IsInf(x, 0) || x > float64(math.MaxInt64/int64(time.Second)) {
			p.errorf(resolve(f.val), f.path, "expected a number of seconds, got %s", quoteExpanded(f.val, v))
			return 0, false
		}
		d = time.Duration(x * float64(time.Second))
	} else if pd, err := time.ParseDuration(v); err == nil {
		d = pd
	} else {
		p.errorf(resolve(f.val), f.path, "expected a number of seconds, got %s", quoteExpanded(f.val, v))
		return 0, false
	}
	if d <= 0 {
		p.errorf(resolve(f.val), f.path, "must be positive, got %s", quoteExpanded(f.val, v))
		return 0, false
	}
	return d, true
}

// boolean reads true/false (also as the strings "true"/"false").
func (p *parser) boolean(f field) (bool, bool) {
	v, ok := p.scalar(f.val, f.path, "true or false", false)
	if !ok {
		return false, false
	}
	switch v {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	p.errorf(resolve(f.val), f.path, "expected true or false, got %s", quoteExpanded(f.val, v))
	return false, false
}

// list reads a list of strings. With one=true a single string is accepted
// as a list of one (LiteLLM's organization takes either).
func (p *parser) list(f field, secret, one bool) []string {
	n := resolve(f.val)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind == yaml.ScalarNode && one {
		if v, ok := p.scalar(n, f.path, "a string", secret); ok {
			return []string{v}
		}
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, f.path, "expected a list, got %s", describe(n, secret))
		return nil
	}
	var out []string
	for i, c := range n.Content {
		if v, ok := p.scalar(c, fmt.Sprintf("%s[%d]", f.path, i), "a string", secret); ok {
			out = append(out, v)
		}
	}
	return out
}

// sequence returns a list's items.
func (p *parser) sequence(f field) []*yaml.Node {
	n := resolve(f.val)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, f.path, "expected a list, got %s", describe(n, false))
		return nil
	}
	return n.Content
}

// unknown reports a field keygate does not know, suggesting the closest
// known name.
func (p *parser) unknown(f field, known []string) {
	if s := suggest.Closest(f.name, known); s != "" {
		p.warnf(f.key, f.path, "unknown field; did you mean %q?", s)
		return
	}
	p.warnf(f.key, f.path, "unknown field")
}

// ignored reports a field another project defines that keygate does not use.
func (p *parser) ignored(f field, why string) {
	if why == "" {
		p.warnf(f.key, f.path, "ignored: keygate does not use %s", f.name)
		return
	}
	p.warnf(f.key, f.path, "ignored: keygate does not use %s (%s)", f.name, why)
}
