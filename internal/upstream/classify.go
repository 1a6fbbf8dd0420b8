package upstream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/route"
	"github.com/keygate/keygate/internal/secret"
)

// Failure is a classified upstream failure.
type Failure struct {
	// Err is what the client receives.
	Err *openai.Error
	// Failover is true when another deployment may succeed where this one
	// failed: the fault lies with this deployment, not with the request.
	Failover bool
	// CoolDown, when positive, is how long to keep the deployment out of
	// rotation.
	CoolDown time.Duration
	// Passthrough is true when the upstream's own answer should reach the
	// client unchanged: the request itself is at fault (a 400 such as
	// max_tokens too large), and the provider's wording is the best there is.
	Passthrough bool
}

// Codes of the errors keygate returns for upstream faults. Each names one
// cause, so that people and scripts can tell them apart.
const (
	CodeDNS              = "upstream_dns_failure"
	CodeRefused          = "upstream_connection_refused"
	CodeTLS              = "upstream_tls_failure"
	CodeProxy            = "upstream_proxy_failure"
	CodeTimeout          = "upstream_timeout"
	CodeUnreachable      = "upstream_unreachable"
	CodeBadBaseURL       = "upstream_bad_base_url"
	CodeInvalidKey       = "upstream_invalid_api_key"
	CodeDeactivated      = "upstream_account_deactivated"
	CodeOrganization     = "upstream_organization_mismatch"
	CodeForbidden        = "upstream_forbidden"
	CodeModelNotFound    = "upstream_model_not_found"
	CodeQuota            = "upstream_insufficient_quota"
	CodeBilling          = "upstream_billing_not_active"
	CodeRateLimited      = "rate_limit_exceeded"
	CodeOverloaded       = "upstream_overloaded"
	CodeServerError      = "upstream_server_error"
	CodeMissingKey       = "upstream_missing_api_key"
	CodeBadUpstreamReply = "upstream_bad_response"
)

func where(d *route.Deployment) string {
	host := d.APIBase
	if u, err := url.Parse(d.APIBase); err == nil && u.Host != "" {
		host = u.Host
	}
	return fmt.Sprintf("model %q (deployment %s: %s/%s at %s)", d.Alias, d.Name, d.Vendor, d.Model, host)
}

func doctor(d *route.Deployment) string {
	return "Run `keygate doctor --model " + d.Alias + "` to check the setup step by step."
}

func setup(status int, typ, code, msg string) *openai.Error {
	return openai.New(status, typ, code, msg).NoRetry()
}

// ClassifyError turns a failure to get a response at all (DNS, connection,
// TLS, proxy, timeout) into the error the client receives. ctxErr is the
// client's own context error: a client that went away gets nothing.
func ClassifyError(d *route.Deployment, err error) Failure {
	w := where(d)
	switch ClassifyNet(err) {
	case NetTimeout:
		timeout := "its timeout"
		if d.Timeout > 0 {
			timeout = "its " + d.Timeout.String() + " timeout"
		}
		return Failure{Failover: true, CoolDown: 5 * time.Second, Err: openai.New(504, openai.TypeTimeout, CodeTimeout,
			fmt.Sprintf("The upstream for %s did not answer within %s. The provider may be slow or overloaded; retry, or raise request_timeout for this model in keygate's config. %s", w, timeout, doctor(d)))}
	case NetProxy:
		return Failure{Failover: true, CoolDown: 30 * time.Second, Err: setup(502, openai.TypeUpstream, CodeProxy,
			fmt.Sprintf("keygate could not reach the upstream for %s through its proxy (%s): %s. Check that the proxy is running and that the proxy URL in the config (or HTTPS_PROXY) is right. %s", w, ProxyName(d.Proxy), RootCause(err), doctor(d)))}
	case NetDNS:
		var dnsErr *net.DNSError
		errors.As(err, &dnsErr)
		return Failure{Failover: true, CoolDown: 30 * time.Second, Err: setup(502, openai.TypeUpstream, CodeDNS,
			fmt.Sprintf("keygate could not resolve the host %q for %s (DNS: %s). Check api_base for a typo and that this machine's DNS works. %s", dnsErr.Name, w, DNSReason(dnsErr), doctor(d)))}
	case NetRefused:
		return Failure{Failover: true, CoolDown: 10 * time.Second, Err: setup(502, openai.TypeUpstream, CodeRefused,
			fmt.Sprintf("The upstream for %s refused the connection: nothing is listening at %s. Check the host and port in api_base, and that the server is running. %s", w, d.APIBase, doctor(d)))}
	case NetTLSTrust:
		return Failure{Failover: true, CoolDown: 30 * time.Second, Err: setup(502, openai.TypeUpstream, CodeTLS,
			fmt.Sprintf("keygate does not trust the TLS certificate of the upstream for %s: %s. If the server uses a private CA, add it to the system's trust store (or SSL_CERT_FILE); if api_base should be plain http://, change its scheme. %s", w, RootCause(err), doctor(d)))}
	case NetTLSHandshake:
		return Failure{Failover: true, CoolDown: 30 * time.Second, Err: setup(502, openai.TypeUpstream, CodeTLS,
			fmt.Sprintf("The TLS handshake with the upstream for %s failed: %s. api_base may say https:// for a server that speaks plain http (or the reverse). %s", w, RootCause(err), doctor(d)))}
	}
	return Failure{Failover: true, CoolDown: 5 * time.Second, Err: openai.New(502, openai.TypeUpstream, CodeUnreachable,
		fmt.Sprintf("keygate could not get an answer from the upstream for %s: %s. Retry; if it persists, check the network between keygate and the provider. %s", w, RootCause(err), doctor(d)))}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, context.Canceled)
}

// DNSReason says in a few words why a lookup failed.
func DNSReason(e *net.DNSError) string {
	if e.IsNotFound {
		return "no such host"
	}
	if e.IsTimeout {
		return "the DNS server did not answer"
	}
	return e.Err
}

// ProxyName shows a proxy URL without its password, or says the proxy comes
// from the environment when none is configured.
func ProxyName(p string) string {
	if p == "" {
		return "from HTTPS_PROXY"
	}
	return secret.RedactURL(p)
}

var tryAgainIn = regexp.MustCompile(`try again in ([0-9.]+(?:ms|s|m|h)(?:[0-9.]+(?:ms|s))*)`)

// ClassifyResponse turns an upstream's error answer (status >= 400, or a 200
// that is not what the endpoint returns) into the error the client receives.
// body is the start of the upstream's body.
func ClassifyResponse(d *route.Deployment, key secret.Secret, resp *http.Response, body []byte) Failure {
	w := where(d)
	status := resp.StatusCode
	isJSON := gjson.ValidBytes(body) && gjson.GetBytes(body, "error").Exists()
	e := gjson.GetBytes(body, "error")
	code, typ := e.Get("code").String(), e.Get("type").String()
	// A page that is not the API's JSON, from a server that is otherwise
	// fine, means the base URL points at something else. A 5xx page is the
	// provider's (or its CDN's) trouble instead, classified below.
	if !isJSON && status < 500 {
		if LooksHTML(resp, body) || status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status < 400 {
			return badBase(d, w, status)
		}
	}
	switch {
	case status == http.StatusUnauthorized:
		switch {
		case code == "account_deactivated":
			return Failure{Failover: true, CoolDown: time.Minute, Err: setup(502, openai.TypeUpstream, CodeDeactivated,
				fmt.Sprintf("The provider account behind %s has been deactivated, so its key no longer works. The account owner must check their email from the provider, or an admin must switch this model to another key. %s", w, doctor(d)))}
		case code == "mismatched_organization" || code == "invalid_organization" || code == "no_organization" || code == "mismatched_project":
			return Failure{Failover: true, CoolDown: time.Minute, Err: setup(502, openai.TypeUpstream, CodeOrganization,
				fmt.Sprintf("The provider rejected the organization or project configured for %s (%s): the key belongs to another organization, or the ID is wrong. Fix or remove organization/project for this model in keygate's config. %s", w, code, doctor(d)))}
		case len(d.APIKeys) == 0 && d.Credential == "":
			return Failure{Failover: true, Err: setup(502, openai.TypeUpstream, CodeMissingKey,
				fmt.Sprintf("The upstream for %s requires an API key, and none is configured. Add api_key for this model in keygate's config. %s", w, doctor(d)))}
		}
		return Failure{Failover: true, CoolDown: time.Minute, Err: setup(502, openai.TypeUpstream, CodeInvalidKey,
			fmt.Sprintf("The provider rejected keygate's API key for %s (key %s): it is mistyped, revoked or deleted. Your own keygate key is fine; an admin must put a valid provider key in keygate's config. %s", w, key, doctor(d)))}
	case status == http.StatusForbidden:
		msg := fmt.Sprintf("The provider refused %s (HTTP 403", w)
		if code != "" {
			msg += ", " + code
		}
		msg += "). "
		if code == "unsupported_country_region_territory" {
			msg += "It does not serve the country or region keygate's traffic comes from; route this model through a proxy in a supported region (proxy in the config). "
		} else {
			msg += "The key lacks permission for this model or endpoint (project or key restrictions); grant it in the provider's dashboard or use another key. "
		}
		return Failure{Failover: true, CoolDown: time.Minute, Err: setup(502, openai.TypeUpstream, CodeForbidden, msg+doctor(d))}
	case status == http.StatusNotFound && (code == "model_not_found" || strings.Contains(e.Get("message").String(), "does not exist")):
		return Failure{Failover: true, CoolDown: time.Minute, Err: setup(502, openai.TypeUpstream, CodeModelNotFound,
			fmt.Sprintf("The provider says the model %q of %s does not exist or this key has no access to it. Check the model name after the vendor prefix in keygate's config, and that the provider account has access to it. %s", d.Model, w, doctor(d)))}
	case status == http.StatusNotFound && code == "unknown_url":
		return badBase(d, w, status)
	case status == http.StatusTooManyRequests:
		switch {
		case code == "insufficient_quota" || typ == "insufficient_quota" || code == "credit_balance_exhausted":
			return Failure{Failover: true, CoolDown: 5 * time.Minute, Err: setup(503, openai.TypeServiceUnavailable, CodeQuota,
				fmt.Sprintf("The provider account behind %s has run out of quota or credit. Its owner must add credit or raise the spending limit in the provider's billing settings; retrying will not help until then. %s", w, doctor(d)))}
		case code == "billing_not_active" || typ == "billing_not_active" || typ == "access_terminated":
			return Failure{Failover: true, CoolDown: 5 * time.Minute, Err: setup(503, openai.TypeServiceUnavailable, CodeBilling,
				fmt.Sprintf("The provider account behind %s has no active billing. Its owner must add a payment method in the provider's billing settings; retrying will not help until then. %s", w, doctor(d)))}
		}
		return rateLimited(d, w, resp, body, typ)
	case status == http.StatusServiceUnavailable:
		return Failure{Failover: true, CoolDown: 2 * time.Second, Err: openai.New(503, openai.TypeServiceUnavailable, CodeOverloaded,
			fmt.Sprintf("The provider is overloaded and could not serve %s. Retry in a few seconds; adding another deployment or a fallback model for this alias lets keygate route around it.", w)).
			WithRetryAfter(RetryAfter(resp, body, time.Second))}
	case status >= 500:
		return Failure{Failover: true, CoolDown: 2 * time.Second, Err: openai.New(502, openai.TypeUpstream, CodeServerError,
			fmt.Sprintf("The provider had an internal error (HTTP %d) serving %s. This is on the provider's side; retrying usually works.", status, w))}
	case status >= 400:
		// The request itself is at fault: max_tokens too large, context too
		// long, a bad parameter. The provider's own answer says it best.
		return Failure{Passthrough: true}
	}
	return Failure{Failover: true, Err: openai.New(502, openai.TypeUpstream, CodeBadUpstreamReply,
		fmt.Sprintf("The upstream for %s answered with something that is not an OpenAI-style response (HTTP %d). %s", w, status, doctor(d)))}
}

func badBase(d *route.Deployment, w string, status int) Failure {
	hint := "Check api_base in keygate's config"
	if !strings.HasSuffix(strings.TrimRight(d.APIBase, "/"), "/v1") && d.Protocol != "azure" {
		hint = "api_base " + d.APIBase + " does not end in /v1, which OpenAI-compatible servers usually need: try " + strings.TrimRight(d.APIBase, "/") + "/v1"
	}
	return Failure{Failover: true, CoolDown: time.Minute, Err: setup(502, openai.TypeUpstream, CodeBadBaseURL,
		fmt.Sprintf("The upstream for %s does not serve the OpenAI API at its configured base URL (HTTP %d, not an OpenAI error). %s. %s", w, status, hint, doctor(d)))}
}

func rateLimited(d *route.Deployment, w string, resp *http.Response, body []byte, typ string) Failure {
	wait := RetryAfter(resp, body, time.Second)
	kind, dim := openai.TypeRequests, "requests"
	if typ == openai.TypeTokens {
		kind, dim = openai.TypeTokens, "tokens"
	}
	e := openai.New(429, kind, CodeRateLimited,
		fmt.Sprintf("The provider's rate limit on %s was reached for %s. Please try again in %s. To get more headroom, add another key or deployment for this alias, or raise the provider account's tier.", dim, w, openai.FormatReset(wait))).
		WithRetryAfter(wait)
	return Failure{Failover: true, CoolDown: wait, Err: e}
}

// RetryAfter reads the upstream's advice on when to retry: retry-after-ms,
// retry-after (seconds), then the "Please try again in 6.5s" of the message;
// def when none says.
func RetryAfter(resp *http.Response, body []byte, def time.Duration) time.Duration {
	if v := resp.Header.Get("Retry-After-Ms"); v != "" {
		var ms float64
		if _, err := fmt.Sscanf(v, "%g", &ms); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := resp.Header.Get("Retry-After"); v != "" {
		var s float64
		if _, err := fmt.Sscanf(v, "%g", &s); err == nil && s > 0 {
			return time.Duration(s * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := time.Until(t); d > 0 {
				return d
			}
		}
	}
	if m := tryAgainIn.FindStringSubmatch(gjson.GetBytes(body, "error.message").String()); m != nil {
		if d, err := time.ParseDuration(m[1]); err == nil && d > 0 {
			return d
		}
	}
	return def
}
