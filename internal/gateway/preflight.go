package gateway

import (
	"bytes"
	"fmt"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/route"
	"github.com/keygate/keygate/internal/tokencount"
)

// preflight refuses, before anything is sent or spent, a request that the
// model would refuse: more output than it can produce, or a prompt and
// output that do not fit its context window. It answers as OpenAI does, with
// the exact fix. Models without known caps, and deployments with
// preflight: false, pass untouched. prompt counts the prompt's tokens; it
// is called only when the body could possibly not fit.
func preflight(ep endpoint, d *route.Deployment, req openai.Request, body []byte, prompt func() int64) *openai.Error {
	if d.NoPreflight || ep.count == tokencount.Embeddings {
		return nil
	}
	out, window := d.Price.MaxOutput, d.Price.ContextWindow
	if req.MaxTokens > 0 && out > 0 && req.MaxTokens > out {
		key := req.MaxTokensKey
		return openai.New(400, openai.TypeInvalidRequest, "", fmt.Sprintf(
			"%s is too large: %d. This model supports at most %d completion tokens, whereas you provided %d. "+
				"Reduce %s to at most %d (keygate checked this against %s's output limit before sending, so nothing was spent).",
			key, req.MaxTokens, out, req.MaxTokens, key, out, d.Upstream)).WithParam(key)
	}
	if window <= 0 || !mayExceed(body, req.MaxTokens, window) {
		return nil
	}
	p := prompt()
	param := map[string]string{tokencount.Chat: "messages", tokencount.Completions: "prompt", tokencount.Responses: "input"}[ep.count]
	if p > window {
		return openai.New(400, openai.TypeInvalidRequest, "context_length_exceeded", fmt.Sprintf(
			"This model's maximum context length is %d tokens. However, your messages resulted in %d tokens. "+
				"Please reduce the length of the messages: remove at least %d tokens.", window, p, p-window)).WithParam(param)
	}
	if p+req.MaxTokens > window {
		key := req.MaxTokensKey
		return openai.New(400, openai.TypeInvalidRequest, "context_length_exceeded", fmt.Sprintf(
			"This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the messages, %d in the completion). "+
				"Please reduce the length of the messages or completion: reduce %s to at most %d.",
			window, p+req.MaxTokens, p, req.MaxTokens, key, window-p)).WithParam(param)
	}
	return nil
}

// mayExceed reports whether the body could hold more tokens than the window
// leaves for the prompt. A token is at least one byte of text and the JSON
// around each message outweighs its few tokens of overhead, so a body with
// fewer bytes than that fits without counting; images cost tokens their
// bytes do not show, so a body with one is always counted.
func mayExceed(body []byte, maxTokens, window int64) bool {
	return int64(len(body))+maxTokens > window ||
		bytes.Contains(body, []byte(`"image_url"`)) || bytes.Contains(body, []byte(`"input_image"`))
}
