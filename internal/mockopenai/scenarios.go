package mockopenai

import (
	"net/http"
	"slices"
	"strings"

	"github.com/keygate/keygate/internal/openai"
)

// Scenario names. A key "sk-mock-<scenario>" (optionally followed by
// "-<anything>") selects one, and a model "fault-<scenario>" applies one
// whatever the key.
const (
	// ScenarioGood is a healthy tier-1 key with real per-key rate limits.
	ScenarioGood = "good"
	// ScenarioUnlimited is never rate-limited; its headers report huge limits.
	ScenarioUnlimited = "unlimited"
	// ScenarioFree has free-tier limits (3 RPM, 200 RPD, 40,000 TPM for chat
	// models; 3,000 RPM, 200 RPD, 1M TPM for embeddings) and the free-tier
	// "adding a payment method" sentence in its 429s.
	ScenarioFree = "free"
	// ScenarioRevoked answers 401 invalid_api_key, as a revoked key does.
	ScenarioRevoked = "revoked"
	// ScenarioDeactivated answers 401 account_deactivated.
	ScenarioDeactivated = "deactivated"
	// ScenarioNoQuota answers 429 insufficient_quota.
	ScenarioNoQuota = "noquota"
	// ScenarioNoBilling answers 429 billing_not_active.
	ScenarioNoBilling = "nobilling"
	// ScenarioRateLimited answers every request 429 on requests per minute.
	ScenarioRateLimited = "ratelimited"
	// ScenarioTokenLimited answers every request 429 on tokens per minute.
	ScenarioTokenLimited = "tokenlimited"
	// ScenarioOverloaded answers 503 server_is_overloaded.
	ScenarioOverloaded = "overloaded"
	// ScenarioFlaky fails the 1st, 3rd, 5th… request of a key with 500.
	ScenarioFlaky = "flaky"
	// ScenarioSlow waits Options.SlowLatency before answering.
	ScenarioSlow = "slow"
	// ScenarioDrop aborts streams after two content chunks and closes
	// non-stream requests' connections without a response. It hijacks the
	// connection, so serve it through a real server (httptest.NewServer):
	// with a ResponseRecorder it panics with http.ErrAbortHandler.
	ScenarioDrop = "drop"
	// ScenarioStreamError ends streams after two content chunks with an
	// in-stream server_error (no [DONE]); non-stream requests succeed.
	ScenarioStreamError = "streamerror"
	// ScenarioForbidden answers 403 unsupported_country_region_territory.
	ScenarioForbidden = "forbidden"
	// ScenarioNoUsage answers like an OpenAI-compatible server that reports
	// no usage: chat answers without "usage", streams that ignore
	// stream_options.include_usage.
	ScenarioNoUsage = "nousage"
)

// scenarioNames lists every scenario, in documentation order.
var scenarioNames = [...]string{
	ScenarioGood, ScenarioUnlimited, ScenarioFree, ScenarioRevoked, ScenarioDeactivated,
	ScenarioNoQuota, ScenarioNoBilling, ScenarioRateLimited, ScenarioTokenLimited,
	ScenarioOverloaded, ScenarioFlaky, ScenarioSlow, ScenarioDrop, ScenarioStreamError,
	ScenarioForbidden, ScenarioNoUsage,
}

// Scenarios returns every scenario name, in documentation order.
func Scenarios() []string { return slices.Clone(scenarioNames[:]) }

func isScenario(name string) bool {
	for _, s := range scenarioNames {
		if s == name {
			return true
		}
	}
	return false
}

const (
	keyPrefix = "sk-mock-"
	// keyTail makes Key's result about as long as a real secret key, so
	// masking and redaction look as they do in production.
	keyTail = "Xq7Lm2Vb9Tz4Rk8Wc3Hn6Jp1Yd5Gs0Fa7Ue2Io9K"
)

// Key returns a valid-looking API key that selects scenario, for example
// "sk-mock-good-Xq7L…o9K" (the scenario and 40 fixed characters). The suffix
// is fixed, so every call returns the same key; tests that need their own
// rate-limit state or flaky alternation use "sk-mock-<scenario>-<anything>".
func Key(scenario string) string { return keyPrefix + scenario + "-" + keyTail }

// scenarioForKey reports the scenario a bearer token selects, and false when
// the token is not a key the mock accepts.
func (s *Server) scenarioForKey(key string) (string, bool) {
	if sc, ok := s.opts.Keys[key]; ok {
		return sc, isScenario(sc)
	}
	rest, ok := strings.CutPrefix(key, keyPrefix)
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, "-")
	return name, isScenario(name)
}

// MaskKey renders a key as OpenAI's invalid-key message does: the first 8
// characters, len-12 asterisks, and the last 4. Inputs of 12 bytes or fewer
// would gain nothing from masking and are echoed as sent ("DEADBEEF",
// "sk jj" in real captures).
func MaskKey(key string) string {
	if len(key) <= 12 {
		return key
	}
	return key[:8] + strings.Repeat("*", len(key)-12) + key[len(key)-4:]
}

// Messages copied verbatim from captured OpenAI responses (BEHAVIOUR.md §2.2).
const (
	msgNoKey       = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys."
	msgDeactivated = "The OpenAI account associated with this API key has been deactivated. If you are the developer for this OpenAI app, please check your email for more information. If you are seeing this error while using another app or site, please reach out to them for more help."
	msgForbidden   = "Country, region, or territory not supported"
	msgNoQuota     = "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."
	msgNoBilling   = "Your account is not active, please check your billing details on our website."
	msgOverloaded  = "Our servers are currently overloaded. Please try again later."
	msgBadJSON     = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)"
	msgNoModel     = "you must provide a model parameter"
	msgDocs        = "https://platform.openai.com/docs/api-reference/"
)

func errNoKey() *openai.Error {
	return openai.New(http.StatusUnauthorized, openai.TypeInvalidRequest, "", msgNoKey)
}

func errInvalidKey(key string) *openai.Error {
	return openai.New(http.StatusUnauthorized, openai.TypeInvalidRequest, "invalid_api_key",
		"Incorrect API key provided: "+MaskKey(key)+". You can find your API key at https://platform.openai.com/account/api-keys.")
}

func errServer(reqID string) *openai.Error {
	return openai.New(http.StatusInternalServerError, openai.TypeServer, "",
		"The server had an error processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if you keep seeing this error. (Please include the request ID "+reqID+" in your email.)")
}

func errOverloaded() *openai.Error {
	return openai.New(http.StatusServiceUnavailable, openai.TypeServiceUnavailable, "server_is_overloaded", msgOverloaded)
}

func errModelNotFound(model string) *openai.Error {
	return openai.New(http.StatusNotFound, openai.TypeInvalidRequest, "model_not_found",
		"The model `"+model+"` does not exist or you do not have access to it.")
}

func errUnknownURL(method, path string) *openai.Error {
	return openai.New(http.StatusNotFound, openai.TypeInvalidRequest, "unknown_url",
		"Unknown request URL: "+method+" "+path+". Please check the URL for typos, or see the docs at "+msgDocs+".")
}

// accountFault returns the error a scenario answers before any request
// validation, as the real API checks the account before the body (a revoked
// key gets 401 even for a malformed request), with the header set OpenAI
// sends alongside it.
func (c *call) accountFault(scenario string) (*openai.Error, headerSet) {
	switch scenario {
	case ScenarioRevoked:
		return errInvalidKey(c.key), headersMinimal
	case ScenarioDeactivated:
		return openai.New(http.StatusUnauthorized, openai.TypeInvalidRequest, "account_deactivated", msgDeactivated), headersMinimal
	case ScenarioForbidden:
		return openai.New(http.StatusForbidden, openai.TypeRequestForbidden, "unsupported_country_region_territory", msgForbidden), headersMinimal
	case ScenarioNoQuota:
		return openai.New(http.StatusTooManyRequests, openai.TypeInsufficientQuota, "insufficient_quota", msgNoQuota), headersOpenAI
	case ScenarioNoBilling:
		// The 2025 capture has neither openai-* nor rate-limit headers.
		return openai.New(http.StatusTooManyRequests, openai.TypeBillingNotActive, "billing_not_active", msgNoBilling), headersMinimal
	}
	return nil, 0
}
