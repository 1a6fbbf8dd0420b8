package mockopenai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	name string
	data string
}

// parseSSE splits a complete stream into events, failing on anything but
// event:/data: lines and blank separators.
func parseSSE(t *testing.T, body []byte) []sseEvent {
	t.Helper()
	if !bytes.HasSuffix(body, []byte("\n\n")) {
		t.Fatalf("stream does not end with a blank line: %q", tail(body))
	}
	var out []sseEvent
	for _, block := range strings.Split(strings.TrimSuffix(string(body), "\n\n"), "\n\n") {
		var ev sseEvent
		for _, line := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[len("data: "):]
			default:
				t.Fatalf("unexpected SSE line %q", line)
			}
		}
		out = append(out, ev)
	}
	return out
}

func tail(b []byte) []byte {
	if len(b) > 80 {
		return b[len(b)-80:]
	}
	return b
}

func TestGoldenStreams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden, path, body string
	}{
		{"chat_stream_usage.golden", "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello"}]}`},
		{"chat_stream_plain.golden", "/v1/chat/completions", `{"model":"gpt-4o","stream":true,"max_tokens":4,"stream_options":{"include_obfuscation":false},"messages":[{"role":"user","content":"Say hello"}]}`},
		{"completions_stream_usage.golden", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","stream":true,"stream_options":{"include_usage":true},"prompt":"Say hello"}`},
		{"responses_stream.golden", "/v1/responses", `{"model":"gpt-4.1-mini","stream":true,"instructions":"Be brief.","input":[{"role":"user","content":[{"type":"input_text","text":"Say hello"}]}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			base := start(t, deterministic(New(Options{})))
			resp, body := send(t, base, "POST", tc.path, Key(ScenarioUnlimited), tc.body)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
				t.Errorf("content-type %q", ct)
			}
			checkHeaders(t, resp.Header, headersFull)
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, body, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("stream differs from %s (run with -update after checking):\n got: %s\nwant: %s", path, body, want)
			}
		})
	}
}

// chunk is the part of a chat.completion.chunk the tests inspect.
type chunk struct {
	ID      string           `json:"id"`
	Object  string           `json:"object"`
	Created int64            `json:"created"`
	Choices []map[string]any `json:"choices"`
	Usage   *json.RawMessage `json:"usage"`
}

func TestChatStreamIncludeUsage(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	for _, include := range []bool{false, true} {
		body := `{"model":"gpt-4o-mini","stream":true,"n":2,"messages":[{"role":"user","content":"hi"}]}`
		if include {
			body = strings.Replace(body, `"stream":true`, `"stream":true,"stream_options":{"include_usage":true}`, 1)
		}
		_, raw := send(t, base, "POST", "/v1/chat/completions", Key(ScenarioGood), body)
		events := parseSSE(t, raw)
		if last := events[len(events)-1]; last.data != "[DONE]" {
			t.Fatalf("include_usage=%v: last event %q, want [DONE]", include, last.data)
		}
		events = events[:len(events)-1]
		var first chunk
		for i, ev := range events {
			var c chunk
			if err := json.Unmarshal([]byte(ev.data), &c); err != nil {
				t.Fatal(err)
			}
			var keys map[string]json.RawMessage
			_ = json.Unmarshal([]byte(ev.data), &keys)
			_, hasUsage := keys["usage"]
			if i == 0 {
				first = c
			}
			if c.ID != first.ID || c.Created != first.Created || c.Object != "chat.completion.chunk" {
				t.Errorf("chunk %d: id/created/object %s/%d/%s differ", i, c.ID, c.Created, c.Object)
			}
			isUsage := include && i == len(events)-1
			switch {
			case !include && hasUsage:
				t.Errorf("chunk %d carries usage without include_usage", i)
			case include && !hasUsage:
				t.Errorf("chunk %d lacks the usage key", i)
			case isUsage && (c.Usage == nil || string(*c.Usage) == "null" || len(c.Choices) != 0):
				t.Errorf("usage chunk %s", ev.data)
			case include && !isUsage && c.Usage != nil:
				t.Errorf("chunk %d: usage %s, want null", i, *c.Usage)
			}
		}
		// Two role chunks (n=2) open the stream, two finish chunks close it.
		if d := first.Choices[0]["delta"].(map[string]any); d["role"] != "assistant" || d["content"] != "" {
			t.Errorf("first delta %v", d)
		}
		n := len(events)
		if include {
			n--
		}
		for _, ev := range events[n-2 : n] {
			var c chunk
			_ = json.Unmarshal([]byte(ev.data), &c)
			if c.Choices[0]["finish_reason"] != "stop" || len(c.Choices[0]["delta"].(map[string]any)) != 0 {
				t.Errorf("finishing chunk %s", ev.data)
			}
		}
		if want := 2 + 2*len(replyWords) + 2; n != want {
			t.Errorf("include_usage=%v: %d chunks, want %d", include, n, want)
		}
	}
}

func TestChatLengthCut(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	_, body := send(t, base, "POST", "/v1/chat/completions", Key(ScenarioGood),
		chatWith("gpt-4o-mini", `,"max_completion_tokens":3`))
	var resp struct {
		Choices []struct {
			Message      struct{ Content string }
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if c := resp.Choices[0]; c.FinishReason != "length" || c.Message.Content != "Hello! This" || resp.Usage.CompletionTokens != 3 {
		t.Errorf("cut reply: %s", body)
	}
}

func TestResponsesStreamSequence(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	_, raw := send(t, base, "POST", "/v1/responses", Key(ScenarioGood), `{"model":"gpt-4o","stream":true,"input":"hi"}`)
	events := parseSSE(t, raw)
	wantOrder := []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"}
	for range replyWords {
		wantOrder = append(wantOrder, "response.output_text.delta")
	}
	wantOrder = append(wantOrder, "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed")
	if len(events) != len(wantOrder) {
		t.Fatalf("%d events, want %d", len(events), len(wantOrder))
	}
	prev := -1
	var text strings.Builder
	for i, ev := range events {
		var e struct {
			Type     string `json:"type"`
			Seq      *int   `json:"sequence_number"`
			Delta    string `json:"delta"`
			Response struct {
				Status string `json:"status"`
				Usage  *struct {
					InputTokens  int `json:"input_tokens"`
					OutputTokens int `json:"output_tokens"`
					TotalTokens  int `json:"total_tokens"`
				} `json:"usage"`
			} `json:"response"`
		}
		if err := json.Unmarshal([]byte(ev.data), &e); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if ev.name != wantOrder[i] || e.Type != ev.name {
			t.Errorf("event %d: name %q type %q, want %q", i, ev.name, e.Type, wantOrder[i])
		}
		if e.Seq == nil || *e.Seq <= prev {
			t.Fatalf("event %d: sequence_number %v after %d", i, e.Seq, prev)
		}
		prev = *e.Seq
		text.WriteString(e.Delta)
		if ev.name == "response.completed" {
			u := e.Response.Usage
			if e.Response.Status != "completed" || u == nil || u.OutputTokens != len(replyWords) || u.TotalTokens != u.InputTokens+u.OutputTokens {
				t.Errorf("completed event: %s", ev.data)
			}
		}
	}
	if text.String() != replyText(len(replyWords)) {
		t.Errorf("deltas spell %q", text.String())
	}
}

// readStream reads a streaming response until it ends or breaks, returning
// the bytes read and the read error (nil at a clean end).
func readStream(t *testing.T, base, path, key, body string) ([]byte, error) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func TestDropAbortsMidStream(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	base := start(t, s)
	for _, tc := range []struct{ path, body string }{
		{"/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`},
		{"/v1/completions", `{"model":"gpt-3.5-turbo-instruct","stream":true,"prompt":"hi"}`},
		{"/v1/responses", `{"model":"gpt-4o-mini","stream":true,"input":"hi"}`},
		{"/v1/chat/completions", `{"model":"fault-drop","stream":true,"messages":[{"role":"user","content":"hi"}]}`},
	} {
		key := Key(ScenarioDrop)
		if strings.Contains(tc.body, "fault-drop") {
			key = Key(ScenarioGood)
		}
		got, err := readStream(t, base, tc.path, key, tc.body)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: read error %v, want unexpected EOF", tc.path, err)
		}
		if n := bytes.Count(got, []byte("\"Hello\"")) + bytes.Count(got, []byte("\"!\"")); n != 2 {
			t.Errorf("%s: %d content chunks before the drop, want 2:\n%s", tc.path, n, got)
		}
		if bytes.Contains(got, []byte("[DONE]")) {
			t.Errorf("%s: [DONE] after a drop", tc.path)
		}
	}
	// Without streaming the connection closes with no response at all.
	before := len(s.Received())
	_, err := readStream(t, base, "/v1/chat/completions", Key(ScenarioDrop), chatBody)
	if err == nil {
		t.Error("non-stream drop returned a response")
	}
	// Dropped non-stream requests are recorded with status 0. The record
	// is made when the handler returns, which can be after the client saw
	// the connection close.
	recs := s.Received()
	for deadline := time.Now().Add(5 * time.Second); len(recs) == before && time.Now().Before(deadline); recs = s.Received() {
		time.Sleep(time.Millisecond)
	}
	if last := recs[len(recs)-1]; last.Status != 0 {
		t.Errorf("dropped request recorded with status %d", last.Status)
	}
}

func TestStreamError(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	_, raw := send(t, base, "POST", "/v1/chat/completions", Key(ScenarioStreamError),
		`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	events := parseSSE(t, raw)
	last := events[len(events)-1]
	typ, code, _, msg := checkEnvelope(t, []byte(last.data))
	if len(events) != 4 || typ != "server_error" || code != "<null>" || !strings.Contains(msg, "req_") {
		t.Errorf("stream error tail: %d events, last %s", len(events), last.data)
	}
	_, raw = send(t, base, "POST", "/v1/responses", Key(ScenarioGood), `{"model":"fault-streamerror","stream":true,"input":"hi"}`)
	events = parseSSE(t, raw)
	last = events[len(events)-1]
	if last.name != "error" || !strings.Contains(last.data, `"error":{"message":"The server had an error`) {
		t.Errorf("responses stream error: %s %s", last.name, last.data)
	}
}

func TestStreamStopsWhenClientLeaves(t *testing.T) {
	t.Parallel()
	s := New(Options{ChunkDelay: 20 * time.Millisecond})
	base := start(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/v1/chat/completions",
		strings.NewReader(`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer "+Key(ScenarioUnlimited))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "data: ") {
		t.Fatalf("first line %q, %v", line, err)
	}
	start := time.Now()
	cancel()
	resp.Body.Close()
	// The handler must finish well before the 11 remaining events' delays.
	deadline := time.Now().Add(2 * time.Second)
	for len(s.Received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(s.Received()) == 0 || time.Since(start) > 150*time.Millisecond {
		t.Errorf("handler still running %v after the client left", time.Since(start))
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{Latency: 60 * time.Millisecond, SlowLatency: 80 * time.Millisecond}))
	for _, tc := range []struct {
		key string
		min time.Duration
	}{
		{Key(ScenarioGood), 60 * time.Millisecond},
		{Key(ScenarioSlow), 140 * time.Millisecond},
		{"", 60 * time.Millisecond}, // errors wait too
	} {
		t0 := time.Now()
		send(t, base, "POST", "/v1/chat/completions", tc.key, chatBody)
		if d := time.Since(t0); d < tc.min {
			t.Errorf("key %q answered after %v, want at least %v", tc.key, d, tc.min)
		}
	}
}
