package admin_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/admin"
	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

const adminToken = "adm-test-token-0123456789"

// now is the tests' clock: Saturday 14 March 2026, noon UTC.
var now = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

// env is the admin API on a real SQLite store, with tenant routes on.
type env struct {
	t   *testing.T
	api *admin.API
	h   http.Handler
	db  store.DB
}

func newEnv(t *testing.T) *env {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	s, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "k.db"), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	api := admin.New(db, nil, func(string) []string { return nil }, secret.New(adminToken), slog.New(slog.DiscardHandler))
	e := &env{t: t, api: api, h: api.Handler(), db: db}
	api.SetTenants(admin.TenantOptions{Tenants: db, Lookup: e.lookup, Now: func() time.Time { return now }})
	return e
}

// lookup resolves usable virtual keys from the store, as the gateway's
// directory does from its snapshot.
func (e *env) lookup(token string) (string, bool) {
	k, err := e.db.GetVirtualKeyByHash(context.Background(), tenant.HashKey(token))
	if err != nil || !k.Usable(now) {
		return "", false
	}
	return k.Project, true
}

func (e *env) do(method, path, token, body string) (int, string) {
	e.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// must runs an admin request that must answer status, and returns the body.
func (e *env) must(status int, method, path, body string) string {
	e.t.Helper()
	code, out := e.do(method, path, adminToken, body)
	if code != status {
		e.t.Fatalf("%s %s: %d, want %d: %s", method, path, code, status, out)
	}
	return out
}

// newKey creates a virtual key of project and returns the key and its id.
func (e *env) newKey(body string) (key, id string) {
	e.t.Helper()
	out := e.must(201, "POST", "/api/vkeys", body)
	return gjson.Get(out, "key").String(), gjson.Get(out, "id").String()
}

func (e *env) spend(project, keyID, alias, at string, usd float64) {
	e.t.Helper()
	when, err := time.Parse(time.RFC3339, at)
	if err != nil {
		e.t.Fatal(err)
	}
	u := tenant.Usage{RequestID: "req-" + project + keyID + at + alias, Time: when, Project: project, KeyID: keyID,
		Alias: alias, PromptTokens: 10, CompletionTokens: 5, Cost: tenant.FromUSD(usd), Status: 200}
	if err := e.db.InsertUsage(context.Background(), []tenant.Usage{u}); err != nil {
		e.t.Fatal(err)
	}
}

func TestTenantRoutesNeedSetTenants(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.api.SetTenants(admin.TenantOptions{})
	for _, path := range []string{"/api/projects", "/api/vkeys", "/api/usage"} {
		if code, out := e.do("GET", path, adminToken, ""); code != 404 || gjson.Get(out, "error.code").String() != "unknown_url" {
			t.Errorf("GET %s before SetTenants: %d %s", path, code, out)
		}
	}
	e.api.SetTenants(admin.TenantOptions{Tenants: e.db})
	e.must(200, "GET", "/api/projects", "")
}

func TestProjects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	out := e.must(201, "POST", "/api/projects", `{"name":"search","models":["gpt-4o-mini"],"limits":{"rpm":60,"budget_usd":18.07}}`)
	if gjson.Get(out, "limits.budget_usd").Float() != 18.07 || gjson.Get(out, "limits.period").String() != "month" ||
		gjson.Get(out, "models.0").String() != "gpt-4o-mini" || gjson.Get(out, "created_at").String() == "" {
		t.Fatalf("create: %s", out)
	}
	p, err := e.db.GetProject(context.Background(), "search")
	if err != nil || p.Limits.Budget != 18_070_000_000 || p.Limits.RPM != 60 {
		t.Fatalf("stored %+v %v: budget must be exact nano-dollars", p, err)
	}

	// PATCH changes the fields given, down to single limits.
	out = e.must(200, "PATCH", "/api/projects/search", `{"limits":{"tpm":1000}}`)
	if gjson.Get(out, "limits.rpm").Int() != 60 || gjson.Get(out, "limits.tpm").Int() != 1000 || gjson.Get(out, "models.#").Int() != 1 {
		t.Fatalf("patch tpm: %s", out)
	}
	for _, models := range []string{`null`, `[]`} {
		e.must(200, "PATCH", "/api/projects/search", `{"models":["a"]}`)
		out = e.must(200, "PATCH", "/api/projects/search", `{"models":`+models+`}`)
		if !gjson.Get(out, "models").IsArray() || gjson.Get(out, "models.#").Int() != 0 {
			t.Fatalf("models %s must allow all: %s", models, out)
		}
	}
	out = e.must(200, "GET", "/api/projects/search", "")
	if gjson.Get(out, "limits.tpm").Int() != 1000 || gjson.Get(out, "limits.budget_usd").Float() != 18.07 {
		t.Fatalf("get: %s", out)
	}
	e.must(201, "POST", "/api/projects", `{"name":"another"}`)
	out = e.must(200, "GET", "/api/projects", "")
	if gjson.Get(out, "data.#.name").String() != `["another","search"]` {
		t.Fatalf("list: %s", out)
	}

	// A project with keys is kept unless forced.
	e.newKey(`{"project":"search"}`)
	e.newKey(`{"project":"search","name":"second"}`)
	code, out := e.do("DELETE", "/api/projects/search", adminToken, "")
	if code != 409 || gjson.Get(out, "error.code").String() != "project_has_keys" || !strings.Contains(out, "2 virtual key(s)") {
		t.Fatalf("delete with keys: %d %s", code, out)
	}
	e.must(204, "DELETE", "/api/projects/search?force=true", "")
	e.must(404, "GET", "/api/projects/search", "")
	if keys, err := e.db.ListVirtualKeys(context.Background(), ""); err != nil || len(keys) != 0 {
		t.Fatalf("forced delete left keys: %v %v", keys, err)
	}
	e.must(204, "DELETE", "/api/projects/another", "")
	e.must(404, "DELETE", "/api/projects/another", "")
}

func TestVirtualKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.must(201, "POST", "/api/projects", `{"name":"search"}`)
	out := e.must(201, "POST", "/api/vkeys", `{"project":"search","name":"ci","expires_in":"30d","limits":{"rpm":10,"budget_usd":5,"period":"day"}}`)
	key, id := gjson.Get(out, "key").String(), gjson.Get(out, "id").String()
	if !tenant.LooksLikeKey(key) || !strings.HasPrefix(id, "vk_") || gjson.Get(out, "status").String() != "active" ||
		gjson.Get(out, "hint").String() != "kg-…"+key[len(key)-4:] || gjson.Get(out, "limits.budget_usd").Float() != 5 {
		t.Fatalf("create: %s", out)
	}
	if got := gjson.Get(out, "expires_at").Time(); !got.Equal(now.Add(30 * 24 * time.Hour)) {
		t.Fatalf("expires_at %v", got)
	}
	if p, ok := e.lookup(key); !ok || p != "search" {
		t.Fatal("the key returned is not the key stored")
	}
	out = e.must(201, "POST", "/api/vkeys", `{"project":"search","expires_at":"2026-03-14T12:00:01Z"}`)
	shortID := gjson.Get(out, "id").String()

	// The key is shown once: listings have neither it nor its hash.
	list := e.must(200, "GET", "/api/vkeys", "")
	if strings.Contains(list, key) || strings.Contains(list, `"key"`) || strings.Contains(list, "hash") || gjson.Get(list, "data.#").Int() != 2 {
		t.Fatalf("list: %s", list)
	}
	if n := gjson.Get(e.must(200, "GET", "/api/vkeys?project=search", ""), "data.#").Int(); n != 2 {
		t.Fatalf("list by project: %d keys", n)
	}

	later := now.Add(2 * time.Second)
	e.api.SetTenants(admin.TenantOptions{Tenants: e.db, Now: func() time.Time { return later }})
	list = e.must(200, "GET", "/api/vkeys", "")
	if got := gjson.Get(list, `data.#(id=="`+shortID+`").status`).String(); got != "expired" {
		t.Fatalf("status after expiry %q: %s", got, list)
	}

	out = e.must(200, "POST", "/api/vkeys/"+id+"/revoke", "")
	if gjson.Get(out, "status").String() != "revoked" || !gjson.Get(out, "revoked_at").Time().Equal(later) {
		t.Fatalf("revoke: %s", out)
	}
	e.must(200, "POST", "/api/vkeys/"+id+"/revoke", "") // again: keeps the first time
	e.must(204, "DELETE", "/api/vkeys/"+id, "")
	e.must(404, "DELETE", "/api/vkeys/"+id, "")
}

func TestTenantValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.must(201, "POST", "/api/projects", `{"name":"search"}`)
	for _, c := range []struct {
		name, method, path, body string
		status                   int
		param                    string
	}{
		{"negative rpm", "POST", "/api/projects", `{"name":"p1","limits":{"rpm":-1}}`, 400, "limits.rpm"},
		{"negative tpm", "PATCH", "/api/projects/search", `{"limits":{"tpm":-5}}`, 400, "limits.tpm"},
		{"negative budget", "POST", "/api/projects", `{"name":"p1","limits":{"budget_usd":-0.01}}`, 400, "limits.budget_usd"},
		{"huge budget", "POST", "/api/projects", `{"name":"p1","limits":{"budget_usd":1e12}}`, 400, "limits.budget_usd"},
		{"unknown period", "POST", "/api/projects", `{"name":"p1","limits":{"budget_usd":1,"period":"year"}}`, 400, "limits.period"},
		{"rpm not a number", "POST", "/api/projects", `{"name":"p1","limits":{"rpm":"many"}}`, 400, "limits.rpm"},
		{"fractional rpm", "POST", "/api/projects", `{"name":"p1","limits":{"rpm":1.5}}`, 400, "limits.rpm"},
		{"bad name", "POST", "/api/projects", `{"name":"no spaces"}`, 400, "name"},
		{"no name", "POST", "/api/projects", `{}`, 400, "name"},
		{"unknown field", "POST", "/api/projects", `{"name":"p1","budget":3}`, 400, ""},
		{"two objects", "POST", "/api/projects", `{"name":"p1"}{}`, 400, ""},
		{"repeated model", "POST", "/api/projects", `{"name":"p1","models":["a","a"]}`, 400, "models"},
		{"models not a list", "PATCH", "/api/projects/search", `{"models":"gpt-4o"}`, 400, "models"},
		{"project exists", "POST", "/api/projects", `{"name":"search"}`, 409, "name"},
		{"patch unknown project", "PATCH", "/api/projects/nope", `{}`, 404, ""},
		{"key: no project", "POST", "/api/vkeys", `{"name":"ci"}`, 400, "project"},
		{"key: unknown project", "POST", "/api/vkeys", `{"project":"nope"}`, 404, "project"},
		{"key: bad expires_in", "POST", "/api/vkeys", `{"project":"search","expires_in":"soon"}`, 400, "expires_in"},
		{"key: negative expires_in", "POST", "/api/vkeys", `{"project":"search","expires_in":"-1d"}`, 400, "expires_in"},
		{"key: zero expires_in", "POST", "/api/vkeys", `{"project":"search","expires_in":"0h"}`, 400, "expires_in"},
		{"key: endless expires_in", "POST", "/api/vkeys", `{"project":"search","expires_in":"99999999999d"}`, 400, "expires_in"},
		{"key: both expiries", "POST", "/api/vkeys", `{"project":"search","expires_in":"1d","expires_at":"2030-01-01T00:00:00Z"}`, 400, "expires_in"},
		{"key: past expires_at", "POST", "/api/vkeys", `{"project":"search","expires_at":"2026-03-14T11:59:59Z"}`, 400, "expires_at"},
		{"key: bad expires_at", "POST", "/api/vkeys", `{"project":"search","expires_at":"tomorrow"}`, 400, "expires_at"},
		{"key: negative limit", "POST", "/api/vkeys", `{"project":"search","limits":{"rpd":-1}}`, 400, "limits.rpd"},
		{"key: unknown period", "POST", "/api/vkeys", `{"project":"search","limits":{"period":"fortnight"}}`, 400, "limits.period"},
		{"keys of unknown project", "GET", "/api/vkeys?project=nope", "", 404, ""},
		{"revoke unknown key", "POST", "/api/vkeys/vk_nope/revoke", "", 404, ""},
		{"usage: unknown grouping", "GET", "/api/usage?by=week", "", 400, "by"},
		{"usage: bad since", "GET", "/api/usage?since=yesterday", "", 400, "since"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out := e.do(c.method, c.path, adminToken, c.body)
			if code != c.status || gjson.Get(out, "error.param").String() != c.param || gjson.Get(out, "error.message").String() == "" {
				t.Fatalf("%d %s, want %d with param %q", code, out, c.status, c.param)
			}
		})
	}
	if out := e.must(200, "GET", "/api/projects", ""); gjson.Get(out, "data.#").Int() != 1 {
		t.Fatalf("a refused request stored something: %s", out)
	}
}

func TestUsageBudgets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.must(201, "POST", "/api/projects", `{"name":"search","limits":{"budget_usd":18}}`)
	e.must(201, "POST", "/api/projects", `{"name":"forever","limits":{"budget_usd":100,"period":"total"}}`)
	_, k1 := e.newKey(`{"project":"search","limits":{"budget_usd":5,"period":"day"}}`)
	_, revoked := e.newKey(`{"project":"search","limits":{"budget_usd":5}}`)
	e.must(200, "POST", "/api/vkeys/"+revoked+"/revoke", "")
	e.spend("search", k1, "gpt-4o-mini", "2026-02-27T10:00:00Z", 100) // last month
	e.spend("search", k1, "gpt-4o-mini", "2026-03-10T10:00:00Z", 6)
	e.spend("search", k1, "gpt-4o", "2026-03-14T09:00:00Z", 4.5)
	e.spend("search", "", "gpt-4o", "2026-03-13T09:00:00Z", 2.5)
	e.spend("forever", "", "gpt-4o", "2025-01-01T00:00:00Z", 90)

	out := e.must(200, "GET", "/api/usage?project=search&since=2026-03-01", "")
	if gjson.Get(out, "object").String() != "usage" || gjson.Get(out, "rows.#.group").String() != `["gpt-4o","gpt-4o-mini"]` ||
		gjson.Get(out, "rows.0.cost_usd").Float() != 7 || gjson.Get(out, "rows.0.cost_nanos").Int() != 7e9 {
		t.Fatalf("rows: %s", out)
	}
	budgets := gjson.Get(out, "budgets")
	if budgets.Get("#").Int() != 2 {
		t.Fatalf("want the project's and k1's budgets (not the revoked key's): %s", budgets)
	}
	want := []struct {
		key, text       string
		used, left, pct float64
		alert           bool
		start, resets   string
	}{
		{"", "$13.00 used of $18.00 this month", 13, 5, 72.2, false, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{k1, "$4.50 used of $5.00 today", 4.5, 0.5, 90, true, "2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z"},
	}
	for i, w := range want {
		b := budgets.Get(jsonIndex(i))
		if b.Get("key_id").String() != w.key || b.Get("text").String() != w.text || b.Get("used_usd").Float() != w.used ||
			b.Get("remaining_usd").Float() != w.left || b.Get("percent").Float() != w.pct || b.Get("alert").Bool() != w.alert ||
			b.Get("window_start").String() != w.start || b.Get("resets_at").String() != w.resets || b.Get("project").String() != "search" {
			t.Errorf("budget %d: %s", i, b)
		}
	}

	// A total budget never resets; the admin sees every project's budgets.
	out = e.must(200, "GET", "/api/usage?by=project", "")
	if gjson.Get(out, "rows.#.group").String() != `["forever","search"]` || gjson.Get(out, "budgets.#").Int() != 3 {
		t.Fatalf("all projects: %s", out)
	}
	total := gjson.Get(out, "budgets.0")
	if total.Get("text").String() != "$90.00 used of $100.00 in total" || total.Get("resets_at").Exists() ||
		total.Get("window_start").Exists() || !total.Get("alert").Bool() {
		t.Fatalf("total budget: %s", total)
	}

	// The alert threshold is configurable.
	e.api.SetTenants(admin.TenantOptions{Tenants: e.db, AlertAt: 0.95, Now: func() time.Time { return now }})
	out = e.must(200, "GET", "/api/usage?project=search", "")
	if gjson.Get(out, "budgets.1.alert").Bool() {
		t.Fatalf("90%% of a key's budget alerts at 95%%: %s", out)
	}
}

func jsonIndex(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestProjectScope is the authorisation matrix: the admin token does
// everything; a virtual key reads its own project and nothing else, and
// never writes; anything else gets the admin token's 401.
func TestProjectScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const secretName = "bravo-secret"
	e.must(201, "POST", "/api/projects", `{"name":"alpha","limits":{"budget_usd":10}}`)
	e.must(201, "POST", "/api/projects", `{"name":"`+secretName+`","models":["bravo-model-x"],"limits":{"budget_usd":20}}`)
	alphaKey, alphaID := e.newKey(`{"project":"alpha","name":"alpha-ci","limits":{"budget_usd":1}}`)
	bravoKey, bravoID := e.newKey(`{"project":"` + secretName + `","name":"bravo-label","limits":{"budget_usd":2}}`)
	e.spend("alpha", alphaID, "gpt-4o-mini", "2026-03-10T10:00:00Z", 1)
	e.spend(secretName, bravoID, "bravo-model-x", "2026-03-11T10:00:00Z", 2)
	bravoHint := "kg-…" + bravoKey[len(bravoKey)-4:]
	// Nothing about bravo may reach alpha's key: its name, model, keys, label.
	leaks := []string{secretName, "bravo-model-x", bravoID, bravoHint, "bravo-label"}

	// Every read a virtual key may make, and what it must see.
	reads := []struct {
		path  string
		check func(string) bool
	}{
		{"/api/projects", func(s string) bool { return gjson.Get(s, "data.#.name").String() == `["alpha"]` }},
		{"/api/projects/alpha", func(s string) bool { return gjson.Get(s, "name").String() == "alpha" }},
		{"/api/vkeys", func(s string) bool { return gjson.Get(s, "data.#.id").String() == `["`+alphaID+`"]` }},
		{"/api/vkeys?project=alpha", func(s string) bool { return gjson.Get(s, "data.#.id").String() == `["`+alphaID+`"]` }},
		{"/api/usage", func(s string) bool {
			return gjson.Get(s, "rows.#.group").String() == `["gpt-4o-mini"]` && gjson.Get(s, "budgets.#.project").String() == `["alpha","alpha"]`
		}},
		{"/api/usage?project=alpha&by=key", func(s string) bool { return gjson.Get(s, "rows.#.group").String() == `["`+alphaID+`"]` }},
		{"/api/usage?by=project", func(s string) bool { return gjson.Get(s, "rows.#.group").String() == `["alpha"]` }},
		{"/api/usage?by=day&since=2026-01-01", func(s string) bool { return gjson.Get(s, "rows.#.group").String() == `["2026-03-10"]` }},
		{"/api/usage?by=model&since=30d", func(s string) bool { return gjson.Get(s, "rows.#").Int() == 1 }},
	}
	for _, r := range reads {
		code, out := e.do("GET", r.path, alphaKey, "")
		if code != 200 || !r.check(out) {
			t.Errorf("key of alpha: GET %s: %d %s", r.path, code, out)
		}
		for _, leak := range leaks {
			if strings.Contains(out, leak) {
				t.Errorf("key of alpha: GET %s reveals %q: %s", r.path, leak, out)
			}
		}
		if code, out := e.do("GET", r.path, adminToken, ""); code != 200 {
			t.Errorf("admin: GET %s: %d %s", r.path, code, out)
		}
	}
	if out := e.must(200, "GET", "/api/projects", ""); !strings.Contains(out, secretName) {
		t.Fatalf("admin must see every project: %s", out)
	}

	// Naming bravo gets exactly the answer a project that does not exist
	// gets, so the key learns nothing from it.
	for _, path := range []string{"/api/projects/%s", "/api/vkeys?project=%s", "/api/usage?project=%s", "/api/usage?project=%s&by=project"} {
		code, out := e.do("GET", strings.Replace(path, "%s", secretName, 1), alphaKey, "")
		_, none := e.do("GET", strings.Replace(path, "%s", "no-such-one", 1), alphaKey, "")
		if code != 404 || strings.ReplaceAll(out, secretName, "no-such-one") != none {
			t.Errorf("key of alpha: GET %s for bravo: %d %s; for a missing project: %s", path, code, out, none)
		}
	}

	// Every write needs the admin token, whatever it names.
	writes := []struct{ method, path, body string }{
		{"POST", "/api/projects", `{"name":"gamma"}`},
		{"PATCH", "/api/projects/alpha", `{"limits":{"rpm":1}}`},
		{"PATCH", "/api/projects/" + secretName, `{"limits":{"rpm":1}}`},
		{"DELETE", "/api/projects/alpha?force=true", ""},
		{"DELETE", "/api/projects/" + secretName, ""},
		{"POST", "/api/vkeys", `{"project":"alpha"}`},
		{"POST", "/api/vkeys/" + alphaID + "/revoke", ""},
		{"POST", "/api/vkeys/" + bravoID + "/revoke", ""},
		{"DELETE", "/api/vkeys/" + alphaID, ""},
		{"DELETE", "/api/vkeys/" + bravoID, ""},
	}
	for _, w := range writes {
		code, out := e.do(w.method, w.path, alphaKey, w.body)
		if code != 403 || gjson.Get(out, "error.code").String() != "admin_token_required" || !strings.Contains(out, "admin token") {
			t.Errorf("key of alpha: %s %s: %d %s", w.method, w.path, code, out)
		}
	}
	if out := e.must(200, "GET", "/api/vkeys", ""); gjson.Get(out, "data.#.status").String() != `["active","active"]` {
		t.Fatalf("a refused write changed something: %s", out)
	}

	// Credentials stay admin-only; unknown, revoked and out-of-scope
	// tokens get the admin token's 401.
	_, want := e.do("GET", "/api/projects", "", "")
	if gjson.Get(want, "error.code").String() != "invalid_admin_token" {
		t.Fatalf("no token: %s", want)
	}
	revokedKey, revokedID := e.newKey(`{"project":"alpha"}`)
	e.must(200, "POST", "/api/vkeys/"+revokedID+"/revoke", "")
	for _, c := range []struct{ name, method, path, token string }{
		{"credentials", "GET", "/api/credentials", alphaKey},
		{"no token", "GET", "/api/vkeys", ""},
		{"wrong token", "GET", "/api/vkeys", "adm-wrong"},
		{"unknown key", "GET", "/api/usage", "kg-" + strings.Repeat("a", 48)},
		{"revoked key", "GET", "/api/projects", revokedKey},
		{"unknown key writing", "POST", "/api/projects", "kg-" + strings.Repeat("b", 48)},
	} {
		code, out := e.do(c.method, c.path, c.token, "")
		if code != 401 || out != want {
			t.Errorf("%s: %s %s: %d %s", c.name, c.method, c.path, code, out)
		}
	}

	// Without Lookup, a virtual key is just a wrong admin token; a Lookup
	// that answers an empty project is not taken for the admin.
	for _, lookup := range []func(string) (string, bool){nil, func(string) (string, bool) { return "", true }} {
		e.api.SetTenants(admin.TenantOptions{Tenants: e.db, Lookup: lookup})
		if code, out := e.do("GET", "/api/projects", alphaKey, ""); code != 401 || out != want {
			t.Errorf("key without a project: %d %s", code, out)
		}
	}
}

func TestOpenAPIDocumentsTenantRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	code, out := e.do("GET", "/api/openapi.json", "", "")
	var doc map[string]any
	if code != 200 || json.Unmarshal([]byte(out), &doc) != nil {
		t.Fatalf("openapi.json: %d, not JSON", code)
	}
	for _, route := range []string{
		"GET /api/projects", "POST /api/projects", "GET /api/projects/{name}", "PATCH /api/projects/{name}",
		"DELETE /api/projects/{name}", "GET /api/vkeys", "POST /api/vkeys", "POST /api/vkeys/{id}/revoke",
		"DELETE /api/vkeys/{id}", "GET /api/usage",
	} {
		method, path, _ := strings.Cut(route, " ")
		if !gjson.Get(out, "paths."+gjson.Escape(path)+"."+strings.ToLower(method)).Exists() {
			t.Errorf("%s is not documented", route)
		}
	}
	for _, ref := range strings.Split(out, `"$ref": "#/`)[1:] {
		ref = ref[:strings.IndexByte(ref, '"')]
		if !gjson.Get(out, strings.ReplaceAll(ref, "/", ".")).Exists() {
			t.Errorf("$ref #/%s resolves to nothing", ref)
		}
	}
}
