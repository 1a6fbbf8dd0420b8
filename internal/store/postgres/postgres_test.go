package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/store/postgres"
	"github.com/keygate/keygate/internal/store/storetest"
)

// baseDSN returns the test server's URL from KEYGATE_TEST_POSTGRES, or
// skips the test.
func baseDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("KEYGATE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("KEYGATE_TEST_POSTGRES is not set")
	}
	return dsn
}

// newSchema names a fresh schema and drops it when the test ends.
func newSchema(t *testing.T, base string) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "kgtest_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		exec1(t, base, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	})
	return schema
}

// withParam returns dsn with one more query parameter.
func withParam(t *testing.T, dsn, key, value string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// exec1 runs one statement on its own connection; search_path, if given,
// is the schema to run it in.
func exec1(t *testing.T, dsn, query string) {
	t.Helper()
	if err := tryExec(t, dsn, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// tryExec is exec1 returning the statement's error.
func tryExec(t *testing.T, dsn, query string) error {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, query)
	return err
}

func mustOpen(t *testing.T, dsn string, s *seal.Sealer) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn, s)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStore(t *testing.T) {
	base := baseDSN(t)
	storetest.Run(t, func(t *testing.T) storetest.DB {
		schema := newSchema(t, base)
		dsn := withParam(t, base, "search_path", schema)
		return storetest.DB{
			Open:    func(t *testing.T, s *seal.Sealer) store.DB { return mustOpen(t, dsn, s) },
			Exec:    func(t *testing.T, query string) { exec1(t, dsn, query) },
			TryExec: func(t *testing.T, query string) error { return tryExec(t, dsn, query) },
			Dump: func(t *testing.T) []byte {
				out, err := exec.Command("/usr/bin/pg_dump", "--schema="+schema, base).Output()
				if err != nil {
					t.Fatalf("pg_dump: %v", err)
				}
				return out
			},
		}
	})
}

// TestSchemaParam checks keygate's schema= parameter and that concurrent
// Opens of a new schema migrate it once.
func TestSchemaParam(t *testing.T) {
	t.Parallel()
	base := baseDSN(t)
	schema := newSchema(t, base)
	dsn := withParam(t, base, "schema", schema)
	s, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	dbs := make(chan *postgres.DB, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			db, err := postgres.Open(context.Background(), dsn, s)
			errs <- err
			dbs <- db
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
		defer (<-dbs).Close()
	}

	st, err := store.Open(context.Background(), dsn, s)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := credential.Credential{Name: "c", Vendor: "openai", Key: secret.New("sk-0123456789abcdef")}
	if err := st.CreateCredential(context.Background(), c); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var migrations, creds int
	err = conn.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM `+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+`),
		(SELECT COUNT(*) FROM `+pgx.Identifier{schema, "credentials"}.Sanitize()+`)`).Scan(&migrations, &creds)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) < 2 {
		t.Fatalf("migration files: %v, %v", files, err)
	}
	if migrations != len(files) || creds != 1 {
		t.Errorf("in schema %s: %d migrations, %d credentials; want %d, 1", schema, migrations, creds, len(files))
	}
}

func TestBadSchema(t *testing.T) {
	t.Parallel()
	base := baseDSN(t)
	s, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	for _, schema := range []string{`x"; DROP TABLE y; --`, "Upper", ""} {
		if db, err := postgres.Open(context.Background(), withParam(t, base, "schema", schema), s); err == nil {
			db.Close()
			t.Errorf("Open with schema %q succeeded", schema)
		}
	}
}
