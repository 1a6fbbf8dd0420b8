package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

// testMasterKey is a fixed master key, so that tenant tests neither read
// the environment (and can run in parallel) nor write a key file.
const testMasterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// tenantEnv writes a config whose SQLite store lives in a temporary
// directory and which serves the models gpt-4o-mini and gpt-4o.
func tenantEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "keygate.yaml")
	cfg := "database: sqlite://" + filepath.Join(dir, "keygate.db") + "\n" +
		"master_key: " + testMasterKey + "\n" +
		"model_list:\n" +
		"  - {model_name: gpt-4o-mini, model: openai/gpt-4o-mini, api_key: sk-test-0123456789abcdef}\n" +
		"  - {model_name: gpt-4o, model: openai/gpt-4o, api_key: sk-test-0123456789abcdef}\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath
}

// kg runs keygate with cfgPath as its config and returns stdout, stderr and
// the error.
func kg(t *testing.T, cfgPath string, args ...string) (string, string, error) {
	t.Helper()
	return run(t, append([]string{"--config", cfgPath}, args...)...)
}

// mustKG is kg for a command that must succeed; it returns stdout.
func mustKG(t *testing.T, cfgPath string, args ...string) string {
	t.Helper()
	out, errOut, err := kg(t, cfgPath, args...)
	if err != nil {
		t.Fatalf("keygate %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// openTestStore opens the store cfgPath names, closed when the test ends.
func openTestStore(t *testing.T, cfgPath string) store.DB {
	t.Helper()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := app.OpenStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestProjectsLifecycle(t *testing.T) {
	t.Parallel()
	cfg := tenantEnv(t)
	ctx := context.Background()

	if out := mustKG(t, cfg, "projects", "list"); !strings.Contains(out, "no projects") {
		t.Fatalf("empty list: %s", out)
	}
	out := mustKG(t, cfg, "projects", "create", "webapp", "--models", "gpt-4o-mini, gpt-4o", "--rpm", "60", "--tpm", "10000", "--budget", "18")
	if !strings.Contains(out, "created project webapp") || !strings.Contains(out, "$18.00/month") || !strings.Contains(out, "vkeys create --project webapp") {
		t.Fatalf("create: %s", out)
	}
	if _, _, err := kg(t, cfg, "projects", "create", "webapp"); err == nil || !strings.Contains(err.Error(), "exists already") || !strings.Contains(err.Error(), "keygate projects update webapp") {
		t.Fatalf("duplicate: %v", err)
	}
	out, errOut, err := kg(t, cfg, "projects", "create", "open", "--models", "all", "--budget", "$10", "--period", "total", "--json")
	if err != nil || gjson.Get(out, "models").Type != gjson.Null || strings.Contains(errOut, "warning") {
		t.Fatalf("create all models: %v\n%s%s", err, out, errOut)
	}
	if gjson.Get(out, "limits.budget_nanos").Int() != 10e9 || gjson.Get(out, "limits.period").String() != "total" {
		t.Fatalf("create --json: %s", out)
	}
	// A model the config does not serve is allowed, with a warning.
	_, errOut, err = kg(t, cfg, "projects", "create", "typo", "--models", "gpt-4o-mnii")
	if err != nil || !strings.Contains(errOut, "warning: gpt-4o-mnii is not a model_name") {
		t.Fatalf("unknown model: %v %s", err, errOut)
	}

	// Spend and keys show in the list.
	st := openTestStore(t, cfg)
	now := time.Now().UTC()
	if err := st.InsertUsage(ctx, []tenant.Usage{
		{RequestID: "r1", Time: now, Project: "webapp", Alias: "gpt-4o-mini", Cost: tenant.FromUSD(13), Status: 200},
		{RequestID: "r2", Time: now, Project: "open", Alias: "gpt-4o", Cost: tenant.FromUSD(2.5), Status: 200},
	}); err != nil {
		t.Fatal(err)
	}
	mustKG(t, cfg, "vkeys", "create", "--project", "webapp")
	mustKG(t, cfg, "vkeys", "create", "--project", "webapp")
	revoked := mustKG(t, cfg, "vkeys", "create", "--project", "webapp", "--json")
	mustKG(t, cfg, "vkeys", "revoke", gjson.Get(revoked, "id").String())

	out = mustKG(t, cfg, "projects", "list")
	for _, want := range []string{
		"NAME", "MODELS", "BUDGET", "KEYS", "USED",
		"gpt-4o-mini,gpt-4o", "$18.00/month", "$13.00 of $18.00",
		"$10.00 total", "$2.50 of $10.00",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	webapp := lineWith(out, "webapp")
	if f := strings.Fields(webapp); len(f) < 7 || f[2] != "60" || f[3] != "10000" || f[4] != "-" || f[6] != "2" {
		t.Errorf("webapp row (rpm 60, tpm 10000, no rpd, 2 usable keys): %q", webapp)
	}
	if f := strings.Fields(lineWith(out, "open")); len(f) < 2 || f[1] != "all" {
		t.Errorf("open row should allow all models: %q", lineWith(out, "open"))
	}
	out = mustKG(t, cfg, "projects", "list", "--json")
	if gjson.Get(out, "#").Int() != 3 ||
		gjson.Get(out, `#(name=="webapp").keys`).Int() != 2 ||
		gjson.Get(out, `#(name=="webapp").budget.used_nanos`).Int() != 13e9 ||
		!gjson.Get(out, `#(name=="webapp").budget.resets_at`).Exists() ||
		gjson.Get(out, `#(name=="open").budget.resets_at`).Exists() ||
		gjson.Get(out, `#(name=="typo").budget`).Exists() {
		t.Errorf("list --json:\n%s", out)
	}

	// update changes only what is given.
	for _, tc := range []struct {
		args  []string
		check func(p tenant.Project) bool
	}{
		{[]string{"--rpd", "500"}, func(p tenant.Project) bool {
			return p.Limits.RPD == 500 && p.Limits.RPM == 60 && p.Limits.TPM == 10000 && len(p.Models) == 2 && p.Limits.Budget == tenant.FromUSD(18) && p.Limits.Period == tenant.Month
		}},
		{[]string{"--period", "week"}, func(p tenant.Project) bool {
			return p.Limits.Period == tenant.Week && p.Limits.Budget == tenant.FromUSD(18)
		}},
		{[]string{"--models", "all"}, func(p tenant.Project) bool { return p.Models == nil && p.Limits.RPD == 500 }},
		{[]string{"--models", "gpt-4o"}, func(p tenant.Project) bool { return len(p.Models) == 1 && p.Models[0] == "gpt-4o" }},
		{[]string{"--models", ""}, func(p tenant.Project) bool { return p.Models == nil }},
		{[]string{"--budget", "0"}, func(p tenant.Project) bool {
			return p.Limits.Budget == 0 && p.Limits.Period == "" && p.Limits.RPM == 60
		}},
		{[]string{"--budget", "0.5"}, func(p tenant.Project) bool {
			return p.Limits.Budget == 500_000_000 && p.Limits.Period == tenant.Month
		}},
		{[]string{"--rpm", "0"}, func(p tenant.Project) bool { return p.Limits.RPM == 0 && p.Limits.TPM == 10000 }},
	} {
		out := mustKG(t, cfg, append([]string{"projects", "update", "webapp"}, tc.args...)...)
		if !strings.Contains(out, "updated project webapp") {
			t.Errorf("update %v: %s", tc.args, out)
		}
		p, err := st.GetProject(ctx, "webapp")
		if err != nil || !tc.check(p) {
			t.Errorf("after update %v: %+v %v", tc.args, p, err)
		}
	}
	if _, _, err := kg(t, cfg, "projects", "update", "nope", "--rpm", "1"); err == nil || !strings.Contains(err.Error(), "keygate projects create nope") {
		t.Errorf("update unknown: %v", err)
	}

	// delete refuses while keys remain, then --force removes them.
	_, _, err = kg(t, cfg, "projects", "delete", "webapp")
	if err == nil || !strings.Contains(err.Error(), "3 virtual key(s), 2 of them usable") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("delete with keys: %v", err)
	}
	if _, err := st.GetProject(ctx, "webapp"); err != nil {
		t.Fatalf("refused delete removed the project: %v", err)
	}
	out = mustKG(t, cfg, "projects", "delete", "webapp", "--force")
	if !strings.Contains(out, "deleted project webapp and its 3 virtual key(s)") {
		t.Fatalf("delete --force: %s", out)
	}
	if ks, err := st.ListVirtualKeys(ctx, ""); err != nil || len(ks) != 0 {
		t.Fatalf("keys after delete --force: %v %v", ks, err)
	}
	if out := mustKG(t, cfg, "projects", "delete", "typo"); !strings.Contains(out, "deleted project typo;") {
		t.Fatalf("delete without keys: %s", out)
	}
	if _, _, err := kg(t, cfg, "projects", "delete", "webapp"); err == nil || !strings.Contains(err.Error(), `no project is named "webapp"`) {
		t.Fatalf("delete twice: %v", err)
	}
	// The ledger keeps the deleted project's spend.
	if spent, err := st.SpentSince(ctx, "webapp", "", time.Time{}); err != nil || spent != tenant.FromUSD(13) {
		t.Fatalf("usage after delete: %v %v", spent, err)
	}
}

func TestProjectsCreateRefuses(t *testing.T) {
	t.Parallel()
	cfg := tenantEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--rpm", "-1"}, "--rpm -1: want 0 (no limit) or more"},
		{[]string{"--tpm", "-5"}, "--tpm -5"},
		{[]string{"--rpd", "-5"}, "--rpd -5"},
		{[]string{"--budget", "-5"}, "--budget -5: want 0 (no budget) or more"},
		{[]string{"--budget", "lots"}, `--budget "lots": want an amount in US dollars`},
		{[]string{"--budget", "NaN"}, "want an amount in US dollars"},
		{[]string{"--budget", "1e12"}, "want at most"},
		{[]string{"--budget", "5", "--period", "year"}, `--period "year": want day, week, month or total`},
		{[]string{"--period", "week"}, "--period week needs a budget"},
		{[]string{"--models", "all,gpt-4o"}, "say all alone"},
	} {
		_, _, err := kg(t, cfg, append([]string{"projects", "create", "p"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.args, err, tc.want)
		}
	}
	if out := mustKG(t, cfg, "projects", "list"); !strings.Contains(out, "no projects") {
		t.Fatalf("a refused create stored something:\n%s", out)
	}
	if _, _, err := kg(t, cfg, "projects", "create", ""); err == nil || !strings.Contains(err.Error(), "needs a name") {
		t.Fatalf("empty name: %v", err)
	}
}

func TestParseBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want tenant.Nanos
		ok   bool
	}{
		{"18", 18e9, true},
		{"$18", 18e9, true},
		{"0.5", 5e8, true},
		{"0", 0, true},
		{"0.000000001", 1, true},
		{"-1", 0, false},
		{"0.0000000001", 0, false},
		{"1e10", 0, false},
		{"inf", 0, false},
		{"", 0, false},
		{"18 USD", 0, false},
	} {
		got, err := parseBudget(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBudget(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseModels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"all", nil, true},
		{" all ", nil, true},
		{"gpt-4o", []string{"gpt-4o"}, true},
		{"a, b,,a", []string{"a", "b"}, true},
		{"all,a", nil, false},
	} {
		got, err := parseModels(tc.in)
		if (err == nil) != tc.ok || strings.Join(got, "|") != strings.Join(tc.want, "|") || (tc.want == nil) != (got == nil) {
			t.Errorf("parseModels(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestBudgetText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		l    tenant.Limits
		want string
	}{
		{tenant.Limits{}, "none"},
		{tenant.Limits{RPM: 60, TPM: 1000}, "60 rpm, 1000 tpm"},
		{tenant.Limits{Budget: 18e9}, "$18.00/month"},
		{tenant.Limits{RPD: 5, Budget: 18e9, Period: tenant.Day}, "5 rpd, $18.00/day"},
		{tenant.Limits{Budget: 18e9, Period: tenant.Total}, "$18.00 total"},
	} {
		if got := describeLimits(tc.l); got != tc.want {
			t.Errorf("describeLimits(%+v) = %q, want %q", tc.l, got, tc.want)
		}
	}
}

// lineWith returns the first line of out that starts with prefix.
func lineWith(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix+" ") {
			return l
		}
	}
	return ""
}
