package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/store/record"
)

// timeLayout is how timestamps are stored: UTC, fixed width, so they sort.
const timeLayout = "2006-01-02T15:04:05.000000Z"

const credentialColumns = `name, vendor, api_base, organization, project, proxy,
	key_sealed, key_id, redacted, verification, created_at, updated_at`

// CreateCredential stores a new credential; see store.Store.
func (db *DB) CreateCredential(ctx context.Context, c credential.Credential) error {
	if c.Key.IsZero() {
		return fmt.Errorf("create credential %q: no key", c.Name)
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	now := record.Now()
	c.CreatedAt, c.UpdatedAt = now, now
	r, err := record.Encode(db.sealer, c)
	if err != nil {
		return fmt.Errorf("create credential: %w", err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.checkOneMasterKey(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO credentials (`+credentialColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			r.Name, r.Vendor, r.APIBase, r.Organization, r.Project, r.Proxy,
			r.KeySealed, r.KeyID, r.Redacted, nullJSON(r.Verification),
			r.CreatedAt.Format(timeLayout), r.UpdatedAt.Format(timeLayout))
		if err != nil {
			return err
		}
		if err := oneRow(res, credential.ErrExists); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("create credential %q: %w", c.Name, err)
	}
	return nil
}

// GetCredential returns the named credential with its key opened; see
// store.Store.
func (db *DB) GetCredential(ctx context.Context, name string) (credential.Credential, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	row := db.read.QueryRowContext(ctx, `SELECT `+credentialColumns+` FROM credentials WHERE name = ?`, name)
	r, err := scanRow(row)
	if errors.Is(err, sql.ErrNoRows) {
		return credential.Credential{}, fmt.Errorf("get credential %q: %w", name, credential.ErrNotFound)
	}
	if err != nil {
		return credential.Credential{}, fmt.Errorf("get credential %q: %w", name, err)
	}
	c, err := r.Decode(db.sealer)
	if err != nil {
		return credential.Credential{}, fmt.Errorf("get credential: %w", err)
	}
	return c, nil
}

// ListCredentials returns every credential, keys not opened; see
// store.Store.
func (db *DB) ListCredentials(ctx context.Context) ([]credential.Credential, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+credentialColumns+` FROM credentials ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	defer rows.Close()
	var cs []credential.Credential
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("list credentials: %w", err)
		}
		c, err := r.Decode(nil)
		if err != nil {
			return nil, fmt.Errorf("list credentials: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	return cs, nil
}

// UpdateCredential replaces a credential's fields, and its key if given;
// see store.Store.
func (db *DB) UpdateCredential(ctx context.Context, c credential.Credential) error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	c.UpdatedAt = record.Now()
	r, err := record.Encode(db.sealer, c)
	if err != nil {
		return fmt.Errorf("update credential: %w", err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE credentials SET vendor = ?, api_base = ?,
			organization = ?, project = ?, proxy = ?, verification = ?, updated_at = ?
			WHERE name = ?`,
			r.Vendor, r.APIBase, r.Organization, r.Project, r.Proxy,
			nullJSON(r.Verification), r.UpdatedAt.Format(timeLayout), r.Name)
		if err != nil {
			return err
		}
		if err := oneRow(res, credential.ErrNotFound); err != nil {
			return err
		}
		if r.KeySealed != nil {
			if err := db.checkOneMasterKey(ctx, tx); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE credentials SET key_sealed = ?, key_id = ?, redacted = ?
				WHERE name = ?`, r.KeySealed, r.KeyID, r.Redacted, r.Name); err != nil {
				return err
			}
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("update credential %q: %w", c.Name, err)
	}
	return nil
}

// SaveVerification records a credential's latest verification; see
// store.Store.
func (db *DB) SaveVerification(ctx context.Context, name string, v credential.Verification) error {
	b, err := record.MarshalVerification(&v)
	if err != nil {
		return fmt.Errorf("save verification of %q: %w", name, err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE credentials SET verification = ? WHERE name = ?`, string(b), name)
		if err != nil {
			return err
		}
		if err := oneRow(res, credential.ErrNotFound); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("save verification of %q: %w", name, err)
	}
	return nil
}

// DeleteCredential deletes a credential's row; see store.Store.
func (db *DB) DeleteCredential(ctx context.Context, name string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM credentials WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if err := oneRow(res, credential.ErrNotFound); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("delete credential %q: %w", name, err)
	}
	return nil
}

// checkOneMasterKey refuses to seal a key under this DB's master key when
// the stored keys are sealed under another: a database must stay openable
// with one master key. The caller holds db.mu.
func (db *DB) checkOneMasterKey(ctx context.Context, tx *sql.Tx) error {
	var other string
	err := tx.QueryRowContext(ctx, `SELECT key_id FROM credentials WHERE key_id <> ? LIMIT 1`,
		db.sealer.KeyID()).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("check master key: %w", err)
	}
	return fmt.Errorf("stored keys are sealed under master key %s, not %s: %w",
		other, db.sealer.KeyID(), credential.ErrWrongMasterKey)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanRow reads one credentials row selected with credentialColumns.
func scanRow(s scanner) (record.Row, error) {
	var (
		r                record.Row
		verification     sql.NullString
		created, updated string
	)
	err := s.Scan(&r.Name, &r.Vendor, &r.APIBase, &r.Organization, &r.Project, &r.Proxy,
		&r.KeySealed, &r.KeyID, &r.Redacted, &verification, &created, &updated)
	if err != nil {
		return record.Row{}, err
	}
	if verification.Valid {
		r.Verification = []byte(verification.String)
	}
	if r.CreatedAt, err = time.Parse(timeLayout, created); err != nil {
		return record.Row{}, fmt.Errorf("credential %q: created_at: %w", r.Name, err)
	}
	if r.UpdatedAt, err = time.Parse(timeLayout, updated); err != nil {
		return record.Row{}, fmt.Errorf("credential %q: updated_at: %w", r.Name, err)
	}
	return r, nil
}

// oneRow returns notOne unless res affected exactly one row.
func oneRow(res sql.Result, notOne error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return notOne
	}
	return nil
}

// nullJSON stores nil as NULL and JSON as TEXT.
func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}
