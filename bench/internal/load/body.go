package load

import (
	"encoding/json"
	"fmt"
)

// chatBody returns the request body sent on every request: a small chat
// completion like an SDK sends, with stream_options.include_usage when
// streaming. It is built once per run.
func chatBody(model string, stream bool) ([]byte, error) {
	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	type streamOptions struct {
		IncludeUsage bool `json:"include_usage"`
	}
	req := struct {
		Model         string         `json:"model"`
		Messages      []message      `json:"messages"`
		MaxTokens     int            `json:"max_tokens"`
		Temperature   float64        `json:"temperature"`
		Stream        bool           `json:"stream,omitempty"`
		StreamOptions *streamOptions `json:"stream_options,omitempty"`
	}{
		Model: model,
		Messages: []message{
			{Role: "system", Content: "You are a helpful assistant."},
			{Role: "user", Content: "Write one short sentence about keeping API keys safe."},
		},
		MaxTokens:   64,
		Temperature: 0.2,
	}
	if stream {
		req.Stream = true
		req.StreamOptions = &streamOptions{IncludeUsage: true}
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("load: build request body: %w", err)
	}
	return b, nil
}
