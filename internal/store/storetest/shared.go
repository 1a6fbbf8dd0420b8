package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/store"
)

func testChanged(t *testing.T, db DB) {
	ctx := context.Background()
	s := newSealer(t)
	st, other := open(t, db, s), open(t, db, s)
	last := mustChanged(t, st)
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, h := range []store.Store{st, other} {
			if n := mustChanged(t, h); n <= last {
				t.Errorf("%s: Changed = %d, want more than %d", what, n, last)
			}
		}
		last = mustChanged(t, st)
	}
	c := sample(t, "c")
	step("create", st.CreateCredential(ctx, c))
	c.Vendor = "groq"
	step("update", st.UpdateCredential(ctx, c))
	c.Key = newKey(t)
	step("update key", st.UpdateCredential(ctx, c))
	step("save verification", st.SaveVerification(ctx, "c", sampleVerification("")))
	_, err := st.RotateMaster(ctx, newSealer(t))
	step("rotate", err)
	step("delete", st.DeleteCredential(ctx, "c"))

	// Reads and failed writes change nothing.
	mustList(t, st)
	_ = st.DeleteCredential(ctx, "c")
	if n := mustChanged(t, other); n != last {
		t.Errorf("Changed moved from %d to %d without a change", last, n)
	}
}

func testConcurrentCreate(t *testing.T, db DB) {
	s := newSealer(t)
	handles := []store.Store{open(t, db, s), open(t, db, s)}
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = handles[i%2].CreateCredential(context.Background(), sample(t, "same"))
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, credential.ErrExists):
			t.Errorf("concurrent create: %v, want nil or ErrExists", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent creates of one name succeeded, want 1", ok)
	}
	if cs := mustList(t, handles[0]); len(cs) != 1 {
		t.Errorf("%d credentials, want 1", len(cs))
	}
}

func testTwoHandles(t *testing.T, db DB) {
	ctx := context.Background()
	s := newSealer(t)
	a, b := open(t, db, s), open(t, db, s)

	c := sample(t, "shared")
	mustCreate(t, a, c)
	if got := mustGet(t, b, "shared"); got.Key.Reveal() != c.Key.Reveal() {
		t.Error("second handle reads a different key")
	}
	c.Key = newKey(t)
	c.Proxy = ""
	if err := b.UpdateCredential(ctx, c); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, a, "shared")
	if got.Key.Reveal() != c.Key.Reveal() || got.Proxy != "" {
		t.Error("first handle does not see the second's update")
	}
	if mustChanged(t, a) != mustChanged(t, b) {
		t.Error("handles disagree on Changed")
	}

	// Writers on both handles at once: every write lands.
	var wg sync.WaitGroup
	for i := range 20 {
		h := []store.Store{a, b}[i%2]
		wg.Go(func() {
			if err := h.CreateCredential(ctx, sample(t, "n"+string(rune('a'+i)))); err != nil {
				t.Errorf("create on handle %d: %v", i%2, err)
			}
		})
	}
	wg.Wait()
	if n := len(mustList(t, b)); n != 21 {
		t.Errorf("%d credentials after concurrent creates, want 21", n)
	}
	if err := a.DeleteCredential(ctx, "shared"); err != nil {
		t.Fatal(err)
	}
	_, err := b.GetCredential(ctx, "shared")
	wantErr(t, "get deleted via other handle", err, credential.ErrNotFound)
}
