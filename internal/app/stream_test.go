package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/keygate/keygate/internal/mockopenai"
)

const chunkFmt = `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"%s"},"finish_reason":null}]}` + "\n\n"

// gatedUpstream streams one chunk, then waits for release (or for the request
// to be cancelled) before finishing. cancelled is closed when the upstream
// sees its request's context end.
func gatedUpstream(t *testing.T) (url string, release chan struct{}, cancelled chan struct{}) {
	release, cancelled = make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		_, _ = w.Write([]byte(strings.Replace(chunkFmt, "%s", "first", 1)))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			close(cancelled)
			return
		}
		_, _ = w.Write([]byte(strings.Replace(chunkFmt, "%s", "second", 1)))
		_, _ = w.Write([]byte("data: [DONE]\n\n"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1", release, cancelled
}

func gatedStack(t *testing.T) (*stack, chan struct{}, chan struct{}) {
	url, release, cancelled := gatedUpstream(t)
	s := newStack(t, defaultModels+"  - model_name: gated\n    model: openai/gpt-4o-mini\n    api_key: sk-x\n    api_base: "+url+"\n", stackOptions{})
	return s, release, cancelled
}

// The first chunk must reach the client while the upstream is still
// streaming: the upstream will not finish until the client has seen it.
func TestStreamFirstChunkBeforeUpstreamFinishes(t *testing.T) {
	s, release, _ := gatedStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := s.sdk()
	stream := c.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model: "gated", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	if !stream.Next() {
		t.Fatalf("no first chunk while the upstream was still streaming: %v", stream.Err())
	}
	if got := stream.Current().Choices[0].Delta.Content; got != "first" {
		t.Fatalf("first chunk %q", got)
	}
	close(release)
	var rest []string
	for stream.Next() {
		rest = append(rest, stream.Current().Choices[0].Delta.Content)
	}
	if err := stream.Err(); err != nil || strings.Join(rest, ",") != "second" {
		t.Fatalf("rest %v, err %v", rest, err)
	}
}

// A client that goes away mid-stream cancels the upstream request.
func TestClientDisconnectCancelsUpstream(t *testing.T) {
	s, _, cancelled := gatedStack(t)
	ctx, cancel := context.WithCancel(context.Background())
	c := s.sdk()
	stream := c.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model: "gated", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	if !stream.Next() {
		t.Fatal(stream.Err())
	}
	cancel()
	_ = stream.Close()
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the upstream request was not cancelled after the client left")
	}
}

// An upstream that drops the connection mid-stream, or sends an error event,
// makes the SDK raise an error instead of returning a cut answer as complete.
func TestStreamInterrupted(t *testing.T) {
	cfg := defaultModels +
		"  - model_name: drop\n    model: openai/gpt-4o-mini\n    api_key: " + mockopenai.Key("drop") + "\n    api_base: {{MOCK}}\n" +
		"  - model_name: streamerror\n    model: openai/gpt-4o-mini\n    api_key: " + mockopenai.Key("streamerror") + "\n    api_base: {{MOCK}}\n"
	s := newStack(t, cfg, stackOptions{})
	for _, tt := range []struct{ model, want string }{
		{"drop", "closed the stream before it finished"},
		{"streamerror", "The server had an error processing your request"},
	} {
		t.Run(tt.model, func(t *testing.T) {
			c := s.sdk()
			stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
				Model: tt.model, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
			})
			n := 0
			for stream.Next() {
				n++
			}
			err := stream.Err()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("after %d chunks: err = %v, want it to mention %q", n, err, tt.want)
			}
			if n == 0 {
				t.Fatalf("the chunks before the failure were not relayed")
			}
		})
	}
}

// A stream that stops sending for longer than the model's timeout is cut, and
// the client is told why in the stream itself.
func TestStreamIdleTimeout(t *testing.T) {
	url, release, _ := gatedUpstream(t)
	defer close(release)
	s := newStack(t, defaultModels+"  - model_name: stalls\n    model: openai/gpt-4o-mini\n    api_key: sk-x\n    request_timeout: 0.2\n    api_base: "+url+"\n", stackOptions{})
	c := s.sdk()
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model: "stalls", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	n := 0
	for stream.Next() {
		n++
	}
	if err := stream.Err(); n != 1 || err == nil || !strings.Contains(err.Error(), "nothing arrived within this model's timeout") {
		t.Fatalf("after %d chunks: %v", n, err)
	}
}
