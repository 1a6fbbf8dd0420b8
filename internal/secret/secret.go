// Package secret holds a string type for credentials that cannot leak by
// accident: formatting, logging and JSON encoding all show the redacted form,
// and only an explicit Reveal returns the value.
package secret

import (
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
)

// Secret is a credential such as a provider API key.
type Secret struct{ v string }

// New wraps s.
func New(s string) Secret { return Secret{v: s} }

// Reveal returns the secret's value; call it only where the value must be sent.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String returns the redacted form, so fmt and templates never print the value.
func (s Secret) String() string { return Redact(s.v) }

// GoString keeps %#v redacted too.
func (s Secret) GoString() string { return "secret.Secret(" + Redact(s.v) + ")" }

// LogValue makes slog print the redacted form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(Redact(s.v)) }

// MarshalJSON encodes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(Redact(s.v)) }

// MarshalText encodes the redacted form (used by YAML and other encoders).
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redact(s.v)), nil }

// Redact shows a key the way dashboards do: its vendor prefix and last four
// characters ("sk-…abcd"). Keys too short to hide anything become "…".
func Redact(k string) string {
	if k == "" {
		return ""
	}
	if len(k) < 12 {
		return "…"
	}
	prefix := ""
	for _, p := range []string{"sk-proj-", "sk-svcacct-", "sk-admin-", "sk-ant-", "sk-or-", "sk-", "gsk_", "kg-"} {
		if strings.HasPrefix(k, p) {
			prefix = p
			break
		}
	}
	return prefix + "…" + k[len(k)-4:]
}

// RedactURL hides the password of a URL (a proxy, a database DSN) before it
// goes into a message or a log line: "postgres://kg:xxxxx@db/kg". A value that
// does not parse but has credentials in it is not shown at all.
func RedactURL(v string) string {
	if u, err := url.Parse(v); err == nil && u.User != nil {
		return u.Redacted()
	}
	// "user:pass@host" parses as scheme "user" with no user info: an "@"
	// that url.Parse did not read as credentials may still be a password.
	if strings.Contains(v, "@") {
		return "(a URL with credentials)"
	}
	return v
}
