// Package credential holds the domain types of a stored provider credential
// and of its verification: what the store keeps, what verification finds,
// and what the CLI, the admin API and the UI show. It has no behaviour of its
// own beyond small helpers, so every other package can depend on it.
package credential

import (
	"errors"
	"time"

	"github.com/keygate/keygate/internal/secret"
)

// Credential is a named provider API key with how to reach the provider.
type Credential struct {
	Name         string        // unique, e.g. "openai-main"
	Vendor       string        // vendor table name ("openai", "groq", …)
	APIBase      string        // "" = the vendor's default
	Organization string        // OpenAI-Organization, optional
	Project      string        // OpenAI-Project, optional
	Proxy        string        // optional proxy URL
	Key          secret.Secret // the plaintext key, held in memory only; sealed at rest
	Redacted     string        // the key's display form ("sk-…abcd"), kept in clear
	Verification *Verification // the latest verdict, nil until verified
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Errors the store returns, for errors.Is.
var (
	ErrNotFound       = errors.New("credential not found")
	ErrExists         = errors.New("credential already exists")
	ErrWrongMasterKey = errors.New("the master key cannot open the stored credentials")
)

// Verification is the verdict of checking a credential against its provider.
type Verification struct {
	At       time.Time     `json:"at"`
	OK       bool          `json:"ok"`       // the key works and meets every requirement
	Redacted string        `json:"redacted"` // the key as shown, "sk-…abcd"
	Cause    Cause         `json:"cause,omitempty"`
	Message  string        `json:"message,omitempty"` // cause and fix in one or two sentences
	Models   []ModelLimits `json:"models,omitempty"`
	Duration time.Duration `json:"duration"`
}

// Cause names why a verification (or a doctor step) failed. Each has one fix.
type Cause string

// The causes verification and doctor tell apart.
const (
	CauseNone                  Cause = ""
	CauseMistypedKey           Cause = "mistyped_key"            // format check: prefix, length, whitespace, quotes
	CauseInvalidKey            Cause = "invalid_key"             // 401: revoked, deleted or unknown
	CauseAccountDeactivated    Cause = "account_deactivated"     // 401 account_deactivated
	CauseOrganization          Cause = "organization"            // mismatched or unknown organization/project
	CauseFreeTier              Cause = "free_tier"               // the limits' signature of a free account
	CauseNoQuota               Cause = "no_quota"                // 429 insufficient_quota
	CauseNoBilling             Cause = "no_billing"              // 429 billing_not_active
	CauseThrottled             Cause = "throttled"               // 429 rate limit right now: wait and retry
	CauseInsufficientRateLimit Cause = "insufficient_rate_limit" // below a requirement
	CauseModelNotAccessible    Cause = "model_not_accessible"    // 404 model_not_found for a model that matters
	CauseForbidden             Cause = "forbidden"               // 403: region or permission
	CauseDNS                   Cause = "dns_failure"
	CauseRefused               Cause = "connection_refused"
	CauseTLS                   Cause = "tls_failure"
	CauseProxy                 Cause = "proxy_failure"
	CauseBadBaseURL            Cause = "bad_base_url" // HTML page, unknown_url, missing /v1
	CauseTimeout               Cause = "timeout"
	CauseUpstreamError         Cause = "upstream_error" // 5xx, overloaded: try again later
)

// Window is the period a request limit counts over. OpenAI's *-requests
// headers report the per-day bucket when a model has one, else per-minute.
type Window string

// Windows of a request limit.
const (
	PerMinute Window = "minute"
	PerDay    Window = "day"
)

// ModelLimits is what verification learned about one model.
type ModelLimits struct {
	Model      string `json:"model"`
	Accessible bool   `json:"accessible"`

	RequestsLimit     int64         `json:"requests_limit,omitempty"`
	RequestsRemaining int64         `json:"requests_remaining,omitempty"`
	RequestsReset     time.Duration `json:"requests_reset,omitempty"`
	RequestsWindow    Window        `json:"requests_window,omitempty"`
	TokensLimit       int64         `json:"tokens_limit,omitempty"`
	TokensRemaining   int64         `json:"tokens_remaining,omitempty"`
	TokensReset       time.Duration `json:"tokens_reset,omitempty"`

	// Requirement is the minimum this model must meet, if any; Meets and
	// Shortfall judge the limits against it ("RPM 3 is 197 below 200").
	Requirement *Requirement `json:"requirement,omitempty"`
	Meets       bool         `json:"meets"`
	Shortfall   string       `json:"shortfall,omitempty"`

	Cause   Cause  `json:"cause,omitempty"`
	Message string `json:"message,omitempty"`
}

// Requirement is a minimum rate limit for a model.
type Requirement struct {
	RPM int64 `json:"rpm,omitempty"`
	TPM int64 `json:"tpm,omitempty"`
}

// KeyRejected reports whether the verdict says the key itself does not work
// (malformed, refused by the provider, its account or organization unusable),
// as opposed to a working key that falls short of a requirement or a network
// that failed on the way. Adding a rejected key is refused: it could never serve.
func (v Verification) KeyRejected() bool {
	switch v.Cause {
	case CauseMistypedKey, CauseInvalidKey, CauseAccountDeactivated, CauseOrganization:
		return true
	}
	return false
}
