package config

import (
	"fmt"
	"strings"
)

// litellmEnvPrefix marks LiteLLM's whole-value environment reference,
// "os.environ/NAME" (LiteLLM resolves it with os.getenv).
const litellmEnvPrefix = "os.environ/"

// expandEnv expands environment references in one scalar value:
//
//	${NAME}            NAME's value; an error when NAME is unset
//	${NAME:-default}   NAME's value, or default when NAME is unset or empty
//	$${                a literal "${"
//	os.environ/NAME    (the whole value) NAME's value; an error when unset
//
// A "$" not followed by "{" is literal, so keys and passwords containing "$"
// need no escaping. Substituted text is not scanned again: a value cannot
// smuggle in a second reference. On failure it returns a message naming the
// variable.
func expandEnv(s string, lookup func(string) (string, bool)) (string, string) {
	if name, ok := strings.CutPrefix(s, litellmEnvPrefix); ok {
		if !validEnvName(name) {
			return "", fmt.Sprintf("invalid environment reference %q: expected os.environ/NAME", s)
		}
		v, ok := lookup(name)
		if !ok {
			return "", fmt.Sprintf("environment variable %s is not set", name)
		}
		return v, ""
	}
	if !strings.Contains(s, "${") {
		return s, ""
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), ""
		}
		if i > 0 && s[i-1] == '$' { // "$${" is an escaped "${"
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Sprintf("unterminated environment reference %q: expected ${NAME} or ${NAME:-default}", s[i:])
		}
		ref := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(ref, ":-")
		if !validEnvName(name) {
			return "", fmt.Sprintf("invalid environment reference %q: expected ${NAME} or ${NAME:-default}", s[i:i+end+1])
		}
		v, ok := lookup(name)
		switch {
		case hasDef && v == "":
			v = def
		case !ok:
			return "", fmt.Sprintf("environment variable %s is not set (write ${%s:-default} to give a default)", name, name)
		}
		b.WriteString(v)
		s = s[i+end+1:]
	}
}

// validEnvName reports whether name is a portable environment variable name.
func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
