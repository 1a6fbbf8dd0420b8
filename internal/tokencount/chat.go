package tokencount

import (
	"fmt"
	"strings"

	"github.com/valyala/fastjson"
)

// Overheads of the chat rendering, <|start|>role<|message|>content<|end|>.
// Sources are in the package documentation.
const (
	perMessage      = 3  // <|start|>, <|message|>, <|end|> around each message
	perName         = 1  // a message's name field
	replyPriming    = 3  // every reply is primed with <|start|>assistant<|message|>
	perToolCall     = 4  // plus tokens(type) + 2·tokens(name) + tokens(arguments)
	textAndCalls    = 3  // an assistant message with both text and tool calls
	perFunctionCall = 3  // legacy assistant function_call: plus name + arguments
	functionRole    = -2 // a legacy "function" role message
	functionsBlock  = 9  // around the "namespace functions" block
	systemReused    = -4 // the block joins an existing system message
	callNone        = 1  // function_call: "none"
	callNamed       = 4  // function_call: {"name": …}, plus tokens(name)
)

// chat counts a Chat Completions request.
func (c counter) chat(root *fastjson.Value) (int64, error) {
	var f [4]*fastjson.Value
	pick(root, f[:], "messages", "tools", "functions", "function_call")
	msgs := f[0]
	if !isArray(msgs) {
		return 0, fmt.Errorf("tokencount: %w: \"messages\" must be an array", ErrMalformed)
	}
	defs := functionDefs(f[1], f[2])
	n := int64(replyPriming)
	s := systemState{tools: len(defs) > 0}
	for _, m := range msgs.GetArray() {
		if isObject(m) {
			n += c.message(m, &s)
		}
	}
	n += c.functions(defs, s.seen)
	switch fc := f[3]; {
	case isString(fc) && str(fc) == "none":
		n += callNone
	case isObject(fc) && isString(get(fc, "name")):
		n += callNamed + c.text(str(get(fc, "name")))
	}
	return n, nil
}

// systemState tracks the system message that tool definitions join: with
// tools, the first system message's content gains a trailing newline.
type systemState struct {
	tools  bool // the request defines functions
	seen   bool // a system message was met
	padded bool // the newline was added
}

// pad reports whether a message of role gets the trailing newline.
func (s *systemState) pad(role string) bool {
	if role != "system" && role != "developer" {
		return false
	}
	s.seen = true
	if !s.tools || s.padded {
		return false
	}
	s.padded = true
	return true
}

// message counts one chat message.
func (c counter) message(m *fastjson.Value, s *systemState) int64 {
	var f [5]*fastjson.Value
	pick(m, f[:], "role", "content", "name", "function_call", "tool_calls")
	role := str(f[0])
	n := perMessage + c.text(role)
	text, images := c.content(f[1])
	if s.pad(role) {
		text += "\n"
	}
	n += c.text(text) + images
	if name := f[2]; isString(name) && str(name) != "" {
		n += c.text(str(name)) + perName
	}
	if role == "function" {
		n += functionRole
	}
	if fc := f[3]; isObject(fc) {
		n += perFunctionCall + c.text(str(get(fc, "name"))) + c.text(str(get(fc, "arguments")))
	}
	if calls := f[4]; isArray(calls) {
		k := 0
		for _, tc := range calls.GetArray() {
			if isObject(tc) {
				n += c.toolCall(tc)
				k++
			}
		}
		if k > 0 && text != "" {
			n += textAndCalls
		}
	}
	return n
}

// toolCall counts one entry of an assistant message's tool_calls: a function
// call, or a custom tool call with free-form input. Arguments and input are
// strings; other kinds count as their JSON text.
func (c counter) toolCall(tc *fastjson.Value) int64 {
	typ := str(get(tc, "type"))
	if typ == "" {
		typ = "function"
	}
	fn := get(tc, "function")
	args := get(fn, "arguments")
	if custom := get(tc, "custom"); isObject(custom) {
		fn, args = custom, get(custom, "input")
	}
	name := c.text(str(get(fn, "name")))
	return perToolCall + c.text(typ) + 2*name + c.text(str(args))
}

// content returns a message's text, its parts joined, and the tokens of its
// images. Content is a string, null, or an array of parts: text, image_url,
// refusal; audio and file parts are not counted.
func (c counter) content(v *fastjson.Value) (string, int64) {
	if isString(v) {
		return str(v), 0
	}
	if !isArray(v) {
		return "", 0
	}
	var text strings.Builder
	var images int64
	for _, p := range v.GetArray() {
		if isString(p) {
			text.WriteString(str(p))
			continue
		}
		switch str(get(p, "type")) {
		case "text", "input_text", "output_text":
			text.WriteString(str(get(p, "text")))
		case "refusal":
			text.WriteString(str(get(p, "refusal")))
		case "image_url":
			url, detail := imageURL(get(p, "image_url"))
			images += imageTokens(c.model, url, detail)
		case "input_image":
			images += imageTokens(c.model, str(get(p, "image_url")), str(get(p, "detail")))
		}
	}
	return text.String(), images
}

// imageURL returns the URL and detail of a Chat image_url part's image_url:
// an object with url and detail, or the URL alone as a string. Any other
// value reads as a URL that is not a data: URL, whose size is unknown.
func imageURL(img *fastjson.Value) (url, detail string) {
	if isObject(img) {
		return str(get(img, "url")), str(get(img, "detail"))
	}
	return str(img), ""
}

// functions counts the definitions block; system reports whether the request
// has a system message for the block to join.
func (c counter) functions(defs []*fastjson.Value, system bool) int64 {
	if len(defs) == 0 {
		return 0
	}
	n := c.text(renderFunctions(defs)) + functionsBlock
	if system {
		n += systemReused
	}
	return n
}

// functionDefs gathers the function definitions of tools (Chat's
// {"type":"function","function":{…}} or the Responses API's flat
// {"type":"function","name":…}) and of the legacy functions array. Built-in
// tools have no definition to render and are left out.
func functionDefs(tools, functions *fastjson.Value) []*fastjson.Value {
	var defs []*fastjson.Value
	add := func(f *fastjson.Value) {
		if isObject(f) && isString(get(f, "name")) {
			defs = append(defs, f)
		}
	}
	for _, t := range tools.GetArray() {
		if !isObject(t) || str(get(t, "type")) != "function" {
			continue
		}
		if fn := get(t, "function"); isObject(fn) {
			add(fn)
		} else {
			add(t)
		}
	}
	for _, f := range functions.GetArray() {
		add(f)
	}
	return defs
}
