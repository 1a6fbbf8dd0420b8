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

// novelMark begins the user message of a novel body (NovelChatBodies); its
// digits are overwritten on every request.
const novelMark = "Request 000000000000. "

// NovelVariants is how many different texts NovelChatBodies makes: enough
// that a CPU's branch predictor cannot learn them all (counting tokens ran
// as fast on 4 rotating texts as on one, and at its novel-text speed from 16
// on), as it cannot learn a server's traffic.
const NovelVariants = 64

// NovelChatBodies returns NovelVariants bodies like ChatBody's, each with
// a different padding text (FillerVariant) and with the user message
// starting with novelMark, and where the mark's digits are, the same offset
// in every body: Stamp writes a request's number there, so that no two
// requests send the same text. A padded body is promptBytes long, as
// ChatBody's is.
func NovelChatBodies(model string, stream bool, promptBytes int) ([][]byte, int, error) {
	small, err := chatBody(model, stream, novelMark+userContent)
	if err != nil {
		return nil, 0, err
	}
	bodies := make([][]byte, NovelVariants)
	for v := range bodies {
		b := small
		if promptBytes > len(small)+1 {
			fill := FillerVariant(promptBytes-len(small)-1, uint64(v))
			if b, err = chatBody(model, stream, novelMark+userContent+" "+fill); err != nil {
				return nil, 0, err
			}
		}
		bodies[v] = b
	}
	return bodies, bytes.Index(bodies[0], []byte(novelMark)) + len("Request "), nil
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
