package upstream

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// transports keeps one pooled http.Transport per proxy setting. A Transport
// pools connections per host already, so sharing one across deployments that
// use the same proxy keeps connections warm without one pool per entry.
type transports struct {
	mu sync.Mutex
	m  map[string]*http.Transport
}

func (t *transports) get(proxy string, resolver *net.Resolver) (*http.Transport, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tr, ok := t.m[proxy]; ok {
		return tr, nil
	}
	tr, err := NewTransport(proxy, resolver)
	if err != nil {
		return nil, err
	}
	if t.m == nil {
		t.m = map[string]*http.Transport{}
	}
	t.m[proxy] = tr
	return tr, nil
}

func (t *transports) closeIdle() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tr := range t.m {
		tr.CloseIdleConnections()
	}
}

// NewTransport returns a transport tuned for a gateway: many idle connections
// per host (the default of 2 would open a new connection for most requests
// under load), HTTP/2 where the upstream offers it, and the environment's
// HTTPS_PROXY/NO_PROXY unless the deployment names its own proxy.
func NewTransport(proxy string, resolver *net.Resolver) (*http.Transport, error) {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Resolver: resolver}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	if proxy != "" {
		u, err := url.Parse(proxy)
		if err != nil {
			return nil, fmt.Errorf("proxy %q: %w", proxy, err)
		}
		tr.Proxy = http.ProxyURL(u)
	}
	return tr, nil
}
