package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keygate/keygate/internal/store/record"
	"github.com/keygate/keygate/internal/tenant"
)

const keyColumns = `id, project, name, hash, hint, rpm, tpm, rpd, budget_nanos, period,
	expires_at, revoked_at, created_at`

// errUnchanged rolls back a transaction that found nothing to change, so
// the change counter does not move; the caller reports success.
var errUnchanged = errors.New("unchanged")

// CreateVirtualKey stores a new key of an existing project; see
// store.Tenants. The transaction holds the change counter's lock, so the
// project cannot be deleted between the check and the insert.
func (db *DB) CreateVirtualKey(ctx context.Context, k tenant.VirtualKey) error {
	if err := record.CheckVirtualKey(k); err != nil {
		return fmt.Errorf("create virtual key: %w", err)
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM projects WHERE name = $1`, k.Project).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("project %q: %w", k.Project, tenant.ErrNotFound)
		}
		if err != nil {
			return err
		}
		// With no target, DO NOTHING covers both the id and the hash.
		tag, err := tx.Exec(ctx, `INSERT INTO virtual_keys (`+keyColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
			k.ID, k.Project, k.Name, k.Hash[:], k.Hint, k.Limits.RPM, k.Limits.TPM, k.Limits.RPD,
			int64(k.Limits.Budget), string(k.Limits.Period), record.OptTime(k.ExpiresAt),
			record.OptTime(k.RevokedAt), record.Now())
		if err != nil {
			return err
		}
		return oneRow(tag, tenant.ErrExists)
	})
	if err != nil {
		return fmt.Errorf("create virtual key %q: %w", k.ID, err)
	}
	return nil
}

// ListVirtualKeys returns a project's keys, or every key; see
// store.Tenants.
func (db *DB) ListVirtualKeys(ctx context.Context, project string) ([]tenant.VirtualKey, error) {
	query, args := `SELECT `+keyColumns+` FROM virtual_keys ORDER BY project COLLATE "C", created_at, id COLLATE "C"`, []any(nil)
	if project != "" {
		query = `SELECT ` + keyColumns + ` FROM virtual_keys WHERE project = $1 ORDER BY created_at, id COLLATE "C"`
		args = []any{project}
	}
	rows, err := db.pool.Query(ctx, query, args...)
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
	k, err := scanKey(db.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM virtual_keys WHERE hash = $1`, hash[:]))
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE virtual_keys SET revoked_at = $1
			WHERE id = $2 AND revoked_at IS NULL`, record.Time(at), id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var one int
		err = tx.QueryRow(ctx, `SELECT 1 FROM virtual_keys WHERE id = $1`, id).Scan(&one)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return tenant.ErrNotFound
		case err != nil:
			return err
		}
		return errUnchanged // already revoked
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return fmt.Errorf("revoke virtual key %q: %w", id, err)
	}
	return nil
}

// DeleteVirtualKey deletes a key's row; see store.Tenants.
func (db *DB) DeleteVirtualKey(ctx context.Context, id string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM virtual_keys WHERE id = $1`, id)
		if err != nil {
			return err
		}
		return oneRow(tag, tenant.ErrNotFound)
	})
	if err != nil {
		return fmt.Errorf("delete virtual key %q: %w", id, err)
	}
	return nil
}

// scanKey reads one virtual_keys row selected with keyColumns.
func scanKey(row pgx.Row) (tenant.VirtualKey, error) {
	var (
		k      tenant.VirtualKey
		hash   []byte
		budget int64
		period string
	)
	if err := row.Scan(&k.ID, &k.Project, &k.Name, &hash, &k.Hint, &k.Limits.RPM, &k.Limits.TPM,
		&k.Limits.RPD, &budget, &period, &k.ExpiresAt, &k.RevokedAt, &k.CreatedAt); err != nil {
		return tenant.VirtualKey{}, err
	}
	k.Limits.Budget, k.Limits.Period = tenant.Nanos(budget), tenant.Period(period)
	k.ExpiresAt, k.RevokedAt, k.CreatedAt = record.OptTime(k.ExpiresAt), record.OptTime(k.RevokedAt), k.CreatedAt.UTC()
	var err error
	if k.Hash, err = record.HashFrom(hash); err != nil {
		return tenant.VirtualKey{}, fmt.Errorf("virtual key %q: %w", k.ID, err)
	}
	return k, nil
}
