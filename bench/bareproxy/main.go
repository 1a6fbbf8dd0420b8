// Command bareproxy is the baseline keygate is measured against: a bare
// httputil.ReverseProxy to one upstream that does nothing else but what any
// proxy must do, namely send the upstream a valid API key. Its default
// FlushInterval passes streams through unbuffered, and its transport keeps
// enough idle connections for the benchmark's concurrency.
//
//	bareproxy -listen 127.0.0.1:8081 -upstream http://127.0.0.1:8080 -key sk-mock-unlimited
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bareproxy:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("bareproxy", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8081", "address to listen on")
	upstream := fs.String("upstream", "", "upstream base URL, e.g. http://127.0.0.1:8080 (request paths are appended)")
	key := fs.String("key", "sk-mock-unlimited", "API key sent to the upstream")
	idle := fs.Int("max-idle", 1024, "idle keep-alive connections kept to the upstream")
	if err := fs.Parse(args); err != nil {
		return err
	}
	target, err := url.Parse(*upstream)
	if err != nil || target.Host == "" {
		return fmt.Errorf("bad -upstream %q: want http://host:port", *upstream)
	}

	auth := "Bearer " + *key
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Header.Set("Authorization", auth)
		},
		// The default: ReverseProxy flushes text/event-stream (and unknown-length)
		// responses at once and buffers the rest, its leanest correct setting.
		// -1 would flush after every write of a JSON body too, costing the
		// baseline syscalls that keygate does not pay.
		FlushInterval: 0,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        *idle,
			MaxIdleConnsPerHost: *idle,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true, // pass bodies through as they are
		},
	}
	srv := &http.Server{Addr: *listen, Handler: proxy, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return fmt.Errorf("listen: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
