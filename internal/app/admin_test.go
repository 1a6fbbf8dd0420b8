package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/admin"
	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/ledger"
	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

const adminToken = "adm-test-token-0123456789"

// adminStack is keygate with a real SQLite store, the admin API and the mock.
type adminStack struct {
	URL, MockURL string
	Mock         *mockopenai.Server
	App          *app.App
	Store        store.DB
	Ledger       *ledger.Writer
	Logs         *syncBuffer
	DBDir        string
	Config       *config.Config
}

func newAdminStack(t *testing.T, models string) *adminStack {
	t.Helper()
	mock := mockopenai.New(mockopenai.Options{})
	ms := httptest.NewServer(mock)
	t.Cleanup(ms.Close)
	dir := t.TempDir()
	t.Setenv("KEYGATE_MASTER_KEY_FILE", filepath.Join(dir, "keygate.key"))
	text := "client_keys: [" + clientKey + "]\nadmin_token: " + adminToken + "\ndatabase: sqlite://" + filepath.Join(dir, "keygate.db") +
		"\nrequirements:\n  - {model: gpt-3.5-turbo, rpm: 200, tpm: 50000}\n" + strings.ReplaceAll(models, "{{MOCK}}", ms.URL+"/v1")
	cfg, err := config.Parse("test.yaml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, _, err := app.OpenStore(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	api := admin.New(st, app.Verifier(cfg), func(n string) []string { return app.UsedBy(cfg, n) }, cfg.AdminToken, log)
	usage := ledger.New(st, ledger.Options{}, log)
	a := app.New(cfg, log, app.Options{Credentials: st, Admin: api.Handler(), Ledger: usage})
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(func() { ts.Close(); a.Close() })
	t.Cleanup(func() { _ = usage.Close(context.Background()) })
	return &adminStack{URL: ts.URL, MockURL: ms.URL + "/v1", Mock: mock, App: a, Store: st, Ledger: usage, Logs: logs, DBDir: dir, Config: cfg}
}

func (s *adminStack) call(t *testing.T, method, path, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminCredentials(t *testing.T) {
	s := newAdminStack(t, "model_list:\n  - {model_name: stored, model: openai/gpt-4o-mini, credential: openai-main, api_base: \"{{MOCK}}\"}\n")
	good := mockopenai.Key(mockopenai.ScenarioGood)
	create := `{"name":"openai-main","vendor":"openai","api_base":"` + s.MockURL + `","key":"` + good + `"}`
	var seen strings.Builder
	do := func(method, path, token, body string) (int, string) {
		code, out := s.call(t, method, path, token, body)
		seen.WriteString(out)
		return code, out
	}

	if code, out := do("GET", "/api/credentials", "", ""); code != 401 || gjson.Get(out, "error.code").String() != "invalid_admin_token" {
		t.Fatalf("no token: %d %s", code, out)
	}
	if code, out := do("POST", "/api/credentials", "wrong", create); code != 401 {
		t.Fatalf("wrong token: %d %s", code, out)
	}
	code, out := do("POST", "/api/credentials", adminToken, create)
	if code != 201 || gjson.Get(out, "key").String() != secret.Redact(good) || !gjson.Get(out, "verification.ok").Bool() {
		t.Fatalf("create: %d %s", code, out)
	}
	if got := gjson.Get(out, "used_by.0").String(); got != "stored" {
		t.Fatalf("used_by %q", got)
	}
	if code, out := do("POST", "/api/credentials", adminToken, create); code != 409 || gjson.Get(out, "error.code").String() != "credential_exists" {
		t.Fatalf("duplicate: %d %s", code, out)
	}
	revoked := strings.Replace(create, good, mockopenai.Key(mockopenai.ScenarioRevoked), 1)
	revoked = strings.Replace(revoked, "openai-main", "openai-revoked", 1)
	if code, out := do("POST", "/api/credentials", adminToken, revoked); code != 422 || gjson.Get(out, "error.code").String() != "verification_failed" {
		t.Fatalf("revoked key stored: %d %s", code, out)
	}
	if code, out := do("POST", "/api/credentials", adminToken, `{"name":"bad name!","vendor":"openai","key":"sk-x"}`); code != 400 || gjson.Get(out, "error.param").String() != "name" {
		t.Fatalf("bad name: %d %s", code, out)
	}
	code, out = do("GET", "/api/credentials", adminToken, "")
	if code != 200 || gjson.Get(out, "data.#").Int() != 1 || gjson.Get(out, "data.0.name").String() != "openai-main" {
		t.Fatalf("list: %d %s", code, out)
	}
	code, out = do("POST", "/api/credentials/openai-main/verify", adminToken, "")
	if code != 200 || !gjson.Get(out, "ok").Bool() || gjson.Get(out, "models.0.model").String() != "gpt-4o-mini" {
		t.Fatalf("verify: %d %s", code, out)
	}

	// The stored key serves the model that names it; the store's change
	// counter tells the running gateway without a restart.
	s.App.Reload(context.Background())
	resp, body := chatVia(t, s.URL, "stored")
	if resp != 200 {
		t.Fatalf("chat through the stored key: %d %s", resp, body)
	}

	if code, out := do("DELETE", "/api/credentials/openai-main", adminToken, ""); code != 409 || gjson.Get(out, "error.code").String() != "credential_in_use" {
		t.Fatalf("delete in use: %d %s", code, out)
	}
	if code, out := do("DELETE", "/api/credentials/openai-main?force=true", adminToken, ""); code != 204 {
		t.Fatalf("force delete: %d %s", code, out)
	}
	if code, _ := do("GET", "/api/credentials/openai-main", adminToken, ""); code != 404 {
		t.Fatalf("deleted credential still there: %d", code)
	}
	code, out = do("GET", "/api/openapi.json", "", "")
	var doc map[string]any
	if code != 200 || json.Unmarshal([]byte(out), &doc) != nil || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi: %d", code)
	}

	// The key appears in no response, no log line, and not in the database files.
	for _, where := range []string{seen.String(), s.Logs.String(), readDir(t, s.DBDir)} {
		if strings.Contains(where, good) || strings.Contains(where, good[4:]) {
			t.Fatal("the plaintext key leaked")
		}
	}
}

// The running gateway picks up a key added while it runs.
func TestStoredCredentialHotReload(t *testing.T) {
	s := newAdminStack(t, "model_list:\n  - {model_name: stored, model: openai/gpt-4o-mini, credential: later, api_base: \"{{MOCK}}\"}\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.App.Watch(ctx, 20*time.Millisecond)
	if code, body := chatVia(t, s.URL, "stored"); code != 503 || !strings.Contains(body, "credential_unavailable") {
		t.Fatalf("before the key exists: %d %s", code, body)
	}
	create := `{"name":"later","vendor":"openai","api_base":"` + s.MockURL + `","key":"` + mockopenai.Key(mockopenai.ScenarioGood) + `","verify":false}`
	if code, out := s.call(t, "POST", "/api/credentials", adminToken, create); code != 201 {
		t.Fatalf("%d %s", code, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := chatVia(t, s.URL, "stored")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new key was not picked up: %d %s", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func chatVia(t *testing.T, base, model string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/v1/chat/completions", strings.NewReader(`{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer "+clientKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// readDir returns every file under dir as one string, to search for secrets.
func readDir(t *testing.T, dir string) string {
	var b strings.Builder
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(p)
			b.Write(data)
		}
		return nil
	})
	return b.String()
}

// Every proxied request leaves exactly one usage record, written off the
// request path and flushed when the ledger closes (as on graceful shutdown),
// and its cost adds up to the same integer the records hold.
func TestUsageLedger(t *testing.T) {
	s := newAdminStack(t, "model_list:\n  - {model_name: m, model: openai/gpt-4o-mini, api_key: "+mockopenai.Key(mockopenai.ScenarioGood)+", api_base: \"{{MOCK}}\"}\n"+
		"  - {model_name: broken, model: openai/gpt-4o-mini, api_key: "+mockopenai.Key(mockopenai.ScenarioRevoked)+", api_base: \"{{MOCK}}\"}\n")
	for range 7 {
		if code, body := chatVia(t, s.URL, "m"); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
	}
	if code, _ := chatVia(t, s.URL, "broken"); code != 502 {
		t.Fatalf("broken: %d", code)
	}
	if code, _ := chatVia(t, s.URL, "no-such-model"); code != 404 {
		t.Fatalf("unknown: %d", code)
	}
	if err := s.Ledger.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Store.UsageSummary(context.Background(), store.UsageQuery{By: store.ByModel})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	var cost tenant.Nanos
	for _, r := range rows {
		got[r.Group] = r.Requests
		cost += r.Cost
		if r.Group == "m" && (r.PromptTokens == 0 || r.Cost == 0) {
			t.Fatalf("no tokens or cost recorded: %+v", r)
		}
	}
	// The unknown model never reached an upstream, so it has no record.
	if got["m"] != 7 || got["broken"] != 1 || len(got) != 2 {
		t.Fatalf("records per model: %v", got)
	}
	spent, err := s.Store.SpentSince(context.Background(), "", "", time.Time{})
	if err != nil || spent != cost {
		t.Fatalf("spent %v, summary %v, err %v", spent, cost, err)
	}
}
