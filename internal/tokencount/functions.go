package tokencount

import (
	"strings"

	"github.com/tidwall/gjson"
)

// maxDepth bounds the nesting of parameter schemas that formatFunctions
// follows; deeper schemas are rendered as "any".
const maxDepth = 32

// formatFunctions renders function definitions the way OpenAI shows them to
// the model, as TypeScript types in a namespace, after hmarr/openai-chat-tokens
// (src/functions.ts):
//
//	namespace functions {
//
//	// Get the current weather
//	type get_weather = (_: {
//	// The city, e.g. Paris
//	location: string,
//	unit?: "celsius" | "fahrenheit",
//	}) => any;
//
//	} // namespace functions
//
// Schema forms hmarr does not cover (type arrays, anyOf/oneOf, enums without
// a type) are rendered as unions; anything else as "any".
func formatFunctions(defs []gjson.Result) string {
	var b strings.Builder
	b.WriteString("namespace functions {\n\n")
	for _, f := range defs {
		if d := f.Get("description").String(); d != "" {
			b.WriteString("// " + d + "\n")
		}
		name := f.Get("name").String()
		params := f.Get("parameters")
		if hasKeys(params.Get("properties")) {
			b.WriteString("type " + name + " = (_: {\n")
			writeProperties(&b, params, 0, 0)
			b.WriteString("\n}) => any;\n\n")
		} else {
			b.WriteString("type " + name + " = () => any;\n\n")
		}
	}
	b.WriteString("} // namespace functions")
	return b.String()
}

// writeProperties writes obj's properties, one per line (preceded by a
// comment line for a description), indented by indent spaces, without a
// trailing newline. Properties not in obj's required list get a "?".
func writeProperties(b *strings.Builder, obj gjson.Result, indent, depth int) {
	required := map[string]bool{}
	if req := obj.Get("required"); req.IsArray() {
		req.ForEach(func(_, r gjson.Result) bool {
			required[r.String()] = true
			return true
		})
	}
	pad := strings.Repeat(" ", indent)
	first := true
	obj.Get("properties").ForEach(func(k, p gjson.Result) bool {
		if !first {
			b.WriteByte('\n')
		}
		first = false
		if d := p.Get("description").String(); d != "" && p.IsObject() {
			b.WriteString(pad + "// " + d + "\n")
		}
		opt := "?"
		if required[k.String()] {
			opt = ""
		}
		b.WriteString(pad + k.String() + opt + ": " + formatType(p, indent, depth) + ",")
		return true
	})
}

// formatType renders one schema as a TypeScript type.
func formatType(p gjson.Result, indent, depth int) string {
	if !p.IsObject() || depth >= maxDepth {
		return "any"
	}
	enum := p.Get("enum")
	typ := p.Get("type")
	switch {
	case typ.IsArray():
		return union(typ, func(t gjson.Result) string { return simpleType(t.String()) })
	case typ.Type != gjson.String:
		if enum.IsArray() {
			return union(enum, literal)
		}
		for _, key := range []string{"anyOf", "oneOf"} {
			if alts := p.Get(key); alts.IsArray() {
				return union(alts, func(a gjson.Result) string { return formatType(a, indent, depth+1) })
			}
		}
		return "any"
	}
	switch typ.Str {
	case "string", "number", "integer":
		if enum.IsArray() {
			return union(enum, literal)
		}
	case "object":
		var b strings.Builder
		b.WriteString("{\n")
		writeProperties(&b, p, indent+2, depth+1)
		b.WriteString("\n}")
		return b.String()
	case "array":
		if items := p.Get("items"); items.Exists() {
			return formatType(items, indent, depth+1) + "[]"
		}
		return "any[]"
	}
	return simpleType(typ.Str)
}

// simpleType maps a JSON Schema type name to TypeScript's.
func simpleType(t string) string {
	switch t {
	case "string", "boolean", "null":
		return t
	case "number", "integer":
		return "number"
	case "array":
		return "any[]"
	case "object":
		return "object"
	}
	return "any"
}

// hasKeys reports whether v is an object with at least one key.
func hasKeys(v gjson.Result) bool {
	found := false
	if v.IsObject() {
		v.ForEach(func(_, _ gjson.Result) bool {
			found = true
			return false
		})
	}
	return found
}

// literal renders an enum value: strings quoted, other values as written.
func literal(v gjson.Result) string {
	if v.Type == gjson.String {
		return `"` + v.Str + `"`
	}
	return v.Raw
}

// union joins the rendering of each element of arr with " | ".
func union(arr gjson.Result, render func(gjson.Result) string) string {
	var parts []string
	arr.ForEach(func(_, v gjson.Result) bool {
		parts = append(parts, render(v))
		return true
	})
	if len(parts) == 0 {
		return "any"
	}
	return strings.Join(parts, " | ")
}
