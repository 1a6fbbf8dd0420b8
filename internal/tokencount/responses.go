package tokencount

import (
	"fmt"

	"github.com/tidwall/gjson"
)

// responses counts a Responses API request with the chat rendering:
// instructions are a system message, input a user message or a list of items.
func (c counter) responses(root gjson.Result) (int64, error) {
	input := root.Get("input")
	if input.Exists() && input.Type != gjson.String && !input.IsArray() {
		return 0, fmt.Errorf("tokencount: %w: \"input\" must be a string or an array", ErrMalformed)
	}
	instr := root.Get("instructions")
	if !input.Exists() && !instr.Exists() {
		return 0, fmt.Errorf("tokencount: %w: neither \"input\" nor \"instructions\" is set", ErrMalformed)
	}
	defs := functionDefs(root.Get("tools"), gjson.Result{})
	s := systemState{tools: len(defs) > 0}
	n := int64(replyPriming)
	if instr.Type == gjson.String {
		text := instr.Str
		if s.pad("system") {
			text += "\n"
		}
		n += perMessage + c.text("system") + c.text(text)
	}
	if input.Type == gjson.String {
		n += perMessage + c.text("user") + c.text(input.Str)
	}
	input.ForEach(func(_, item gjson.Result) bool {
		if item.IsObject() {
			n += c.item(item, &s)
		}
		return true
	})
	n += c.functions(defs, s.seen)
	return n, nil
}

// item counts one input item. Messages are counted like chat messages,
// function calls like an assistant message with one tool call, their outputs
// like tool messages. Reasoning and built-in tool items are not counted.
func (c counter) item(it gjson.Result, s *systemState) int64 {
	switch it.Get("type").String() {
	case "", "message":
		return c.message(it, s)
	case "function_call":
		return perMessage + c.text("assistant") + perToolCall + c.text("function") +
			2*c.text(it.Get("name").String()) + c.text(it.Get("arguments").String())
	case "custom_tool_call":
		return perMessage + c.text("assistant") + perToolCall + c.text("custom") +
			2*c.text(it.Get("name").String()) + c.text(it.Get("input").String())
	case "function_call_output", "custom_tool_call_output":
		out := it.Get("output")
		text, images := out.String(), int64(0)
		if out.IsArray() {
			text, images = c.content(out)
		}
		return perMessage + c.text("tool") + c.text(text) + images
	}
	return 0
}
