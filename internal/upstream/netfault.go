package upstream

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// NetFault is the kind of failure behind an error from dialing a provider or
// sending it a request: what went wrong before any response arrived. Key
// verification and doctor share it with the gateway, so the three name a
// failure the same way.
type NetFault uint8

// The transport failures told apart, in the order ClassifyNet tests them.
const (
	NetUnknown      NetFault = iota // none of the below: a reset, an EOF, …
	NetTimeout                      // a deadline passed (dial, TLS, headers, ErrTimeout)
	NetProxy                        // dialing or talking to the proxy failed
	NetDNS                          // the host name did not resolve
	NetRefused                      // nothing listens at the host and port
	NetTLSTrust                     // the server's certificate is not trusted
	NetTLSHandshake                 // the handshake failed otherwise, e.g. https to a plain-http port
)

// ClassifyNet names the transport failure behind err. A proxy failure wins
// over the DNS or refused error it wraps, as the fix is the proxy's.
func ClassifyNet(err error) NetFault {
	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		certErr *tls.CertificateVerificationError
		uaErr   x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
	)
	// net/http wraps every failure to dial a proxy, whatever its scheme, in
	// an OpError "proxyconnect"; the SOCKS dialer uses "socks …" ops.
	proxyStep := errors.As(err, &opErr) && (opErr.Op == "proxyconnect" || strings.HasPrefix(opErr.Op, "socks"))
	switch {
	case err == nil:
		return NetUnknown
	case errors.Is(err, ErrTimeout) || isTimeout(err):
		return NetTimeout
	case proxyStep || strings.Contains(err.Error(), "proxyconnect"):
		return NetProxy
	case errors.As(err, &dnsErr):
		return NetDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return NetRefused
	case errors.As(err, &certErr) || errors.As(err, &uaErr) || errors.As(err, &hostErr) || errors.As(err, &invErr):
		return NetTLSTrust
	case errors.As(err, &recErr) || errors.As(err, &alert) || strings.Contains(err.Error(), "tls:"):
		return NetTLSHandshake
	}
	return NetUnknown
}

// RootCause returns the innermost error's text, which names the failure
// without the URL (and so without anything a URL might carry).
func RootCause(err error) string {
	for {
		var next error
		switch e := err.(type) {
		case interface{ Unwrap() error }:
			next = e.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := e.Unwrap(); len(errs) > 0 {
				next = errs[0]
			}
		}
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// LooksHTML reports whether a response is a web page rather than an API's
// JSON: its content type says so, or its body starts like a page. A base URL
// pointing at a website or a dashboard gives one.
func LooksHTML(resp *http.Response, body []byte) bool {
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		return true
	}
	b := strings.ToLower(strings.TrimSpace(string(body[:min(len(body), 64)])))
	return strings.HasPrefix(b, "<!doctype") || strings.HasPrefix(b, "<html")
}
