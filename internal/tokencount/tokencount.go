package tokencount

import (
	"errors"
	"fmt"

	"github.com/tidwall/gjson"
)

// Counter counts the tokens of a text in one encoding. *tokenizer.Encoding
// implements it.
type Counter interface {
	Count(text string) int
}

// Endpoints whose request bodies Prompt understands.
const (
	Chat        = "chat"        // POST /v1/chat/completions: messages, tools, functions
	Completions = "completions" // POST /v1/completions: prompt, suffix
	Embeddings  = "embeddings"  // POST /v1/embeddings: input
	Responses   = "responses"   // POST /v1/responses: instructions, input, tools
)

// ErrMalformed is wrapped by the errors Prompt returns for a body that is not
// a JSON object or lacks the field the endpoint needs.
var ErrMalformed = errors.New("malformed request body")

// Prompt returns the prompt tokens OpenAI is expected to bill for body, a
// request to endpoint (Chat, Completions, Embeddings or Responses), counting
// text with enc. The body's "model" picks the image pricing rules.
//
// Prompt fails only when body is not a JSON object or its main field
// (messages, prompt, input) is missing or of the wrong kind. Within that
// field, parts it does not recognise are skipped, so a count is always an
// estimate; see the package documentation for what is and is not counted.
func Prompt(endpoint string, body []byte, enc Counter) (int64, error) {
	if !gjson.ValidBytes(body) {
		return 0, fmt.Errorf("tokencount: %w: not valid JSON", ErrMalformed)
	}
	return PromptValid(endpoint, body, enc)
}

// PromptValid is Prompt for a body the caller has already checked is valid
// JSON (the gateway has, when it read the request): validating again would
// be a fifth of the cost of counting a long prompt whose texts are cached.
func PromptValid(endpoint string, body []byte, enc Counter) (int64, error) {
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return 0, fmt.Errorf("tokencount: %w: not a JSON object", ErrMalformed)
	}
	c := counter{enc: enc, model: root.Get("model").String()}
	switch endpoint {
	case Chat:
		return c.chat(root)
	case Responses:
		return c.responses(root)
	case Completions:
		n, err := c.prompt(root.Get("prompt"), "prompt")
		if err != nil {
			return 0, err
		}
		return n + c.text(root.Get("suffix").String()), nil
	case Embeddings:
		return c.prompt(root.Get("input"), "input")
	}
	return 0, fmt.Errorf("tokencount: unknown endpoint %q (want %s, %s, %s or %s)", endpoint, Chat, Completions, Embeddings, Responses)
}

// counter carries what every part of one count needs.
type counter struct {
	enc   Counter
	model string
}

func (c counter) text(s string) int64 {
	if s == "" {
		return 0
	}
	return int64(c.enc.Count(s))
}

// prompt counts a completions prompt or an embeddings input: a string, an
// array of strings, an array of token ids, or an array of such arrays. A token
// array counts its length; strings count their tokens, with no overhead.
func (c counter) prompt(v gjson.Result, field string) (int64, error) {
	switch {
	case v.Type == gjson.String:
		return c.text(v.Str), nil
	case v.IsArray():
		var n int64
		v.ForEach(func(_, e gjson.Result) bool {
			switch {
			case e.Type == gjson.String:
				n += c.text(e.Str)
			case e.Type == gjson.Number:
				n++ // one token id
			case e.IsArray():
				e.ForEach(func(_, id gjson.Result) bool {
					n++
					return true
				})
			}
			return true
		})
		return n, nil
	}
	return 0, fmt.Errorf("tokencount: %w: %q must be a string or an array", ErrMalformed, field)
}
