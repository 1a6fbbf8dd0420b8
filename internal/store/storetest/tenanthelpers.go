package storetest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

// sampleProject returns a project with every field set.
func sampleProject(name string) tenant.Project {
	return tenant.Project{
		Name:   name,
		Models: []string{"gpt-4o-mini", "gpt-4o"},
		Limits: tenant.Limits{RPM: 60, TPM: 100000, RPD: 5000, Budget: tenant.FromUSD(25.5), Period: tenant.Month},
	}
}

// newHash returns a random stand-in for a key's SHA-256.
func newHash(t *testing.T) [32]byte {
	t.Helper()
	var h [32]byte
	if _, err := rand.Read(h[:]); err != nil {
		t.Fatal(err)
	}
	return h
}

// sampleKey returns a key of project with every field set but RevokedAt.
func sampleKey(t *testing.T, id, project string) tenant.VirtualKey {
	// Nanoseconds and a zone other than UTC: the store keeps UTC
	// microseconds.
	expires := time.Date(2031, 7, 8, 9, 10, 11, 123456789, time.FixedZone("X", 5*3600))
	return tenant.VirtualKey{
		ID: id, Project: project, Name: "label " + id, Hash: newHash(t), Hint: "kg-…" + id,
		Limits:    tenant.Limits{RPM: 10, TPM: 2000, RPD: 100, Budget: 7, Period: tenant.Day},
		ExpiresAt: &expires,
	}
}

func mustProject(t *testing.T, st store.Tenants, p tenant.Project) {
	t.Helper()
	if err := st.CreateProject(context.Background(), p); err != nil {
		t.Fatalf("CreateProject(%q): %v", p.Name, err)
	}
}

func mustGetProject(t *testing.T, st store.Tenants, name string) tenant.Project {
	t.Helper()
	p, err := st.GetProject(context.Background(), name)
	if err != nil {
		t.Fatalf("GetProject(%q): %v", name, err)
	}
	return p
}

func mustKey(t *testing.T, st store.Tenants, k tenant.VirtualKey) {
	t.Helper()
	if err := st.CreateVirtualKey(context.Background(), k); err != nil {
		t.Fatalf("CreateVirtualKey(%q): %v", k.ID, err)
	}
}

func mustKeyByHash(t *testing.T, st store.Tenants, h [32]byte) tenant.VirtualKey {
	t.Helper()
	k, err := st.GetVirtualKeyByHash(context.Background(), h)
	if err != nil {
		t.Fatalf("GetVirtualKeyByHash: %v", err)
	}
	return k
}

func mustListKeys(t *testing.T, st store.Tenants, project string) []tenant.VirtualKey {
	t.Helper()
	ks, err := st.ListVirtualKeys(context.Background(), project)
	if err != nil {
		t.Fatalf("ListVirtualKeys(%q): %v", project, err)
	}
	return ks
}

func mustInsert(t *testing.T, st store.Tenants, us ...tenant.Usage) {
	t.Helper()
	if err := st.InsertUsage(context.Background(), us); err != nil {
		t.Fatalf("InsertUsage(%d records): %v", len(us), err)
	}
}

func mustSummary(t *testing.T, st store.Tenants, q store.UsageQuery) []store.UsageRow {
	t.Helper()
	rows, err := st.UsageSummary(context.Background(), q)
	if err != nil {
		t.Fatalf("UsageSummary(%+v): %v", q, err)
	}
	return rows
}

func mustSpent(t *testing.T, st store.Tenants, project, keyID string, since time.Time) tenant.Nanos {
	t.Helper()
	n, err := st.SpentSince(context.Background(), project, keyID, since)
	if err != nil {
		t.Fatalf("SpentSince(%q, %q, %v): %v", project, keyID, since, err)
	}
	return n
}

// usageAt returns a usage record with every field set.
func usageAt(id, project, key, alias string, at time.Time, cost tenant.Nanos) tenant.Usage {
	return tenant.Usage{
		RequestID: id, Time: at, Project: project, KeyID: key, Alias: alias,
		Deployment: "openai-main", UpstreamModel: alias + "-2024-07-18",
		PromptTokens: 100, CachedTokens: 20, CompletionTokens: 50, ReasoningTokens: 5,
		Cost: cost, Status: 200, Latency: 1234 * time.Millisecond, Estimated: true,
	}
}
