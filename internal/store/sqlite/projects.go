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
	now := record.Now().Format(timeLayout)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO projects (`+projectColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			p.Name, string(models), p.Limits.RPM, p.Limits.TPM, p.Limits.RPD,
			int64(p.Limits.Budget), string(p.Limits.Period), now, now)
		if err != nil {
			return err
		}
		if err := oneRow(res, tenant.ErrExists); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("create project %q: %w", p.Name, err)
	}
	return nil
}

// GetProject returns the named project; see store.Tenants.
func (db *DB) GetProject(ctx context.Context, name string) (tenant.Project, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM projects WHERE name = ?`, name)
	p, err := scanProject(row)
	if errors.Is(err, sql.ErrNoRows) {
		return tenant.Project{}, fmt.Errorf("get project %q: %w", name, tenant.ErrNotFound)
	}
	if err != nil {
		return tenant.Project{}, fmt.Errorf("get project %q: %w", name, err)
	}
	return p, nil
}

// ListProjects returns every project by name; see store.Tenants.
func (db *DB) ListProjects(ctx context.Context) ([]tenant.Project, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+projectColumns+` FROM projects ORDER BY name`)
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
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE projects SET models = ?, rpm = ?, tpm = ?, rpd = ?,
			budget_nanos = ?, period = ?, updated_at = ? WHERE name = ?`,
			string(models), p.Limits.RPM, p.Limits.TPM, p.Limits.RPD, int64(p.Limits.Budget),
			string(p.Limits.Period), record.Now().Format(timeLayout), p.Name)
		if err != nil {
			return err
		}
		if err := oneRow(res, tenant.ErrNotFound); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("update project %q: %w", p.Name, err)
	}
	return nil
}

// DeleteProject deletes a project without keys; see store.Tenants.
func (db *DB) DeleteProject(ctx context.Context, name string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var keys int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM virtual_keys WHERE project = ?`,
			name).Scan(&keys); err != nil {
			return err
		}
		if keys > 0 {
			return record.ProjectHasKeys(name, keys)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM projects WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if err := oneRow(res, tenant.ErrNotFound); err != nil {
			return err
		}
		return bump(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("delete project %q: %w", name, err)
	}
	return nil
}

// scanProject reads one projects row selected with projectColumns.
func scanProject(s scanner) (tenant.Project, error) {
	var (
		p                tenant.Project
		models, period   string
		budget           int64
		created, updated string
	)
	if err := s.Scan(&p.Name, &models, &p.Limits.RPM, &p.Limits.TPM, &p.Limits.RPD,
		&budget, &period, &created, &updated); err != nil {
		return tenant.Project{}, err
	}
	p.Limits.Budget, p.Limits.Period = tenant.Nanos(budget), tenant.Period(period)
	var err error
	if p.Models, err = record.DecodeModels([]byte(models)); err != nil {
		return tenant.Project{}, fmt.Errorf("project %q: %w", p.Name, err)
	}
	if p.CreatedAt, err = parseTime(created); err != nil {
		return tenant.Project{}, fmt.Errorf("project %q: created_at: %w", p.Name, err)
	}
	if p.UpdatedAt, err = parseTime(updated); err != nil {
		return tenant.Project{}, fmt.Errorf("project %q: updated_at: %w", p.Name, err)
	}
	return p, nil
}

// parseTime reads a timestamp stored with timeLayout.
func parseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

// formatTime writes t with timeLayout, in UTC.
func formatTime(t time.Time) string { return record.Time(t).Format(timeLayout) }

// optTime stores an optional timestamp: nil as NULL.
func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// parseOptTime reads an optional timestamp.
func parseOptTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
