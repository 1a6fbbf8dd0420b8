package store

import (
	"context"
	"strings"
	"testing"

	"github.com/keygate/keygate/internal/seal"
)

func TestSQLitePath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dsn, want string
		ok        bool
	}{
		{"sqlite://./keygate.db", "./keygate.db", true},
		{"sqlite:///var/lib/keygate/keygate.db", "/var/lib/keygate/keygate.db", true},
		{"sqlite://keygate.db", "keygate.db", true},
		{"sqlite:keygate.db", "keygate.db", true},
		{"sqlite::memory:", ":memory:", true},
		{"sqlite://:memory:", ":memory:", true},
		{"sqlite://", "", false},
		{"sqlite:", "", false},
		{"sqlite://./k.db?mode=ro", "", false},
	} {
		got, err := SQLitePath(tc.dsn)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q, ok %v", tc.dsn, got, err, tc.want, tc.ok)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	s, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	for _, dsn := range []string{
		"mysql://root:hunter2@localhost/db",
		"./keygate.db",
		"",
		"redis://127.0.0.1:6379/0",
	} {
		_, err := Open(context.Background(), dsn, s)
		if err == nil {
			t.Errorf("Open(%q) succeeded", dsn)
			continue
		}
		if !strings.Contains(err.Error(), "sqlite://") || !strings.Contains(err.Error(), "postgres://") {
			t.Errorf("Open(%q): %v; want the accepted forms named", dsn, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q) error shows the password: %v", dsn, err)
		}
	}
	if _, err := Open(context.Background(), "sqlite::memory:", nil); err == nil {
		t.Error("Open without a sealer succeeded")
	}
}
