package upstream

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"
)

func TestClassifyNet(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.OpError{Op: "connect", Err: syscall.ECONNREFUSED}}
	tests := []struct {
		name string
		err  error
		want NetFault
	}{
		{"deadline", &url.Error{Op: "Get", URL: "http://x", Err: context.DeadlineExceeded}, NetTimeout},
		{"gateway timeout", fmt.Errorf("wrapped: %w", ErrTimeout), NetTimeout},
		{"cancelled is no timeout", &url.Error{Op: "Get", URL: "http://x", Err: context.Canceled}, NetUnknown},
		{"proxy refused", &url.Error{Op: "Get", URL: "http://x", Err: &net.OpError{Op: "proxyconnect", Net: "tcp", Err: refused}}, NetProxy},
		{"dns", &url.Error{Op: "Get", URL: "http://x", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Name: "x", Err: "no such host", IsNotFound: true}}}, NetDNS},
		{"refused", &url.Error{Op: "Get", URL: "http://x", Err: refused}, NetRefused},
		{"untrusted", &url.Error{Op: "Get", URL: "https://x", Err: x509.UnknownAuthorityError{}}, NetTLSTrust},
		{"handshake", errors.New("remote error: tls: handshake failure"), NetTLSHandshake},
		{"reset", errors.New("read: connection reset by peer"), NetUnknown},
		{"nil", nil, NetUnknown},
	}
	for _, tt := range tests {
		if got := ClassifyNet(tt.err); got != tt.want {
			t.Errorf("%s: ClassifyNet = %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := RootCause(fmt.Errorf("a: %w", fmt.Errorf("b: %w", syscall.ECONNREFUSED))); got != "connection refused" {
		t.Errorf("RootCause = %q", got)
	}
}
