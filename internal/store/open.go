package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/store/postgres"
	"github.com/keygate/keygate/internal/store/sqlite"
)

// accepted names the database URLs Open understands, for its errors.
const accepted = "use sqlite://PATH (sqlite://./keygate.db, sqlite:///var/lib/keygate/keygate.db, sqlite::memory:) or postgres://USER@HOST:PORT/DB (postgresql:// too)"

// Open opens the database named by dsn, migrating its schema, and returns a
// DB (credentials and tenants) that seals keys with s:
//
//	sqlite://./keygate.db          a file, relative to the working directory
//	sqlite:///abs/path/keygate.db  an absolute path
//	sqlite::memory:                a private in-memory database, for tests
//	postgres://… or postgresql://… a PostgreSQL URL; a schema=NAME (or
//	                               search_path=NAME) parameter selects a
//	                               schema, created if missing
func Open(ctx context.Context, dsn string, s *seal.Sealer) (DB, error) {
	if s == nil {
		return nil, errors.New("open store: no master key sealer")
	}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path, err := SQLitePath(dsn)
		if err != nil {
			return nil, err
		}
		db, err := sqlite.Open(ctx, path, s)
		if err != nil {
			return nil, err // not a DB holding a nil *sqlite.DB
		}
		return db, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err := postgres.Open(ctx, dsn, s)
		if err != nil {
			return nil, err
		}
		return db, nil
	}
	// Name only the scheme: the rest may hold a password.
	scheme, _, ok := strings.Cut(dsn, ":")
	if !ok || scheme == "" {
		return nil, fmt.Errorf("database setting is not a URL; %s", accepted)
	}
	return nil, fmt.Errorf("database scheme %q is not supported; %s", scheme, accepted)
}

// SQLitePath returns the file path (or ":memory:") a sqlite: URL names.
func SQLitePath(dsn string) (string, error) {
	rest, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok {
		return "", fmt.Errorf("database %q: not a sqlite: URL; %s", dsn, accepted)
	}
	// sqlite://PATH keeps PATH as written: "./x.db", "/abs/x.db", "x.db".
	rest = strings.TrimPrefix(rest, "//")
	switch {
	case rest == "":
		return "", fmt.Errorf("database %q names no file; %s", dsn, accepted)
	case strings.ContainsRune(rest, '?'):
		return "", fmt.Errorf("database %q: sqlite URLs take no parameters; %s", dsn, accepted)
	}
	return rest, nil
}
