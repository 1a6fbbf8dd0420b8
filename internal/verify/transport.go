package verify

import (
	"context"
	"errors"
	"net"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/upstream"
)

// transportFault names the failure to get any answer, with upstream's
// classification so that verification, doctor and the gateway agree.
func (c *Client) transportFault(ctx context.Context, err error) *Fault {
	host := c.base.Host
	if errors.Is(ctx.Err(), context.Canceled) {
		return &Fault{Detail: "The check was cancelled before " + host + " answered."}
	}
	switch upstream.ClassifyNet(err) {
	case upstream.NetTimeout:
		return fault(credential.CauseTimeout, "The provider may be slow or overloaded, or a firewall may drop the traffic; retry, and check the network path (and proxy) to it.",
			"%s did not answer within %s.", host, c.timeout)
	case upstream.NetProxy:
		return fault(credential.CauseProxy, "Check that the proxy is running and that its URL (scheme, host, port) is right.",
			"%s could not be reached through the proxy %s: %s.", host, upstream.ProxyName(c.target.Proxy), upstream.RootCause(err))
	case upstream.NetDNS:
		var dnsErr *net.DNSError
		errors.As(err, &dnsErr)
		return fault(credential.CauseDNS, "Check the base URL's host for a typo, and that this machine's DNS works.",
			"The host %q did not resolve (%s).", dnsErr.Name, upstream.DNSReason(dnsErr))
	case upstream.NetRefused:
		return fault(credential.CauseRefused, "Check the host and port in the base URL, and that the server is running.",
			"%s refused the connection: nothing listens on that port.", host)
	case upstream.NetTLSTrust:
		return fault(credential.CauseTLS, "If the server uses a private CA, add it to the system's trust store (or SSL_CERT_FILE); if it speaks plain HTTP, use an http:// base URL.",
			"The TLS certificate of %s is not trusted: %s.", host, upstream.RootCause(err))
	case upstream.NetTLSHandshake:
		return fault(credential.CauseTLS, "The base URL may say https:// for a server that speaks plain HTTP, or the reverse.",
			"The TLS handshake with %s failed: %s.", host, upstream.RootCause(err))
	}
	return fault(credential.CauseUpstreamError, "Retry; if it persists, check the network between keygate and the provider.",
		"%s gave no answer: %s.", host, upstream.RootCause(err))
}
