package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/tenant"
)

func TestUsageCommand(t *testing.T) {
	cfgPath, _, _ := keysEnv(t)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := app.OpenStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	err = st.InsertUsage(context.Background(), []tenant.Usage{
		{RequestID: "req_1", Time: now, Alias: "gpt-4o-mini", PromptTokens: 100, CompletionTokens: 10, Cost: tenant.FromUSD(13), Status: 200},
		{RequestID: "req_2", Time: now, Alias: "gpt-4o-mini", PromptTokens: 50, CompletionTokens: 5, Cost: tenant.FromUSD(0.5), Status: 200},
		{RequestID: "req_3", Time: now.Add(-48 * time.Hour), Alias: "gpt-4o", PromptTokens: 7, Cost: tenant.FromUSD(4.5), Status: 200},
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "--config", cfgPath, "usage")
	if err != nil || !strings.Contains(out, "$13.50") || !strings.Contains(out, "$4.50") || !strings.Contains(out, "$18.00") {
		t.Fatalf("%v\n%s", err, out)
	}
	out, _, err = run(t, "--config", cfgPath, "usage", "--since", "24h", "--json")
	if err != nil || gjson.Get(out, "#").Int() != 1 || gjson.Get(out, "0.requests").Int() != 2 {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestUsageBudgetLine(t *testing.T) {
	t.Parallel()
	cfg := tenantEnv(t)
	mustKG(t, cfg, "projects", "create", "monthly", "--budget", "18")
	mustKG(t, cfg, "projects", "create", "forever", "--budget", "10", "--period", "total")
	mustKG(t, cfg, "projects", "create", "free")
	st := openTestStore(t, cfg)
	now := time.Now().UTC()
	month, err := limits.WindowOf(tenant.Month, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InsertUsage(context.Background(), []tenant.Usage{
		{RequestID: "m1", Time: now, Project: "monthly", Alias: "gpt-4o-mini", Cost: tenant.FromUSD(13), Status: 200},
		// Before this month's window: not counted against this month's budget.
		{RequestID: "m0", Time: month.Start.Add(-time.Hour), Project: "monthly", Alias: "gpt-4o-mini", Cost: tenant.FromUSD(100), Status: 200},
		{RequestID: "f1", Time: month.Start.Add(-time.Hour), Project: "forever", Alias: "gpt-4o", Cost: tenant.FromUSD(4), Status: 200},
		{RequestID: "x1", Time: now, Project: "free", Alias: "gpt-4o", Cost: tenant.FromUSD(1), Status: 200},
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		project, want string
	}{
		{"monthly", "budget: $13.00 used of $18.00 this month (72%), resets " + month.End.Format("2006-01-02") + " 00:00 UTC\n"},
		{"forever", "budget: $4.00 used of $10.00 in total (40%)\n"},
		{"free", ""},
		{"deleted-or-never-made", ""},
	} {
		out := mustKG(t, cfg, "usage", "--project", tc.project)
		last := lines(out)[len(lines(out))-1] + "\n"
		if tc.want == "" {
			if strings.Contains(out, "budget:") {
				t.Errorf("%s: budget line without a budget:\n%s", tc.project, out)
			}
		} else if last != tc.want {
			t.Errorf("%s: last line %q, want %q\n%s", tc.project, last, tc.want, out)
		}
		// --json stays the bare array of rows.
		js := mustKG(t, cfg, "usage", "--project", tc.project, "--json")
		if !gjson.Parse(js).IsArray() {
			t.Errorf("%s: usage --json is no longer an array:\n%s", tc.project, js)
		}
	}
	if out := mustKG(t, cfg, "usage"); strings.Contains(out, "budget:") {
		t.Errorf("budget line without --project:\n%s", out)
	}
}

func TestBudgetStatusString(t *testing.T) {
	t.Parallel()
	resets := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		b    budgetStatus
		want string
	}{
		{budgetStatus{Limit: 18e9, Used: 13e9, Period: tenant.Month, ResetsAt: &resets}, "$13.00 used of $18.00 this month (72%), resets 2026-12-01 00:00 UTC"},
		{budgetStatus{Limit: 18e9, Used: 17_999_999_999, Period: tenant.Week, ResetsAt: &resets}, "$18.00 used of $18.00 this week (99%), resets 2026-12-01 00:00 UTC"},
		{budgetStatus{Limit: 1e9, Used: 0, Period: tenant.Day, ResetsAt: &resets}, "$0.00 used of $1.00 today (0%), resets 2026-12-01 00:00 UTC"},
		{budgetStatus{Limit: 10e9, Used: 25e9, Period: tenant.Total}, "$25.00 used of $10.00 in total (250%)"},
	} {
		if got := tc.b.String(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

// lines splits out into its lines, without the final newline.
func lines(out string) []string { return strings.Split(strings.TrimRight(out, "\n"), "\n") }

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-11-01": time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		"24h":        now.Add(-24 * time.Hour),
		"7d":         now.Add(-7 * 24 * time.Hour),
	} {
		if got, err := parseSince(in, now); err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"yesterday", "-3d", "7x"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
