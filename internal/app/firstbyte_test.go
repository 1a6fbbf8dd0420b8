package app_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStreamEventDelay measures how long a stream event takes from the
// moment the upstream writes it to the moment the client reads it, straight
// from the upstream and through keygate (DESIGN §4: forwarded within 1 ms of
// arrival). The upstream stamps each event with its write time; the client
// subtracts. Both run in this process, so the clocks agree.
//
//	go test -run='^$' -bench=StreamEventDelay -benchtime=200x ./internal/app
func BenchmarkStreamEventDelay(b *testing.B) {
	const events = 20
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		f := w.(http.Flusher)
		for range events {
			time.Sleep(time.Millisecond) // events arrive one by one, as from a model
			fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}],\"t\":%d}\n\n", time.Now().UnixNano())
			f.Flush()
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	defer upstream.Close()
	s := newStack(&testing.T{}, defaultModels+"  - model_name: stamped\n    model: openai/gpt-4o-mini\n    api_key: sk-x\n    api_base: "+upstream.URL+"/v1\n", stackOptions{})
	body := `{"model":"stamped","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`
	for _, target := range []struct{ name, url string }{{"direct", upstream.URL + "/v1"}, {"keygate", s.URL}} {
		b.Run(target.name, func(b *testing.B) {
			client := &http.Client{}
			delays := make([]time.Duration, 0, b.N*events)
			for b.Loop() {
				req, _ := http.NewRequest("POST", target.url+"/chat/completions", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+clientKey)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				sc := bufio.NewScanner(resp.Body)
				for sc.Scan() {
					line := sc.Text()
					i := strings.LastIndex(line, `"t":`)
					if i < 0 {
						continue
					}
					sent, _ := strconv.ParseInt(strings.TrimSuffix(line[i+4:], "}"), 10, 64)
					delays = append(delays, time.Duration(time.Now().UnixNano()-sent))
				}
				resp.Body.Close()
			}
			sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
			if len(delays) == 0 {
				b.Fatal("no events")
			}
			b.ReportMetric(float64(delays[len(delays)/2].Microseconds()), "p50-µs/event")
			b.ReportMetric(float64(delays[len(delays)*99/100].Microseconds()), "p99-µs/event")
		})
	}
}
