package relay

import (
	"strings"
	"testing"
)

// TestTextWithoutUsage: an answer without usage leaves its generated text
// for the caller to count; one with usage keeps nothing.
func TestTextWithoutUsage(t *testing.T) {
	t.Parallel()
	tool := `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"get","arguments":"{\"a\":1}"}}]},"finish_reason":null}]}`
	tests := []struct {
		name, body string
		stream     bool
		kind       Kind
		want       string
	}{
		{"chat stream", sse(chunk1Bare, chunk2Bare, chunk2Bare, "[DONE]"), true, ChatStream, "HiHi"},
		{"chat stream with a tool call", sse(chunk1Bare, tool, "[DONE]"), true, ChatStream, `get{"a":1}`},
		{"chat stream cut short", sse(chunk1Bare, chunk2Bare), true, ChatStream, "Hi"},
		{"chat stream with usage", sse(chunk1, chunk2, usageCk, "[DONE]"), true, ChatStream, ""},
		{"responses stream", "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hel\"}\n\n" +
			"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"lo\"}\n\n" +
			"event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{}}\n\n", true, ResponsesStream, "Hello"},
		{"chat JSON", `{"choices":[{"message":{"content":"Hello there"}},{"message":{"content":"!","tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}}]}`, false, 0, "Hello there!f{}"},
		{"completions JSON", `{"choices":[{"text":"once upon"}]}`, false, 0, "once upon"},
		{"responses JSON", `{"output":[{"type":"message","content":[{"type":"output_text","text":"Hi"}]},{"type":"function_call","arguments":"{\"x\":2}"}]}`, false, 0, `Hi{"x":2}`},
		{"JSON with usage", `{"choices":[{"message":{"content":"Hello"}}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`, false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res Result
			if tt.stream {
				res, _ = Stream(&recorder{}, strings.NewReader(tt.body), StreamOptions{Kind: tt.kind})
			} else {
				res, _ = JSON(&recorder{}, strings.NewReader(tt.body))
			}
			if res.Text != tt.want {
				t.Fatalf("Text = %q, want %q", res.Text, tt.want)
			}
		})
	}
}
