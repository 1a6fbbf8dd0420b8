package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/store/record"
)

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
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if err := db.checkOneMasterKey(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO credentials (`+credentialColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (name) DO NOTHING`,
			r.Name, r.Vendor, r.APIBase, r.Organization, r.Project, r.Proxy,
			r.KeySealed, r.KeyID, r.Redacted, nullJSON(r.Verification), r.CreatedAt, r.UpdatedAt)
		if err != nil {
			return err
		}
		return oneRow(tag, credential.ErrExists)
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
	r, err := scanRow(db.pool.QueryRow(ctx, `SELECT `+credentialColumns+` FROM credentials WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
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
	rows, err := db.pool.Query(ctx, `SELECT `+credentialColumns+` FROM credentials ORDER BY name COLLATE "C"`)
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
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE credentials SET vendor = $1, api_base = $2,
			organization = $3, project = $4, proxy = $5, verification = $6, updated_at = $7
			WHERE name = $8`,
			r.Vendor, r.APIBase, r.Organization, r.Project, r.Proxy,
			nullJSON(r.Verification), r.UpdatedAt, r.Name)
		if err != nil {
			return err
		}
		if err := oneRow(tag, credential.ErrNotFound); err != nil {
			return err
		}
		if r.KeySealed == nil {
			return nil
		}
		if err := db.checkOneMasterKey(ctx, tx); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE credentials SET key_sealed = $1, key_id = $2, redacted = $3
			WHERE name = $4`, r.KeySealed, r.KeyID, r.Redacted, r.Name)
		return err
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
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE credentials SET verification = $1 WHERE name = $2`, b, name)
		if err != nil {
			return err
		}
		return oneRow(tag, credential.ErrNotFound)
	})
	if err != nil {
		return fmt.Errorf("save verification of %q: %w", name, err)
	}
	return nil
}

// DeleteCredential deletes a credential's row; see store.Store.
func (db *DB) DeleteCredential(ctx context.Context, name string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM credentials WHERE name = $1`, name)
		if err != nil {
			return err
		}
		return oneRow(tag, credential.ErrNotFound)
	})
	if err != nil {
		return fmt.Errorf("delete credential %q: %w", name, err)
	}
	return nil
}

// checkOneMasterKey refuses to seal a key under this DB's master key when
// the stored keys are sealed under another: a database must stay openable
// with one master key. The caller holds db.mu.
func (db *DB) checkOneMasterKey(ctx context.Context, tx pgx.Tx) error {
	var other string
	err := tx.QueryRow(ctx, `SELECT key_id FROM credentials WHERE key_id <> $1 LIMIT 1`,
		db.sealer.KeyID()).Scan(&other)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("check master key: %w", err)
	}
	return fmt.Errorf("stored keys are sealed under master key %s, not %s: %w",
		other, db.sealer.KeyID(), credential.ErrWrongMasterKey)
}

// scanRow reads one credentials row selected with credentialColumns.
func scanRow(row pgx.Row) (record.Row, error) {
	var r record.Row
	err := row.Scan(&r.Name, &r.Vendor, &r.APIBase, &r.Organization, &r.Project, &r.Proxy,
		&r.KeySealed, &r.KeyID, &r.Redacted, &r.Verification, &r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return record.Row{}, err
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, nil
}

// oneRow returns notOne unless the command affected exactly one row.
func oneRow(tag pgconn.CommandTag, notOne error) error {
	if tag.RowsAffected() != 1 {
		return notOne
	}
	return nil
}

// nullJSON stores nil as NULL and JSON as jsonb.
func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}
