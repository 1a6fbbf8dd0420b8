package load

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// userContent is the user message of the small body, and the start of a
// padded one.
const userContent = "Write one short sentence about keeping API keys safe."

// ChatBody returns the request body sent on every request: a chat completion
// like an SDK sends, with stream_options.include_usage when streaming. With
// promptBytes 0, or too few to hold the small body, it is that small body
// (about 200 bytes). Otherwise the user message is padded with Filler text so
// that the whole body is exactly promptBytes bytes. The body is built once per
// run and is the same for the same arguments.
func ChatBody(model string, stream bool, promptBytes int) ([]byte, error) {
	b, err := chatBody(model, stream, userContent)
	if err != nil || promptBytes <= len(b)+1 {
		return b, err
	}
	// Filler is plain ASCII without quotes, backslashes or control
	// characters, so JSON adds no escapes: each byte of it is one byte of body.
	return chatBody(model, stream, userContent+" "+Filler(promptBytes-len(b)-1))
}

// novelMark begins the user message of a novel body (NovelChatBody); its
// digits are overwritten on every request.
const novelMark = "Request 000000000000. "

// NovelChatBody is ChatBody with the user message starting with novelMark,
// and returns where its digits are: Stamp writes a request's number there,
// so that no two requests send the same text. A padded body is promptBytes
// long, as ChatBody's is.
func NovelChatBody(model string, stream bool, promptBytes int) ([]byte, int, error) {
	b, err := chatBody(model, stream, novelMark+userContent)
	if err == nil && promptBytes > len(b)+1 {
		b, err = chatBody(model, stream, novelMark+userContent+" "+Filler(promptBytes-len(b)-1))
	}
	if err != nil {
		return nil, 0, err
	}
	return b, bytes.Index(b, []byte(novelMark)) + len("Request "), nil
}

// Stamp writes n, modulo 10¹², as the twelve digits at digits[0:12].
func Stamp(digits []byte, n uint64) {
	for k := 11; k >= 0; k-- {
		digits[k] = byte('0' + n%10)
		n /= 10
	}
}

func chatBody(model string, stream bool, content string) ([]byte, error) {
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
			{Role: "user", Content: content},
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
