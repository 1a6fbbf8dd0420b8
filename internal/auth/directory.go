package auth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/tenant"
)

// Caller is who sent a request to /v1. Project and Key are nil for a
// config client key or an unauthenticated loopback client, which have no
// limits and may use every model.
type Caller struct {
	Project *tenant.Project
	Key     *tenant.VirtualKey
}

// Allows reports whether the caller may use the model alias.
func (c Caller) Allows(alias string) bool {
	return c.Project == nil || len(c.Project.Models) == 0 || slices.Contains(c.Project.Models, alias)
}

// Tenants is where the directory reads projects and virtual keys from.
type Tenants interface {
	ListProjects(ctx context.Context) ([]tenant.Project, error)
	ListVirtualKeys(ctx context.Context, project string) ([]tenant.VirtualKey, error)
}

// Directory authenticates requests to /v1: virtual keys (kg-…) against an
// in-memory snapshot of the store's projects and keys, swapped whole on
// reload so the request path takes no lock and makes no query; the config's
// client_keys; and, when neither exists, loopback clients without a key.
type Directory struct {
	static map[[32]byte]struct{}
	snap   atomic.Pointer[snapshot]
	now    func() time.Time
}

type snapshot struct {
	keys map[[32]byte]Caller
}

// NewDirectory returns a directory with the config's client keys and no
// virtual keys until Load.
func NewDirectory(clientKeys []secret.Secret) *Directory {
	d := &Directory{static: make(map[[32]byte]struct{}, len(clientKeys)), now: time.Now}
	for _, k := range clientKeys {
		d.static[sha256.Sum256([]byte(k.Reveal()))] = struct{}{}
	}
	d.snap.Store(&snapshot{})
	return d
}

// Load replaces the snapshot with the store's current projects and keys,
// revoked and expired keys included so that their users are told why.
func (d *Directory) Load(ctx context.Context, src Tenants) error {
	ps, err := src.ListProjects(ctx)
	if err != nil {
		return fmt.Errorf("load projects: %w", err)
	}
	ks, err := src.ListVirtualKeys(ctx, "")
	if err != nil {
		return fmt.Errorf("load virtual keys: %w", err)
	}
	byName := make(map[string]*tenant.Project, len(ps))
	for i := range ps {
		byName[ps[i].Name] = &ps[i]
	}
	s := &snapshot{keys: make(map[[32]byte]Caller, len(ks))}
	for i := range ks {
		if p := byName[ks[i].Project]; p != nil {
			s.keys[ks[i].Hash] = Caller{Project: p, Key: &ks[i]}
		}
	}
	d.snap.Store(s)
	return nil
}

// LoopbackOnly reports whether there is no key at all, so that only
// loopback clients are admitted, without one.
func (d *Directory) LoopbackOnly() bool {
	return len(d.static) == 0 && len(d.snap.Load().keys) == 0
}

// Lookup returns the caller whose usable virtual key is token.
func (d *Directory) Lookup(token string) (Caller, bool) {
	c, ok := d.snap.Load().keys[tenant.HashKey(token)]
	if !ok || !c.Key.Usable(d.now()) {
		return Caller{}, false
	}
	return c, true
}

// ProjectOf returns the project of the usable virtual key token, for the
// admin API's read-only access of a project's own keys.
func (d *Directory) ProjectOf(token string) (string, bool) {
	c, ok := d.Lookup(token)
	if !ok {
		return "", false
	}
	return c.Project.Name, true
}

// Authenticate returns the caller of r, or the 401 to send.
func (d *Directory) Authenticate(r *http.Request) (Caller, *openai.Error) {
	token := BearerToken(r)
	if token == "" {
		if d.LoopbackOnly() {
			if isLoopback(r.RemoteAddr) {
				return Caller{}, nil
			}
			return Caller{}, openai.New(401, openai.TypeInvalidRequest, "no_keys_configured",
				"This keygate accepts requests only from its own machine because it has no keys yet. "+
					"An admin must create a project and a key for you (keygate projects create NAME; keygate vkeys create --project NAME).")
		}
		return Caller{}, openai.New(401, openai.TypeInvalidRequest, "",
			"You didn't provide an API key. Send your keygate key in an Authorization header using Bearer auth "+
				"(i.e. Authorization: Bearer YOUR_KEY); with an OpenAI SDK, pass it as the api_key and keygate's URL as the base URL.")
	}
	h := sha256.Sum256([]byte(token))
	if c, ok := d.snap.Load().keys[h]; ok {
		if e := d.unusable(c.Key); e != nil {
			return Caller{}, e
		}
		return c, nil
	}
	if _, ok := d.static[h]; ok {
		return Caller{}, nil
	}
	if d.LoopbackOnly() && isLoopback(r.RemoteAddr) {
		// Nothing to check a key against: a local client that sends its
		// provider key or a placeholder, as SDKs insist on one, is let in.
		return Caller{}, nil
	}
	hint := "This is not a key of this keygate; check that it was copied whole, and ask the keygate admin for a valid key."
	if !strings.HasPrefix(token, tenant.KeyPrefix) {
		hint = "keygate keys start with " + tenant.KeyPrefix + "; a provider key (sk-…) belongs in keygate's config or key store, not in your app. Ask the keygate admin for a key."
	}
	return Caller{}, openai.New(401, openai.TypeInvalidRequest, "invalid_api_key",
		"Incorrect API key provided: "+secret.Redact(token)+". "+hint)
}

// unusable returns the 401 for a revoked or expired key, or nil.
func (d *Directory) unusable(k *tenant.VirtualKey) *openai.Error {
	switch {
	case k.RevokedAt != nil:
		return openai.New(401, openai.TypeInvalidRequest, "invalid_api_key",
			"The keygate key "+k.Hint+" ("+k.ID+") was revoked on "+k.RevokedAt.UTC().Format(time.DateOnly)+
				". Ask the keygate admin for a new key (keygate vkeys create --project "+k.Project+").")
	case k.ExpiresAt != nil && !d.now().Before(*k.ExpiresAt):
		return openai.New(401, openai.TypeInvalidRequest, "invalid_api_key",
			"The keygate key "+k.Hint+" ("+k.ID+") expired at "+k.ExpiresAt.UTC().Format(time.RFC3339)+
				". Ask the keygate admin for a new key (keygate vkeys create --project "+k.Project+").")
	}
	return nil
}

// NotAllowed is the 403 for a caller whose project may not use alias.
func NotAllowed(c Caller, alias string) *openai.Error {
	return openai.New(403, openai.TypeInvalidRequest, "model_not_allowed",
		"Project "+c.Project.Name+" may not use model `"+alias+"`; its keys may use: "+strings.Join(c.Project.Models, ", ")+
			". Use one of those, or ask an admin to allow it (keygate projects update "+c.Project.Name+" --models …).")
}
