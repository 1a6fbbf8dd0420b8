package relay

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/keygate/keygate/internal/openai"
)

type recorder struct {
	bytes.Buffer
	flushes int
}

func (r *recorder) Flush() error { r.flushes++; return nil }

const (
	chunk1     = `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}`
	chunk2     = `{"id":"c","object":"chat.completion.chunk","usage":null,"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`
	usageCk    = `{"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":4}}}`
	chunk1Bare = `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`
	chunk2Bare = `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`
)

func sse(events ...string) string {
	var b strings.Builder
	for _, e := range events {
		b.WriteString("data: " + e + "\n\n")
	}
	return b.String()
}

func TestStreamChat(t *testing.T) {
	upstream := sse(chunk1, chunk2, usageCk, "[DONE]")
	wantUsage := openai.Usage{PromptTokens: 9, CompletionTokens: 2, TotalTokens: 11, CachedTokens: 4}
	tests := []struct {
		name string
		hide bool
		want string
	}{
		{"client asked for usage: byte for byte", false, upstream},
		{"client did not: usage chunk and nulls hidden", true, sse(chunk1Bare, chunk2Bare, "[DONE]")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w recorder
			res, err := Stream(&w, strings.NewReader(upstream), StreamOptions{Kind: ChatStream, HideUsage: tt.hide})
			if err != nil {
				t.Fatal(err)
			}
			if w.String() != tt.want {
				t.Fatalf("got\n%s\nwant\n%s", w.String(), tt.want)
			}
			if res.Usage != wantUsage || !res.Complete {
				t.Fatalf("result %+v", res)
			}
			if w.flushes < 3 {
				t.Fatalf("flushed %d times; want one per event", w.flushes)
			}
		})
	}
}

func TestStreamCutShort(t *testing.T) {
	for _, kind := range []Kind{ChatStream, ResponsesStream} {
		var w recorder
		body := io.MultiReader(strings.NewReader(sse(chunk1)), errReader{io.ErrUnexpectedEOF})
		_, err := Stream(&w, body, StreamOptions{Kind: kind})
		if !errors.Is(err, ErrCutShort) {
			t.Fatalf("err = %v", err)
		}
		if !strings.Contains(w.String(), "upstream_stream_interrupted") {
			t.Fatalf("client was not told: %s", w.String())
		}
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestStreamResponses(t *testing.T) {
	up := "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0}\n\n" +
		"event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":1,\"response\":{\"usage\":{\"input_tokens\":5,\"output_tokens\":7,\"total_tokens\":12,\"output_tokens_details\":{\"reasoning_tokens\":3}}}}\n\n"
	var w recorder
	res, err := Stream(&w, strings.NewReader(up), StreamOptions{Kind: ResponsesStream})
	if err != nil || w.String() != up {
		t.Fatalf("err %v, out %q", err, w.String())
	}
	if res.Usage != (openai.Usage{PromptTokens: 5, CompletionTokens: 7, TotalTokens: 12, ReasoningTokens: 3}) {
		t.Fatalf("usage %+v", res.Usage)
	}
}

func TestJSONUsage(t *testing.T) {
	small := `{"id":"x","usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}`
	big := `{"data":[` + strings.Repeat(`{"embedding":"AAAA"},`, 100000) + `{}],"model":"m","usage":{"prompt_tokens":8,"total_tokens":8}}`
	for _, tt := range []struct {
		body string
		want openai.Usage
	}{
		{small, openai.Usage{PromptTokens: 3, CompletionTokens: 4, TotalTokens: 7}},
		{big, openai.Usage{PromptTokens: 8, TotalTokens: 8}},
	} {
		var w bytes.Buffer
		res, err := JSON(&w, strings.NewReader(tt.body))
		if err != nil || w.String() != tt.body || res.Usage != tt.want {
			t.Fatalf("err %v usage %+v same=%v", err, res.Usage, w.String() == tt.body)
		}
	}
}

func TestStripNullUsage(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1,"usage":null}`:          `{"a":1}`,
		`{"usage":null,"a":1}`:          `{"a":1}`,
		`{"a":1, "usage": null, "b":2}`: `{"a":1, "b":2}`,
		`{"a":"\"usage\":null"}`:        `{"a":"\"usage\":null"}`,
	} {
		if got := string(stripNullUsage([]byte(in))); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}
