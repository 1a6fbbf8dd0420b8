package tokencount

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
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
func (c counter) chat(root gjson.Result) (int64, error) {
	var f [4]gjson.Result
	pick(root, f[:], "messages", "tools", "functions", "function_call")
	msgs := f[0]
	if !msgs.IsArray() {
		return 0, fmt.Errorf("tokencount: %w: \"messages\" must be an array", ErrMalformed)
	}
	defs := functionDefs(f[1], f[2])
	n := int64(replyPriming)
	s := systemState{tools: len(defs) > 0}
	msgs.ForEach(func(_, m gjson.Result) bool {
		if m.IsObject() {
			n += c.message(m, &s)
		}
		return true
	})
	n += c.functions(defs, s.seen)
	switch fc := f[3]; {
	case fc.Type == gjson.String && fc.Str == "none":
		n += callNone
	case fc.IsObject() && fc.Get("name").Type == gjson.String:
		n += callNamed + c.text(fc.Get("name").Str)
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
func (c counter) message(m gjson.Result, s *systemState) int64 {
	var f [5]gjson.Result
	pick(m, f[:], "role", "content", "name", "function_call", "tool_calls")
	role := f[0].String()
	n := perMessage + c.text(role)
	text, images := c.content(f[1])
	if s.pad(role) {
		text += "\n"
	}
	n += c.text(text) + images
	if name := f[2]; name.Type == gjson.String && name.Str != "" {
		n += c.text(name.Str) + perName
	}
	if role == "function" {
		n += functionRole
	}
	if fc := f[3]; fc.IsObject() {
		n += perFunctionCall + c.text(fc.Get("name").String()) + c.text(fc.Get("arguments").String())
	}
	if calls := f[4]; calls.IsArray() {
		k := 0
		calls.ForEach(func(_, tc gjson.Result) bool {
			if tc.IsObject() {
				n += c.toolCall(tc)
				k++
			}
			return true
		})
		if k > 0 && text != "" {
			n += textAndCalls
		}
	}
	return n
}

// toolCall counts one entry of an assistant message's tool_calls: a function
// call, or a custom tool call with free-form input.
func (c counter) toolCall(tc gjson.Result) int64 {
	typ := tc.Get("type").String()
	if typ == "" {
		typ = "function"
	}
	fn := tc.Get("function")
	args := fn.Get("arguments")
	if custom := tc.Get("custom"); custom.IsObject() {
		fn, args = custom, custom.Get("input")
	}
	name := c.text(fn.Get("name").String())
	return perToolCall + c.text(typ) + 2*name + c.text(args.String())
}

// content returns a message's text, its parts joined, and the tokens of its
// images. Content is a string, null, or an array of parts: text, image_url,
// refusal; audio and file parts are not counted.
func (c counter) content(v gjson.Result) (string, int64) {
	if v.Type == gjson.String {
		return v.Str, 0
	}
	if !v.IsArray() {
		return "", 0
	}
	var text strings.Builder
	var images int64
	v.ForEach(func(_, p gjson.Result) bool {
		if p.Type == gjson.String {
			text.WriteString(p.Str)
			return true
		}
		switch p.Get("type").String() {
		case "text", "input_text", "output_text":
			text.WriteString(p.Get("text").String())
		case "refusal":
			text.WriteString(p.Get("refusal").String())
		case "image_url":
			img := p.Get("image_url")
			url, detail := img.String(), ""
			if img.IsObject() {
				url, detail = img.Get("url").String(), img.Get("detail").String()
			}
			images += imageTokens(c.model, url, detail)
		case "input_image":
			images += imageTokens(c.model, p.Get("image_url").String(), p.Get("detail").String())
		}
		return true
	})
	return text.String(), images
}

// functions counts the definitions block; system reports whether the request
// has a system message for the block to join.
func (c counter) functions(defs []gjson.Result, system bool) int64 {
	if len(defs) == 0 {
		return 0
	}
	n := c.text(formatFunctions(defs)) + functionsBlock
	if system {
		n += systemReused
	}
	return n
}

// functionDefs gathers the function definitions of tools (Chat's
// {"type":"function","function":{…}} or the Responses API's flat
// {"type":"function","name":…}) and of the legacy functions array. Built-in
// tools have no definition to render and are left out.
func functionDefs(tools, functions gjson.Result) []gjson.Result {
	var defs []gjson.Result
	add := func(f gjson.Result) {
		if f.IsObject() && f.Get("name").Type == gjson.String {
			defs = append(defs, f)
		}
	}
	if tools.IsArray() {
		tools.ForEach(func(_, t gjson.Result) bool {
			if !t.IsObject() || t.Get("type").String() != "function" {
				return true
			}
			if fn := t.Get("function"); fn.IsObject() {
				add(fn)
			} else {
				add(t)
			}
			return true
		})
	}
	if functions.IsArray() {
		functions.ForEach(func(_, f gjson.Result) bool {
			add(f)
			return true
		})
	}
	return defs
}

// pick reads the members of obj named by names into out, in one pass over
// obj: a Get per member would scan a long content string once per Get.
// A member given twice keeps its last value, as gjson.Get does.
func pick(obj gjson.Result, out []gjson.Result, names ...string) {
	obj.ForEach(func(k, v gjson.Result) bool {
		for i, n := range names {
			if k.Str == n {
				out[i] = v
			}
		}
		return true
	})
}
