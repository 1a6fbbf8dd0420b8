package storetest

import (
	"context"
	"testing"
)

// testNoPlaintextKey checks that no key, old or current, is anywhere in what
// the database keeps at rest, in any encoding a dump might use.
func testNoPlaintextKey(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	var keys []string
	for _, name := range []string{"plain-a", "plain-b", "plain-c"} {
		c := sample(t, name)
		keys = append(keys, c.Key.Reveal())
		mustCreate(t, st, c)
	}
	c := mustGet(t, st, "plain-b")
	c.Key = newKey(t)
	keys = append(keys, c.Key.Reveal())
	if err := st.UpdateCredential(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveVerification(ctx, "plain-c", sampleVerification(c.Redacted)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RotateMaster(ctx, newSealer(t)); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteCredential(ctx, "plain-a"); err != nil {
		t.Fatal(err)
	}

	dump := db.Dump(t)
	// The dump must really hold the data, or the search proves nothing.
	for _, s := range []string{"plain-c", "org-plain-c", c.Redacted} {
		if !containsAny(dump, s) {
			t.Fatalf("the dump (%d bytes) lacks %q: it does not show the stored data", len(dump), s)
		}
	}
	for i, k := range keys {
		if containsAny(dump, k) {
			t.Errorf("key %d is in the database in clear", i)
		}
	}
}
