package tokenizer

import (
	"math/bits"
	"unicode/utf8"
)

// Fast paths of the pre-tokenizers for the pieces most text is made of:
// ASCII words with or without a leading space or punctuation mark, short
// digit runs, and ASCII punctuation. Each returns the end of the piece at
// s[i], or 0 when the piece is not of those shapes or when a non-ASCII code
// point could change the answer (a letter that continues a word, a digit or
// a mark); the caller then asks the full state machine. They must agree
// with it wherever they answer (TestASCIIAgrees, FuzzASCIIAgrees).
//
// They exist because the state machine pays a class lookup, a width and a
// call per code point, about 30 ns per piece of English; these loops look
// at each byte once.

// asciiO200k is the fast path of nextO200k.
func (t *classTable) asciiO200k(s string, i int) int {
	b := s[i]
	if b >= utf8.RuneSelf || i+1 >= len(s) {
		return 0
	}
	j := i
	if c := t.ascii[b]; c&cLetter == 0 {
		end, word := t.asciiNonLetter(s, i, c, true)
		if word == 0 {
			return end
		}
		j = word
	}
	// An ASCII word is an upper-case run then a lower-case run, either
	// possibly empty: U*W+ when the lower-case run is there, else U+W*.
	for j < len(s) && s[j]-'A' < 26 {
		j++
	}
	// lowerRun's first eight bytes, inline: most words end within them.
	if j+8 <= len(s) {
		if m := notLower(le64(s[j:])); m != 0 {
			j += bits.TrailingZeros64(m) / 8
		} else {
			j = lowerRun(s, j+8)
		}
	} else {
		j = lowerRun(s, j)
	}
	if j < len(s) {
		if s[j] >= utf8.RuneSelf {
			return 0
		}
		if s[j] == '\'' {
			return contractionAfter(s, j)
		}
	}
	return j
}

// spaceWord returns the length of the piece that starts with x, y, the next
// sixteen bytes of the text, if it is a space, an optional capital and
// lower-case ASCII letters (at least one), fifteen bytes at most, followed
// by a byte that ends the piece in both encodings: ASCII, neither an
// apostrophe (a contraction may follow) nor a capital (which continues a
// cl100k word, or an o200k word of capitals). Otherwise it returns 0. The
// caller looks the word up from the same loads.
//
// Most pieces of prose are such words. Taking long and capitalised words
// here, not only words of up to six letters, made counting new 4 KB prompts
// 13 to 15% faster (BenchmarkPromptCount's novel mode): on text the CPU
// has not seen, each piece left to the state machine costs mispredicted
// branches.
func spaceWord(x, y uint64) int {
	start := 8 // bits before the first lower-case letter
	if byte(x>>8)-'A' < 26 {
		start = 16
	}
	e := bits.TrailingZeros64(notLower(x) &^ (1<<start - 1)) // bits before the byte after the letters
	if e == 64 {
		e += bits.TrailingZeros64(notLower(y))
	}
	end := e >> 3
	c := byte(x >> (e &^ 7 & 63))
	if end >= 8 {
		c = byte(y >> ((e - 64) &^ 7 & 63))
	}
	if end > start>>3 && end <= 15 && c < utf8.RuneSelf && c != '\'' && c-'A' >= 26 {
		return end
	}
	return 0
}

// punctSpace reports whether the piece at s[i] is one ASCII punctuation
// mark followed by a space (". ", ", "), in both encodings.
func (t *classTable) punctSpace(s string, i int) bool {
	c := s[i]
	return c < utf8.RuneSelf && t.ascii[c]&punctClass == 0 && i+1 < len(s) && s[i+1] == ' '
}

// asciiCL100k is the fast path of nextCL100k.
func (t *classTable) asciiCL100k(s string, i int) int {
	b := s[i]
	if b >= utf8.RuneSelf || b == '\'' || i+1 >= len(s) {
		return 0
	}
	j := i
	if c := t.ascii[b]; c&cLetter == 0 {
		end, word := t.asciiNonLetter(s, i, c, false)
		if word == 0 {
			return end
		}
		j = word
	}
	j = letterRun(s, j)
	if j < len(s) && s[j] >= utf8.RuneSelf {
		return 0
	}
	return j
}

// asciiNonLetter is the part the fast paths share, for a piece at s[i]
// (ASCII, of class c, not a letter, and not the last byte): \p{N}{1,3}, or
// ' ?[^\s\p{L}\p{N}]+' followed by [\r\n]* (and '/' too if slash, as in
// o200k), or the optional prefix of a word. It returns the piece's end, 0
// if the state machine must decide, or word > 0: the prefix is taken and
// the word starts there.
func (t *classTable) asciiNonLetter(s string, i int, c uint8, slash bool) (end, word int) {
	if c&cNumber != 0 {
		return asciiDigits(s, i), 0
	}
	n := s[i+1]
	if n >= utf8.RuneSelf {
		return 0, 0
	}
	if c&prefixClass == 0 && t.ascii[n]&cLetter != 0 {
		return 0, i + 1
	}
	k := t.asciiPunct(s, i) // or white space, which it leaves to the state machine
	if k == 0 {
		return 0, 0
	}
	for k < len(s) && (s[k] == '\r' || s[k] == '\n' || (slash && s[k] == '/')) {
		k++
	}
	return k, 0
}

// asciiDigits matches \p{N}{1,3} at s[i], an ASCII digit.
func asciiDigits(s string, i int) int {
	k := i + 1
	for ; k < i+3 && k < len(s); k++ {
		if b := s[k]; b >= utf8.RuneSelf {
			return 0 // maybe a digit of another script
		} else if b-'0' >= 10 {
			break
		}
	}
	return k
}

// asciiPunct matches ' ?[^\s\p{L}\p{N}]+' at s[i] and returns its end, or
// 0 if it does not match or the run meets a non-ASCII code point.
func (t *classTable) asciiPunct(s string, i int) int {
	k := i
	if s[k] == ' ' {
		k++
	}
	start := k
	for k < len(s) && s[k] < utf8.RuneSelf && t.ascii[s[k]]&punctClass == 0 {
		k++
	}
	if k == start || (k < len(s) && s[k] >= utf8.RuneSelf) {
		return 0
	}
	return k
}

// lowerRun returns the end of the run of ASCII lower-case letters from
// s[j], eight bytes at a time: a byte-wise loop mispredicts the end of
// every word.
func lowerRun(s string, j int) int {
	for j+8 <= len(s) {
		if m := notLower(le64(s[j:])); m != 0 {
			return j + bits.TrailingZeros64(m)/8
		}
		j += 8
	}
	for j < len(s) && s[j]-'a' < 26 {
		j++
	}
	return j
}

// letterRun is lowerRun for letters of either case.
func letterRun(s string, j int) int {
	const toLower = 0x2020202020202020 // maps A-Z, and only A-Z, onto a-z
	for j+8 <= len(s) {
		if m := notLower(le64(s[j:]) | toLower); m != 0 {
			return j + bits.TrailingZeros64(m)/8
		}
		j += 8
	}
	for j < len(s) && (s[j]|0x20)-'a' < 26 {
		j++
	}
	return j
}

// notLower sets the high bit of each byte of x that is not 'a' to 'z'.
func notLower(x uint64) uint64 {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	y := x &^ high                    // each byte < 0x80, so no carries below
	geA := (y + (0x80-'a')*ones)      // high bit: y >= 'a'
	gtZ := (y + (0x80-'z'-1)*ones)    // high bit: y > 'z'
	return (^(geA &^ gtZ) | x) & high // not in range, or not ASCII
}
