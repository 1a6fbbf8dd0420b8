package doctor

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/verify"
)

func checkConfig(_ context.Context, s *state) outcome {
	if s.c.ConfigErr != nil {
		return fail(&verify.Fault{Detail: fmt.Sprintf("The config has an error: %v.", strings.TrimSuffix(s.c.ConfigErr.Error(), ".")),
			Fix: "Fix it where the message points; `keygate config check FILE` lists every error with its line."})
	}
	return pass("the config loads")
}

func checkKeyFormat(_ context.Context, s *state) outcome {
	if f := verify.FormatFault(s.c.Target.Vendor, s.c.Target.Key.Reveal()); f != nil {
		return fail(f)
	}
	if s.c.Target.Key.IsZero() {
		return pass("no key (the vendor runs without one)")
	}
	return pass("the key " + secret.Redact(s.c.Target.Key.Reveal()) + " looks well-formed")
}

// checkBaseURL requires an absolute http(s) URL. A path not ending in /v1
// passes with a warning: several providers document other paths (Gemini's
// …/openai, Perplexity's bare host, Zhipu's /v4), and the API step below
// tells for sure, with the /v1 hint if the server answers unknown_url.
func checkBaseURL(_ context.Context, s *state) outcome {
	base, f := verify.BaseURL(s.c.Target)
	if f != nil {
		return fail(f)
	}
	s.base = base
	if f := s.resolveProxy(); f != nil {
		return fail(f)
	}
	s.dialAddr = hostPort(base)
	if s.proxy != nil {
		s.dialAddr = hostPort(s.proxy)
	}
	detail := base.String()
	v, _ := config.LookupVendor(s.c.Target.Vendor)
	if !strings.HasSuffix(base.Path, "/v1") && v.Protocol != "azure" && base.String() != v.APIBase {
		detail += " (warning: it does not end in /v1, which most OpenAI-compatible servers need; the API step checks it)"
	}
	return pass(detail)
}

// resolveProxy finds the proxy in use: the target's own, else the
// environment's HTTPS_PROXY/HTTP_PROXY/NO_PROXY for the base URL, as the
// gateway's transport does.
func (s *state) resolveProxy() *verify.Fault {
	raw := s.c.Target.Proxy
	if raw == "" {
		u, err := http.ProxyFromEnvironment(&http.Request{URL: s.base})
		if err != nil {
			return &verify.Fault{Cause: credential.CauseProxy, Detail: fmt.Sprintf("The proxy in the environment (HTTPS_PROXY/HTTP_PROXY) is not a valid URL: %v.", err),
				Fix: "Fix or unset the variable, or give the credential its own proxy."}
		}
		s.proxy = u
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || !proxySchemes[u.Scheme] {
		return &verify.Fault{Cause: credential.CauseProxy, Detail: "The proxy URL is not valid: it needs an http, https or socks5 scheme and a host.",
			Fix: "Give the proxy as scheme://host:port, e.g. http://127.0.0.1:3128 or socks5://127.0.0.1:1080."}
	}
	s.proxy = u
	return nil
}

var proxySchemes = map[string]bool{"http": true, "https": true, "socks5": true, "socks5h": true}

// hostPort returns u's host and port, the port defaulted from the scheme.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[u.Scheme]
	return net.JoinHostPort(u.Hostname(), port)
}
