package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/store"
)

// newSealer returns a sealer under a fresh random master key.
func newSealer(t *testing.T) *seal.Sealer {
	t.Helper()
	key := make([]byte, seal.KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	s, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// open opens a handle that is closed when the test ends.
func open(t *testing.T, db DB, s *seal.Sealer) store.DB {
	t.Helper()
	st := db.Open(t, s)
	t.Cleanup(func() { st.Close() })
	return st
}

// newKey returns a distinctive random provider key.
func newKey(t *testing.T) secret.Secret {
	t.Helper()
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return secret.New("sk-proj-" + hex.EncodeToString(b))
}

// sample returns a credential with every field set.
func sample(t *testing.T, name string) credential.Credential {
	return credential.Credential{
		Name:         name,
		Vendor:       "openai",
		APIBase:      "https://api.openai.com/v1",
		Organization: "org-" + name,
		Project:      "proj_" + name,
		Proxy:        "socks5://127.0.0.1:1080",
		Key:          newKey(t),
	}
}

// sampleVerification returns a verification with every field set.
func sampleVerification(redacted string) credential.Verification {
	return credential.Verification{
		At:       time.Date(2025, 3, 4, 5, 6, 7, 891011000, time.UTC),
		OK:       false,
		Redacted: redacted,
		Cause:    credential.CauseInsufficientRateLimit,
		Message:  "gpt-3.5-turbo allows 3 RPM, 197 below the 200 RPM required; raise the account's tier.",
		Models: []credential.ModelLimits{{
			Model: "gpt-3.5-turbo", Accessible: true,
			RequestsLimit: 3, RequestsRemaining: 2, RequestsReset: 20 * time.Second,
			RequestsWindow: credential.PerMinute,
			TokensLimit:    40000, TokensRemaining: 39000, TokensReset: 1500 * time.Millisecond,
			Requirement: &credential.Requirement{RPM: 200, TPM: 50000},
			Shortfall:   "RPM 3 is 197 below 200",
			Cause:       credential.CauseInsufficientRateLimit,
		}},
		Duration: 321 * time.Millisecond,
	}
}

func mustCreate(t *testing.T, st store.Store, c credential.Credential) {
	t.Helper()
	if err := st.CreateCredential(context.Background(), c); err != nil {
		t.Fatalf("CreateCredential(%q): %v", c.Name, err)
	}
}

func mustGet(t *testing.T, st store.Store, name string) credential.Credential {
	t.Helper()
	c, err := st.GetCredential(context.Background(), name)
	if err != nil {
		t.Fatalf("GetCredential(%q): %v", name, err)
	}
	return c
}

func mustList(t *testing.T, st store.Store) []credential.Credential {
	t.Helper()
	cs, err := st.ListCredentials(context.Background())
	if err != nil {
		t.Fatalf("ListCredentials: %v", err)
	}
	return cs
}

func mustChanged(t *testing.T, st store.Store) int64 {
	t.Helper()
	n, err := st.Changed(context.Background())
	if err != nil {
		t.Fatalf("Changed: %v", err)
	}
	return n
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

// sameFields reports the first stored field of got that differs from want,
// ignoring Key, Redacted, Verification and timestamps.
func sameFields(t *testing.T, got, want credential.Credential) {
	t.Helper()
	pairs := [][3]string{
		{"Name", got.Name, want.Name}, {"Vendor", got.Vendor, want.Vendor},
		{"APIBase", got.APIBase, want.APIBase}, {"Organization", got.Organization, want.Organization},
		{"Project", got.Project, want.Project}, {"Proxy", got.Proxy, want.Proxy},
	}
	for _, p := range pairs {
		if p[1] != p[2] {
			t.Errorf("%s = %q, want %q", p[0], p[1], p[2])
		}
	}
}

// containsAny reports whether dump holds s raw, hex-encoded (as pg_dump
// writes bytea) or base64-encoded.
func containsAny(dump []byte, s string) bool {
	for _, f := range []string{
		s,
		hex.EncodeToString([]byte(s)),
		strings.ToUpper(hex.EncodeToString([]byte(s))),
		base64.StdEncoding.EncodeToString([]byte(s)),
	} {
		if bytes.Contains(dump, []byte(f)) {
			return true
		}
	}
	return false
}
