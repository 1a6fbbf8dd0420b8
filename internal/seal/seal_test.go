package seal

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/keygate/keygate/internal/credential"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func mustNew(t *testing.T, key []byte) *Sealer {
	t.Helper()
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewKeySize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New(%d bytes) succeeded, want an error", n)
		}
	}
	if _, err := New(make([]byte, KeySize)); err != nil {
		t.Errorf("New(32 bytes): %v", err)
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	s := mustNew(t, testKey(1))
	for _, tc := range []struct {
		name       string
		plain, aad []byte
	}{
		{"empty", nil, nil},
		{"key", []byte("sk-proj-abcdefghijklmnop"), []byte("openai-main")},
		{"binary", []byte{0, 1, 2, 255}, []byte{0}},
		{"long", bytes.Repeat([]byte("x"), 1<<16), []byte("big")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sealed, err := s.Seal(tc.plain, tc.aad)
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.plain) >= 8 && bytes.Contains(sealed, tc.plain) {
				t.Fatal("sealed value contains the plaintext")
			}
			if want := headSize + len(tc.plain) + tagSize; len(sealed) != want {
				t.Errorf("len(sealed) = %d, want %d", len(sealed), want)
			}
			got, err := s.Open(sealed, tc.aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.plain) {
				t.Errorf("Open = %q, want %q", got, tc.plain)
			}
		})
	}
}

func TestSealFormat(t *testing.T) {
	t.Parallel()
	s := mustNew(t, testKey(1))
	a, _ := s.Seal([]byte("same"), nil)
	b, _ := s.Seal([]byte("same"), nil)
	if a[0] != version1 {
		t.Errorf("version byte = %d, want %d", a[0], version1)
	}
	if !bytes.Equal(a[1:1+idSize], s.id[:]) {
		t.Error("key id not after the version byte")
	}
	if bytes.Equal(a[1+idSize:headSize], b[1+idSize:headSize]) {
		t.Error("two seals used the same nonce")
	}
	if len(s.KeyID()) != 2*idSize {
		t.Errorf("KeyID() = %q, want %d hex characters", s.KeyID(), 2*idSize)
	}
	if s.KeyID() == mustNew(t, testKey(2)).KeyID() {
		t.Error("different keys have the same id")
	}
	if s.KeyID() != mustNew(t, testKey(1)).KeyID() {
		t.Error("the same key has different ids")
	}
}

func TestOpenFailures(t *testing.T) {
	t.Parallel()
	s := mustNew(t, testKey(1))
	other := mustNew(t, testKey(2))
	sealed, err := s.Seal([]byte("sk-secret-value-1234"), []byte("row-a"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		return b
	}
	for _, tc := range []struct {
		name   string
		sealer *Sealer
		in     []byte
		aad    string
		want   error
	}{
		{"other key", other, sealed, "row-a", credential.ErrWrongMasterKey},
		{"other row", s, sealed, "row-b", credential.ErrWrongMasterKey},
		{"no aad", s, sealed, "", credential.ErrWrongMasterKey},
		{"tampered ciphertext", s, flip(len(sealed) - 1), "row-a", credential.ErrWrongMasterKey},
		{"tampered nonce", s, flip(1 + idSize), "row-a", credential.ErrWrongMasterKey},
		{"tampered key id", s, flip(1), "row-a", credential.ErrWrongMasterKey},
		{"empty", s, nil, "row-a", ErrMalformed},
		{"version", s, flip(0), "row-a", ErrMalformed},
		{"truncated", s, sealed[:headSize+tagSize-1], "row-a", ErrMalformed},
		{"header only", s, sealed[:headSize], "row-a", ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.sealer.Open(tc.in, []byte(tc.aad))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open error = %v, want %v", err, tc.want)
			}
			if got != nil {
				t.Errorf("Open returned %q with an error", got)
			}
			if strings.Contains(err.Error(), "sk-secret") {
				t.Errorf("error shows the plaintext: %v", err)
			}
		})
	}
}

func TestSealerConcurrent(t *testing.T) {
	t.Parallel()
	s := mustNew(t, testKey(3))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			aad := []byte{byte(i)}
			for range 100 {
				b, err := s.Seal([]byte("value"), aad)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Open(b, aad); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzOpen(f *testing.F) {
	s, err := New(testKey(1))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := s.Seal([]byte("sk-abc"), []byte("n"))
	f.Add(good, []byte("n"))
	f.Add([]byte{}, []byte{})
	f.Add([]byte{1}, []byte("n"))
	f.Add(good[:headSize+tagSize], []byte("n"))
	f.Fuzz(func(t *testing.T, sealed, aad []byte) {
		plain, err := s.Open(sealed, aad)
		if err != nil {
			if plain != nil {
				t.Fatal("plaintext returned with an error")
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, credential.ErrWrongMasterKey) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		// Anything that opens must be exactly what we would seal again.
		again, err := s.Open(sealed, aad)
		if err != nil || !bytes.Equal(again, plain) {
			t.Fatal("Open is not deterministic")
		}
	})
}
