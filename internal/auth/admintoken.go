package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/secret"
)

// AdminToken checks the admin token on admin surfaces (/api, /metrics). It
// compares SHA-256 digests in constant time, so neither the time taken nor
// the memory held reveals the token.
type AdminToken struct {
	digest [32]byte
	set    bool
}

// NewAdminToken returns a check for token; a zero token is "not configured".
func NewAdminToken(token secret.Secret) *AdminToken {
	return &AdminToken{digest: sha256.Sum256([]byte(token.Reveal())), set: !token.IsZero()}
}

// Check returns nil when r carries the admin token, or the 401 to send. With
// no token configured, loopback clients are admitted when allowLoopback is
// true (read-only surfaces such as /metrics) and everyone is refused
// otherwise, with a message saying how to set one.
func (a *AdminToken) Check(r *http.Request, allowLoopback bool) *openai.Error {
	if !a.set {
		if allowLoopback && isLoopback(r.RemoteAddr) {
			return nil
		}
		scope := "is off"
		if allowLoopback {
			scope = "answers this machine only"
		}
		return openai.New(401, openai.TypeInvalidRequest, "admin_token_not_configured",
			"This admin endpoint "+scope+" because keygate's config sets no admin_token. "+
				"Set admin_token (e.g. admin_token: ${KEYGATE_ADMIN_TOKEN}), restart, and send it as Authorization: Bearer <admin_token>.")
	}
	got := sha256.Sum256([]byte(BearerToken(r)))
	if subtle.ConstantTimeCompare(got[:], a.digest[:]) != 1 {
		return openai.New(401, openai.TypeInvalidRequest, "invalid_admin_token",
			"This endpoint needs keygate's admin token: send it as Authorization: Bearer <admin_token>.")
	}
	return nil
}
