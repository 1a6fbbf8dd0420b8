package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/keygate/keygate/internal/store/record"
	"github.com/keygate/keygate/internal/tenant"
)

// insertUsageSQL inserts a batch passed as one array per column: a single
// statement with 15 parameters whatever the batch's length, so there is no
// parameter limit to chunk around and one round trip per batch. It runs
// outside inTx: the ledger neither bumps the change counter nor waits for
// its lock.
const insertUsageSQL = `INSERT INTO usage (request_id, time, project, key_id, alias, deployment,
	upstream_model, prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, cost_nanos,
	status, latency_ms, estimated)
	SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[],
		$6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[],
		$12::bigint[], $13::integer[], $14::bigint[], $15::boolean[])
	ON CONFLICT (request_id) DO NOTHING`

// usageGroups maps a UsageQuery.By to the expression it groups by.
var usageGroups = map[string]string{
	"":               `''`,
	record.ByModel:   `alias`,
	record.ByKey:     `key_id`,
	record.ByDay:     `to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
	record.ByProject: `project`,
}

// usageColumns holds a batch column by column, for insertUsageSQL.
type usageColumns struct {
	requestID, project, keyID, alias, deployment, upstreamModel []string
	time                                                        []time.Time
	prompt, cached, completion, reasoning, cost, latency        []int64
	status                                                      []int32
	estimated                                                   []bool
}

// InsertUsage appends records to the ledger in one statement, skipping
// known request ids; see store.Tenants.
func (db *DB) InsertUsage(ctx context.Context, us []tenant.Usage) error {
	if len(us) == 0 {
		return nil
	}
	if err := record.CheckUsage(us); err != nil {
		return fmt.Errorf("insert usage: %w", err)
	}
	var c usageColumns
	for _, u := range us {
		u = record.CleanUsage(u)
		c.requestID = append(c.requestID, u.RequestID)
		c.time = append(c.time, u.Time)
		c.project = append(c.project, u.Project)
		c.keyID = append(c.keyID, u.KeyID)
		c.alias = append(c.alias, u.Alias)
		c.deployment = append(c.deployment, u.Deployment)
		c.upstreamModel = append(c.upstreamModel, u.UpstreamModel)
		c.prompt = append(c.prompt, u.PromptTokens)
		c.cached = append(c.cached, u.CachedTokens)
		c.completion = append(c.completion, u.CompletionTokens)
		c.reasoning = append(c.reasoning, u.ReasoningTokens)
		c.cost = append(c.cost, int64(u.Cost))
		c.status = append(c.status, int32(u.Status))
		c.latency = append(c.latency, u.Latency.Milliseconds())
		c.estimated = append(c.estimated, u.Estimated)
	}
	if _, err := db.pool.Exec(ctx, insertUsageSQL, c.requestID, c.time, c.project, c.keyID, c.alias,
		c.deployment, c.upstreamModel, c.prompt, c.cached, c.completion, c.reasoning, c.cost,
		c.status, c.latency, c.estimated); err != nil {
		return fmt.Errorf("insert %d usage records: %w", len(us), err)
	}
	return nil
}

// UsageSummary totals the selected records per group, in byte order (the
// "C" collation, as SQLite sorts); see store.Tenants. Sums are numeric cast
// back to bigint, which fails rather than round.
func (db *DB) UsageSummary(ctx context.Context, q record.UsageQuery) ([]record.UsageRow, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	where, args := usageWhere(q.Project, q.KeyID, q.Since, q.Until)
	rows, err := db.pool.Query(ctx, `SELECT (`+usageGroups[q.By]+`) COLLATE "C" AS g, COUNT(*),
		SUM(prompt_tokens)::bigint, SUM(completion_tokens)::bigint, SUM(cost_nanos)::bigint
		FROM usage`+where+` GROUP BY g ORDER BY g`, args...)
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

// SpentSince sums the cost of the selected records exactly (numeric, cast
// back to bigint); see store.Tenants.
func (db *DB) SpentSince(ctx context.Context, project, keyID string, since time.Time) (tenant.Nanos, error) {
	where, args := usageWhere(project, keyID, since, time.Time{})
	var n int64
	if err := db.pool.QueryRow(ctx, `SELECT COALESCE(SUM(cost_nanos), 0)::bigint FROM usage`+where,
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
		args = append(args, arg)
		conds = append(conds, cond+strconv.Itoa(len(args)))
	}
	if project != "" {
		add(`project = $`, project)
	}
	if keyID != "" {
		add(`key_id = $`, keyID)
	}
	if !since.IsZero() {
		add(`time >= $`, record.Time(since))
	}
	if !until.IsZero() {
		add(`time < $`, record.Time(until))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(conds, ` AND `), args
}
