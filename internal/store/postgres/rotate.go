package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/store/record"
)

// RotateMaster re-seals every key under next in one transaction; see
// store.Store.
func (db *DB) RotateMaster(ctx context.Context, next *seal.Sealer) (int, error) {
	if next == nil {
		return 0, errors.New("rotate master key: no new sealer")
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	var n int
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		resealed, err := resealAll(ctx, tx, db.sealer, next)
		if err != nil {
			return err
		}
		for _, r := range resealed {
			if _, err := tx.Exec(ctx, `UPDATE credentials SET key_sealed = $1, key_id = $2 WHERE name = $3`,
				r.KeySealed, r.KeyID, r.Name); err != nil {
				return fmt.Errorf("credential %q: %w", r.Name, err)
			}
		}
		n = len(resealed)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rotate master key: %w", err)
	}
	db.sealer = next
	return n, nil
}

// resealAll reads every key in tx, opening each with cur and sealing it
// under next. It reads all rows before the caller writes any.
func resealAll(ctx context.Context, tx pgx.Tx, cur, next *seal.Sealer) ([]record.Row, error) {
	rows, err := tx.Query(ctx, `SELECT name, key_sealed FROM credentials ORDER BY name FOR UPDATE`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []record.Row
	for rows.Next() {
		var r record.Row
		if err := rows.Scan(&r.Name, &r.KeySealed); err != nil {
			return nil, err
		}
		key, err := record.OpenKey(cur, r.Name, r.KeySealed)
		if err != nil {
			return nil, err
		}
		if r.KeySealed, err = record.SealKey(next, r.Name, key); err != nil {
			return nil, err
		}
		r.KeyID = next.KeyID()
		out = append(out, r)
	}
	return out, rows.Err()
}
