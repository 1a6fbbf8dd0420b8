package verify

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/upstream"
)

// apiError is the error object of an OpenAI-style answer.
type apiError struct {
	ok                 bool // the body is JSON with an "error" object
	code, typ, message string
}

func parseError(body []byte) apiError {
	e := gjson.GetBytes(body, "error")
	if !gjson.ValidBytes(body) || !e.IsObject() {
		return apiError{}
	}
	return apiError{ok: true, code: e.Get("code").String(), typ: e.Get("type").String(), message: e.Get("message").String()}
}

// Models lists the provider's models with the given credentials. It fails
// when the base URL does not serve the API (a page, unknown_url, a 404), when
// the provider refuses the credentials, or when the transport fails. With
// NoAuth a 401 is the expected answer and no fault: it shows the API is there.
func (c *Client) Models(ctx context.Context, auth Auth) ([]string, *Fault) {
	a, f := c.do(ctx, http.MethodGet, "/models", nil, auth)
	if f != nil {
		return nil, f
	}
	e := parseError(a.body)
	if a.resp.StatusCode == http.StatusOK {
		data := gjson.GetBytes(a.body, "data")
		if !gjson.ValidBytes(a.body) || !data.IsArray() {
			return nil, c.badBase(a)
		}
		var ids []string
		for _, m := range data.Array() {
			ids = append(ids, m.Get("id").String())
		}
		return ids, nil
	}
	if auth == NoAuth && a.resp.StatusCode == http.StatusUnauthorized && e.ok {
		return nil, nil
	}
	return nil, c.responseFault(a, "")
}

// badBase is the fault of a base URL that answers, but not as the API.
func (c *Client) badBase(a *answer) *Fault {
	base := c.base.String()
	what := fmt.Sprintf("HTTP %d", a.resp.StatusCode)
	switch {
	case upstream.LooksHTML(a.resp, a.body):
		what = fmt.Sprintf("a web page (HTTP %d)", a.resp.StatusCode)
	case parseError(a.body).code == "unknown_url":
		what = "unknown_url (HTTP 404)"
	case a.resp.StatusCode/100 == 3:
		what = fmt.Sprintf("a redirect to %s (HTTP %d)", a.resp.Header.Get("Location"), a.resp.StatusCode)
	}
	fix := "Check the base URL against the provider's documentation."
	if !strings.HasSuffix(c.base.Path, "/v1") {
		fix = "Does it end in /v1? OpenAI-compatible servers usually need it: try " + base + "/v1."
	}
	return fault(credential.CauseBadBaseURL, fix, "%s does not serve the OpenAI API: GET %s/models answered %s.", base, base, what)
}

// responseFault classifies an answer that is not what the request wanted.
// model is the model a probe asked for, "" for the model list.
func (c *Client) responseFault(a *answer, model string) *Fault {
	status, e := a.resp.StatusCode, parseError(a.body)
	if !e.ok && status < 500 {
		return c.badBase(a)
	}
	switch {
	case status == http.StatusUnauthorized:
		return authFault(e, c.target)
	case status == http.StatusForbidden:
		if e.code == "unsupported_country_region_territory" {
			return fault(credential.CauseForbidden, "Route this credential through a proxy in a supported region (its proxy setting).",
				"The provider does not serve the country or region this machine's traffic comes from (HTTP 403, %s).", e.code)
		}
		return fault(credential.CauseForbidden, "Grant the key access to it in the provider's dashboard (project or key permissions), or use another key.",
			"The provider refused the key access (HTTP 403%s).", codeSuffix(e.code))
	case status == http.StatusNotFound && e.code == "unknown_url":
		return c.badBase(a)
	case status == http.StatusNotFound && model != "":
		if e.code == "model_not_found" || strings.Contains(e.message, "does not exist") {
			return fault(credential.CauseModelNotAccessible, "Check the model's name, and that the provider account (or its project) has access to it.",
				"The model %q does not exist or this key has no access to it.", model)
		}
		return fault(credential.CauseModelNotAccessible, "Check that the model is served on this endpoint, and its name.",
			"The provider does not serve %q here (HTTP 404): %s", model, c.clip(e.message))
	case status == http.StatusNotFound:
		return c.badBase(a)
	case status == http.StatusTooManyRequests:
		switch {
		case e.code == "insufficient_quota" || e.typ == "insufficient_quota" || e.code == "credit_balance_exhausted":
			return fault(credential.CauseNoQuota, "Add credit or raise the spending limit in the provider's billing settings; retrying will not help until then.",
				"The provider account has run out of quota or credit (429 %s).", firstNonEmpty(e.code, e.typ))
		case e.code == "billing_not_active" || e.typ == "billing_not_active" || e.typ == "access_terminated":
			return fault(credential.CauseNoBilling, "Add a payment method in the provider's billing settings.",
				"The provider account has no active billing (429 %s).", firstNonEmpty(e.code, e.typ))
		}
		wait := upstream.RetryAfter(a.resp, a.body, time.Second)
		dim := "requests"
		if e.typ == openai.TypeTokens {
			dim = "tokens"
		}
		if model != "" {
			dim += " for " + model
		}
		return fault(credential.CauseThrottled, fmt.Sprintf("Wait %s and verify again; the key itself is fine.", openai.FormatReset(wait)),
			"The provider is rate-limiting this key on %s right now (429 rate_limit_exceeded).", dim)
	case status >= 500:
		return fault(credential.CauseUpstreamError, "This is on the provider's side; retry in a minute.",
			"The provider answered HTTP %d%s.", status, codeSuffix(e.code))
	}
	return fault(credential.CauseUpstreamError, "Check the provider's status and documentation.",
		"The provider answered HTTP %d%s: %s", status, codeSuffix(e.code), c.clip(e.message))
}

// authFault classifies a 401. The provider's message is not repeated: it
// echoes part of the key.
func authFault(e apiError, t Target) *Fault {
	switch e.code {
	case "account_deactivated":
		return fault(credential.CauseAccountDeactivated, "The account owner must check their email from the provider, or use a key of another account.",
			"The provider account behind this key has been deactivated.")
	case "mismatched_organization":
		return fault(credential.CauseOrganization, "Set the organization to the key's own (org-…), or leave it empty to use the key's default.",
			"The organization %q (OpenAI-Organization) is not the key's organization.", t.Organization)
	case "invalid_organization":
		return fault(credential.CauseOrganization, "Copy the organization ID (org-…) from the provider's settings, or leave it empty.",
			"No organization %q exists.", t.Organization)
	case "no_organization":
		return fault(credential.CauseOrganization, "Join or create an organization on the provider's platform.",
			"The key's user belongs to no organization.")
	case "mismatched_project", "invalid_project":
		return fault(credential.CauseOrganization, "Set the project to the key's own (proj_…), or leave it empty.",
			"The project %q (OpenAI-Project) is not the key's project.", t.Project)
	}
	if t.Key.IsZero() {
		return fault(credential.CauseInvalidKey, "Give the provider's API key.", "The provider requires an API key, and none was given.")
	}
	return fault(credential.CauseInvalidKey, "Create a new key in the provider's dashboard and replace this one.",
		"The provider rejected the key %s: it is revoked, deleted or mistyped.", t.Key)
}

func codeSuffix(code string) string {
	if code == "" {
		return ""
	}
	return ", " + code
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// clip shortens a provider message to one readable line, with the key (should
// a provider echo it) replaced by its redacted form.
func (c *Client) clip(s string) string {
	if k := c.target.Key.Reveal(); len(k) >= 8 {
		s = strings.ReplaceAll(s, k, c.target.Key.String())
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
