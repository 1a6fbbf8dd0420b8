package tokencount

import (
	"strconv"
	"unsafe"

	"github.com/valyala/fastjson"
)

// The body is parsed with fastjson, which finds the end of a string with
// strings.IndexByte and unescapes only strings that hold a backslash: a
// long message is passed over about once, where gjson, which the package
// used first, walked it byte by byte several times.
//
// The helpers below give each read the meaning the gjson version gave it, so
// that counts did not change with the parser. A missing member is a nil
// *fastjson.Value; every helper accepts nil.

// parsers holds parsers between counts: a parser keeps its copy of the body
// and its values, so that a count with a reused one allocates nothing.
var parsers fastjson.ParserPool

// maxPooledBody is the largest body whose parser goes back to the pool: a
// parser keeps buffers as large as the largest body it parsed, and a few
// requests carrying images should not pin megabytes for good.
const maxPooledBody = 1 << 20

// release returns p, which parsed a body of n bytes, to the pool. Nothing p
// returned may be used afterwards.
func release(p *fastjson.Parser, n int) {
	if n <= maxPooledBody {
		parsers.Put(p)
	}
}

func isObject(v *fastjson.Value) bool { return v != nil && v.Type() == fastjson.TypeObject }
func isArray(v *fastjson.Value) bool  { return v != nil && v.Type() == fastjson.TypeArray }
func isString(v *fastjson.Value) bool { return v != nil && v.Type() == fastjson.TypeString }

// get returns obj's member key, or nil when obj is not an object or has no
// such member. A key given twice returns its first value and keys compare
// unescaped, as gjson's Get did; fastjson's Object.Get may instead return a
// later member spelled without escapes.
func get(obj *fastjson.Value, key string) *fastjson.Value {
	var found *fastjson.Value
	obj.GetObject().Visit(func(k []byte, v *fastjson.Value) {
		if found == nil && string(k) == key {
			found = v
		}
	})
	return found
}

// pick reads the members of obj named by names into out, in one pass over
// obj. A member given twice keeps its last value (unlike get: the gjson
// version of pick did so too).
func pick(obj *fastjson.Value, out []*fastjson.Value, names ...string) {
	obj.GetObject().Visit(func(k []byte, v *fastjson.Value) {
		for i, n := range names {
			if string(k) == n {
				out[i] = v
			}
		}
	})
}

// str returns v as text, as gjson's Result.String did: a string unescaped,
// a number as written if it is an integer and as strconv formats it
// otherwise, true or false, "" for null or a missing value. An object or an
// array is its JSON text; gjson returned it as written, fastjson keeps no
// layout, so it comes out compact. Callers mostly expect a string, and the
// other kinds only matter for requests OpenAI would refuse.
//
// A string points into the parser's copy of the body: it is valid until the
// parser is released.
func str(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return unsafe.String(unsafe.SliceData(b), len(b)) // no copy of a long message
	case fastjson.TypeNumber:
		return numberText(string(v.MarshalTo(nil)))
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	case fastjson.TypeObject, fastjson.TypeArray:
		return string(v.MarshalTo(nil))
	}
	return ""
}

// numberText is gjson's text of a number written raw: raw itself if it has
// only digits after an optional minus, otherwise the parsed value formatted
// without an exponent ("1.50" → "1.5", "1e3" → "1000").
func numberText(raw string) string {
	i := 0
	if len(raw) > 0 && raw[0] == '-' {
		i++
	}
	for ; i < len(raw); i++ {
		if raw[i] < '0' || raw[i] > '9' {
			f, _ := strconv.ParseFloat(raw, 64)
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return raw
}

// raw returns v's JSON text: a number as written, an object or array
// compact.
func raw(v *fastjson.Value) string {
	return string(v.MarshalTo(nil))
}
