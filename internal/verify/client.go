package verify

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/upstream"
)

// Target is the provider account a key belongs to, and how to reach it.
type Target struct {
	Vendor       string // vendor table name ("openai", "groq", …)
	APIBase      string // "" = the vendor's default
	Organization string // sent as OpenAI-Organization when set
	Project      string // sent as OpenAI-Project when set
	Proxy        string // proxy URL; "" = HTTPS_PROXY/NO_PROXY from the environment
	Key          secret.Secret
}

// Options tune a verification.
type Options struct {
	// Models are the models that matter: those the credential serves.
	Models []string
	// Requirements are minimum limits per model (config `requirements`).
	// Their models are probed too.
	Requirements map[string]credential.Requirement
	// Timeout bounds each HTTP call; 15s when zero.
	Timeout time.Duration
	// Resolver resolves host names instead of the system's resolver (tests
	// point it at a DNS server of their own).
	Resolver *net.Resolver
	// Transport, when set, sends every request instead of a transport built
	// from Target.Proxy and Resolver.
	Transport http.RoundTripper
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// DefaultTimeout bounds each HTTP call of a verification.
const DefaultTimeout = 15 * time.Second

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Auth says which credentials a request carries.
type Auth uint8

// What a request sends: nothing, the key, or the key with the organization
// and project headers. Doctor tells "serves the API", "authenticates" and
// "organization" apart by sending each in turn.
const (
	NoAuth Auth = iota
	KeyOnly
	KeyAndScope
)

// Client makes verification's HTTP calls to one target: the model list, the
// no-cost probe, and doctor's tiny completion. It is safe for concurrent use.
type Client struct {
	target  Target
	base    *url.URL
	http    *http.Client
	timeout time.Duration
	owned   *http.Transport // built here, closed by Close
}

// NewClient checks the target's base URL and proxy and returns a client for
// it, or the fault that makes it unreachable by construction.
func NewClient(t Target, o Options) (*Client, *Fault) {
	o = o.withDefaults()
	base, f := BaseURL(t)
	if f != nil {
		return nil, f
	}
	c := &Client{target: t, base: base, timeout: o.Timeout}
	rt := o.Transport
	if rt == nil {
		if f := checkProxyURL(t.Proxy); f != nil {
			return nil, f
		}
		tr, err := upstream.NewTransport(t.Proxy, o.Resolver)
		if err != nil {
			return nil, fault(credential.CauseProxy, "Give the proxy as scheme://host:port, e.g. http://127.0.0.1:3128 or socks5://127.0.0.1:1080.", "The proxy URL is not valid.")
		}
		c.owned, rt = tr, tr
	}
	// Redirects are not followed: a base URL that redirects (http → https, a
	// login page) is a base URL to fix, and the key must not follow it.
	c.http = &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c, nil
}

// Close releases the client's idle connections.
func (c *Client) Close() {
	if c.owned != nil {
		c.owned.CloseIdleConnections()
	}
}

// Base returns the base URL the client calls, without a trailing slash.
func (c *Client) Base() *url.URL { u := *c.base; return &u }

// BaseURL returns the target's base URL (its own, else the vendor's
// default), checked to be an absolute http(s) URL.
func BaseURL(t Target) (*url.URL, *Fault) {
	raw := strings.TrimSpace(t.APIBase)
	if raw == "" {
		if v, ok := config.LookupVendor(t.Vendor); ok {
			raw = v.APIBase
		}
	}
	if raw == "" {
		return nil, fault(credential.CauseBadBaseURL, "Set the base URL (api_base) of the server, e.g. http://127.0.0.1:8000/v1.", "No base URL is set, and the vendor %q has no default one.", t.Vendor)
	}
	if !strings.Contains(raw, "://") {
		return nil, fault(credential.CauseBadBaseURL, "Write it with its scheme: https://"+raw+" (or http:// for a local server).",
			"The base URL %q lacks http:// or https://.", raw)
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	switch {
	case err != nil:
		return nil, fault(credential.CauseBadBaseURL, "Write it as https://host[:port]/path, e.g. https://api.openai.com/v1.", "The base URL %q is not a valid URL.", raw)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, fault(credential.CauseBadBaseURL, "Write it as https://host[:port]/path, e.g. https://api.openai.com/v1.", "The base URL %q is not an http:// or https:// URL with a host.", raw)
	case u.User != nil:
		return nil, fault(credential.CauseBadBaseURL, "Remove the user:password part; the key goes in the key field.", "The base URL carries credentials.")
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

func checkProxyURL(p string) *Fault {
	if p == "" {
		return nil
	}
	u, err := url.Parse(p)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5" && u.Scheme != "socks5h") {
		return fault(credential.CauseProxy, "Give the proxy as scheme://host:port, e.g. http://127.0.0.1:3128 or socks5://127.0.0.1:1080.", "The proxy URL is not valid: it needs an http, https or socks5 scheme and a host.")
	}
	return nil
}

// answer is a provider's response, its body read (up to maxBody).
type answer struct {
	resp *http.Response
	body []byte
}

// maxBody bounds what is read of an answer; error bodies and the model list
// are far smaller, and a huge page is a wrong base URL anyway.
const maxBody = 1 << 20

// do sends one request with the client's timeout and reads the answer.
func (c *Client) do(ctx context.Context, method, path string, body []byte, auth Auth) (*answer, *Fault) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return nil, fault(credential.CauseBadBaseURL, "Check the base URL.", "The request to the base URL cannot be built: %v.", upstream.RootCause(err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "keygate-verify")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth >= KeyOnly && !c.target.Key.IsZero() {
		req.Header.Set("Authorization", "Bearer "+c.target.Key.Reveal())
	}
	if auth >= KeyAndScope {
		if c.target.Organization != "" {
			req.Header.Set("OpenAI-Organization", c.target.Organization)
		}
		if c.target.Project != "" {
			req.Header.Set("OpenAI-Project", c.target.Project)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportFault(ctx, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, c.transportFault(ctx, err)
	}
	return &answer{resp: resp, body: b}, nil
}
