package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/keygate/keygate/internal/metrics"
	"github.com/keygate/keygate/internal/secret"
)

func TestMetricsNeedAdmin(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name   string
		token  string
		remote string
		auth   string
		want   int
	}{
		{"token, right", "adm-secret-token-1234", "192.0.2.1:1", "Bearer adm-secret-token-1234", 200},
		{"token, wrong", "adm-secret-token-1234", "127.0.0.1:1", "Bearer nope", 401},
		{"token, none sent", "adm-secret-token-1234", "127.0.0.1:1", "", 401},
		{"no token, loopback", "", "127.0.0.1:1", "", 200},
		{"no token, remote", "", "192.0.2.1:1", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(http.NotFoundHandler(), nil, metrics.New(nil), secret.New(tt.token), log)
			r := httptest.NewRequest("GET", "/metrics", nil)
			r.RemoteAddr = tt.remote
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
			if w.Code == 200 && !strings.Contains(w.Body.String(), "keygate_requests_in_flight") {
				t.Fatal("no keygate metrics")
			}
		})
	}
}

func TestPanicBecomesOpenAIError(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := New(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom with sk-secret") }), nil, metrics.New(nil), secret.Secret{}, log)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("POST", "/v1/chat/completions", nil))
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"code":"internal_error"`) || strings.Contains(w.Body.String(), "sk-secret") {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
}
