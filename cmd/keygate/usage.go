package main

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

func newUsageCmd() *cobra.Command {
	var (
		project, since, by string
		asJSON             bool
	)
	cmd := &cobra.Command{
		Use:   "usage",
		Short: "Show requests, tokens and cost from the usage ledger",
		Long: `usage sums the ledger keygate keeps of every proxied request: requests,
tokens and cost (from the provider's reported usage and the pricing catalog),
grouped by model, key, day or project.

With --project, and a budget on that project, a line after the table says how
much of the budget its current window has used and when it resets. --json
prints the rows alone; ` + "`keygate projects list --json`" + ` has the budget.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := store.UsageQuery{Project: project, By: by}
			if since != "" {
				t, err := parseSince(since, time.Now())
				if err != nil {
					return err
				}
				q.Since = t
			}
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			rows, err := e.store.UsageSummary(cmd.Context(), q)
			if err != nil {
				return err
			}
			if asJSON {
				if rows == nil {
					rows = []store.UsageRow{} // [] rather than null for scripts
				}
				return printJSON(cmd.OutOrStdout(), rows)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(tw, "%s\tREQUESTS\tPROMPT TOKENS\tCOMPLETION TOKENS\tCOST\t\n", groupTitle(by))
			var total tenant.Nanos
			var reqs int64
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t\n", orDash(r.Group), r.Requests, r.PromptTokens, r.CompletionTokens, r.Cost)
				total += r.Cost
				reqs += r.Requests
			}
			if len(rows) > 1 {
				fmt.Fprintf(tw, "TOTAL\t%d\t\t\t%s\t\n", reqs, total)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if project == "" {
				return nil
			}
			// A deleted project's records stay in the ledger: no project,
			// no budget line, no error.
			p, err := e.store.GetProject(cmd.Context(), project)
			if errors.Is(err, tenant.ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			b, err := budgetOf(cmd.Context(), e.store, p.Name, p.Limits, time.Now())
			if err != nil || b == nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "budget: %s\n", b)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&project, "project", "", "only this project")
	f.StringVar(&since, "since", "", "from this date (2026-11-01) or this long ago (24h, 7d)")
	f.StringVar(&by, "by", store.ByModel, "group by model, key, day or project")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func groupTitle(by string) string {
	switch by {
	case store.ByKey:
		return "KEY"
	case store.ByDay:
		return "DAY"
	case store.ByProject:
		return "PROJECT"
	}
	return "MODEL"
}

// parseSince reads --since (see tenant.ParseSince).
func parseSince(s string, now time.Time) (time.Time, error) {
	t, err := tenant.ParseSince(s, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: %w", s, err)
	}
	return t, nil
}
