package config

import (
	"time"

	"github.com/keygate/keygate/internal/secret"
)

// Defaults used when the file leaves a setting out.
const (
	DefaultListen          = "127.0.0.1:4000"
	DefaultMaxRequestBytes = 32 << 20
	DefaultRequestTimeout  = 600 * time.Second
	DefaultDatabase        = "sqlite://./keygate.db"
	DefaultBudgetAlert     = 0.8
)

// Config is a loaded, validated configuration.
type Config struct {
	File            string              // path it was loaded from ("" for defaults)
	Listen          string              // listen address, default "127.0.0.1:4000"
	ClientKeys      []secret.Secret     // top-level client_keys: bearer tokens clients may use (temporary auth seam)
	MaxRequestBytes int64               // top-level max_request_bytes, default 32 MiB
	RequestTimeout  time.Duration       // default upstream timeout, default 600s (LiteLLM litellm_settings.request_timeout maps here)
	Database        string              // database, default "sqlite://./keygate.db" (LiteLLM general_settings.database_url maps here)
	Redis           string              // redis URL; "" = in-process counters
	MasterKey       secret.Secret       // encrypts stored provider keys
	AdminToken      secret.Secret       // admin API token (LiteLLM general_settings.master_key maps here when unset)
	Requirements    []Requirement       // minimums that key verification checks
	Models          []Deployment        // model_list, normalised, in file order; repeated aliases are kept (the router load-balances them)
	Fallbacks       map[string][]string // alias → ordered fallback aliases
	Warnings        []*Error            // non-fatal findings: unknown or ignored fields, each with file:line

	// BudgetsFailOpen is budgets_fail_open: what budgets do while Redis is
	// unreachable. False (the default) fails closed: a request that a
	// limited budget covers is refused, since its spend could not be counted
	// against the shared total. True lets it through, counted by each
	// replica on its own (limits.FallbackConfig.BudgetsFailOpen).
	BudgetsFailOpen bool
	// BudgetAlert is budget_alert: the fraction of a budget, in (0, 1],
	// at which its use is logged and flagged; default 0.8. The file may
	// write it as a fraction (0.8) or a percentage ("80%").
	BudgetAlert float64
}

// Requirement is a minimum rate limit that a provider key must meet for a
// model before key verification reports it as sufficient.
type Requirement struct {
	Model    string
	RPM, TPM int
}

// Deployment is one model_list entry: an alias clients send, and the
// upstream that serves it. Several deployments may share an alias.
type Deployment struct {
	Alias        string          // model_name
	Vendor       string          // canonical vendor name from the table ("openai", "azure", "together", …)
	Protocol     string          // "openai" (OpenAI-compatible wire) or "azure"
	Model        string          // upstream model id: model without its vendor prefix (the prefix is never sent upstream)
	APIBase      string          // explicit api_base or the vendor default; no trailing slash
	APIKeys      []secret.Secret // api_key and/or api_keys, in order, without duplicates
	Credential   string          // name of a stored credential; mutually exclusive with APIKeys
	APIVersion   string          // azure api_version; "" = the upstream client's default
	Organization string          // OpenAI-Organization header
	Project      string          // OpenAI-Project header
	Proxy        string          // http://, https://, socks5:// or socks5h:// URL; "" = environment (HTTPS_PROXY, NO_PROXY)
	Timeout      time.Duration   // request_timeout / timeout; 0 = Config.RequestTimeout
	RPM, TPM     int             // this deployment's own limits; 0 = unknown (learned from headers)
	NoPreflight  bool            // preflight: false — send requests above the model's output cap or context window as they are
	// PriceOverride is the entry's own prices and token limits, laid over
	// the pricing catalog's by the router; its nil fields keep the catalog's.
	PriceOverride PriceOverride
	Pos           Pos // where the entry starts
}

// PriceOverride is what a model_list entry says its model costs and can
// take, under LiteLLM's names. Each field is nil when the entry leaves it
// out. An entry may write them flat, inside litellm_params or inside
// model_info, each once.
//
// The prices are USD per token, as in LiteLLM's price dataset (2.5e-06 is
// $2.50 per million tokens), finite and not negative. As in pricing.Price,
// a cached-input or reasoning price of 0 means "the same as Input or
// Output", not free. The token limits are positive.
type PriceOverride struct {
	Input       *float64 // input_cost_per_token
	Output      *float64 // output_cost_per_token
	CachedInput *float64 // cache_read_input_token_cost
	Reasoning   *float64 // output_cost_per_reasoning_token
	// MaxOutput is max_output_tokens, or model_info's legacy max_tokens when
	// max_output_tokens is absent: the most tokens one response may hold.
	MaxOutput *int64
	// ContextWindow is max_input_tokens: the most prompt tokens the model
	// accepts.
	ContextWindow *int64
}

// IsZero reports whether o overrides nothing.
func (o PriceOverride) IsZero() bool {
	return o == PriceOverride{}
}

// Default returns the configuration used when there is no file: the default
// listen address, limits and database, and no models.
func Default() *Config {
	return &Config{
		Listen:          DefaultListen,
		MaxRequestBytes: DefaultMaxRequestBytes,
		RequestTimeout:  DefaultRequestTimeout,
		Database:        DefaultDatabase,
		Fallbacks:       map[string][]string{},
		BudgetAlert:     DefaultBudgetAlert,
	}
}
