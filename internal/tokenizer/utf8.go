package tokenizer

import (
	"strings"
	"unicode/utf8"
)

// validUTF8 returns s with each ill-formed UTF-8 sequence replaced by
// U+FFFD, the way Python's bytes.decode(errors="replace") and the WHATWG
// TextDecoder (Node, browsers) replace them: one U+FFFD for each maximal
// subpart of an ill-formed sequence. A byte that cannot start a sequence,
// or an unexpected continuation byte, is one U+FFFD; so is a truncated
// sequence such as "\xe2\x82" (the start of "€") however many of its bytes
// are present. tiktoken itself only accepts valid strings, so this is what
// a caller of tiktoken would have had to do.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b.WriteByte(c)
			i++
			continue
		}
		if _, w := utf8.DecodeRuneInString(s[i:]); w > 1 {
			b.WriteString(s[i : i+w])
			i += w
			continue
		}
		// Ill-formed at s[i]: skip the maximal subpart, the longest prefix
		// of a well-formed sequence that is there (at least one byte).
		i += 1 + validPrefix(s[i:])
		b.WriteRune(utf8.RuneError)
	}
	return b.String()
}

// validPrefix returns how many continuation bytes after s[0] extend a
// prefix of a well-formed sequence, for a lead byte s[0] whose sequence is
// truncated or broken.
func validPrefix(s string) int {
	var need int
	lo, hi := byte(0x80), byte(0xbf) // allowed range of the first continuation byte
	switch c := s[0]; {
	case c >= 0xc2 && c <= 0xdf:
		need = 1
	case c == 0xe0:
		need, lo = 2, 0xa0
	case c == 0xed:
		need, hi = 2, 0x9f
	case c >= 0xe1 && c <= 0xef:
		need = 2
	case c == 0xf0:
		need, lo = 3, 0x90
	case c == 0xf4:
		need, hi = 3, 0x8f
	case c >= 0xf1 && c <= 0xf3:
		need = 3
	default:
		return 0
	}
	k := 0
	for k < need && 1+k < len(s) {
		c := s[1+k]
		if c < lo || c > hi {
			break
		}
		lo, hi = 0x80, 0xbf
		k++
	}
	return k
}
