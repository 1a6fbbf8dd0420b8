package admin

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

// UsageRowView is one group of GET /api/usage: the ledger's totals, with
// the cost in US dollars beside the exact nano-dollars.
type UsageRowView struct {
	store.UsageRow
	CostUSD float64 `json:"cost_usd"`
}

// BudgetView is where a project or key stands against its budget in the
// current window. Used is summed from the usage ledger, which the gateway
// writes in batches, so it may trail the requests of the last seconds.
type BudgetView struct {
	Project      string        `json:"project"`
	KeyID        string        `json:"key_id,omitempty"` // "" for the project's own budget
	Period       tenant.Period `json:"period"`
	BudgetUSD    float64       `json:"budget_usd"`
	UsedUSD      float64       `json:"used_usd"`
	RemainingUSD float64       `json:"remaining_usd"` // 0 once the budget is spent
	Percent      float64       `json:"percent"`       // used as a percentage of the budget, to 0.1
	Alert        bool          `json:"alert"`         // used has reached TenantOptions.AlertAt of the budget
	WindowStart  *time.Time    `json:"window_start,omitempty"`
	ResetsAt     *time.Time    `json:"resets_at,omitempty"` // absent for a total budget, which never resets
	Text         string        `json:"text"`                // "$13.00 used of $18.00 this month"
}

// UsageView is the body of GET /api/usage.
type UsageView struct {
	Object  string         `json:"object"` // "usage"
	Rows    []UsageRowView `json:"rows"`
	Budgets []BudgetView   `json:"budgets"`
}

// usage serves the ledger's totals and the budgets of the selected
// project, or of every project for the admin. A virtual key always gets
// its own project's: the store's query is filtered by project, so no
// grouping reaches another project's rows.
func (a *API) usage(w http.ResponseWriter, r *http.Request, o *TenantOptions, c caller) {
	q := r.URL.Query()
	project := q.Get("project")
	if c.scoped {
		if project != "" && project != c.project {
			openai.WriteError(w, projectNotFound(project))
			return
		}
		project = c.project
	}
	uq := store.UsageQuery{Project: project, By: q.Get("by")}
	if uq.By == "" {
		uq.By = store.ByModel
	}
	if uq.Check() != nil {
		openai.WriteError(w, invalid("by", "by=\""+uq.By+"\" is not a grouping: use model, key, day or project."))
		return
	}
	now := o.Now()
	if s := q.Get("since"); s != "" {
		t, err := tenant.ParseSince(s, now)
		ok := err == nil
		if !ok {
			openai.WriteError(w, invalid("since", "since=\""+s+"\" is not a time: use a date such as 2026-11-01 (UTC), an RFC 3339 time, or a span back from now such as 24h or 7d."))
			return
		}
		uq.Since = t
	}
	rows, err := o.Tenants.UsageSummary(r.Context(), uq)
	if err != nil {
		a.tenantError(w, r, err, "project", project)
		return
	}
	budgets, err := budgets(r.Context(), o, project, now)
	if err != nil {
		a.tenantError(w, r, err, "project", project)
		return
	}
	out := UsageView{Object: "usage", Rows: make([]UsageRowView, 0, len(rows)), Budgets: budgets}
	for _, row := range rows {
		out.Rows = append(out.Rows, UsageRowView{UsageRow: row, CostUSD: row.Cost.USD()})
	}
	writeJSON(w, 200, out)
}

// budgets returns the budget standing of project ("" = every project) and
// of its usable keys that have a budget of their own. A project that no
// longer exists has none: its usage outlives it in the ledger, its budget
// does not.
func budgets(ctx context.Context, o *TenantOptions, project string, now time.Time) ([]BudgetView, error) {
	var ps []tenant.Project
	if project != "" {
		p, err := o.Tenants.GetProject(ctx, project)
		if errors.Is(err, tenant.ErrNotFound) {
			return []BudgetView{}, nil
		}
		if err != nil {
			return nil, err
		}
		ps = []tenant.Project{p}
	} else {
		var err error
		if ps, err = o.Tenants.ListProjects(ctx); err != nil {
			return nil, err
		}
	}
	keys, err := o.Tenants.ListVirtualKeys(ctx, project)
	if err != nil && !errors.Is(err, tenant.ErrNotFound) { // deleted meanwhile
		return nil, err
	}
	byProject := make(map[string][]tenant.VirtualKey, len(ps))
	for _, k := range keys {
		if k.Limits.Budget > 0 && k.Usable(now) {
			byProject[k.Project] = append(byProject[k.Project], k)
		}
	}
	out := []BudgetView{}
	add := func(project, keyID string, l tenant.Limits) error {
		b, err := budgetOf(ctx, o, project, keyID, l, now)
		if err == nil {
			out = append(out, b)
		}
		return err
	}
	for _, p := range ps {
		if p.Limits.Budget > 0 {
			if err := add(p.Name, "", p.Limits); err != nil {
				return nil, err
			}
		}
		for _, k := range byProject[p.Name] {
			if err := add(p.Name, k.ID, k.Limits); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// budgetOf returns where a budget stands in the window of its period that
// holds now. A budget stored without a period counts per calendar month.
func budgetOf(ctx context.Context, o *TenantOptions, project, keyID string, l tenant.Limits, now time.Time) (BudgetView, error) {
	period := l.Period
	if period == "" {
		period = tenant.Month
	}
	win, err := limits.WindowOf(period, now)
	if err != nil {
		return BudgetView{}, err
	}
	used, err := o.Tenants.SpentSince(ctx, project, keyID, win.Start)
	if err != nil {
		return BudgetView{}, err
	}
	b := BudgetView{
		Project: project, KeyID: keyID, Period: period,
		BudgetUSD: l.Budget.USD(), UsedUSD: used.USD(), RemainingUSD: max(l.Budget-used, 0).USD(),
		Percent: math.Round(float64(used)/float64(l.Budget)*1000) / 10,
		Alert:   float64(used) >= o.AlertAt*float64(l.Budget),
		Text:    tenant.UsedOf(used, l.Budget, period),
	}
	if !win.End.IsZero() {
		start, end := win.Start, win.End
		b.WindowStart, b.ResetsAt = &start, &end
	}
	return b, nil
}
