// Package auth decides whether a request to /v1 may use the gateway. Until
// projects and virtual keys exist, it checks the bearer token against the
// config's client_keys; with none configured it admits loopback clients only.
package auth

import (
	"crypto/sha256"
	"net"
	"net/http"
	"strings"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/secret"
)

// ClientKeys authenticates requests against a fixed set of bearer tokens.
type ClientKeys struct {
	// Keys are compared by SHA-256, so the lookup time does not depend on how
	// much of a guess matches and the tokens are not held in clear here.
	hashes map[[32]byte]struct{}
}

// NewClientKeys returns an authenticator for keys; with no keys it admits
// loopback clients only.
func NewClientKeys(keys []secret.Secret) *ClientKeys {
	a := &ClientKeys{hashes: make(map[[32]byte]struct{}, len(keys))}
	for _, k := range keys {
		a.hashes[sha256.Sum256([]byte(k.Reveal()))] = struct{}{}
	}
	return a
}

// LoopbackOnly reports whether no keys are configured.
func (a *ClientKeys) LoopbackOnly() bool { return len(a.hashes) == 0 }

// Authenticate returns nil when r may proceed, or the 401 to send.
func (a *ClientKeys) Authenticate(r *http.Request) *openai.Error {
	token := BearerToken(r)
	if len(a.hashes) == 0 {
		if isLoopback(r.RemoteAddr) {
			return nil
		}
		return openai.New(401, openai.TypeInvalidRequest, "client_keys_not_configured",
			"This keygate accepts requests only from its own machine because its config lists no client_keys. "+
				"An admin must add client_keys to the config (and give you one) to allow requests from other machines.")
	}
	if token == "" {
		return openai.New(401, openai.TypeInvalidRequest, "",
			"You didn't provide an API key. Send your keygate key in an Authorization header using Bearer auth "+
				"(i.e. Authorization: Bearer YOUR_KEY); with an OpenAI SDK, pass it as the api_key and keygate's URL as the base URL.")
	}
	if _, ok := a.hashes[sha256.Sum256([]byte(token))]; ok {
		return nil
	}
	return openai.New(401, openai.TypeInvalidRequest, "invalid_api_key",
		"Incorrect API key provided: "+secret.Redact(token)+". This is not one of this keygate's client keys; "+
			"check that the key was copied whole, and ask the keygate admin for a valid key.")
}

// BearerToken returns the token of an "Authorization: Bearer" header, or of
// the api-key header Azure-style clients send.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return strings.TrimSpace(r.Header.Get("Api-Key"))
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
