package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

// sameKey reports how got differs from want, ignoring CreatedAt.
func sameKey(t *testing.T, got, want tenant.VirtualKey) {
	t.Helper()
	want.CreatedAt = got.CreatedAt
	for _, p := range []**time.Time{&want.ExpiresAt, &want.RevokedAt} {
		if *p != nil {
			v := (*p).UTC().Truncate(time.Microsecond)
			*p = &v
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("virtual key =\n%+v\nwant\n%+v", got, want)
	}
}

func testKeyCreateGet(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	mustProject(t, st, sampleProject("p"))
	want := sampleKey(t, "vk_a", "p")
	before := time.Now().UTC().Truncate(time.Microsecond)
	mustKey(t, st, want)
	after := time.Now().UTC()

	got := mustKeyByHash(t, st, want.Hash)
	sameKey(t, got, want)
	if got.ExpiresAt.Location() != time.UTC || got.ExpiresAt.Nanosecond() != 123456000 {
		t.Errorf("ExpiresAt = %v, want UTC to the microsecond", got.ExpiresAt)
	}
	if got.CreatedAt.Before(before) || got.CreatedAt.After(after) {
		t.Errorf("CreatedAt = %v, want between %v and %v", got.CreatedAt, before, after)
	}
	if !got.Usable(time.Now()) || got.Usable(*got.ExpiresAt) {
		t.Error("Usable disagrees with the stored expiry")
	}

	// No expiry, created revoked: both optional times round-trip.
	bare := tenant.VirtualKey{ID: "vk_b", Project: "p", Hash: newHash(t)}
	revoked := time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC)
	bare.RevokedAt = &revoked
	mustKey(t, st, bare)
	sameKey(t, mustKeyByHash(t, st, bare.Hash), bare)
	if mustKeyByHash(t, st, bare.Hash).Usable(time.Now()) {
		t.Error("a revoked key is usable")
	}
}

func testKeyList(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	mustProject(t, st, sampleProject("b"))
	mustProject(t, st, sampleProject("a"))
	mustProject(t, st, sampleProject("empty"))
	for i, p := range []string{"b", "a", "b", "a", "b"} {
		mustKey(t, st, sampleKey(t, "vk_"+string(rune('0'+i)), p))
		time.Sleep(time.Millisecond) // distinct creation times
	}
	idsOf := func(ks []tenant.VirtualKey) []string {
		var out []string
		for _, k := range ks {
			out = append(out, k.Project+"/"+k.ID)
			if k.Hash == [32]byte{} {
				t.Errorf("%s: listed without its hash", k.ID)
			}
		}
		return out
	}
	if got, want := idsOf(mustListKeys(t, st, "")), []string{"a/vk_1", "a/vk_3", "b/vk_0", "b/vk_2", "b/vk_4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListVirtualKeys(all) = %q, want %q", got, want)
	}
	if got, want := idsOf(mustListKeys(t, st, "b")), []string{"b/vk_0", "b/vk_2", "b/vk_4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListVirtualKeys(b) = %q, want %q", got, want)
	}
	if got := mustListKeys(t, st, "empty"); len(got) != 0 {
		t.Errorf("ListVirtualKeys(empty) = %v", got)
	}
	_, err := st.ListVirtualKeys(context.Background(), "nope")
	wantErr(t, "ListVirtualKeys(nope)", err, tenant.ErrNotFound)
}

func testKeyErrors(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	mustProject(t, st, sampleProject("p"))
	k := sampleKey(t, "vk_1", "p")
	mustKey(t, st, k)

	sameID := sampleKey(t, "vk_1", "p")
	wantErr(t, "same id", st.CreateVirtualKey(ctx, sameID), tenant.ErrExists)
	sameHash := sampleKey(t, "vk_2", "p")
	sameHash.Hash = k.Hash
	wantErr(t, "same hash", st.CreateVirtualKey(ctx, sameHash), tenant.ErrExists)
	wantErr(t, "unknown project", st.CreateVirtualKey(ctx, sampleKey(t, "vk_3", "nope")), tenant.ErrNotFound)
	for name, bad := range map[string]func(*tenant.VirtualKey){
		"no id":          func(k *tenant.VirtualKey) { k.ID = "" },
		"no project":     func(k *tenant.VirtualKey) { k.Project = "" },
		"no hash":        func(k *tenant.VirtualKey) { k.Hash = [32]byte{} },
		"negative limit": func(k *tenant.VirtualKey) { k.Limits.TPM = -1 },
	} {
		k := sampleKey(t, "vk_bad", "p")
		bad(&k)
		if err := st.CreateVirtualKey(ctx, k); err == nil {
			t.Errorf("%s: CreateVirtualKey succeeded", name)
		}
	}
	if ks := mustListKeys(t, st, "p"); len(ks) != 1 {
		t.Errorf("%d keys after failed creates, want 1", len(ks))
	}
	sameKey(t, mustKeyByHash(t, st, k.Hash), k)

	_, err := st.GetVirtualKeyByHash(ctx, newHash(t))
	wantErr(t, "GetVirtualKeyByHash", err, tenant.ErrNotFound)
	wantErr(t, "RevokeVirtualKey", st.RevokeVirtualKey(ctx, "nope", time.Now()), tenant.ErrNotFound)
	wantErr(t, "DeleteVirtualKey", st.DeleteVirtualKey(ctx, "nope"), tenant.ErrNotFound)
}

func testKeyRevoke(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	mustProject(t, st, sampleProject("p"))
	k := sampleKey(t, "vk_1", "p")
	mustKey(t, st, k)
	other := sampleKey(t, "vk_2", "p")
	mustKey(t, st, other)

	at := time.Date(2025, 5, 6, 7, 8, 9, 101112131, time.FixedZone("Y", -3600))
	if err := st.RevokeVirtualKey(ctx, k.ID, at); err != nil {
		t.Fatal(err)
	}
	got := mustKeyByHash(t, st, k.Hash)
	if want := at.UTC().Truncate(time.Microsecond); got.RevokedAt == nil || !got.RevokedAt.Equal(want) || got.RevokedAt.Location() != time.UTC {
		t.Fatalf("RevokedAt = %v, want %v", got.RevokedAt, want)
	}
	if got.Usable(at.Add(-time.Hour)) {
		t.Error("a revoked key is usable")
	}
	if o := mustKeyByHash(t, st, other.Hash); o.RevokedAt != nil {
		t.Error("revoking one key revoked another")
	}

	// Revoking again keeps the first time and changes nothing.
	before := mustChanged(t, st)
	if err := st.RevokeVirtualKey(ctx, k.ID, at.Add(time.Hour)); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
	if again := mustKeyByHash(t, st, k.Hash); !again.RevokedAt.Equal(*got.RevokedAt) {
		t.Errorf("second revoke moved RevokedAt to %v", again.RevokedAt)
	}
	if after := mustChanged(t, st); after != before {
		t.Errorf("a revoke that changed nothing moved Changed from %d to %d", before, after)
	}

	// A zero time means now.
	start := time.Now().UTC().Truncate(time.Microsecond)
	if err := st.RevokeVirtualKey(ctx, other.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if o := mustKeyByHash(t, st, other.Hash); o.RevokedAt == nil || o.RevokedAt.Before(start) {
		t.Errorf("RevokedAt = %v, want now", o.RevokedAt)
	}
}

func testTenantsChanged(t *testing.T, db DB) {
	ctx := context.Background()
	s := newSealer(t)
	st, other := open(t, db, s), open(t, db, s)
	last := mustChanged(t, st)
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, h := range []store.DB{st, other} {
			if n := mustChanged(t, h); n <= last {
				t.Errorf("%s: Changed = %d, want more than %d", what, n, last)
			}
		}
		last = mustChanged(t, st)
	}
	same := func(what string) {
		t.Helper()
		if n := mustChanged(t, other); n != last {
			t.Errorf("%s moved Changed from %d to %d", what, last, n)
		}
	}
	p := sampleProject("p")
	step("create project", st.CreateProject(ctx, p))
	p.Limits.RPM = 1
	step("update project", st.UpdateProject(ctx, p))
	k := sampleKey(t, "vk", "p")
	step("create key", st.CreateVirtualKey(ctx, k))
	step("revoke key", st.RevokeVirtualKey(ctx, "vk", time.Now()))

	// Reads, failed writes and the ledger change nothing.
	_ = st.CreateProject(ctx, p)
	_ = st.CreateVirtualKey(ctx, k)
	_ = st.DeleteProject(ctx, "p")
	_ = st.UpdateProject(ctx, tenant.Project{Name: "nope"})
	_, _ = st.ListProjects(ctx)
	_, _ = st.ListVirtualKeys(ctx, "")
	same("reads and failed writes")
	mustInsert(t, st, usageAt("r1", "p", "vk", "m", time.Now(), 5))
	mustSummary(t, st, store.UsageQuery{Project: "p", By: store.ByModel})
	same("InsertUsage")

	step("delete key", st.DeleteVirtualKey(ctx, "vk"))
	step("delete project", st.DeleteProject(ctx, "p"))
}
