package doctor

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	xproxy "golang.org/x/net/proxy"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/upstream"
	"github.com/keygate/keygate/internal/verify"
)

func (s *state) dialer() *net.Dialer {
	return &net.Dialer{Timeout: s.timeout, Resolver: s.c.Resolver}
}

// checkDNS resolves the first hop's host: the proxy's when there is one, as
// the server's name is then the proxy's to resolve.
func checkDNS(ctx context.Context, s *state) outcome {
	host, whose := s.base.Hostname(), "the base URL's host"
	if s.proxy != nil {
		host, whose = s.proxy.Hostname(), "the proxy's host"
	}
	if net.ParseIP(host) != nil {
		return pass(host + " is an IP address: nothing to resolve")
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	r := s.c.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupHost(ctx, host)
	if err != nil {
		var dnsErr *net.DNSError
		reason := upstream.RootCause(err)
		if errors.As(err, &dnsErr) {
			reason = upstream.DNSReason(dnsErr)
		}
		fix := "Check the base URL's host for a typo, and that this machine's DNS works."
		if s.proxy != nil {
			fix = "Check the proxy URL's host for a typo, and that this machine's DNS works."
		}
		return fail(&verify.Fault{Cause: credential.CauseDNS, Detail: fmt.Sprintf("%s %q did not resolve (%s).", capitalize(whose), host, reason), Fix: fix})
	}
	if len(addrs) > 3 {
		addrs = append(addrs[:3], "…")
	}
	return pass(host + " → " + strings.Join(addrs, ", "))
}

// checkTCP connects to the first hop.
func checkTCP(ctx context.Context, s *state) outcome {
	conn, err := s.dialer().DialContext(ctx, "tcp", s.dialAddr)
	if err != nil {
		if s.proxy != nil {
			return fail(&verify.Fault{Cause: credential.CauseProxy, Detail: fmt.Sprintf("The proxy %s cannot be reached: %s.", upstream.ProxyName(s.proxy.String()), upstream.RootCause(err)),
				Fix: "Check that the proxy is running and that its URL (scheme, host, port) is right."})
		}
		switch upstream.ClassifyNet(err) {
		case upstream.NetTimeout:
			return fail(&verify.Fault{Cause: credential.CauseTimeout, Detail: fmt.Sprintf("Connecting to %s got no answer within %s.", s.dialAddr, s.timeout),
				Fix: "A firewall may drop the traffic, or the host may be down; check the network path, or set a proxy if this network needs one."})
		case upstream.NetRefused:
			return fail(&verify.Fault{Cause: credential.CauseRefused, Detail: fmt.Sprintf("%s refused the connection: nothing listens on that port.", s.dialAddr),
				Fix: "Check the host and port in the base URL, and that the server is running."})
		}
		return fail(&verify.Fault{Cause: credential.CauseRefused, Detail: fmt.Sprintf("Connecting to %s failed: %s.", s.dialAddr, upstream.RootCause(err)),
			Fix: "Check the host and port in the base URL, and this machine's network (routes, firewall)."})
	}
	defer conn.Close()
	return pass(fmt.Sprintf("connected to %s", conn.RemoteAddr()))
}

// checkProxy sends traffic through the proxy to the server: a CONNECT (or a
// SOCKS5 connect) for https, which the TLS step then uses, and a plain
// request for http, which an HTTP proxy forwards without a tunnel.
func checkProxy(ctx context.Context, s *state) outcome {
	if s.proxy == nil {
		return notApplicable("no proxy: direct connection")
	}
	name, target := upstream.ProxyName(s.proxy.String()), hostPort(s.base)
	proxyFault := func(detail, fix string) outcome {
		return fail(&verify.Fault{Cause: credential.CauseProxy, Detail: detail, Fix: fix})
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	switch {
	case strings.HasPrefix(s.proxy.Scheme, "socks5"):
		d, err := xproxy.FromURL(s.proxy, s.dialer())
		if err != nil {
			return proxyFault(fmt.Sprintf("The SOCKS proxy %s cannot be used: %s.", name, upstream.RootCause(err)), "Check the proxy URL.")
		}
		conn, err := d.(xproxy.ContextDialer).DialContext(ctx, "tcp", target)
		if err != nil {
			return proxyFault(fmt.Sprintf("The SOCKS proxy %s could not connect to %s: %s.", name, target, upstream.RootCause(err)),
				"Check that the proxy allows connections to that host and port, and its credentials if it needs them.")
		}
		s.keepTunnel(conn)
		return pass("the SOCKS proxy " + name + " connected to " + target)
	case s.base.Scheme == "https":
		conn, err := s.connectTunnel(ctx, target)
		if err != nil {
			return proxyFault(fmt.Sprintf("The proxy %s did not open a tunnel to %s: %s.", name, target, err), proxyFix(err))
		}
		s.keepTunnel(conn)
		return pass("the proxy " + name + " opened a tunnel (CONNECT) to " + target)
	}
	tr := &http.Transport{Proxy: http.ProxyURL(s.proxy), DialContext: s.dialer().DialContext}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base.String()+"/models", nil)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return proxyFault(fmt.Sprintf("The proxy %s failed to forward a request to %s: %s.", name, target, upstream.RootCause(err)), "Check that the proxy is running and allows that host.")
	}
	defer resp.Body.Close()
	body := make([]byte, 4096)
	n, _ := resp.Body.Read(body)
	if resp.StatusCode == http.StatusProxyAuthRequired {
		return proxyFault(fmt.Sprintf("The proxy %s wants credentials (HTTP 407).", name), "Put them in the proxy URL: http://user:password@host:port.")
	}
	// A gateway error without the API's JSON is the proxy's own: it could
	// not reach the server.
	if resp.StatusCode >= 502 && resp.StatusCode <= 504 && !gjson.GetBytes(body[:n], "error").Exists() {
		return proxyFault(fmt.Sprintf("The proxy %s could not reach %s (HTTP %d from the proxy).", name, target, resp.StatusCode),
			"Check that the proxy can reach the provider (its own DNS, firewall and allow-list).")
	}
	return pass(fmt.Sprintf("the proxy %s forwarded GET /models (HTTP %d)", name, resp.StatusCode))
}

// errProxyStatus is a proxy's refusal of CONNECT.
type errProxyStatus struct{ status string }

func (e errProxyStatus) Error() string { return "it answered " + e.status }

func proxyFix(err error) string {
	var st errProxyStatus
	if errors.As(err, &st) && strings.HasPrefix(st.status, "407") {
		return "The proxy wants credentials: put them in the proxy URL, http://user:password@host:port."
	}
	return "Check that the proxy is running and allows CONNECT to that host and port."
}

// connectTunnel asks an HTTP(S) proxy for a CONNECT tunnel to target.
func (s *state) connectTunnel(ctx context.Context, target string) (net.Conn, error) {
	conn, err := s.dialer().DialContext(ctx, "tcp", hostPort(s.proxy))
	if err != nil {
		return nil, fmt.Errorf("connecting to the proxy: %w", err)
	}
	if s.proxy.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: s.proxy.Hostname()})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS with the proxy: %w", err)
		}
		conn = tc
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
	if u := s.proxy.User; u != nil {
		pw, _ := u.Password()
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)) + "\r\n"
	}
	if _, err := conn.Write([]byte(req + "\r\n")); err != nil {
		conn.Close()
		return nil, fmt.Errorf("sending CONNECT: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: http.MethodConnect})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("reading the answer to CONNECT: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, errProxyStatus{resp.Status}
	}
	_ = conn.SetDeadline(time.Time{})
	return conn, nil
}

func (s *state) keepTunnel(conn net.Conn) {
	if s.base.Scheme == "https" {
		s.tunnel = conn
		return
	}
	conn.Close()
}

// checkTLS completes a handshake with the server, through the proxy's
// tunnel when there is one, trusting the system's roots as the gateway does.
func checkTLS(ctx context.Context, s *state) outcome {
	if s.base.Scheme != "https" {
		return notApplicable("plain http: no TLS")
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	conn := s.tunnel
	s.tunnel = nil
	if conn == nil {
		var err error
		if conn, err = s.dialer().DialContext(ctx, "tcp", hostPort(s.base)); err != nil {
			return fail(&verify.Fault{Cause: credential.CauseRefused, Detail: fmt.Sprintf("Connecting to %s failed: %s.", hostPort(s.base), upstream.RootCause(err)),
				Fix: "Check the host and port in the base URL."})
		}
	}
	tc := tls.Client(conn, &tls.Config{ServerName: s.base.Hostname()})
	defer tc.Close()
	if err := tc.HandshakeContext(ctx); err != nil {
		host := s.base.Host
		switch upstream.ClassifyNet(err) {
		case upstream.NetTLSTrust:
			return fail(&verify.Fault{Cause: credential.CauseTLS, Detail: fmt.Sprintf("The TLS certificate of %s is not trusted: %s.", host, upstream.RootCause(err)),
				Fix: "If the server uses a private CA, add it to the system's trust store (or SSL_CERT_FILE); if it speaks plain HTTP, use an http:// base URL."})
		case upstream.NetTimeout:
			return fail(&verify.Fault{Cause: credential.CauseTimeout, Detail: fmt.Sprintf("The TLS handshake with %s got no answer within %s.", host, s.timeout),
				Fix: "The server may not speak TLS on that port, or the network drops the traffic; check the scheme and port of the base URL."})
		}
		return fail(&verify.Fault{Cause: credential.CauseTLS, Detail: fmt.Sprintf("The TLS handshake with %s failed: %s.", host, upstream.RootCause(err)),
			Fix: "The base URL may say https:// for a server that speaks plain HTTP, or the reverse."})
	}
	cs := tc.ConnectionState()
	detail := tls.VersionName(cs.Version)
	if len(cs.PeerCertificates) > 0 {
		c := cs.PeerCertificates[0]
		detail += fmt.Sprintf(", certificate for %s issued by %s, valid until %s", s.base.Hostname(), c.Issuer.CommonName, c.NotAfter.Format("2006-01-02"))
	}
	return pass(detail)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
