package app_test

import (
	"strings"
	"testing"

	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/tenant"
)

// BenchmarkChatPolicy measures what admission costs a request: the same
// chat completion sent with a config client key (no limits), and with a
// virtual key whose key and project both have RPM, TPM and a budget, counted
// in process (single) and in Redis (shared; needs KEYGATE_TEST_POSTGRES and
// KEYGATE_TEST_REDIS). Compare ns/op within one run:
//
//	go test -run '^$' -bench ChatPolicy -count 6 ./internal/app/
func BenchmarkChatPolicy(b *testing.B) {
	models := strings.ReplaceAll(pricedModels, "${GOOD_KEY}", mockopenai.Key(mockopenai.ScenarioUnlimited))
	models = "client_keys: [" + clientKey + "]\n" + models
	for _, tc := range []struct {
		name    string
		mode    clusterMode
		limited bool
	}{{"client_key", single, false}, {"vkey_single", single, true}, {"vkey_shared", shared, true}} {
		b.Run(tc.name, func(b *testing.B) {
			c := newCluster(b, tc.mode, models, false)
			key := clientKey
			if tc.limited {
				lim := tenant.Limits{RPM: 1 << 40, TPM: 1 << 50, Budget: tenant.FromUSD(1e6), Period: tenant.Month}
				key, _ = c.project(b, tenant.Project{Name: "bench", Limits: lim}, lim)
			}
			url := c.Replicas[0].URL + "/v1/chat/completions"
			body := `{"model":"m","max_tokens":50,"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the benchmark."}]}`
			benchPost(b, url, key, body)
		})
	}
}
