// Package upstream sends a client's request to a deployment's provider: it
// builds the provider's URL and headers (the provider key, never the
// client's), keeps pooled connections, enforces the deployment's timeout, and
// classifies every failure into an OpenAI-style error with its cause and fix.
package upstream

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keygate/keygate/internal/route"
	"github.com/keygate/keygate/internal/secret"
)

// ErrTimeout is the cause of a request cancelled because the deployment's
// timeout passed: before the response headers, between stream events, or
// before a non-streamed body finished. It has a Timeout method, as net.Error
// does, so packages that only see the error can tell it apart.
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string { return "upstream timeout" }
func (timeoutError) Timeout() bool { return true }

// Client sends requests to upstream providers.
type Client struct {
	transports transports
	// DefaultTimeout applies to deployments without their own timeout.
	DefaultTimeout time.Duration
	// Resolver, when set before the first request, resolves upstream host
	// names instead of the system's resolver (tests point it at a DNS server
	// of their own).
	Resolver *net.Resolver
}

// NewClient returns a client whose deployments default to timeout.
func NewClient(timeout time.Duration) *Client {
	return &Client{DefaultTimeout: timeout}
}

// CloseIdleConnections closes every pooled connection not in use.
func (c *Client) CloseIdleConnections() { c.transports.closeIdle() }

// forwardHeaders are the client headers worth passing on. Everything else,
// the client's Authorization and cookies above all, stays at the gateway.
var forwardHeaders = []string{"User-Agent", "Accept", "Openai-Beta", "Idempotency-Key"}

// Request is one call to a deployment.
type Request struct {
	Deployment *route.Deployment
	Path       string // the OpenAI path after /v1, e.g. "/chat/completions"
	Method     string
	Body       []byte
	Header     http.Header   // the client's headers
	Stream     bool          // the answer is a stream: the timeout becomes an idle timeout once it starts
	Key        secret.Secret // the provider key for this attempt (Deployment.Key)
}

// Do sends req and returns the upstream's response. The response body must be
// closed. A timeout is reported with ErrTimeout as the context's cause, which
// Classify recognises; a client that goes away cancels the upstream request
// through ctx.
func (c *Client) Do(ctx context.Context, req Request) (*http.Response, error) {
	d := req.Deployment
	tr, err := c.transports.get(d.Proxy, c.Resolver)
	if err != nil {
		return nil, err
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = c.DefaultTimeout
	}
	ctx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(timeout, func() { cancel(ErrTimeout) })

	hr, err := http.NewRequestWithContext(ctx, req.Method, c.url(d, req.Path), bytes.NewReader(req.Body))
	if err != nil {
		timer.Stop()
		cancel(nil)
		return nil, err
	}
	setHeaders(hr.Header, d, req)
	resp, err := tr.RoundTrip(hr)
	if err != nil {
		timer.Stop()
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = errors.Join(err, cause)
		}
		cancel(nil)
		return nil, err
	}
	resp.Body = &timedBody{rc: resp.Body, timer: timer, timeout: timeout, idle: req.Stream, cancel: cancel, ctx: ctx}
	return resp, nil
}

func (c *Client) url(d *route.Deployment, path string) string {
	if d.Protocol == "azure" {
		// Azure OpenAI addresses the deployment in the path and versions the API
		// in the query; the model field in the body is ignored there.
		v := d.APIVersion
		if v == "" {
			v = "2024-10-21"
		}
		return d.APIBase + "/openai/deployments/" + url.PathEscape(d.Model) + path + "?api-version=" + url.QueryEscape(v)
	}
	return d.APIBase + path
}

func setHeaders(h http.Header, d *route.Deployment, req Request) {
	for _, k := range forwardHeaders {
		if v := req.Header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	for k, v := range req.Header {
		// The SDKs' telemetry headers help providers debug; they carry nothing secret.
		if strings.HasPrefix(k, "X-Stainless-") {
			h[k] = v
		}
	}
	if len(req.Body) > 0 {
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(req.Body)))
	}
	if key := req.Key; !key.IsZero() {
		if d.Protocol == "azure" {
			h.Set("Api-Key", key.Reveal())
		} else {
			h.Set("Authorization", "Bearer "+key.Reveal())
		}
	}
	if d.Organization != "" {
		h.Set("OpenAI-Organization", d.Organization)
	}
	if d.Project != "" {
		h.Set("OpenAI-Project", d.Project)
	}
}

// timedBody enforces the timeout while the body is read: for a stream it is
// an idle timeout, restarted by every read that returns data; for a JSON body
// it keeps running from the start of the request.
type timedBody struct {
	rc      io.ReadCloser
	timer   *time.Timer
	timeout time.Duration
	idle    bool
	cancel  context.CancelCauseFunc
	ctx     context.Context
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 && b.idle {
		b.timer.Reset(b.timeout)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		if cause := context.Cause(b.ctx); cause != nil && !errors.Is(err, cause) {
			err = errors.Join(err, cause)
		}
	}
	return n, err
}

func (b *timedBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}
