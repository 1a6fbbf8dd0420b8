package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/keygate/keygate/internal/store/record"
	"github.com/keygate/keygate/internal/tenant"
)

const projectColumns = `name, models, rpm, tpm, rpd, budget_nanos, period, created_at, updated_at`

// CreateProject stores a new project; see store.Tenants.
func (db *DB) CreateProject(ctx context.Context, p tenant.Project) error {
	if err := record.CheckProject(p); err != nil {
		return fmt.Errorf("create project: %w", err)
	}
	models, err := record.EncodeModels(p.Models)
	if err != nil {
		return fmt.Errorf("create project %q: %w", p.Name, err)
	}
	now := record.Now()
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO projects (`+projectColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (name) DO NOTHING`,
			p.Name, models, p.Limits.RPM, p.Limits.TPM, p.Limits.RPD,
			int64(p.Limits.Budget), string(p.Limits.Period), now, now)
		if err != nil {
			return err
		}
		return oneRow(tag, tenant.ErrExists)
	})
	if err != nil {
		return fmt.Errorf("create project %q: %w", p.Name, err)
	}
	return nil
}

// GetProject returns the named project; see store.Tenants.
func (db *DB) GetProject(ctx context.Context, name string) (tenant.Project, error) {
	p, err := scanProject(db.pool.QueryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return tenant.Project{}, fmt.Errorf("get project %q: %w", name, tenant.ErrNotFound)
	}
	if err != nil {
		return tenant.Project{}, fmt.Errorf("get project %q: %w", name, err)
	}
	return p, nil
}

// ListProjects returns every project by name; see store.Tenants.
func (db *DB) ListProjects(ctx context.Context) ([]tenant.Project, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+projectColumns+` FROM projects ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	defer rows.Close()
	var ps []tenant.Project
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, fmt.Errorf("list projects: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	return ps, nil
}

// UpdateProject replaces a project's models and limits; see store.Tenants.
func (db *DB) UpdateProject(ctx context.Context, p tenant.Project) error {
	if err := record.CheckProject(p); err != nil {
		return fmt.Errorf("update project: %w", err)
	}
	models, err := record.EncodeModels(p.Models)
	if err != nil {
		return fmt.Errorf("update project %q: %w", p.Name, err)
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE projects SET models = $1, rpm = $2, tpm = $3, rpd = $4,
			budget_nanos = $5, period = $6, updated_at = $7 WHERE name = $8`,
			models, p.Limits.RPM, p.Limits.TPM, p.Limits.RPD, int64(p.Limits.Budget),
			string(p.Limits.Period), record.Now(), p.Name)
		if err != nil {
			return err
		}
		return oneRow(tag, tenant.ErrNotFound)
	})
	if err != nil {
		return fmt.Errorf("update project %q: %w", p.Name, err)
	}
	return nil
}

// DeleteProject deletes a project without keys; see store.Tenants. The
// transaction holds the change counter's lock, so no key can be created
// between the count and the delete.
func (db *DB) DeleteProject(ctx context.Context, name string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var keys int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM virtual_keys WHERE project = $1`,
			name).Scan(&keys); err != nil {
			return err
		}
		if keys > 0 {
			return record.ProjectHasKeys(name, keys)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM projects WHERE name = $1`, name)
		if err != nil {
			return err
		}
		return oneRow(tag, tenant.ErrNotFound)
	})
	if err != nil {
		return fmt.Errorf("delete project %q: %w", name, err)
	}
	return nil
}

// scanProject reads one projects row selected with projectColumns.
func scanProject(row pgx.Row) (tenant.Project, error) {
	var (
		p      tenant.Project
		models []byte
		budget int64
		period string
	)
	if err := row.Scan(&p.Name, &models, &p.Limits.RPM, &p.Limits.TPM, &p.Limits.RPD,
		&budget, &period, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return tenant.Project{}, err
	}
	p.Limits.Budget, p.Limits.Period = tenant.Nanos(budget), tenant.Period(period)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	var err error
	if p.Models, err = record.DecodeModels(models); err != nil {
		return tenant.Project{}, fmt.Errorf("project %q: %w", p.Name, err)
	}
	return p, nil
}
