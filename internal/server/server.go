// Package server is keygate's HTTP front: it gives every request an id,
// recovers from panics with an OpenAI-style 500, answers CORS preflights, and
// mounts the OpenAI API, health checks and metrics.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/keygate/keygate/internal/auth"
	"github.com/keygate/keygate/internal/metrics"
	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/requestid"
	"github.com/keygate/keygate/internal/secret"
)

// Server serves keygate over HTTP.
type Server struct {
	http *http.Server
	log  *slog.Logger
}

// New returns a server whose /v1 (and bare OpenAI paths) go to api. /metrics
// requires adminToken as a bearer token when one is set, and is served to
// loopback clients only when none is.
// admin, when not nil, serves /api.
func New(api, admin http.Handler, m *metrics.Metrics, adminToken secret.Secret, log *slog.Logger) *Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
	})
	mux.Handle("GET /metrics", adminOnly(adminToken, promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})))
	if admin != nil {
		mux.Handle("/api/", admin)
	}
	mux.Handle("/", api)
	s := &Server{log: log}
	s.http = &http.Server{
		Handler:           s.middleware(mux),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		// No WriteTimeout: streams legitimately run for minutes.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// Handler returns the server's whole handler, middleware included.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	err := s.http.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests and waits for those in flight, streams
// included, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := requestid.New()
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(requestid.With(r.Context(), id))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				// The panic value may hold request data; log its type and the
				// request id, never a body or a header.
				s.log.Error("panic serving request", "request_id", id, "path", r.URL.Path, "panic_type", fmt.Sprintf("%T", v))
				openai.WriteError(w, openai.New(500, openai.TypeServer, "internal_error",
					"keygate hit an internal error serving this request (request id "+id+"). Retry; if it repeats, report the request id to the keygate admin."))
			}
		}()
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			preflight(w, r)
			return
		}
		if r.Header.Get("Origin") != "" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, Retry-After-Ms, X-Ratelimit-Limit-Requests, X-Ratelimit-Limit-Tokens, X-Ratelimit-Remaining-Requests, X-Ratelimit-Remaining-Tokens, X-Ratelimit-Reset-Requests, X-Ratelimit-Reset-Tokens")
		}
		next.ServeHTTP(w, r)
	})
}

// preflight lets browser apps call the API with a bearer key, as the OpenAI
// API itself does; the key, not the origin, is what authorises a request.
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// adminOnly serves next to requests carrying the admin token (or, with none
// configured, to loopback clients).
func adminOnly(token secret.Secret, next http.Handler) http.Handler {
	check := auth.NewAdminToken(token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := check.Check(r, true); e != nil {
			openai.WriteError(w, e)
			return
		}
		next.ServeHTTP(w, r)
	})
}
