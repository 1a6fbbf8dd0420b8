package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/store/sqlite"
	"github.com/keygate/keygate/internal/store/storetest"

	"github.com/keygate/keygate/internal/credential"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.DB {
		path := filepath.Join(t.TempDir(), "keygate.db")
		return storetest.DB{
			Open: func(t *testing.T, s *seal.Sealer) store.DB { return mustOpen(t, path, s) },
			Exec: func(t *testing.T, query string) {
				if err := rawExec(t, path, query); err != nil {
					t.Fatalf("%s: %v", query, err)
				}
			},
			TryExec: func(t *testing.T, query string) error { return rawExec(t, path, query) },
			Dump: func(t *testing.T) []byte {
				var all []byte
				for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
					b, err := os.ReadFile(p)
					if err != nil && !errors.Is(err, fs.ErrNotExist) {
						t.Fatal(err)
					}
					all = append(all, b...)
				}
				return all
			},
		}
	})
}

// rawExec runs query on its own connection to the file, with foreign keys
// enforced as keygate's own connections do.
func rawExec(t *testing.T, path, query string) error {
	t.Helper()
	raw, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_, err = raw.Exec(query)
	return err
}

func mustOpen(t *testing.T, path string, s *seal.Sealer) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, s)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func testSealer(t *testing.T) *seal.Sealer {
	t.Helper()
	s, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFileModes checks that the database and its WAL files are private and
// that WAL mode is on, so a CLI and a server can share the file.
func TestFileModes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "keygate.db")
	db := mustOpen(t, path, testSealer(t))
	defer db.Close()
	err := db.CreateCredential(context.Background(), credential.Credential{
		Name: "c", Vendor: "openai", Key: secret.New("sk-0123456789abcdef"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(p), perm)
		}
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("directory: %v, %v; want mode 0700", fi.Mode(), err)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var mode string
	if err := raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

// TestReopenMigrated checks that opening a migrated database again applies
// nothing twice.
func TestReopenMigrated(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keygate.db")
	s := testSealer(t)
	for range 3 {
		if err := mustOpen(t, path, s).Close(); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) < 2 {
		t.Fatalf("migration files: %v, %v", files, err)
	}
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(files) {
		t.Errorf("schema_migrations rows = %d, %v; want %d", n, err, len(files))
	}
}

// TestMemory checks the in-memory database used by tests of other packages.
func TestMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite::memory:", testSealer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := credential.Credential{Name: "m", Vendor: "openai", Key: secret.New("sk-0123456789abcdef")}
	if err := st.CreateCredential(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetCredential(ctx, "m")
	if err != nil || got.Key.Reveal() != c.Key.Reveal() {
		t.Fatalf("GetCredential = %v, %v", got, err)
	}
}

// TestConcurrentOpen checks that processes opening a new database together
// migrate it once and all succeed.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keygate.db")
	s := testSealer(t)
	const n = 6
	errs := make(chan error, n)
	for range n {
		go func() {
			db, err := sqlite.Open(context.Background(), path, s)
			if err == nil {
				err = db.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}
}
