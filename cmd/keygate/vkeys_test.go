package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/tenant"
)

func TestVKeysLifecycle(t *testing.T) {
	t.Parallel()
	cfg := tenantEnv(t)
	ctx := context.Background()
	st := openTestStore(t, cfg)
	mustKG(t, cfg, "projects", "create", "webapp", "--budget", "18")
	mustKG(t, cfg, "projects", "create", "batch")

	// The key is alone on the last line, and it is the one stored.
	out := mustKG(t, cfg, "vkeys", "create", "--project", "webapp", "--name", "ci", "--expires", "30d", "--rpm", "5", "--budget", "2", "--period", "day")
	ls := lines(out)
	key := ls[len(ls)-1]
	if !tenant.LooksLikeKey(key) {
		t.Fatalf("last line is not a key alone: %q\n%s", key, out)
	}
	head := strings.Join(ls[:len(ls)-1], "\n")
	for _, want := range []string{"created vk_", "project webapp", "name:     ci", "hint:     kg-…" + key[len(key)-4:], "5 rpm, $2.00/day", "shown only once"} {
		if !strings.Contains(head, want) {
			t.Errorf("summary lacks %q:\n%s", want, head)
		}
	}
	if strings.Contains(head, key) || strings.Contains(head, key[3:20]) {
		t.Errorf("the key appears before its last line:\n%s", out)
	}
	k, err := st.GetVirtualKeyByHash(ctx, tenant.HashKey(key))
	if err != nil {
		t.Fatalf("the printed key is not stored: %v", err)
	}
	if k.Project != "webapp" || k.Name != "ci" || k.Limits.RPM != 5 || k.Limits.Budget != tenant.FromUSD(2) || k.Limits.Period != tenant.Day ||
		k.ExpiresAt == nil || k.ExpiresAt.Sub(time.Now().Add(30*24*time.Hour)).Abs() > time.Minute {
		t.Errorf("stored key: %+v", k)
	}

	// --json prints one object with the key; it hashes to the stored key.
	js := mustKG(t, cfg, "vkeys", "create", "--project", "batch", "--json")
	jkey, jid := gjson.Get(js, "key").String(), gjson.Get(js, "id").String()
	if !tenant.LooksLikeKey(jkey) || gjson.Get(js, "hash").Exists() || gjson.Get(js, "expires_at").Exists() {
		t.Fatalf("create --json: %s", js)
	}
	if jk, err := st.GetVirtualKeyByHash(ctx, tenant.HashKey(jkey)); err != nil || jk.ID != jid || jk.Project != "batch" || gjson.Get(js, "created_at").String() == "0001-01-01T00:00:00Z" {
		t.Fatalf("create --json key %v %+v\n%s", err, jk, js)
	}

	// An expired key, as a server would find it.
	expKey, exp := tenant.NewKey("batch")
	past := time.Now().Add(-time.Hour)
	exp.ExpiresAt = &past
	if err := st.CreateVirtualKey(ctx, exp); err != nil {
		t.Fatal(err)
	}

	out = mustKG(t, cfg, "vkeys", "list")
	for _, want := range []string{"ID", "PROJECT", "KEY", "STATUS", "EXPIRES", "LIMITS", k.ID, k.Hint, "active", "expired", "never", "5 rpm, $2.00/day"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	if out := mustKG(t, cfg, "vkeys", "list", "--project", "webapp"); strings.Contains(out, "batch") || !strings.Contains(out, k.ID) {
		t.Errorf("list --project webapp:\n%s", out)
	}
	js = mustKG(t, cfg, "vkeys", "list", "--json")
	if gjson.Get(js, "#").Int() != 3 || gjson.Get(js, `#(id=="`+exp.ID+`").status`).String() != "expired" ||
		gjson.Get(js, `#(id=="`+k.ID+`").status`).String() != "active" || gjson.Get(js, "0.hash").Exists() {
		t.Errorf("list --json:\n%s", js)
	}

	if out := mustKG(t, cfg, "vkeys", "revoke", k.ID); !strings.Contains(out, "revoked "+k.ID) {
		t.Fatalf("revoke: %s", out)
	}
	if out := mustKG(t, cfg, "vkeys", "revoke", k.ID); !strings.Contains(out, "revoked already") {
		t.Fatalf("revoke twice: %s", out)
	}
	// A leaked key may be revoked by the key itself.
	if out := mustKG(t, cfg, "vkeys", "revoke", jkey); !strings.Contains(out, "revoked "+jid) {
		t.Fatalf("revoke by key: %s", out)
	}
	js = mustKG(t, cfg, "vkeys", "list", "--json")
	if gjson.Get(js, `#(id=="`+k.ID+`").status`).String() != "revoked" || !gjson.Get(js, `#(id=="`+k.ID+`").revoked_at`).Exists() {
		t.Errorf("after revoke:\n%s", js)
	}
	if out := mustKG(t, cfg, "projects", "list"); len(strings.Fields(lineWith(out, "webapp"))) < 7 || strings.Fields(lineWith(out, "webapp"))[6] != "0" {
		t.Errorf("a revoked key counts as usable:\n%s", out)
	}

	// Nothing printed after creation holds a key or its hash.
	listed := mustKG(t, cfg, "vkeys", "list") + mustKG(t, cfg, "vkeys", "list", "--json") + mustKG(t, cfg, "projects", "list", "--json")
	for _, secret := range []string{key, jkey, expKey} {
		h := tenant.HashKey(secret)
		for _, leak := range []string{secret, secret[3:], hex.EncodeToString(h[:]), base64.StdEncoding.EncodeToString(h[:])} {
			if strings.Contains(listed, leak) {
				t.Fatalf("listing shows a key or its hash (%.10s…)", leak)
			}
		}
	}
}

func TestVKeysErrors(t *testing.T) {
	t.Parallel()
	cfg := tenantEnv(t)
	mustKG(t, cfg, "projects", "create", "webapp")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"vkeys", "create"}, "--project NAME"},
		{[]string{"vkeys", "create", "--project", "nope"}, "keygate projects create nope"},
		{[]string{"vkeys", "create", "--project", "webapp", "--expires", "soon"}, `--expires "soon": want a span`},
		{[]string{"vkeys", "create", "--project", "webapp", "--expires", "-3d"}, "want a span"},
		{[]string{"vkeys", "create", "--project", "webapp", "--rpm", "-3"}, "--rpm -3"},
		{[]string{"vkeys", "create", "--project", "webapp", "--period", "fortnight", "--budget", "1"}, `--period "fortnight"`},
		{[]string{"vkeys", "list", "--project", "nope"}, `no project is named "nope"`},
		{[]string{"vkeys", "revoke", "vk_nope"}, `no virtual key has the id "vk_nope"`},
		{[]string{"vkeys", "revoke", tenant.KeyPrefix + strings.Repeat("a", 48)}, "not one keygate stores"},
	} {
		out, _, err := kg(t, cfg, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.args, err, tc.want)
		}
		if strings.Contains(out, tenant.KeyPrefix) {
			t.Errorf("%v: a refused create printed a key:\n%s", tc.args, out)
		}
	}
	if out := mustKG(t, cfg, "vkeys", "list"); !strings.Contains(out, "no virtual keys") {
		t.Fatalf("a refused create stored a key:\n%s", out)
	}
}

func TestParseExpires(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * 24 * time.Hour, true},
		{"7d", 7 * 24 * time.Hour, true},
		{"12h", 12 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"0d", 0, false},
		{"-1h", 0, false},
		{"0", 0, false},
		{"d", 0, false},
		{"1.5d", 0, false},
		{"forever", 0, false},
	} {
		got, err := parseExpires(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseExpires(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestKeyStatus(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	for _, tc := range []struct {
		k    tenant.VirtualKey
		want string
	}{
		{tenant.VirtualKey{}, "active"},
		{tenant.VirtualKey{ExpiresAt: &future}, "active"},
		{tenant.VirtualKey{ExpiresAt: &now}, "expired"},
		{tenant.VirtualKey{ExpiresAt: &past}, "expired"},
		{tenant.VirtualKey{RevokedAt: &past, ExpiresAt: &past}, "revoked"},
		{tenant.VirtualKey{RevokedAt: &past}, "revoked"},
	} {
		if got := keyStatus(tc.k, now); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.k, got, tc.want)
		}
	}
}
