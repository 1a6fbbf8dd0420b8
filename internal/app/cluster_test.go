package app_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/keygate/keygate/internal/admin"
	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/ledger"
	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/store/pgtest"
	"github.com/keygate/keygate/internal/tenant"
)

// cluster is one or more keygate replicas sharing a database (and, with
// several, Redis), in front of one mock upstream, as production runs them:
// each replica has its own store connections, limiter, ledger writer and
// change watcher.
type cluster struct {
	Replicas []*replica
	Mock     *mockopenai.Server
	Logs     *syncBuffer
	Config   *config.Config
	// Requests counts requests that reached keygate's handlers; inFlight
	// those whose handler has not returned, which may still be accounting
	// after the client has its answer.
	Requests atomic.Int64
	inFlight atomic.Int64

	log    *slog.Logger
	prefix string // Redis key prefix
	opts   []limits.Option
}

type replica struct {
	URL     string // base URL without /v1
	App     *app.App
	Store   store.DB
	Ledger  *ledger.Writer
	Limiter *app.Limiter
}

// clusterMode is how replicas share state: "single" is one binary on SQLite
// with in-process counters; "shared" is three replicas on PostgreSQL and
// Redis. The same semantic tests run on both.
type clusterMode struct {
	name     string
	replicas int
}

var (
	single = clusterMode{"single", 1}
	shared = clusterMode{"shared", 3}
)

func forEachMode(t *testing.T, fn func(t *testing.T, m clusterMode)) {
	for _, m := range []clusterMode{single, shared} {
		t.Run(m.name, func(t *testing.T) { fn(t, m) })
	}
}

// pricedModels serves "m" from the mock at prices that make a request cost
// cents: a $1 budget lasts a few dozen requests.
const pricedModels = `
model_list:
  - model_name: m
    model: openai/gpt-4o-mini
    api_key: ${GOOD_KEY}
    api_base: {{MOCK}}
    input_cost_per_token: 0.0005
    output_cost_per_token: 0.001
  - model_name: other
    model: openai/gpt-4o-mini
    api_key: ${GOOD_KEY}
    api_base: {{MOCK}}
`

// newCluster starts m's replicas. frozen stops the rate limiters' clock, so
// that buckets do not refill while a test runs and admissions are exact.
func newCluster(t testing.TB, m clusterMode, models string, frozen bool) *cluster {
	t.Helper()
	var db, redisURL string
	prefix := ""
	dir := t.TempDir()
	switch m {
	case single:
		db = "sqlite://" + filepath.Join(dir, "keygate.db")
	case shared:
		db = pgtest.DSN(t)
		redisURL = os.Getenv("KEYGATE_TEST_REDIS")
		if redisURL == "" {
			t.Skip("KEYGATE_TEST_REDIS is not set")
		}
		prefix = redisPrefix(t, redisURL)
	}
	mock := mockopenai.New(mockopenai.Options{})
	ms := httptest.NewServer(mock)
	t.Cleanup(ms.Close)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	text := "admin_token: " + adminToken + "\ndatabase: \"" + db + "\"\nmaster_key: " + base64.StdEncoding.EncodeToString(key) + "\n"
	if redisURL != "" {
		text += "redis: " + redisURL + "\n"
	}
	text += strings.ReplaceAll(models, "{{MOCK}}", ms.URL+"/v1")
	env := map[string]string{"GOOD_KEY": mockopenai.Key(mockopenai.ScenarioGood)}
	cfg, err := config.Parse("test.yaml", []byte(text), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	c := &cluster{Mock: mock, Logs: &syncBuffer{}, Config: cfg, prefix: prefix}
	c.log = slog.New(slog.NewTextHandler(c.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if frozen {
		at := time.Now()
		c.opts = append(c.opts, limits.WithClock(func() time.Time { return at }))
	}
	for range m.replicas {
		c.addReplica(t)
	}
	return c
}

// addReplica starts one more replica; on a single binary's database it is
// what a restart gives, counters starting empty.
func (c *cluster) addReplica(t testing.TB) *replica {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg, log := c.Config, c.log
	st, _, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lim, err := app.NewLimiter(ctx, cfg, c.prefix, log, c.opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lim.Close() })
	w := ledger.New(st, ledger.Options{FlushInterval: 20 * time.Millisecond}, log)
	api := admin.New(st, app.Verifier(cfg), func(n string) []string { return app.UsedBy(cfg, n) }, cfg.AdminToken, log)
	a := app.New(cfg, log, app.Options{Credentials: st, Tenants: st, Admin: api.Handler(), Ledger: w, Limiter: lim, Degraded: lim.Degraded})
	api.SetTenants(admin.TenantOptions{Tenants: st, Lookup: a.Directory.ProjectOf})
	go a.Watch(ctx, 100*time.Millisecond)
	h := a.Server.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		c.Requests.Add(1)
		c.inFlight.Add(1)
		defer c.inFlight.Add(-1)
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(func() { ts.Close(); a.Close() })
	t.Cleanup(func() { _ = w.Close(context.Background()) })
	r := &replica{URL: ts.URL, App: a, Store: st, Ledger: w, Limiter: lim}
	c.Replicas = append(c.Replicas, r)
	return r
}

// redisPrefix returns a key prefix of this test's own and deletes its keys
// when the test ends, leaving Redis as it was.
func redisPrefix(t testing.TB, url string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "kgtest:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		opt, err := redis.ParseURL(url)
		if err != nil {
			t.Error(err)
			return
		}
		c := redis.NewClient(opt)
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Error(err)
		}
	})
	return prefix
}

// project creates a project and one key of it through the first replica's
// store, and waits until every replica has loaded them.
func (c *cluster) project(t testing.TB, p tenant.Project, kl tenant.Limits) (string, tenant.VirtualKey) {
	t.Helper()
	ctx := context.Background()
	st := c.Replicas[0].Store
	if err := st.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	key, vk := tenant.NewKey(p.Name)
	vk.Limits = kl
	if err := st.CreateVirtualKey(ctx, vk); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, func(r *replica) bool { _, ok := r.App.Directory.Lookup(key); return ok })
	return key, vk
}

// waitFor waits until ok holds on every replica; changes must reach them
// within a second.
func (c *cluster) waitFor(t testing.TB, ok func(*replica) bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for _, r := range c.Replicas {
		for !ok(r) {
			if time.Now().After(deadline) {
				t.Fatal("a change did not reach every replica within a second")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// answer is one response as a test looks at it.
type answer struct {
	status int
	header http.Header
	body   string
}

// chat sends a chat completion with key to replica i (modulo the replicas).
func (c *cluster) chat(t *testing.T, i int, key, model string, maxTokens int) answer {
	t.Helper()
	body := `{"model":"` + model + `","messages":[{"role":"user","content":"Say hello to the whole team, please."}]`
	if maxTokens > 0 {
		body += `,"max_tokens":` + strconv.Itoa(maxTokens)
	}
	body += "}"
	return c.post(t, i, "/v1/chat/completions", key, body)
}

func (c *cluster) post(t *testing.T, i int, path, key, body string) answer {
	t.Helper()
	r := c.Replicas[i%len(c.Replicas)]
	req, _ := http.NewRequest(http.MethodPost, r.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

func (c *cluster) get(t *testing.T, i int, path, key string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Replicas[i%len(c.Replicas)].URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// burst sends n chat requests from workers goroutines, spread over the
// replicas, and returns the answers.
func (c *cluster) burst(t *testing.T, n, workers int, key, model string, maxTokens int) []answer {
	out := make([]answer, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				out[i] = c.chat(t, i, key, model, maxTokens)
			}
		})
	}
	wg.Wait()
	return out
}

// quiesce waits until no handler is running, so that every answered
// request has settled its reservations and handed its record to the ledger.
func (c *cluster) quiesce(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.inFlight.Load() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("handlers still running after 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// closeLedgers flushes every replica's ledger.
func (c *cluster) closeLedgers(t *testing.T) {
	t.Helper()
	c.quiesce(t)
	for _, r := range c.Replicas {
		if err := r.Ledger.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
