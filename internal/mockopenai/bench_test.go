package mockopenai

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchServe runs body through ServeHTTP in-process, measuring the mock's own
// cost per request (the figure that bounds a 2,000+ req/s gateway benchmark).
func benchServe(b *testing.B, key, path, body string) {
	s := New(Options{Record: 256})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

func BenchmarkChatJSONUnlimited(b *testing.B) {
	benchServe(b, Key(ScenarioUnlimited), "/v1/chat/completions", chatBody)
}

func BenchmarkChatStreamUnlimited(b *testing.B) {
	benchServe(b, Key(ScenarioUnlimited), "/v1/chat/completions",
		`{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello"}]}`)
}

func BenchmarkEmbeddingsBase64(b *testing.B) {
	benchServe(b, Key(ScenarioUnlimited), "/v1/embeddings",
		`{"model":"text-embedding-3-small","input":"hello","encoding_format":"base64"}`)
}
