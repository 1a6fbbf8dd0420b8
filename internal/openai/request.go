package openai

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// Request holds the few fields of a client's request body that routing, limits
// and relaying need. ScanRequest finds them in one pass over the top-level
// object instead of decoding the whole body: message arrays and embedding
// inputs can be megabytes, and the gateway never needs them decoded.
type Request struct {
	Model        string
	Stream       bool
	IncludeUsage bool   // stream_options.include_usage is true
	MaxTokens    int64  // max_tokens, max_completion_tokens or max_output_tokens; 0 when absent
	MaxTokensKey string // which of those the request used, for errors naming it
	HasStreamOps bool   // stream_options is present

	// Byte range of the model's raw JSON value (quotes included), so that
	// SetModel rewrites it without re-scanning the body.
	modelStart, modelEnd int
}

// Messages for the request-shape errors, worded as OpenAI words them, each with
// the fix appended where OpenAI's own text does not give one.
const (
	msgNotJSON = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)"
	msgNoModel = "you must provide a model parameter"
)

// ScanRequest validates body as a JSON object and reads the fields of Request.
// It returns an OpenAI-style 400 error for a body that is not JSON, is not an
// object, lacks a model, or carries one of the scanned fields with a wrong type.
func ScanRequest(body []byte) (Request, *Error) {
	var r Request
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || !gjson.ValidBytes(body) {
		return r, New(400, TypeInvalidRequest, "", msgNotJSON)
	}
	if !utf8.Valid(body) {
		return r, New(400, TypeInvalidRequest, "", "The request body is not valid UTF-8. "+
			"JSON text must be encoded as UTF-8: re-encode the body (for example from Latin-1 or UTF-16) before sending it.")
	}
	if trimmed[0] != '{' {
		return r, New(400, TypeInvalidRequest, "invalid_type",
			"The request body must be a JSON object, such as {\"model\": \"gpt-4o-mini\", \"messages\": [...]}.")
	}
	var bad *Error
	root := gjson.ParseBytes(body)
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			if v.Type != gjson.String {
				bad = typeError("model", "a string", v)
				return false
			}
			r.Model = v.Str
			r.modelStart, r.modelEnd = v.Index, v.Index+len(v.Raw)
		case "stream":
			switch v.Type {
			case gjson.True:
				r.Stream = true
			case gjson.False, gjson.Null:
				r.Stream = false
			default:
				bad = typeError("stream", "a boolean", v)
				return false
			}
		case "stream_options":
			r.HasStreamOps = v.Type != gjson.Null
			r.IncludeUsage = v.Get("include_usage").Type == gjson.True
		case "max_tokens", "max_completion_tokens", "max_output_tokens":
			if v.Type == gjson.Null {
				return true
			}
			n, err := strconv.ParseInt(v.Raw, 10, 64)
			if v.Type != gjson.Number || err != nil {
				bad = typeError(k.Str, "an integer", v)
				return false
			}
			r.MaxTokens, r.MaxTokensKey = n, k.Str
		}
		return true
	})
	if bad != nil {
		return r, bad
	}
	if r.modelEnd == 0 {
		return r, New(400, TypeInvalidRequest, "", msgNoModel+
			": add \"model\" to the JSON body with one of the model names that GET /v1/models lists.").WithParam("model")
	}
	if r.Model == "" {
		return r, New(400, TypeInvalidRequest, "", msgNoModel+
			": \"model\" is empty; use one of the model names that GET /v1/models lists.").WithParam("model")
	}
	return r, nil
}

func typeError(param, want string, v gjson.Result) *Error {
	return New(400, TypeInvalidRequest, "invalid_type",
		"Invalid type for '"+param+"': expected "+want+", but got "+jsonKind(v)+" instead.").WithParam(param)
}

func jsonKind(v gjson.Result) string {
	switch v.Type {
	case gjson.String:
		return "a string"
	case gjson.Number:
		if bytes.ContainsAny([]byte(v.Raw), ".eE") {
			return "a decimal"
		}
		return "an integer"
	case gjson.True, gjson.False:
		return "a boolean"
	case gjson.Null:
		return "null"
	}
	if v.IsArray() {
		return "an array"
	}
	return "an object"
}

// SetModel returns body with the model value replaced by model. It reuses the
// offsets ScanRequest recorded, so it copies the body once and scans nothing.
func (r *Request) SetModel(body []byte, model string) []byte {
	if model == r.Model || r.modelEnd == 0 {
		return body
	}
	out := make([]byte, 0, len(body)+len(model)+8)
	out = append(out, body[:r.modelStart]...)
	out = AppendJSONString(out, model)
	out = append(out, body[r.modelEnd:]...)
	delta := (len(out) - len(body))
	r.modelEnd += delta
	r.Model = model
	return out
}

// RequireUsage returns body with stream_options.include_usage set to true, so
// that a streamed answer always ends with its usage. The common case, a request
// without stream_options, needs only an insertion after the opening brace.
func (r *Request) RequireUsage(body []byte) ([]byte, error) {
	if r.IncludeUsage {
		return body, nil
	}
	if !r.HasStreamOps {
		i := bytes.IndexByte(body, '{')
		const ins = `"stream_options":{"include_usage":true},`
		out := make([]byte, 0, len(body)+len(ins))
		out = append(out, body[:i+1]...)
		out = append(out, ins...)
		out = append(out, body[i+1:]...)
		r.modelStart += len(ins)
		r.modelEnd += len(ins)
		return out, nil
	}
	out, err := sjson.SetBytes(body, "stream_options.include_usage", true)
	if err != nil {
		return nil, err
	}
	// sjson may have moved the model; find it again.
	if m := gjson.GetBytes(out, "model"); m.Index > 0 {
		r.modelStart, r.modelEnd = m.Index, m.Index+len(m.Raw)
	}
	return out, nil
}

// AppendJSONString appends s as a JSON string literal.
func AppendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
