package tokencount

import (
	"errors"
	"fmt"

	"github.com/tidwall/gjson"
	"github.com/valyala/fastjson"
)

// Counter counts the tokens of a text in one encoding. *tokenizer.Encoding
// implements it. Count must not keep text once it returns: the texts Prompt
// passes point into a parse buffer that later counts reuse.
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
// a JSON object, is nested too deep to read, or lacks the field the endpoint
// needs.
var ErrMalformed = errors.New("malformed request body")

// Prompt returns the prompt tokens OpenAI is expected to bill for body, a
// request to endpoint (Chat, Completions, Embeddings or Responses), counting
// text with enc. The body's "model" picks the image pricing rules.
//
// Prompt fails only when body is not a JSON object, is nested more than
// fastjson.MaxDepth (300) levels deep, or its main field (messages, prompt,
// input) is missing or of the wrong kind. Within that field, parts it does
// not recognise are skipped, so a count is always an estimate; see the
// package documentation for what is and is not counted.
func Prompt(endpoint string, body []byte, enc Counter) (int64, error) {
	// The parser alone would not do: fastjson accepts numbers such as 01 or
	// NaN, unknown escapes and control characters in strings, and its
	// Validate lets a control character through after an escape. gjson's
	// check keeps Prompt refusing exactly the bodies it always has.
	if !gjson.ValidBytes(body) {
		return 0, fmt.Errorf("tokencount: %w: not valid JSON", ErrMalformed)
	}
	return PromptValid(endpoint, body, enc)
}

// PromptValid is Prompt for a body the caller has already checked is valid
// JSON (the gateway has, when it read the request): validating again would
// cost more than counting a long prompt whose texts are cached. Like Prompt,
// it fails on a body nested too deep for the parser.
func PromptValid(endpoint string, body []byte, enc Counter) (int64, error) {
	p := parsers.Get()
	defer release(p, len(body))
	root, err := p.ParseBytes(body)
	if err != nil {
		// Not err itself: past the depth limit it repeats a line per level.
		return 0, fmt.Errorf("tokencount: %w: not valid JSON, or nested more than %d levels deep", ErrMalformed, fastjson.MaxDepth)
	}
	if !isObject(root) {
		return 0, fmt.Errorf("tokencount: %w: not a JSON object", ErrMalformed)
	}
	c := counter{enc: enc, model: str(get(root, "model"))}
	switch endpoint {
	case Chat:
		return c.chat(root)
	case Responses:
		return c.responses(root)
	case Completions:
		n, err := c.prompt(get(root, "prompt"), "prompt")
		if err != nil {
			return 0, err
		}
		return n + c.text(str(get(root, "suffix"))), nil
	case Embeddings:
		return c.prompt(get(root, "input"), "input")
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
func (c counter) prompt(v *fastjson.Value, field string) (int64, error) {
	switch {
	case isString(v):
		return c.text(str(v)), nil
	case isArray(v):
		var n int64
		for _, e := range v.GetArray() {
			switch {
			case isString(e):
				n += c.text(str(e))
			case e.Type() == fastjson.TypeNumber:
				n++ // one token id
			case isArray(e):
				n += int64(len(e.GetArray()))
			}
		}
		return n, nil
	}
	return 0, fmt.Errorf("tokencount: %w: %q must be a string or an array", ErrMalformed, field)
}
