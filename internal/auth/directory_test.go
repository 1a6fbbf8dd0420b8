package auth

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/tenant"
)

// fakeTenants serves fixed projects and keys.
type fakeTenants struct {
	projects []tenant.Project
	keys     []tenant.VirtualKey
}

func (f fakeTenants) ListProjects(context.Context) ([]tenant.Project, error) { return f.projects, nil }
func (f fakeTenants) ListVirtualKeys(context.Context, string) ([]tenant.VirtualKey, error) {
	return f.keys, nil
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	good, gk := tenant.NewKey("a")
	revoked, rk := tenant.NewKey("a")
	rk.RevokedAt = &past
	expired, ek := tenant.NewKey("a")
	ek.ExpiresAt = &past
	later, lk := tenant.NewKey("a")
	lk.ExpiresAt = &future
	orphan, ok := tenant.NewKey("gone") // its project is not in the snapshot
	src := fakeTenants{projects: []tenant.Project{{Name: "a", Models: []string{"m"}}}, keys: []tenant.VirtualKey{gk, rk, ek, lk, ok}}

	keyed := NewDirectory([]secret.Secret{secret.New("static-client-key")})
	keyed.now = func() time.Time { return now }
	if err := keyed.Load(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	vkOnly := NewDirectory(nil)
	vkOnly.now = keyed.now
	if err := vkOnly.Load(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	open := NewDirectory(nil)

	tests := []struct {
		name    string
		d       *Directory
		remote  string
		header  map[string]string
		project string // the caller's project; "" for none
		code    string // expected error code; "-" for none
		msg     string // part of the message
	}{
		{"virtual key", keyed, "10.0.0.1:5", map[string]string{"Authorization": "Bearer " + good}, "a", "-", ""},
		{"api-key header", keyed, "10.0.0.1:5", map[string]string{"Api-Key": good}, "a", "-", ""},
		{"lower-case scheme", vkOnly, "10.0.0.1:5", map[string]string{"Authorization": "bearer " + later}, "a", "-", ""},
		{"static client key", keyed, "10.0.0.1:5", map[string]string{"Authorization": "Bearer static-client-key"}, "", "-", ""},
		{"revoked", keyed, "127.0.0.1:5", map[string]string{"Authorization": "Bearer " + revoked}, "", "invalid_api_key", "was revoked on 2026-11-29"},
		{"expired", keyed, "127.0.0.1:5", map[string]string{"Authorization": "Bearer " + expired}, "", "invalid_api_key", "expired at 2026-11-29T11:00:00Z"},
		{"project deleted", vkOnly, "10.0.0.1:5", map[string]string{"Authorization": "Bearer " + orphan}, "", "invalid_api_key", "Incorrect API key provided: kg-"},
		{"wrong key", keyed, "127.0.0.1:5", map[string]string{"Authorization": "Bearer kg-bad"}, "", "invalid_api_key", "not a key of this keygate"},
		{"provider key sent", vkOnly, "127.0.0.1:5", map[string]string{"Authorization": "Bearer sk-proj-abcdefghijklmnop"}, "", "invalid_api_key", "a provider key (sk-…) belongs"},
		{"no key", keyed, "127.0.0.1:5", nil, "", "", "didn't provide an API key"},
		{"no keys anywhere, loopback", open, "127.0.0.1:5", nil, "", "-", ""},
		{"no keys anywhere, loopback v6 with a placeholder key", open, "[::1]:5", map[string]string{"Authorization": "Bearer sk-whatever"}, "", "-", ""},
		{"no keys anywhere, remote", open, "192.0.2.7:5", nil, "", "no_keys_configured", "only from its own machine"},
		{"virtual keys exist, loopback without key", vkOnly, "127.0.0.1:5", nil, "", "", "didn't provide an API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/v1/chat/completions", nil)
			r.RemoteAddr = tt.remote
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			c, e := tt.d.Authenticate(r)
			if tt.code == "-" {
				if e != nil {
					t.Fatalf("refused: %v", e)
				}
			} else if e == nil || e.Status != 401 || e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("err = %+v, want 401 %q containing %q", e, tt.code, tt.msg)
			}
			got := ""
			if c.Project != nil {
				got = c.Project.Name
			}
			if got != tt.project {
				t.Fatalf("project %q, want %q", got, tt.project)
			}
			if e != nil {
				for _, k := range []string{good, revoked, expired} {
					if strings.Contains(e.Message, k) {
						t.Fatal("message holds a whole key")
					}
				}
			}
		})
	}
}

func TestAllows(t *testing.T) {
	t.Parallel()
	all := Caller{Project: &tenant.Project{Name: "p"}}
	some := Caller{Project: &tenant.Project{Name: "p", Models: []string{"a", "b"}}}
	for _, tt := range []struct {
		c     Caller
		alias string
		want  bool
	}{{Caller{}, "x", true}, {all, "x", true}, {some, "a", true}, {some, "x", false}} {
		if got := tt.c.Allows(tt.alias); got != tt.want {
			t.Errorf("%+v allows %q = %v", tt.c.Project, tt.alias, got)
		}
	}
	if e := NotAllowed(some, "x"); e.Status != 403 || !strings.Contains(e.Message, "may use: a, b") {
		t.Errorf("NotAllowed = %+v", e)
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	good, gk := tenant.NewKey("a")
	revoked, rk := tenant.NewKey("a")
	at := time.Now()
	rk.RevokedAt = &at
	d := NewDirectory(nil)
	if err := d.Load(context.Background(), fakeTenants{projects: []tenant.Project{{Name: "a"}}, keys: []tenant.VirtualKey{gk, rk}}); err != nil {
		t.Fatal(err)
	}
	if c, ok := d.Lookup(good); !ok || c.Project.Name != "a" {
		t.Errorf("Lookup(good) = %v, %v", c, ok)
	}
	if _, ok := d.Lookup(revoked); ok {
		t.Error("revoked key looked up")
	}
	if d.LoopbackOnly() {
		t.Error("LoopbackOnly with keys")
	}
}
