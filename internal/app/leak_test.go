package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/verify/verifytest"
)

// The provider keys keygate holds must not reach clients or logs, whatever
// happens upstream: not whole, and not in the near-whole form OpenAI's own
// "Incorrect API key provided: sk-abc***wxyz" message shows.
func TestProviderKeyNeverLeaks(t *testing.T) {
	s := newStack(t, faultModels(t), stackOptions{resolver: verifytest.NXDomainResolver(t), mock: mockopenai.Options{SlowLatency: 3e9}})
	var seen strings.Builder
	record := func(resp *http.Response, body []byte) {
		for k, vs := range resp.Header {
			seen.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
		}
		seen.Write(body)
	}
	for _, d := range s.Config.Models {
		for _, stream := range []string{"false", "true"} {
			resp, body := s.post(t, "/chat/completions", `{"model":"`+d.Alias+`","stream":`+stream+`,"messages":[{"role":"user","content":"hi"}]}`)
			record(resp, body)
		}
		resp, body := s.post(t, "/embeddings", `{"model":"`+d.Alias+`","input":"hi"}`)
		record(resp, body)
	}
	out := seen.String() + s.Logs.String()
	if !strings.Contains(s.Logs.String(), "upstream attempt failed") {
		t.Fatal("the fault scenarios left no log lines; the test is not testing")
	}
	for _, d := range s.Config.Models {
		for _, k := range d.APIKeys {
			key := k.Reveal()
			for _, leak := range []string{key, key[:len(key)-4], key[4:]} {
				if strings.Contains(out, leak) {
					t.Fatalf("provider key of %s leaked (%q) into responses or logs", d.Alias, leak)
				}
			}
			// OpenAI's masked form keeps the first 8 and last 4 characters.
			if masked := key[:8] + "*"; strings.Contains(out, masked) {
				t.Fatalf("OpenAI's masked form of the key of %s reached a client or log", d.Alias)
			}
		}
	}
}
