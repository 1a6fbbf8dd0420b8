package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/keygate/keygate/internal/store/record"
	"github.com/keygate/keygate/internal/tenant"
)

const keyColumns = `id, project, name, hash, hint, rpm, tpm, rpd, budget_nanos, period,
	expires_at, revoked_at, created_at`

// CreateVirtualKey stores a new key of an existing project; see
// store.Tenants.
func (db *DB) CreateVirtualKey(ctx context.Context, k tenant.VirtualKey) error {
	if err := record.CheckVirtualKey(k); err != nil {
		return fmt.Errorf("create virtual key: %w", err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM projects WHERE name = ?`, k.Project).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("project %q: %w", k.Project, tenant.ErrNotFound)
		}
		if err != nil {
			return err
		}
		// With no target, DO NOTHING covers both the id and the hash.
		res, err := tx.ExecContext(ctx, `INSERT INTO virtual_keys (`+keyColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			k.ID, k.Project, k.Name, k.Hash[:], k.Hint, k.Limits.RPM, k.Limits.TPM, k.Limits.RPD,
			int64(k.Limits.Budget), string(k.Limits.Period), optTime(k.ExpiresAt), optTime(k.RevokedAt),
			record.Now().Format(timeLayout))
		if err != nil {
			return err
		}
		if err := oneRow(res, tenant.ErrExists); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("create virtual key %q: %w", k.ID, err)
	}
	return nil
}

// ListVirtualKeys returns a project's keys, or every key; see
// store.Tenants.
func (db *DB) ListVirtualKeys(ctx context.Context, project string) ([]tenant.VirtualKey, error) {
	query, args := `SELECT `+keyColumns+` FROM virtual_keys ORDER BY project, created_at, id`, []any(nil)
	if project != "" {
		query = `SELECT ` + keyColumns + ` FROM virtual_keys WHERE project = ? ORDER BY created_at, id`
		args = []any{project}
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list virtual keys: %w", err)
	}
	defer rows.Close()
	var ks []tenant.VirtualKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list virtual keys: %w", err)
		}
		ks = append(ks, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list virtual keys: %w", err)
	}
	if len(ks) == 0 && project != "" {
		if _, err := db.GetProject(ctx, project); err != nil {
			return nil, fmt.Errorf("list virtual keys: %w", err)
		}
	}
	return ks, nil
}

// GetVirtualKeyByHash returns the key with this SHA-256; see store.Tenants.
func (db *DB) GetVirtualKeyByHash(ctx context.Context, hash [32]byte) (tenant.VirtualKey, error) {
	k, err := scanKey(db.read.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM virtual_keys WHERE hash = ?`, hash[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return tenant.VirtualKey{}, fmt.Errorf("get virtual key by hash: %w", tenant.ErrNotFound)
	}
	if err != nil {
		return tenant.VirtualKey{}, fmt.Errorf("get virtual key by hash: %w", err)
	}
	return k, nil
}

// RevokeVirtualKey marks a key revoked; see store.Tenants.
func (db *DB) RevokeVirtualKey(ctx context.Context, id string, at time.Time) error {
	if at.IsZero() {
		at = record.Now()
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE virtual_keys SET revoked_at = ?
			WHERE id = ? AND revoked_at IS NULL`, formatTime(at), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 1 {
			return bump(ctx, tx)
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM virtual_keys WHERE id = ?`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return tenant.ErrNotFound
		}
		return err // nil: already revoked, nothing changed
	})
	if err != nil {
		return fmt.Errorf("revoke virtual key %q: %w", id, err)
	}
	return nil
}

// DeleteVirtualKey deletes a key's row; see store.Tenants.
func (db *DB) DeleteVirtualKey(ctx context.Context, id string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM virtual_keys WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if err := oneRow(res, tenant.ErrNotFound); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("delete virtual key %q: %w", id, err)
	}
	return nil
}

// scanKey reads one virtual_keys row selected with keyColumns.
func scanKey(s scanner) (tenant.VirtualKey, error) {
	var (
		k                tenant.VirtualKey
		hash             []byte
		budget           int64
		period, created  string
		expires, revoked sql.NullString
	)
	if err := s.Scan(&k.ID, &k.Project, &k.Name, &hash, &k.Hint, &k.Limits.RPM, &k.Limits.TPM,
		&k.Limits.RPD, &budget, &period, &expires, &revoked, &created); err != nil {
		return tenant.VirtualKey{}, err
	}
	k.Limits.Budget, k.Limits.Period = tenant.Nanos(budget), tenant.Period(period)
	var err error
	if k.Hash, err = record.HashFrom(hash); err != nil {
		return tenant.VirtualKey{}, fmt.Errorf("virtual key %q: %w", k.ID, err)
	}
	if k.ExpiresAt, err = parseOptTime(expires); err != nil {
		return tenant.VirtualKey{}, fmt.Errorf("virtual key %q: expires_at: %w", k.ID, err)
	}
	if k.RevokedAt, err = parseOptTime(revoked); err != nil {
		return tenant.VirtualKey{}, fmt.Errorf("virtual key %q: revoked_at: %w", k.ID, err)
	}
	if k.CreatedAt, err = parseTime(created); err != nil {
		return tenant.VirtualKey{}, fmt.Errorf("virtual key %q: created_at: %w", k.ID, err)
	}
	return k, nil
}
