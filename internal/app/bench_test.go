package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/keygate/keygate/internal/mockopenai"
)

// BenchmarkChat sends non-streaming chat completions through keygate to the
// mock over loopback, for profiling the request path in one process
// (`go test -run=^$ -bench=Chat -cpuprofile cpu.out ./internal/app`). The
// side-by-side figures in BENCHMARKS.md come from ./bench instead, which runs
// each party in its own process.
func BenchmarkChat(b *testing.B) {
	for _, stream := range []bool{false, true} {
		name := "json"
		if stream {
			name = "stream"
		}
		b.Run(name, func(b *testing.B) {
			s := newStack(&testing.T{}, strings.ReplaceAll(defaultModels, "${GOOD_KEY}", mockopenai.Key(mockopenai.ScenarioUnlimited)), stackOptions{})
			body := `{"model":"gpt-4o-mini","stream":` + map[bool]string{false: "false", true: "true"}[stream] +
				`,"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the benchmark."}]}`
			benchPost(b, s.URL+"/chat/completions", clientKey, body)
		})
	}
}

// benchPost sends body to url with key from every benchmark goroutine,
// b.N times in all, and fails on any answer but 200.
func benchPost(b *testing.B, url, key, body string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
