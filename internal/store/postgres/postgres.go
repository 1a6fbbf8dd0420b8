// Package postgres is the Store on PostgreSQL (pgx/v5, pgxpool), for many
// replicas sharing one database.
//
// Every write transaction first bumps the change counter row, which takes
// its lock: writers from all replicas run one at a time, so the checks they
// make inside the transaction (a name is free, the master key matches) hold
// until they commit. Migrations run under a transaction-scoped advisory
// lock, so replicas starting together apply them once.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keygate/keygate/internal/seal"
)

// DB is a Store on one PostgreSQL schema. It is safe for concurrent use.
type DB struct {
	pool   *pgxpool.Pool
	schema string // "" for the server's default search_path

	mu     sync.RWMutex // held for reading while the sealer is in use
	sealer *seal.Sealer
}

// schemaName is what Open accepts as a schema: a plain lower-case
// identifier, so it means the same quoted or not.
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Open connects to the PostgreSQL database at dsn, applies pending
// migrations and returns a DB that seals keys with s.
//
// Besides the parameters pgx understands, dsn may carry schema=NAME to keep
// keygate's tables in schema NAME (created if missing) rather than the
// default search_path; search_path=NAME (one schema) does the same.
func Open(ctx context.Context, dsn string, s *seal.Sealer) (*DB, error) {
	if s == nil {
		return nil, errors.New("open postgres: no master key sealer")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	schema, err := takeSchema(cfg.ConnConfig.RuntimeParams)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := &DB{pool: pool, schema: schema, sealer: s}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres %s@%s/%s: %w",
			cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return db, nil
}

// takeSchema reads the schema from the connection's runtime parameters,
// replacing keygate's own schema parameter (which the server would not
// accept) with search_path.
func takeSchema(params map[string]string) (string, error) {
	schema, ok := params["schema"]
	delete(params, "schema")
	if !ok {
		sp, ok := params["search_path"]
		if !ok || strings.Contains(sp, ",") {
			return "", nil // the server's default, or a list we leave alone
		}
		schema = strings.TrimSpace(sp)
	}
	if !schemaName.MatchString(schema) {
		return "", fmt.Errorf("schema %q: want a lower-case name of letters, digits and _", schema)
	}
	params["search_path"] = schema
	return schema, nil
}

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Changed returns the change counter; see store.Store.
func (db *DB) Changed(ctx context.Context) (int64, error) {
	var n int64
	if err := db.pool.QueryRow(ctx, `SELECT value FROM change_counter WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read change counter: %w", err)
	}
	return n, nil
}

// inTx runs fn in a transaction that has already bumped the change counter
// (and so holds its lock), committing if fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE change_counter SET value = value + 1 WHERE id = 1`); err != nil {
			return fmt.Errorf("bump change counter: %w", err)
		}
		return fn(tx)
	})
}
