package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

func newProjectsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "projects",
		Short: "Create, list, update and delete projects: who may use which models, within which limits",
		Long: `projects manages the teams or apps that share keygate. A project names the
models its keys may use (all, unless --models lists some) and its limits:
requests and tokens per minute, requests per day, and a budget in dollars per
day, week, month or in total. The limits apply to all the project's virtual
keys together; make keys with ` + "`keygate vkeys create --project NAME`" + `.

Budget windows are in UTC: days start at 00:00, weeks on Monday, months on
the 1st.`,
	}
	cmd.AddCommand(newProjectsCreateCmd(), newProjectsListCmd(), newProjectsUpdateCmd(), newProjectsDeleteCmd())
	return cmd
}

func newProjectsCreateCmd() *cobra.Command {
	var (
		lf     limitFlags
		models string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a project",
		Long: `create stores a new project. Without --models its keys may use every model;
with --models gpt-4o-mini,gpt-4o only those aliases. Limits left out mean no
limit. --budget is in dollars (18, 0.5 or $18) and counts per --period, which
is month unless said otherwise.

  keygate projects create webapp --models gpt-4o-mini --rpm 60 --budget 18`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := tenant.Project{Name: args[0]}
			if p.Name == "" {
				return errors.New("a project needs a name: keygate projects create NAME")
			}
			var err error
			if p.Models, err = parseModels(models); err != nil {
				return err
			}
			if err := lf.apply(cmd, &p.Limits); err != nil {
				return err
			}
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			ctx := cmd.Context()
			if err := e.store.CreateProject(ctx, p); err != nil {
				if errors.Is(err, tenant.ErrExists) {
					return fmt.Errorf("a project named %q exists already: change it with `keygate projects update %s`, or choose another name", p.Name, p.Name)
				}
				return err
			}
			warnUnknownModels(cmd.ErrOrStderr(), e.cfg, p.Models)
			if p, err = e.store.GetProject(ctx, p.Name); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), p)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created project %s: models %s; limits %s\n", p.Name, modelsText(p.Models), describeLimits(p.Limits))
			fmt.Fprintf(cmd.OutOrStdout(), "make a key for it with `keygate vkeys create --project %s`\n", p.Name)
			return nil
		},
	}
	registerProjectFlags(cmd, &lf, &models)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newProjectsListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List projects with their limits, usable keys and budget used",
		Long: `list shows every project: the models it may use, its limits, how many of
its virtual keys are usable (not revoked, not expired), and what it has spent
in the current budget window according to the usage ledger.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			ctx := cmd.Context()
			ps, err := e.store.ListProjects(ctx)
			if err != nil {
				return err
			}
			ks, err := e.store.ListVirtualKeys(ctx, "")
			if err != nil {
				return err
			}
			now := time.Now()
			usable := map[string]int{}
			for _, k := range ks {
				if k.Usable(now) {
					usable[k.Project]++
				}
			}
			views := make([]projectView, 0, len(ps))
			for _, p := range ps {
				v := projectView{Project: p, Keys: usable[p.Name]}
				if v.Budget, err = budgetOf(ctx, e.store, p.Name, p.Limits, now); err != nil {
					return err
				}
				views = append(views, v)
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), views)
			}
			printProjectTable(cmd.OutOrStdout(), views)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newProjectsUpdateCmd() *cobra.Command {
	var (
		lf     limitFlags
		models string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "update NAME",
		Short: "Change a project's models or limits",
		Long: `update changes only what its flags name; everything else stays.
--models "" or --models all allows every model again, --rpm 0 (and so on)
removes that limit, and --budget 0 removes the budget. Running servers pick
the change up from the store.

  keygate projects update webapp --models all --budget 25 --period week`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			var newModels []string
			if cmd.Flags().Changed("models") {
				var err error
				if newModels, err = parseModels(models); err != nil {
					return err
				}
			}
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			ctx := cmd.Context()
			p, err := e.store.GetProject(ctx, name)
			if err != nil {
				return describeTenantErr(err, name)
			}
			if cmd.Flags().Changed("models") {
				p.Models = newModels
			}
			if err := lf.apply(cmd, &p.Limits); err != nil {
				return err
			}
			if err := e.store.UpdateProject(ctx, p); err != nil {
				return describeTenantErr(err, name)
			}
			if cmd.Flags().Changed("models") {
				warnUnknownModels(cmd.ErrOrStderr(), e.cfg, p.Models)
			}
			if p, err = e.store.GetProject(ctx, name); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), p)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "updated project %s: models %s; limits %s\n", p.Name, modelsText(p.Models), describeLimits(p.Limits))
			return nil
		},
	}
	registerProjectFlags(cmd, &lf, &models)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newProjectsDeleteCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a project (refused while it has keys, unless --force)",
		Long: `delete removes a project. While it has virtual keys, revoked ones included,
it is refused; --force deletes the keys first, so that requests with them
fail from then on. The project's usage records stay in the ledger.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			ctx := cmd.Context()
			deleted := 0
			if force {
				ks, err := e.store.ListVirtualKeys(ctx, name)
				if err != nil {
					return describeTenantErr(err, name)
				}
				for _, k := range ks {
					if err := e.store.DeleteVirtualKey(ctx, k.ID); err != nil && !errors.Is(err, tenant.ErrNotFound) {
						return fmt.Errorf("deleted %d of project %s's %d keys, then: %w; run the command again", deleted, name, len(ks), err)
					}
					deleted++
				}
			}
			err = e.store.DeleteProject(ctx, name)
			if errors.Is(err, tenant.ErrExists) {
				ks, lerr := e.store.ListVirtualKeys(ctx, name)
				if lerr != nil {
					return err
				}
				live := 0
				for _, k := range ks {
					if k.Usable(time.Now()) {
						live++
					}
				}
				return fmt.Errorf("project %s still has %d virtual key(s), %d of them usable (`keygate vkeys list --project %s` shows them): pass --force to delete them along with the project",
					name, len(ks), live, name)
			}
			if err != nil {
				return describeTenantErr(err, name)
			}
			if deleted > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "deleted project %s and its %d virtual key(s); its usage records stay in the ledger\n", name, deleted)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "deleted project %s; its usage records stay in the ledger\n", name)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "delete the project's virtual keys too")
	return cmd
}

// projectView is a project as projects list shows it.
type projectView struct {
	tenant.Project
	Keys   int           `json:"keys"`             // usable virtual keys
	Budget *budgetStatus `json:"budget,omitempty"` // nil without a budget
}

func printProjectTable(w io.Writer, views []projectView) {
	if len(views) == 0 {
		fmt.Fprintln(w, "no projects: create one with `keygate projects create NAME`")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tMODELS\tRPM\tTPM\tRPD\tBUDGET\tKEYS\tUSED")
	for _, v := range views {
		used := "-"
		if b := v.Budget; b != nil {
			used = fmt.Sprintf("%s of %s", b.Used, b.Limit)
		}
		l := v.Limits
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", v.Name, modelsText(v.Models),
			count(l.RPM), count(l.TPM), count(l.RPD), orDash(budgetText(l)), v.Keys, used)
	}
	tw.Flush()
}

// limitFlags are the --rpm, --tpm, --rpd, --budget and --period flags that
// projects and virtual keys share.
type limitFlags struct {
	rpm, tpm, rpd  int64
	budget, period string
}

func (lf *limitFlags) register(cmd *cobra.Command, whose string) {
	f := cmd.Flags()
	f.Int64Var(&lf.rpm, "rpm", 0, "requests per minute "+whose+" (0: no limit)")
	f.Int64Var(&lf.tpm, "tpm", 0, "tokens per minute "+whose+" (0: no limit)")
	f.Int64Var(&lf.rpd, "rpd", 0, "requests per day "+whose+" (0: no limit)")
	f.StringVar(&lf.budget, "budget", "", "budget in US dollars "+whose+", e.g. 18 or 0.5 (0: no budget)")
	f.StringVar(&lf.period, "period", "", "what the budget counts over: day, week, month or total (default month)")
}

// apply sets in l the limits whose flags were given on cmd, leaving the
// others as they are, and checks the result: no negative numbers, a known
// period, and a period only with a budget. A budget without a period counts
// per month; removing the budget removes its period.
func (lf *limitFlags) apply(cmd *cobra.Command, l *tenant.Limits) error {
	changed := cmd.Flags().Changed
	for _, f := range []struct {
		name string
		v    int64
		dst  *int64
	}{{"rpm", lf.rpm, &l.RPM}, {"tpm", lf.tpm, &l.TPM}, {"rpd", lf.rpd, &l.RPD}} {
		if !changed(f.name) {
			continue
		}
		if f.v < 0 {
			return fmt.Errorf("--%s %d: want 0 (no limit) or more", f.name, f.v)
		}
		*f.dst = f.v
	}
	if changed("budget") {
		b, err := parseBudget(lf.budget)
		if err != nil {
			return err
		}
		l.Budget = b
	}
	if changed("period") {
		p, err := parsePeriod(lf.period)
		if err != nil {
			return err
		}
		if l.Budget == 0 {
			return fmt.Errorf("--period %s needs a budget to count: add --budget USD", p)
		}
		l.Period = p
	}
	switch {
	case l.Budget == 0:
		l.Period = ""
	case l.Period == "":
		l.Period = tenant.Month
	}
	return nil
}

// maxBudgetUSD keeps a budget well inside tenant.Nanos.
const maxBudgetUSD = 1e9

// parseBudget reads a budget in dollars: "18", "0.5" or "$18".
func parseBudget(s string) (tenant.Nanos, error) {
	usd, err := strconv.ParseFloat(strings.TrimPrefix(strings.TrimSpace(s), "$"), 64)
	switch {
	case err != nil || math.IsNaN(usd) || math.IsInf(usd, 0):
		return 0, fmt.Errorf("--budget %q: want an amount in US dollars, like 18 or 0.5 (0 for no budget)", s)
	case usd < 0:
		return 0, fmt.Errorf("--budget %s: want 0 (no budget) or more", s)
	case usd > maxBudgetUSD:
		return 0, fmt.Errorf("--budget %s: want at most %.0f dollars", s, float64(maxBudgetUSD))
	}
	n := tenant.FromUSD(usd)
	if n == 0 && usd > 0 {
		return 0, fmt.Errorf("--budget %s is below a billionth of a dollar, keygate's smallest unit", s)
	}
	return n, nil
}

// parsePeriod reads a budget period.
func parsePeriod(s string) (tenant.Period, error) {
	switch p := tenant.Period(strings.ToLower(strings.TrimSpace(s))); p {
	case tenant.Day, tenant.Week, tenant.Month, tenant.Total:
		return p, nil
	}
	return "", fmt.Errorf("--period %q: want day, week, month or total", s)
}

func registerProjectFlags(cmd *cobra.Command, lf *limitFlags, models *string) {
	cmd.Flags().StringVar(models, "models", "", `model aliases the project's keys may use, comma-separated ("" or all: every model)`)
	lf.register(cmd, "for the whole project")
}

// parseModels reads --models: a comma-separated list of aliases, or "" or
// "all" for every model (nil).
func parseModels(s string) ([]string, error) {
	var models []string
	seen := map[string]bool{}
	for _, m := range strings.Split(s, ",") {
		m = strings.TrimSpace(m)
		if m == "" || seen[m] {
			continue
		}
		seen[m] = true
		models = append(models, m)
	}
	if seen["all"] {
		if len(models) > 1 {
			return nil, fmt.Errorf("--models %q: say all alone for every model, or list only the models allowed", s)
		}
		return nil, nil
	}
	return models, nil
}

// warnUnknownModels says which allowed models the config does not serve, as
// likely typos; they may still be added to the config later.
func warnUnknownModels(w io.Writer, cfg *config.Config, models []string) {
	if len(cfg.Models) == 0 {
		return
	}
	known := map[string]bool{}
	for _, d := range cfg.Models {
		known[d.Alias] = true
	}
	for _, m := range models {
		if !known[m] {
			fmt.Fprintf(w, "warning: %s is not a model_name in %s: requests for it fail until it is added there\n", m, orDash(cfg.File))
		}
	}
}

func modelsText(models []string) string {
	if len(models) == 0 {
		return "all"
	}
	return strings.Join(models, ",")
}

func count(n int64) string {
	if n == 0 {
		return "-"
	}
	return strconv.FormatInt(n, 10)
}

// periodOf is the period a budget counts over: month unless set.
func periodOf(l tenant.Limits) tenant.Period {
	if l.Period == "" {
		return tenant.Month
	}
	return l.Period
}

// budgetText renders a budget as "$18.00/month" or "$18.00 total"; "" for
// none.
func budgetText(l tenant.Limits) string {
	if l.Budget == 0 {
		return ""
	}
	if p := periodOf(l); p != tenant.Total {
		return l.Budget.String() + "/" + string(p)
	}
	return l.Budget.String() + " total"
}

// describeLimits renders limits in one line: "60 rpm, $18.00/month", or
// "none".
func describeLimits(l tenant.Limits) string {
	var parts []string
	for _, f := range []struct {
		n    int64
		unit string
	}{{l.RPM, "rpm"}, {l.TPM, "tpm"}, {l.RPD, "rpd"}} {
		if f.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", f.n, f.unit))
		}
	}
	if b := budgetText(l); b != "" {
		parts = append(parts, b)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// budgetStatus is a budget's state in its current window.
type budgetStatus struct {
	Limit    tenant.Nanos  `json:"limit_nanos"`
	Period   tenant.Period `json:"period"`
	Used     tenant.Nanos  `json:"used_nanos"`             // spent in the window, from the ledger
	Start    *time.Time    `json:"window_start,omitempty"` // nil for total
	ResetsAt *time.Time    `json:"resets_at,omitempty"`    // nil for total
}

// budgetOf returns the budget status of project's limits l at now, or nil
// without a budget.
func budgetOf(ctx context.Context, db store.Tenants, project string, l tenant.Limits, now time.Time) (*budgetStatus, error) {
	if l.Budget == 0 {
		return nil, nil
	}
	w, err := limits.WindowOf(periodOf(l), now)
	if err != nil {
		return nil, fmt.Errorf("project %s: %w", project, err)
	}
	used, err := db.SpentSince(ctx, project, "", w.Start)
	if err != nil {
		return nil, err
	}
	b := &budgetStatus{Limit: l.Budget, Period: w.Period, Used: used}
	if !w.Start.IsZero() {
		b.Start, b.ResetsAt = &w.Start, &w.End
	}
	return b, nil
}

// String renders b for people: "$13.00 used of $18.00 this month (72%),
// resets 2026-12-01 00:00 UTC".
func (b budgetStatus) String() string {
	pct := math.Floor(float64(b.Used) * 100 / float64(b.Limit))
	s := fmt.Sprintf("%s (%.0f%%)", tenant.UsedOf(b.Used, b.Limit, b.Period), pct)
	if b.ResetsAt != nil {
		s += ", resets " + b.ResetsAt.Format("2006-01-02 15:04 UTC")
	}
	return s
}

// describeTenantErr says what to do about a project or key that is missing
// or taken; name is the project's name or the key's id.
func describeTenantErr(err error, name string) error {
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		return fmt.Errorf("no project is named %q: `keygate projects list` shows them, `keygate projects create %s` makes it", name, name)
	case errors.Is(err, tenant.ErrExists):
		return fmt.Errorf("a project named %q exists already: change it with `keygate projects update %s`", name, name)
	}
	return err
}
