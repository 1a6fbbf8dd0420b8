package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/keygate/keygate/internal/store/record"
	"github.com/keygate/keygate/internal/tenant"
)

const usageColumns = `request_id, time, project, key_id, alias, deployment, upstream_model,
	prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, cost_nanos, status,
	latency_ms, estimated`

// usageParams is the number of columns in usageColumns.
const usageParams = 15

// insertChunk is the most rows one INSERT carries: 15,000 parameters, under
// SQLite's limit of 32,766. Longer batches take several statements in one
// transaction.
const insertChunk = 1000

// usageGroups maps a UsageQuery.By to the expression it groups by.
var usageGroups = map[string]string{
	"":               `''`,
	record.ByModel:   `alias`,
	record.ByKey:     `key_id`,
	record.ByDay:     `substr(time, 1, 10)`, // timeLayout starts with the UTC date
	record.ByProject: `project`,
}

// InsertUsage appends records to the ledger, skipping known request ids;
// see store.Tenants. It does not bump the change counter.
func (db *DB) InsertUsage(ctx context.Context, us []tenant.Usage) error {
	if len(us) == 0 {
		return nil
	}
	if err := record.CheckUsage(us); err != nil {
		return fmt.Errorf("insert usage: %w", err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		args := make([]any, 0, min(len(us), insertChunk)*usageParams)
		for rest := us; len(rest) > 0; {
			chunk := rest[:min(len(rest), insertChunk)]
			rest = rest[len(chunk):]
			args = args[:0]
			for _, u := range chunk {
				args = appendUsage(args, record.CleanUsage(u))
			}
			if _, err := tx.ExecContext(ctx, insertUsageSQL(len(chunk)), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("insert %d usage records: %w", len(us), err)
	}
	return nil
}

// appendUsage appends u's values in usageColumns order.
func appendUsage(args []any, u tenant.Usage) []any {
	estimated := 0
	if u.Estimated {
		estimated = 1
	}
	return append(args, u.RequestID, u.Time.Format(timeLayout), u.Project, u.KeyID, u.Alias,
		u.Deployment, u.UpstreamModel, u.PromptTokens, u.CachedTokens, u.CompletionTokens,
		u.ReasoningTokens, int64(u.Cost), u.Status, u.Latency.Milliseconds(), estimated)
}

// insertUsageSQL returns an INSERT of n rows that skips known request ids.
func insertUsageSQL(n int) string {
	const row = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	var b strings.Builder
	b.Grow(64 + len(usageColumns) + n*(len(row)+2))
	b.WriteString(`INSERT INTO usage (` + usageColumns + `) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(` ON CONFLICT (request_id) DO NOTHING`)
	return b.String()
}

// UsageSummary totals the selected records per group; see store.Tenants.
func (db *DB) UsageSummary(ctx context.Context, q record.UsageQuery) ([]record.UsageRow, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	group := usageGroups[q.By]
	where, args := usageWhere(q.Project, q.KeyID, q.Since, q.Until)
	rows, err := db.read.QueryContext(ctx, `SELECT `+group+` AS g, COUNT(*), SUM(prompt_tokens),
		SUM(completion_tokens), SUM(cost_nanos) FROM usage`+where+` GROUP BY g ORDER BY g`, args...)
	if err != nil {
		return nil, fmt.Errorf("usage summary: %w", err)
	}
	defer rows.Close()
	var out []record.UsageRow
	for rows.Next() {
		var (
			r    record.UsageRow
			cost int64
		)
		if err := rows.Scan(&r.Group, &r.Requests, &r.PromptTokens, &r.CompletionTokens, &cost); err != nil {
			return nil, fmt.Errorf("usage summary: %w", err)
		}
		r.Cost = tenant.Nanos(cost)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("usage summary: %w", err)
	}
	return out, nil
}

// SpentSince sums the cost of the selected records exactly; see
// store.Tenants. SQLite's SUM over integers is an integer, and fails rather
// than overflow.
func (db *DB) SpentSince(ctx context.Context, project, keyID string, since time.Time) (tenant.Nanos, error) {
	where, args := usageWhere(project, keyID, since, time.Time{})
	var n int64
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(cost_nanos), 0) FROM usage`+where,
		args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("spent since %s: %w", since.Format(time.RFC3339), err)
	}
	return tenant.Nanos(n), nil
}

// usageWhere returns the WHERE clause (with a leading space, or "") and
// arguments selecting usage records; zero values do not filter.
func usageWhere(project, keyID string, since, until time.Time) (string, []any) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if project != "" {
		add(`project = ?`, project)
	}
	if keyID != "" {
		add(`key_id = ?`, keyID)
	}
	if !since.IsZero() {
		add(`time >= ?`, formatTime(since))
	}
	if !until.IsZero() {
		add(`time < ?`, formatTime(until))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(conds, ` AND `), args
}
