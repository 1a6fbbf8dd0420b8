package storetest

import (
	"context"
	"testing"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/store"
)

// createSome stores n sample credentials named c0, c1, … and returns their
// keys by name.
func createSome(t *testing.T, st store.Store, n int) map[string]string {
	t.Helper()
	keys := map[string]string{}
	for i := range n {
		c := sample(t, "c"+string(rune('0'+i)))
		keys[c.Name] = c.Key.Reveal()
		mustCreate(t, st, c)
	}
	return keys
}

// wantKeys checks that st opens every key in keys to its value.
func wantKeys(t *testing.T, st store.Store, keys map[string]string) {
	t.Helper()
	for name, key := range keys {
		if got := mustGet(t, st, name); got.Key.Reveal() != key {
			t.Errorf("%s: GetCredential returned a different key", name)
		}
	}
}

// wantNoneOpen checks that st opens none of keys: ErrWrongMasterKey.
func wantNoneOpen(t *testing.T, st store.Store, keys map[string]string) {
	t.Helper()
	for name := range keys {
		_, err := st.GetCredential(context.Background(), name)
		wantErr(t, "GetCredential("+name+")", err, credential.ErrWrongMasterKey)
	}
}

func testWrongMasterKey(t *testing.T, db DB) {
	ctx := context.Background()
	right, wrong := newSealer(t), newSealer(t)
	st := open(t, db, right)
	keys := createSome(t, st, 3)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	bad := open(t, db, wrong)
	wantNoneOpen(t, bad, keys)
	list := mustList(t, bad)
	if len(list) != len(keys) {
		t.Fatalf("listing with the wrong key: %d credentials, want %d", len(list), len(keys))
	}
	for _, c := range list {
		if c.Redacted == "" || !c.Key.IsZero() {
			t.Errorf("%s: Redacted %q, key opened %v", c.Name, c.Redacted, !c.Key.IsZero())
		}
	}
	// Writing a key under another master key would leave the database
	// needing two; it is refused, as is re-sealing what cannot be opened.
	wantErr(t, "create under the wrong key", bad.CreateCredential(ctx, sample(t, "new")), credential.ErrWrongMasterKey)
	rekey := sample(t, "c0")
	wantErr(t, "update key under the wrong key", bad.UpdateCredential(ctx, rekey), credential.ErrWrongMasterKey)
	n, err := bad.RotateMaster(ctx, newSealer(t))
	wantErr(t, "rotate from the wrong key", err, credential.ErrWrongMasterKey)
	if n != 0 {
		t.Errorf("failed rotation reports %d re-sealed", n)
	}
	if err := bad.Close(); err != nil {
		t.Fatal(err)
	}

	good := open(t, db, right)
	wantKeys(t, good, keys)
	if n := len(mustList(t, good)); n != len(keys) {
		t.Errorf("%d credentials after using the wrong key, want %d", n, len(keys))
	}
}

func testRotateMaster(t *testing.T, db DB) {
	ctx := context.Background()
	old, next := newSealer(t), newSealer(t)
	st := open(t, db, old)
	keys := createSome(t, st, 5)
	n, err := st.RotateMaster(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(keys) {
		t.Errorf("RotateMaster re-sealed %d, want %d", n, len(keys))
	}
	wantKeys(t, st, keys) // the handle now uses next

	wantNoneOpen(t, open(t, db, old), keys)
	wantKeys(t, open(t, db, next), keys)

	// New keys are sealed under next too.
	c := sample(t, "after")
	mustCreate(t, st, c)
	keys["after"] = c.Key.Reveal()
	wantKeys(t, open(t, db, next), keys)

	// And it can rotate again.
	third := newSealer(t)
	if n, err := st.RotateMaster(ctx, third); err != nil || n != len(keys) {
		t.Fatalf("second rotation: %d, %v", n, err)
	}
	wantKeys(t, open(t, db, third), keys)
}

func testRotateMasterAborts(t *testing.T, db DB) {
	ctx := context.Background()
	old, next := newSealer(t), newSealer(t)
	st := open(t, db, old)
	keys := createSome(t, st, 4)
	// Move a sealed key to another row: it no longer opens there.
	db.Exec(t, `UPDATE credentials SET name = 'moved' WHERE name = 'c2'`)
	delete(keys, "c2")
	_, err := st.GetCredential(ctx, "moved")
	wantErr(t, "GetCredential(moved)", err, credential.ErrWrongMasterKey)

	before := mustChanged(t, st)
	n, err := st.RotateMaster(ctx, next)
	wantErr(t, "RotateMaster", err, credential.ErrWrongMasterKey)
	if n != 0 {
		t.Errorf("aborted rotation reports %d re-sealed", n)
	}
	if after := mustChanged(t, st); after != before {
		t.Errorf("Changed moved from %d to %d on an aborted rotation", before, after)
	}
	// Nothing was re-sealed: the handle and a fresh one still use old.
	wantKeys(t, st, keys)
	wantKeys(t, open(t, db, old), keys)
	wantNoneOpen(t, open(t, db, next), keys)
}

func testRotateMasterEmpty(t *testing.T, db DB) {
	next := newSealer(t)
	st := open(t, db, newSealer(t))
	if n, err := st.RotateMaster(context.Background(), next); err != nil || n != 0 {
		t.Fatalf("RotateMaster on an empty store = %d, %v; want 0, nil", n, err)
	}
	c := sample(t, "c")
	mustCreate(t, st, c)
	wantKeys(t, open(t, db, next), map[string]string{"c": c.Key.Reveal()})
}
