package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

// TestRateLimitAcrossReplicas: a 60 RPM key admits exactly 60 requests of a
// concurrent burst spread over every replica (the limiters' clock is
// stopped, so nothing refills mid-burst), and refuses the rest as OpenAI
// does.
func TestRateLimitAcrossReplicas(t *testing.T) {
	forEachMode(t, func(t *testing.T, m clusterMode) {
		c := newCluster(t, m, pricedModels, true)
		key, _ := c.project(t, tenant.Project{Name: "team"}, tenant.Limits{RPM: 60})
		answers := c.burst(t, 150, 24, key, "m", 20)
		ok, refused := 0, 0
		for _, a := range answers {
			switch a.status {
			case 200:
				ok++
				if a.header.Get("X-Ratelimit-Limit-Requests") != "60" {
					t.Errorf("200 with x-ratelimit-limit-requests %q", a.header.Get("X-Ratelimit-Limit-Requests"))
				}
			case 429:
				refused++
				var e struct {
					Error struct{ Type, Code, Message string }
				}
				_ = json.Unmarshal([]byte(a.body), &e)
				if e.Error.Type != "requests" || e.Error.Code != "rate_limit_exceeded" ||
					!strings.Contains(e.Error.Message, "on requests per min (RPM): Limit 60, Used 60, Requested 1") {
					t.Errorf("429 body %s", a.body)
				}
				if a.header.Get("Retry-After") == "" || a.header.Get("Retry-After-Ms") == "" || a.header.Get("X-Ratelimit-Remaining-Requests") != "0" {
					t.Errorf("429 headers %v", a.header)
				}
			default:
				t.Errorf("status %d: %s", a.status, a.body)
			}
		}
		if ok != 60 || refused != 90 {
			t.Fatalf("admitted %d and refused %d of 150 with a 60 RPM key across %d replicas; want 60 and 90", ok, refused, m.replicas)
		}
		c.closeLedgers(t)
		rows, err := c.Replicas[0].Store.UsageSummary(context.Background(), store.UsageQuery{Project: "team", By: store.ByKey})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Requests != 60 {
			t.Fatalf("ledger rows %+v, want one key with 60 requests", rows)
		}
	})
}

// TestBudgetAcrossReplicas: concurrent requests against a $1.00 budget
// never spend more than the budget (every request settles at or below the
// most it could cost), and afterwards the ledger holds exactly one record
// per admitted request, whose costs add up to the spend counter.
func TestBudgetAcrossReplicas(t *testing.T) {
	forEachMode(t, func(t *testing.T, m clusterMode) {
		c := newCluster(t, m, pricedModels, false)
		budget := tenant.FromUSD(1)
		key, _ := c.project(t, tenant.Project{Name: "team", Limits: tenant.Limits{Budget: budget, Period: tenant.Month}}, tenant.Limits{})
		answers := c.burst(t, 120, 16, key, "m", 60)
		ok, quota := 0, 0
		for _, a := range answers {
			switch a.status {
			case 200:
				ok++
			case 429:
				quota++
				var e struct {
					Error struct{ Type, Code, Message string }
				}
				_ = json.Unmarshal([]byte(a.body), &e)
				if e.Error.Code != "insufficient_quota" || a.header.Get("X-Should-Retry") != "false" ||
					!strings.Contains(e.Error.Message, "of $1.00 this month") || !strings.Contains(e.Error.Message, "keygate projects update team --budget") {
					t.Errorf("budget refusal: %v %s", a.header, a.body)
				}
			default:
				t.Errorf("status %d: %s", a.status, a.body)
			}
		}
		if ok == 0 || quota == 0 {
			t.Fatalf("admitted %d, refused %d: the budget should run out within the burst", ok, quota)
		}
		// Late in the burst, holds of requests in flight can refuse others
		// before the spend reaches the budget; one at a time, requests are
		// admitted until it does.
		for i := 0; ; i++ {
			// Each request settles after its client has the answer; wait,
			// so that no hold of the one before is still open.
			c.quiesce(t)
			a := c.chat(t, i, key, "m", 60)
			if a.status != 200 {
				break
			}
			ok++
		}
		c.quiesce(t)
		spent, err := c.Replicas[0].Limiter.Spent(context.Background(), "p:team", tenant.Month, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if spent > budget {
			t.Fatalf("spent %s of a %s budget", spent, budget)
		}
		// The budget ran out: what is left is less than one request's
		// largest cost (about 40 prompt and 60 output tokens, $0.08).
		if budget-spent > tenant.FromUSD(0.1) {
			t.Fatalf("spent only %s of %s yet refused requests", spent, budget)
		}
		c.closeLedgers(t)
		rows, err := c.Replicas[0].Store.UsageSummary(context.Background(), store.UsageQuery{Project: "team", By: store.ByModel})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Requests != int64(ok) {
			t.Fatalf("ledger %+v, want %d records", rows, ok)
		}
		if rows[0].Cost != spent {
			t.Fatalf("ledger total %s, spend counter %s", rows[0].Cost, spent)
		}
		t.Logf("%d admitted, %d refused; spent %s of %s", ok, quota, spent, budget)
	})
}

// TestRateLimitRealClock: the same burst on the real clock. The bucket
// refills one request a second, so a burst that takes s seconds admits
// 60 + s at most, never fewer than 60.
func TestRateLimitRealClock(t *testing.T) {
	forEachMode(t, func(t *testing.T, m clusterMode) {
		c := newCluster(t, m, pricedModels, false)
		key, _ := c.project(t, tenant.Project{Name: "team"}, tenant.Limits{RPM: 60})
		start := time.Now()
		answers := c.burst(t, 150, 24, key, "m", 20)
		elapsed := time.Since(start)
		ok := 0
		for _, a := range answers {
			if a.status == 200 {
				ok++
			}
		}
		if most := 60 + int(elapsed/time.Second) + 1; ok < 60 || ok > most {
			t.Fatalf("admitted %d of 150 in %s with a 60 RPM key across %d replicas; want 60 to %d", ok, elapsed.Round(time.Millisecond), m.replicas, most)
		}
	})
}

// TestKeyChangesReachReplicas: a revoked key is refused by every replica
// within a second, with a message saying it was revoked.
func TestKeyChangesReachReplicas(t *testing.T) {
	forEachMode(t, func(t *testing.T, m clusterMode) {
		c := newCluster(t, m, pricedModels, false)
		key, vk := c.project(t, tenant.Project{Name: "team"}, tenant.Limits{})
		for i := range c.Replicas {
			if a := c.chat(t, i, key, "m", 5); a.status != 200 {
				t.Fatalf("replica %d: %d %s", i, a.status, a.body)
			}
		}
		if err := c.Replicas[len(c.Replicas)-1].Store.RevokeVirtualKey(context.Background(), vk.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		c.waitFor(t, func(r *replica) bool { _, ok := r.App.Directory.Lookup(key); return !ok })
		for i := range c.Replicas {
			a := c.chat(t, i, key, "m", 5)
			if a.status != 401 || !strings.Contains(a.body, "was revoked on") || strings.Contains(a.body, key) {
				t.Fatalf("replica %d after revoke: %d %s", i, a.status, a.body)
			}
		}
	})
}

// TestProjectIsolation: a key of project A can use neither B's models nor
// see B's usage or keys, through the proxy or the admin API.
func TestProjectIsolation(t *testing.T) {
	forEachMode(t, func(t *testing.T, m clusterMode) {
		c := newCluster(t, m, pricedModels, false)
		keyA, vkA := c.project(t, tenant.Project{Name: "alpha", Models: []string{"m"}}, tenant.Limits{})
		keyB, vkB := c.project(t, tenant.Project{Name: "bravo", Models: []string{"other"}}, tenant.Limits{})
		if a := c.chat(t, 0, keyB, "other", 5); a.status != 200 {
			t.Fatalf("bravo on its model: %d %s", a.status, a.body)
		}
		a := c.chat(t, 0, keyA, "other", 5)
		if a.status != 403 || !strings.Contains(a.body, `"code":"model_not_allowed"`) || !strings.Contains(a.body, "may use: m") {
			t.Fatalf("alpha on bravo's model: %d %s", a.status, a.body)
		}
		if a := c.chat(t, 0, keyA, "m", 5); a.status != 200 {
			t.Fatalf("alpha on its model: %d %s", a.status, a.body)
		}
		// Model listings and "unknown model" hints name alpha's models only.
		if a := c.get(t, 0, "/v1/models", keyA); a.status != 200 || strings.Contains(a.body, `"other"`) || !strings.Contains(a.body, `"m"`) {
			t.Errorf("GET /v1/models with alpha's key: %d %s", a.status, a.body)
		}
		if a := c.get(t, 0, "/v1/models/other", keyA); a.status != 404 {
			t.Errorf("GET /v1/models/other with alpha's key: %d %s", a.status, a.body)
		}
		if a := c.chat(t, 0, keyA, "nope", 5); a.status != 404 || strings.Contains(a.body, "other") {
			t.Errorf("unknown model with alpha's key: %d %s", a.status, a.body)
		}
		c.closeLedgers(t)
		// Asking for bravo by name gets what a project that does not exist
		// gets; listing shows alpha's things only.
		for _, path := range []string{"/api/usage?project=bravo", "/api/vkeys?project=bravo", "/api/projects/bravo"} {
			if a := c.get(t, 0, path, keyA); a.status != 404 || strings.Contains(a.body, vkB.ID) {
				t.Errorf("GET %s with alpha's key: %d %s", path, a.status, a.body)
			}
		}
		for _, path := range []string{"/api/usage", "/api/usage?by=key", "/api/usage?by=project", "/api/vkeys", "/api/projects"} {
			a := c.get(t, 0, path, keyA)
			if a.status != 200 || strings.Contains(a.body, "bravo") || strings.Contains(a.body, vkB.ID) || strings.Contains(a.body, `"other"`) {
				t.Errorf("GET %s with alpha's key shows bravo: %d %s", path, a.status, a.body)
			}
			if !strings.Contains(a.body, `"alpha"`) && !strings.Contains(a.body, `"m"`) && !strings.Contains(a.body, vkA.ID) {
				t.Errorf("GET %s with alpha's key does not show alpha: %s", path, a.body)
			}
		}
		if a := c.post(t, 0, "/api/vkeys", keyA, `{"project":"alpha"}`); a.status != 403 {
			t.Errorf("alpha's key created a key: %d %s", a.status, a.body)
		}
		if a := c.get(t, 0, "/api/usage?project=bravo", adminToken); a.status != 200 || !strings.Contains(a.body, `"other"`) {
			t.Errorf("admin usage of bravo: %d %s", a.status, a.body)
		}
	})
}

// TestBudgetSurvivesRestart: a single binary counts budgets in memory, so a
// restarted one seeds them from the ledger and keeps refusing.
func TestBudgetSurvivesRestart(t *testing.T) {
	c := newCluster(t, single, pricedModels, false)
	key, _ := c.project(t, tenant.Project{Name: "team", Limits: tenant.Limits{Budget: tenant.FromUSD(0.5), Period: tenant.Total}}, tenant.Limits{})
	refused := false
	for range 100 {
		if a := c.chat(t, 0, key, "m", 60); a.status == 429 {
			refused = true
			break
		}
	}
	if !refused {
		t.Fatal("budget never ran out")
	}
	c.closeLedgers(t)
	// A new replica on the same database, with counters of its own that
	// start empty, is what a restart gives.
	c.addReplica(t)
	a := c.chat(t, len(c.Replicas)-1, key, "m", 60)
	if a.status != 429 || !strings.Contains(a.body, "insufficient_quota") {
		t.Fatalf("after restart: %d %s", a.status, a.body)
	}
	if !strings.Contains(a.body, "in total") || !strings.Contains(a.body, "does not reset") {
		t.Fatalf("total-period message: %s", a.body)
	}
}
