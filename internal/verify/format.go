package verify

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/credential"
)

// keyFormat is what a vendor's keys look like, for the vendors whose format
// is well known and stable.
type keyFormat struct {
	prefix string
	minLen int // shorter than every real key of the vendor
}

var keyFormats = map[string]keyFormat{
	"openai":     {"sk-", 40}, // sk-…48, sk-proj-…, sk-svcacct-…, sk-admin-…
	"anthropic":  {"sk-ant-", 40},
	"openrouter": {"sk-or-", 40},
	"groq":       {"gsk_", 40},
	"xai":        {"xai-", 40},
	"perplexity": {"pplx-", 40},
}

// prefixOwners names whose key a prefix marks, most specific first, so that
// a key pasted under the wrong vendor can be named.
var prefixOwners = []struct{ prefix, owner string }{
	{"sk-ant-", "an Anthropic key"},
	{"sk-or-", "an OpenRouter key"},
	{"gsk_", "a Groq key"},
	{"xai-", "an xAI key"},
	{"pplx-", "a Perplexity key"},
	{"kg-", "a keygate virtual key, not a provider key"},
	{"sk-", "an OpenAI-style key"},
}

// CheckFormat finds what is wrong with a key's text before any request is
// sent: surrounding whitespace or quotes, a pasted "Bearer ", a masked copy,
// characters that are never part of a key, and for vendors with a
// well-known format the prefix and length. It returns CauseNone and "" for a
// plausible key, else CauseMistypedKey and a message naming the problem and
// its fix. The message never contains the key.
func CheckFormat(vendor, key string) (credential.Cause, string) {
	if f := FormatFault(vendor, key); f != nil {
		return f.Cause, f.Error()
	}
	return credential.CauseNone, ""
}

// FormatFault is CheckFormat with the problem and its fix apart, or nil for
// a plausible key.
func FormatFault(vendor, key string) *Fault {
	v, known := config.LookupVendor(vendor)
	if known {
		vendor = v.Name
	}
	detail, fix := formatProblem(vendor, key, known && v.KeyOptional)
	if detail == "" {
		return nil
	}
	return &Fault{Cause: credential.CauseMistypedKey, Detail: detail, Fix: fix}
}

// formatProblem returns what is wrong with key, and the fix; "" when nothing.
func formatProblem(vendor, key string, optional bool) (detail, fix string) {
	if key == "" {
		if optional {
			return "", ""
		}
		return "No key was given.", "Paste the provider's API key."
	}
	if t := strings.TrimSpace(key); t != key {
		what := "a space"
		if strings.ContainsAny(key, "\r\n") {
			what = "a line break"
		}
		where := "ends with"
		if strings.TrimLeftFunc(key, unicode.IsSpace) != key {
			where = "starts with"
		}
		return fmt.Sprintf("The key %s %s, which is not part of any key (it often comes along when copying from a file or terminal).", where, what), "Paste the key without surrounding spaces or line breaks."
	}
	if quotes := `"'` + "`"; strings.ContainsRune(quotes, rune(key[0])) || strings.ContainsRune(quotes, rune(key[len(key)-1])) {
		return "The key is wrapped in quotes, which are not part of it.", "Paste the key without the quotes."
	}
	if strings.HasPrefix(strings.ToLower(key), "bearer ") || strings.HasPrefix(strings.ToLower(key), "authorization:") {
		return `The key starts with "Bearer " (or "Authorization:"), copied from an HTTP header.`, "Paste only the key that follows it."
	}
	if strings.Contains(key, "…") || strings.Contains(key, "***") || strings.Contains(key, "...") {
		return "The key contains \"…\" or \"***\": that is the masked form a dashboard shows, not the key.", "Copy the full key from the provider (a new one if it is no longer shown)."
	}
	if i := strings.IndexFunc(key, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsPrint(r) && !unicode.IsSpace(r) }); i >= 0 {
		return fmt.Sprintf("The key contains a non-ASCII or invisible character at position %d (a smart quote, a zero-width space or a look-alike letter picked up on the way).", utf8.RuneCountInString(key[:i])+1), "Copy the key again straight from the provider's dashboard."
	}
	if strings.IndexFunc(key, unicode.IsSpace) >= 0 {
		return "The key has a space or line break inside it, so it was probably pasted in pieces or wrapped.", "Paste it again as one unbroken line."
	}
	f, ok := keyFormats[vendor]
	if !ok {
		return "", ""
	}
	// The most specific prefix the key carries names whose key it is; an
	// OpenAI vendor given "sk-ant-…" holds an Anthropic key although both
	// start with "sk-".
	for _, p := range prefixOwners {
		if strings.HasPrefix(key, p.prefix) {
			if p.prefix != f.prefix {
				return fmt.Sprintf("The key starts with %s, which marks %s, but the vendor is %s, whose keys start with %s.", p.prefix, p.owner, vendor, f.prefix), fmt.Sprintf("Use a %s key, or set the vendor that issued this one.", vendor)
			}
			break
		}
	}
	if !strings.HasPrefix(key, f.prefix) {
		return fmt.Sprintf("The key does not start with %s, as %s keys do.", f.prefix, vendor), "Check that the whole key was copied, and from the right provider."
	}
	if len(key) < f.minLen {
		return fmt.Sprintf("The key is only %d characters long, but %s keys have at least %d.", len(key), vendor, f.minLen), "Part of it was lost in copying: copy the whole key again."
	}
	return "", ""
}
