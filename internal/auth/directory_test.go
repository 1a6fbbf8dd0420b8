package auth

import (
	"net/http/httptest"
	"testing"

	"github.com/keygate/keygate/internal/secret"
)

func TestAuthenticate(t *testing.T) {
	keyed := NewClientKeys([]secret.Secret{secret.New("kg-good-key-1234567890")})
	open := NewClientKeys(nil)
	tests := []struct {
		name   string
		a      *ClientKeys
		remote string
		header map[string]string
		code   string // "" with ok
		ok     bool
	}{
		{"bearer", keyed, "10.0.0.1:5", map[string]string{"Authorization": "Bearer kg-good-key-1234567890"}, "", true},
		{"bearer lower-case scheme", keyed, "10.0.0.1:5", map[string]string{"Authorization": "bearer kg-good-key-1234567890"}, "", true},
		{"api-key header", keyed, "10.0.0.1:5", map[string]string{"Api-Key": "kg-good-key-1234567890"}, "", true},
		{"wrong key", keyed, "127.0.0.1:5", map[string]string{"Authorization": "Bearer kg-bad"}, "invalid_api_key", false},
		{"no key", keyed, "127.0.0.1:5", nil, "", false},
		{"no keys configured, loopback", open, "127.0.0.1:5", nil, "", true},
		{"no keys configured, loopback v6", open, "[::1]:5", nil, "", true},
		{"no keys configured, remote", open, "192.0.2.7:5", nil, "client_keys_not_configured", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/v1/chat/completions", nil)
			r.RemoteAddr = tt.remote
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			e := tt.a.Authenticate(r)
			if tt.ok != (e == nil) {
				t.Fatalf("err = %v", e)
			}
			if e != nil && (e.Status != 401 || e.Code != tt.code) {
				t.Fatalf("err = %+v", e)
			}
		})
	}
}
