package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/secret"
)

func testCreateGet(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	want := sample(t, "openai-main")
	want.Redacted = "ignored"
	before := time.Now().UTC().Truncate(time.Microsecond)
	mustCreate(t, st, want)
	after := time.Now().UTC()

	got := mustGet(t, st, "openai-main")
	sameFields(t, got, want)
	if got.Key.Reveal() != want.Key.Reveal() {
		t.Error("GetCredential returned a different key")
	}
	if r := secret.Redact(want.Key.Reveal()); got.Redacted != r {
		t.Errorf("Redacted = %q, want %q", got.Redacted, r)
	}
	if got.Verification != nil {
		t.Errorf("Verification = %+v, want nil", got.Verification)
	}
	if got.CreatedAt.Before(before) || got.CreatedAt.After(after) {
		t.Errorf("CreatedAt = %v, want between %v and %v", got.CreatedAt, before, after)
	}
	if !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Errorf("UpdatedAt = %v, want CreatedAt %v", got.UpdatedAt, got.CreatedAt)
	}

	// A verification given at creation is kept.
	v := sampleVerification("sk-…abcd")
	withV := sample(t, "with-verification")
	withV.Verification = &v
	mustCreate(t, st, withV)
	if got := mustGet(t, st, withV.Name); !reflect.DeepEqual(got.Verification, &v) {
		t.Errorf("Verification = %+v, want %+v", got.Verification, v)
	}
}

func testCreateErrors(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	first := sample(t, "dup")
	mustCreate(t, st, first)
	wantErr(t, "create twice", st.CreateCredential(ctx, sample(t, "dup")), credential.ErrExists)
	if got := mustGet(t, st, "dup"); got.Key.Reveal() != first.Key.Reveal() {
		t.Error("a failed create replaced the key")
	}
	noKey := sample(t, "no-key")
	noKey.Key = secret.Secret{}
	if err := st.CreateCredential(ctx, noKey); err == nil {
		t.Error("created a credential without a key")
	}
	if err := st.CreateCredential(ctx, sample(t, "")); err == nil {
		t.Error("created a credential without a name")
	}
	if n := len(mustList(t, st)); n != 1 {
		t.Errorf("%d credentials after failed creates, want 1", n)
	}
}

func testNotFound(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	_, err := st.GetCredential(ctx, "nope")
	wantErr(t, "GetCredential", err, credential.ErrNotFound)
	wantErr(t, "UpdateCredential", st.UpdateCredential(ctx, sample(t, "nope")), credential.ErrNotFound)
	wantErr(t, "SaveVerification", st.SaveVerification(ctx, "nope", sampleVerification("")), credential.ErrNotFound)
	wantErr(t, "DeleteCredential", st.DeleteCredential(ctx, "nope"), credential.ErrNotFound)
	if n := len(mustList(t, st)); n != 0 {
		t.Errorf("%d credentials, want 0", n)
	}
}

func testUpdate(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	orig := sample(t, "c")
	mustCreate(t, st, orig)
	created := mustGet(t, st, "c")
	if err := st.SaveVerification(ctx, "c", sampleVerification(created.Redacted)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)

	next := credential.Credential{Name: "c", Vendor: "groq", APIBase: "https://api.groq.com/openai/v1"}
	if err := st.UpdateCredential(ctx, next); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, st, "c")
	sameFields(t, got, next)
	if got.Key.Reveal() != orig.Key.Reveal() || got.Redacted != created.Redacted {
		t.Error("an update without a key changed the key")
	}
	if got.Verification != nil {
		t.Errorf("Verification = %+v after an update with none, want nil", got.Verification)
	}
	if !got.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("CreatedAt changed from %v to %v", created.CreatedAt, got.CreatedAt)
	}
	if !got.UpdatedAt.After(created.UpdatedAt) {
		t.Errorf("UpdatedAt %v is not after %v", got.UpdatedAt, created.UpdatedAt)
	}
}

func testUpdateKey(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	mustCreate(t, st, sample(t, "c"))
	next := sample(t, "c")
	next.Key = secret.New("gsk_" + newKey(t).Reveal())
	if err := st.UpdateCredential(ctx, next); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, st, "c")
	if got.Key.Reveal() != next.Key.Reveal() {
		t.Error("UpdateCredential did not replace the key")
	}
	if r := secret.Redact(next.Key.Reveal()); got.Redacted != r {
		t.Errorf("Redacted = %q, want %q", got.Redacted, r)
	}
}

func testVerification(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	mustCreate(t, st, sample(t, "c"))
	before := mustGet(t, st, "c")
	v := sampleVerification(before.Redacted)
	if err := st.SaveVerification(ctx, "c", v); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, st, "c")
	if !reflect.DeepEqual(got.Verification, &v) {
		t.Errorf("GetCredential Verification = %+v, want %+v", got.Verification, v)
	}
	if !got.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("SaveVerification changed UpdatedAt from %v to %v", before.UpdatedAt, got.UpdatedAt)
	}
	if got.Key.Reveal() != before.Key.Reveal() {
		t.Error("SaveVerification changed the key")
	}
	list := mustList(t, st)
	if len(list) != 1 || !reflect.DeepEqual(list[0].Verification, &v) {
		t.Errorf("ListCredentials = %+v, want the verification", list)
	}

	// A later verdict replaces the earlier one.
	v2 := credential.Verification{At: v.At.Add(time.Hour), OK: true, Redacted: before.Redacted}
	if err := st.SaveVerification(ctx, "c", v2); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, st, "c"); !reflect.DeepEqual(got.Verification, &v2) {
		t.Errorf("Verification = %+v, want %+v", got.Verification, v2)
	}
}

func testList(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	if cs := mustList(t, st); len(cs) != 0 {
		t.Fatalf("empty store lists %d credentials", len(cs))
	}
	names := []string{"zeta", "Alpha", "alpha", "a-b", "b", "a_b", "a"}
	keys := map[string]string{}
	for _, n := range names {
		c := sample(t, n)
		keys[n] = c.Key.Reveal()
		mustCreate(t, st, c)
	}
	if err := st.SaveVerification(ctx, "b", sampleVerification("x")); err != nil {
		t.Fatal(err)
	}
	cs := mustList(t, st)
	var got []string
	for _, c := range cs {
		got = append(got, c.Name)
		if !c.Key.IsZero() {
			t.Errorf("%s: ListCredentials opened the key", c.Name)
		}
		if want := secret.Redact(keys[c.Name]); c.Redacted != want {
			t.Errorf("%s: Redacted = %q, want %q", c.Name, c.Redacted, want)
		}
		if (c.Verification != nil) != (c.Name == "b") {
			t.Errorf("%s: Verification = %v", c.Name, c.Verification)
		}
		if c.CreatedAt.IsZero() || c.Vendor != "openai" {
			t.Errorf("%s: fields not filled: %+v", c.Name, c)
		}
	}
	want := []string{"Alpha", "a", "a-b", "a_b", "alpha", "b", "zeta"} // byte order
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListCredentials order = %q, want %q", got, want)
	}
}

func testDelete(t *testing.T, db DB) {
	ctx := context.Background()
	st := open(t, db, newSealer(t))
	mustCreate(t, st, sample(t, "a"))
	mustCreate(t, st, sample(t, "b"))
	if err := st.DeleteCredential(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	_, err := st.GetCredential(ctx, "a")
	wantErr(t, "get deleted", err, credential.ErrNotFound)
	wantErr(t, "delete twice", st.DeleteCredential(ctx, "a"), credential.ErrNotFound)
	if cs := mustList(t, st); len(cs) != 1 || cs[0].Name != "b" {
		t.Errorf("ListCredentials = %v, want only b", cs)
	}
	// The name is free again.
	again := sample(t, "a")
	mustCreate(t, st, again)
	if got := mustGet(t, st, "a"); got.Key.Reveal() != again.Key.Reveal() {
		t.Error("re-created credential has the old key")
	}
}
