// Package sqlite is the Store on a SQLite file (modernc.org/sqlite, no cgo).
//
// The database runs in WAL mode so a CLI process and a running server can
// share the file: readers never block the writer, and writers in other
// processes wait (busy_timeout) rather than fail. In this process all
// writes go through one connection, since SQLite has one writer anyway;
// reads use a small pool of read-only connections. Every write transaction
// starts with BEGIN IMMEDIATE, so two writers never deadlock upgrading a
// read lock.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/keygate/keygate/internal/seal"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Memory is the path of a private in-memory database.
const Memory = ":memory:"

// busyTimeoutMS is how long a writer waits for another process's write.
const busyTimeoutMS = 10000

// DB is a Store on one SQLite database. It is safe for concurrent use.
type DB struct {
	write *sql.DB // one connection; BEGIN IMMEDIATE transactions
	read  *sql.DB // read-only connections; the same as write for Memory

	mu     sync.RWMutex // held for reading while the sealer is in use
	sealer *seal.Sealer
}

// Open opens (creating it, mode 0600, if missing) the SQLite database at
// path, or a private in-memory database for Memory, applies pending
// migrations, and returns a DB that seals keys with s.
func Open(ctx context.Context, path string, s *seal.Sealer) (*DB, error) {
	if s == nil {
		return nil, errors.New("open sqlite: no master key sealer")
	}
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open sqlite %s: a path may not contain '?'", path)
	}
	db := &DB{sealer: s}
	var err error
	if path == Memory {
		// Each connection to :memory: is its own database: use exactly one.
		if db.write, err = openPool(Memory, 1, false); err != nil {
			return nil, err
		}
		db.read = db.write
	} else {
		if err := createFile(path); err != nil {
			return nil, err
		}
		if db.write, err = openPool(path, 1, false); err != nil {
			return nil, err
		}
		if db.read, err = openPool(path, max(4, runtime.GOMAXPROCS(0)), true); err != nil {
			db.write.Close()
			return nil, err
		}
	}
	if err := migrate(ctx, db.write); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// openPool opens a pool of up to n connections to path with keygate's
// pragmas; readOnly connections refuse writes.
func openPool(path string, n int, readOnly bool) (*sql.DB, error) {
	dsn := path + fmt.Sprintf("?_txlock=immediate&_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)", busyTimeoutMS)
	if path != Memory {
		dsn += "&_pragma=journal_mode(WAL)"
	}
	if readOnly {
		dsn += "&_pragma=query_only(1)"
	}
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	return pool, nil
}

// createFile creates an empty database file with mode 0600 (and its
// directory with 0700) if none exists, since SQLite would create it
// world-readable. SQLite gives the -wal and -shm files the same mode.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("open sqlite %s: create directory: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Changed returns the change counter; see store.Store.
func (db *DB) Changed(ctx context.Context) (int64, error) {
	var n int64
	if err := db.read.QueryRowContext(ctx, `SELECT value FROM change_counter WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read change counter: %w", err)
	}
	return n, nil
}

// inTx runs fn in a write transaction, committing if it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ignoreDone drops the error of rolling back a transaction already ended.
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// bump increments the change counter inside tx.
func bump(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE change_counter SET value = value + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump change counter: %w", err)
	}
	return nil
}
