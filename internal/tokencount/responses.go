package tokencount

import (
	"fmt"

	"github.com/valyala/fastjson"
)

// responses counts a Responses API request with the chat rendering:
// instructions are a system message, input a user message or a list of items.
func (c counter) responses(root *fastjson.Value) (int64, error) {
	input := get(root, "input")
	if input != nil && !isString(input) && !isArray(input) {
		return 0, fmt.Errorf("tokencount: %w: \"input\" must be a string or an array", ErrMalformed)
	}
	instr := get(root, "instructions")
	if input == nil && instr == nil {
		return 0, fmt.Errorf("tokencount: %w: neither \"input\" nor \"instructions\" is set", ErrMalformed)
	}
	defs := functionDefs(get(root, "tools"), nil)
	s := systemState{tools: len(defs) > 0}
	n := int64(replyPriming)
	if isString(instr) {
		text := str(instr)
		if s.pad("system") {
			text += "\n"
		}
		n += perMessage + c.text("system") + c.text(text)
	}
	if isString(input) {
		n += perMessage + c.text("user") + c.text(str(input))
	}
	for _, item := range input.GetArray() {
		if isObject(item) {
			n += c.item(item, &s)
		}
	}
	n += c.functions(defs, s.seen)
	return n, nil
}

// item counts one input item. Messages are counted like chat messages,
// function calls like an assistant message with one tool call, their outputs
// like tool messages. Reasoning and built-in tool items are not counted.
func (c counter) item(it *fastjson.Value, s *systemState) int64 {
	switch str(get(it, "type")) {
	case "", "message":
		return c.message(it, s)
	case "function_call":
		return perMessage + c.text("assistant") + perToolCall + c.text("function") +
			2*c.text(str(get(it, "name"))) + c.text(str(get(it, "arguments")))
	case "custom_tool_call":
		return perMessage + c.text("assistant") + perToolCall + c.text("custom") +
			2*c.text(str(get(it, "name"))) + c.text(str(get(it, "input")))
	case "function_call_output", "custom_tool_call_output":
		out := get(it, "output")
		if isArray(out) {
			text, images := c.content(out)
			return perMessage + c.text("tool") + c.text(text) + images
		}
		return perMessage + c.text("tool") + c.text(str(out))
	}
	return 0
}
