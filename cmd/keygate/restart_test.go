package main

import (
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/store/pgtest"
)

// restartClientKey is the client key the restart test's load sends.
const restartClientKey = "kg-restart-test-key-0123456789"

// A graceful restart under load neither loses a usage record nor writes one
// twice: serve runs twice on the same database, each run stopped as SIGTERM
// stops it while several clients keep sending chat completions, and every
// request answered 200 has exactly one ledger row, matched by its
// X-Request-Id, and no other row exists.
func TestRestartUnderLoadKeepsEveryUsageRecord(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testRestartUnderLoad(t, "sqlite://"+filepath.Join(t.TempDir(), "k.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		testRestartUnderLoad(t, pgtest.DSN(t))
	})
}

func testRestartUnderLoad(t *testing.T, database string) {
	// The mock's latency keeps requests in flight when shutdown begins, so
	// that draining them is part of what is tested.
	mock := httptest.NewServer(mockopenai.New(mockopenai.Options{Latency: 5 * time.Millisecond}))
	t.Cleanup(mock.Close)
	cfgPath := restartConfig(t, database, mock.URL+"/v1")

	answered := map[string]bool{} // request ids answered 200, over every run
	for run := 1; run <= 2; run++ {
		s := startServe(t, cfgPath)
		l := startLoad(s.URL, restartClientKey, 8)
		t.Cleanup(l.stop) // should the test end early
		if !l.waitFor(300, 20*time.Second) {
			l.stop()
			s.shutdown(t)
			t.Fatalf("run %d: fewer than 300 requests answered 200 in 20s: %s\n%s", run, l.summary(), s.logs)
		}
		l.draining.Store(true)
		s.shutdown(t) // the clients keep sending until serve has returned
		l.stop()
		t.Logf("run %d: %s", run, l.summary())
		for _, id := range l.ok {
			if answered[id] {
				t.Fatalf("run %d: request id %s answered twice", run, id)
			}
			answered[id] = true
		}
		if msg := compareLedger(answered, ledgerIDs(t, database)); msg != "" {
			t.Fatalf("after run %d: %s\n%s", run, msg, s.logs)
		}
	}
}

// restartConfig writes a config serving gpt-4o-mini from the mock at
// mockBase, with a client key, a master key and database.
func restartConfig(t *testing.T, database, mockBase string) string {
	t.Helper()
	master := make([]byte, 32)
	for i := range master {
		master[i] = byte(i + 1)
	}
	cfg := fmt.Sprintf(`database: %q
master_key: %q
client_keys: [%s]
model_list:
  - model_name: gpt-4o-mini
    model: openai/gpt-4o-mini
    api_key: %s
    api_base: %q
`, database, base64.StdEncoding.EncodeToString(master), restartClientKey,
		// Unlimited: the good key's real tier-1 limits (500 RPM) would
		// answer this load with 429s.
		mockopenai.Key(mockopenai.ScenarioUnlimited), mockBase)
	path := filepath.Join(t.TempDir(), "keygate.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// compareLedger says how the ledger's rows (request id → rows) differ from
// the requests answered 200, or "" when each has exactly one row and there
// are no others.
func compareLedger(answered map[string]bool, rows map[string]int) string {
	var missing, doubled, unknown []string
	for id := range answered {
		switch rows[id] {
		case 1:
		case 0:
			missing = append(missing, id)
		default:
			doubled = append(doubled, id)
		}
	}
	for id := range rows {
		if !answered[id] {
			unknown = append(unknown, id)
		}
	}
	if len(missing)+len(doubled)+len(unknown) == 0 {
		return ""
	}
	return fmt.Sprintf("%d requests answered 200, %d ledger rows: %d answered without a row %s, %d with several %s, %d rows for no 200 %s",
		len(answered), len(rows), len(missing), firstFew(missing), len(doubled), firstFew(doubled), len(unknown), firstFew(unknown))
}

func firstFew(ids []string) []string {
	sort.Strings(ids)
	return ids[:min(len(ids), 3)]
}
