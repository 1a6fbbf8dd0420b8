package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// JSON is YAML 1.2 in principle, and keygate parses JSON files with the
// YAML parser so that findings carry line and column. In practice the YAML
// parser differs from JSON on a few inputs, found by the tests and
// FuzzJSONAsYAML:
//
//   - it rejects the escape \/ and the UTF-16 surrogate escapes that JSON
//     uses for characters beyond U+FFFF (\ud83d\ude00);
//   - it rejects raw characters YAML calls non-printable (DEL, C1 controls,
//     U+FEFF, U+FFFE/FFFF) and invalid UTF-8, all of which JSON allows in
//     strings;
//   - it accepts things JSON does not (comments, unquoted strings, trailing
//     commas), which would let a malformed .json file load.
//
// So a JSON file is first checked with encoding/json (its syntax errors
// are reported at their line and column), then rewritten into text the YAML
// parser reads to the same values: escapes become YAML escapes and the
// characters YAML rejects or folds (also NEL, U+2028, U+2029) become \u
// escapes. Rewrites that shorten a string pad with spaces after its closing
// quote; rewrites that lengthen one are recorded as column shifts and undone
// on the parsed nodes, so every position is the one in the user's file.

// isJSON reports whether data should be read as JSON: a .json file, or
// text that starts like a JSON object.
func isJSON(file string, data []byte) bool {
	if strings.EqualFold(filepath.Ext(file), ".json") {
		return true
	}
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(data)
}

// colShift records that on output line line, text after output column col
// sits delta columns further right than in the original.
type colShift struct{ line, col, delta int }

// jsonWriter is the rewritten text and the shifts made while writing it.
type jsonWriter struct {
	bytes.Buffer
	line, lineStart int
	shifts          []colShift
}

// grew records that the escape about to be written at the current position
// is delta columns wider than the text it replaces.
func (w *jsonWriter) grew(delta int) {
	col := utf8.RuneCount(w.Bytes()[w.lineStart:]) + 1
	w.shifts = append(w.shifts, colShift{line: w.line, col: col, delta: delta})
}

// normaliseJSON validates data as JSON and rewrites it for the YAML parser.
func normaliseJSON(data []byte) ([]byte, []colShift, *Error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		var se *json.SyntaxError
		off := int64(len(data))
		if errors.As(err, &se) {
			off = se.Offset - 1 // Offset is just past the offending byte
		}
		line, col := lineCol(data, off)
		return nil, nil, &Error{Pos: Pos{Line: line, Column: col}, Msg: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	out := &jsonWriter{line: 1}
	out.Grow(len(data))
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c == '"':
			start, begin := out.Len(), i
			i = rewriteString(out, data, i)
			if n := keyLength(out.Bytes()[start:], data, i); n > maxKeyLength {
				line, col := lineCol(data, int64(begin))
				return nil, nil, &Error{Pos: Pos{Line: line, Column: col},
					Msg: fmt.Sprintf("object key is %d characters long; keygate reads keys of up to %d", n, maxKeyLength)}
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i = rewriteSpace(out, data, i)
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.Bytes(), out.shifts, nil
}

// maxKeyLength is the longest object key, counted from its opening quote to
// its colon, that keygate reads: the YAML parser stops looking for a key's
// colon after 1024 characters, and no configuration field comes close.
const maxKeyLength = 1000

// keyLength is the length in characters of the rewritten string written,
// plus the whitespace before its colon, if data[i:] continues with a colon;
// 0 if the string is a value rather than a key.
func keyLength(written, data []byte, i int) int {
	j := i
	for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r' || data[j] == '\n') {
		j++
	}
	if j == len(data) || data[j] != ':' {
		return 0
	}
	return utf8.RuneCount(written) + j - i
}

// rewriteSpace copies the whitespace run starting at data[i] and returns the
// index after it. Tabs and carriage returns become spaces (YAML is fussier
// about tabs than JSON, and would count a lone CR as a line break where
// positions count LF only). JSON allows a line break between a key and its
// colon, which a YAML flow mapping does not: there the colon moves up to the
// key's line, the line breaks follow it, so every later token keeps its line,
// and the one-column shift on the next line is recorded.
func rewriteSpace(out *jsonWriter, data []byte, i int) int {
	j := i
	breaks := false
	for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r' || data[j] == '\n') {
		breaks = breaks || data[j] == '\n' || data[j] == '\r'
		j++
	}
	colonMoves := breaks && j < len(data) && data[j] == ':'
	if colonMoves {
		out.WriteByte(':')
	}
	for _, c := range data[i:j] {
		switch c {
		case '\n':
			out.WriteByte('\n')
			out.line++
			out.lineStart = out.Len()
		default:
			out.WriteByte(' ')
		}
	}
	if colonMoves {
		out.grew(-1)
		j++
	}
	return j
}

// unshift moves node columns back to where they are in the original file.
func unshift(n *yaml.Node, shifts []colShift) {
	if n == nil || len(shifts) == 0 {
		return
	}
	c := n.Column
	for _, s := range shifts {
		if s.line == n.Line && s.col < c {
			n.Column -= s.delta
		}
	}
	for _, k := range n.Content {
		unshift(k, shifts)
	}
}

// rewriteString copies the JSON string starting at data[i] (a quote) and
// returns the index after its closing quote.
func rewriteString(out *jsonWriter, data []byte, i int) int {
	out.WriteByte('"')
	i++
	pad := 0 // columns lost by shorter rewrites, restored after the quote
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			out.WriteByte('"')
			out.WriteString(strings.Repeat(" ", pad))
			return i + 1
		case c == '\\' && i+1 < len(data) && data[i+1] == '/':
			out.WriteByte('/')
			pad++
			i += 2
		case c == '\\' && i+1 < len(data) && data[i+1] == 'u':
			r1, ok1 := hex4(data, i+2)
			if !ok1 {
				out.WriteString(`\uFFFD`)
				i += 2
				continue
			}
			switch {
			case utf16.IsSurrogate(r1):
				r2, ok2 := rune(0), false
				if i+11 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
					r2, ok2 = hex4(data, i+8)
				}
				if r := utf16.DecodeRune(r1, r2); ok2 && r != utf8.RuneError {
					fmt.Fprintf(out, `\U%08X`, r) // 10 bytes for 12
					pad += 2
					i += 12
				} else {
					out.WriteString(`\uFFFD`) // what encoding/json makes of a lone surrogate
					i += 6
				}
			default:
				out.Write(data[i : i+6])
				i += 6
			}
		case c == '\\' && i+1 < len(data):
			out.Write(data[i : i+2])
			i += 2
		default:
			r, size := utf8.DecodeRune(data[i:])
			switch {
			case r == utf8.RuneError && size <= 1:
				out.grew(5)
				out.WriteString(`\uFFFD`) // invalid UTF-8, as encoding/json reads it
			case !yamlRaw(r):
				out.grew(5)
				fmt.Fprintf(out, `\u%04X`, r)
			default:
				out.Write(data[i : i+size])
			}
			i += size
		}
	}
	return i
}

func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i:i+4]), 16, 32)
	return rune(n), err == nil
}

// yamlRaw reports whether r may stand unescaped in a double-quoted YAML
// string and mean itself: YAML's printable set (YAML 1.2 §5.1, without the
// byte-order mark) minus the line breaks YAML 1.1 folds into spaces (NEL,
// U+2028, U+2029). JSON strings cannot hold raw tabs or newlines, so those
// never reach here.
func yamlRaw(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7E:
		return true
	case r == 0x2028 || r == 0x2029:
		return false
	case r >= 0xA0 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return r != 0xFEFF
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// lineCol converts a byte offset into a 1-based line and a 1-based column
// counted in characters, as the YAML parser counts them.
func lineCol(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}
