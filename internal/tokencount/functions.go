package tokencount

import (
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// maxDepth bounds the nesting of parameter schemas that renderFunctions
// follows; deeper schemas are rendered as "any".
const maxDepth = 32

// renderFunctions renders function definitions the way OpenAI shows them to
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
func renderFunctions(defs []*fastjson.Value) string {
	var b strings.Builder
	b.WriteString("namespace functions {\n\n")
	for _, f := range defs {
		if d := str(get(f, "description")); d != "" {
			b.WriteString("// " + d + "\n")
		}
		name := str(get(f, "name"))
		params := get(f, "parameters")
		if hasKeys(get(params, "properties")) {
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
func writeProperties(b *strings.Builder, obj *fastjson.Value, indent, depth int) {
	required := map[string]bool{}
	if req := get(obj, "required"); isArray(req) {
		for _, r := range req.GetArray() {
			required[str(r)] = true
		}
	}
	pad := strings.Repeat(" ", indent)
	first := true
	eachProperty(get(obj, "properties"), func(k string, p *fastjson.Value) {
		if !first {
			b.WriteByte('\n')
		}
		first = false
		if d := str(get(p, "description")); d != "" && isObject(p) {
			b.WriteString(pad + "// " + d + "\n")
		}
		opt := "?"
		if required[k] {
			opt = ""
		}
		b.WriteString(pad + k + opt + ": " + renderType(p, indent, depth) + ",")
	})
}

// eachProperty calls f with each member of a schema's properties, in order.
// A properties value that is not an object is walked as the gjson version
// walked it, so that its count did not change: an array's elements are
// named by their index, any other value is one property with an empty name.
func eachProperty(props *fastjson.Value, f func(key string, p *fastjson.Value)) {
	switch {
	case props == nil:
	case isObject(props):
		props.GetObject().Visit(func(k []byte, p *fastjson.Value) {
			f(string(k), p)
		})
	case isArray(props):
		for i, p := range props.GetArray() {
			f(strconv.Itoa(i), p)
		}
	default:
		f("", props)
	}
}

// renderType renders one schema as a TypeScript type.
func renderType(p *fastjson.Value, indent, depth int) string {
	if !isObject(p) || depth >= maxDepth {
		return "any"
	}
	enum := get(p, "enum")
	typ := get(p, "type")
	switch {
	case isArray(typ):
		return union(typ, func(t *fastjson.Value) string { return simpleType(str(t)) })
	case !isString(typ):
		if isArray(enum) {
			return union(enum, literal)
		}
		for _, key := range []string{"anyOf", "oneOf"} {
			if alts := get(p, key); isArray(alts) {
				return union(alts, func(a *fastjson.Value) string { return renderType(a, indent, depth+1) })
			}
		}
		return "any"
	}
	t := str(typ)
	switch t {
	case "string", "number", "integer":
		if isArray(enum) {
			return union(enum, literal)
		}
	case "object":
		var b strings.Builder
		b.WriteString("{\n")
		writeProperties(&b, p, indent+2, depth+1)
		b.WriteString("\n}")
		return b.String()
	case "array":
		if items := get(p, "items"); items != nil { // null too, rendered "any[]"
			return renderType(items, indent, depth+1) + "[]"
		}
		return "any[]"
	}
	return simpleType(t)
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
func hasKeys(v *fastjson.Value) bool {
	return isObject(v) && v.GetObject().Len() > 0
}

// literal renders an enum value: strings quoted, other values as written.
func literal(v *fastjson.Value) string {
	if isString(v) {
		return `"` + str(v) + `"`
	}
	return raw(v)
}

// union joins the rendering of each element of arr with " | ".
func union(arr *fastjson.Value, render func(*fastjson.Value) string) string {
	var parts []string
	for _, v := range arr.GetArray() {
		parts = append(parts, render(v))
	}
	if len(parts) == 0 {
		return "any"
	}
	return strings.Join(parts, " | ")
}
