package tokenizer

// The pre-tokenizers split text into the pieces that tiktoken's regular
// expressions find, one piece per call: next(s, i) returns the end of the
// piece starting at s[i]. They are hand-written state machines that decide
// in one left-to-right pass, with no backtracking, what the backtracking
// regex engine would match first; the comments name the alternative each
// branch stands for. s must be valid UTF-8 and i < len(s).

// nextCL100k splits like cl100k_base's pattern
//
//	'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
func (t *classTable) nextCL100k(s string, i int) int {
	// '(?i:[sdmt]|ll|ve|re)
	if s[i] == '\'' {
		if j := contraction(s, i); j > 0 {
			return j
		}
	}
	c, w := t.at(s, i)
	// [^\r\n\p{L}\p{N}]?+\p{L}++
	if c&cLetter != 0 {
		return t.run(s, i+w, cLetter)
	}
	if c&prefixClass == 0 && i+w < len(s) {
		if c1, w1 := t.at(s, i+w); c1&cLetter != 0 {
			return t.run(s, i+w+w1, cLetter)
		}
	}
	// \p{N}{1,3}+
	if c&cNumber != 0 {
		return t.numbers(s, i+w)
	}
	// ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
	if j := t.punct(s, i, c, w); j > 0 {
		for j < len(s) && (s[j] == '\r' || s[j] == '\n') {
			j++
		}
		return j
	}
	// Only white space is left: c&cSpace != 0.
	end, last, nl := t.spaces(s, i)
	switch {
	case end == len(s): // \s++$
		return end
	case nl >= 0: // \s*[\r\n]
		return nl + 1
	case last > i: // \s+(?!\S): leave the last one for the word after
		return last
	}
	return end // \s
}

// nextO200k splits like o200k_base's pattern
//
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// (one expression, broken here at the top-level alternatives). Call the two
// letter classes U (upper-ish) and W (lower-ish); Lm, Lo and marks are in
// both, and marks are also in [^\r\n\p{L}\p{N}].
func (t *classTable) nextO200k(s string, i int) int {
	c, w := t.at(s, i)
	if j := t.o200kLetters(s, i, c, w); j > 0 {
		return contractionAfter(s, j)
	}
	// \p{N}{1,3}
	if c&cNumber != 0 {
		return t.numbers(s, i+w)
	}
	// ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
	if j := t.punct(s, i, c, w); j > 0 {
		for j < len(s) && (s[j] == '\r' || s[j] == '\n' || s[j] == '/') {
			j++
		}
		return j
	}
	// Only white space is left.
	end, last, nl := t.spaces(s, i)
	switch {
	case nl >= 0: // \s*[\r\n]+
		return nl + 1
	case end == len(s): // \s+(?!\S) up to the end
		return end
	case last > i: // \s+(?!\S): leave the last one for the word after
		return last
	}
	return end // \s+
}

// o200kLetters matches the letter part of o200k's first two alternatives
// (without the contraction) at s[i], whose class and width are c and w, and
// returns its end, or 0 if neither matches. Backtracking order: the first
// alternative with the optional prefix taken, then without, then the second
// alternative with the prefix, then without.
func (t *classTable) o200kLetters(s string, i int, c uint8, w int) int {
	prefix := c&prefixClass == 0 && i+w < len(s)
	if prefix {
		if j := t.o200kWord(s, i+w); j > 0 {
			return j
		}
	}
	if c&(cUpper|cLower) != 0 {
		if j := t.o200kWord(s, i); j > 0 {
			return j
		}
	}
	// U+W*: only reached when U* W+ failed, so no W follows the U run.
	if prefix {
		if c1, _ := t.at(s, i+w); c1&cUpper != 0 {
			return t.run(s, i+w, cUpper)
		}
	}
	if c&cUpper != 0 {
		return t.run(s, i, cUpper)
	}
	return 0
}

// o200kWord matches U*W+ at s[i], returning its end or 0. U* takes the
// longest run of U and gives back code points until W+ can match: if a W
// follows the U run, W+ takes it and all W after it; otherwise W+ takes the
// last code point of the U run that is also a W (Lm, Lo or a mark), the only
// W+ match there since the U run holds no W after it.
func (t *classTable) o200kWord(s string, i int) int {
	lastW := 0 // end of the last U-run code point that is also a W
	j := i
	for j < len(s) {
		c, w := t.at(s, j)
		if c&cUpper == 0 {
			if c&cLower != 0 {
				return t.run(s, j+w, cLower)
			}
			break
		}
		j += w
		if c&cLower != 0 {
			lastW = j
		}
	}
	return lastW
}

// contractionAfter returns the end of (?i:'s|'t|'re|'ve|'m|'ll|'d)? at s[j].
func contractionAfter(s string, j int) int {
	if j < len(s) && s[j] == '\'' {
		if k := contraction(s, j); k > 0 {
			return k
		}
	}
	return j
}

// contraction matches '(?i:[sdmt]|ll|ve|re) at s[i] (an apostrophe) and
// returns its end, or 0. Under simple case folding s also matches ſ (U+017F
// LATIN SMALL LETTER LONG S); the other letters fold only to their ASCII
// case pair.
func contraction(s string, i int) int {
	if i+1 >= len(s) {
		return 0
	}
	switch s[i+1] | 0x20 {
	case 's', 'd', 'm', 't':
		return i + 2
	case 'l', 'v', 'r':
		if i+2 < len(s) {
			want := byte('e')
			if s[i+1]|0x20 == 'l' {
				want = 'l'
			}
			if s[i+2]|0x20 == want {
				return i + 3
			}
		}
	}
	if s[i+1] == 0xc5 && i+2 < len(s) && s[i+2] == 0xbf { // ſ
		return i + 3
	}
	return 0
}

// run returns the end of the run of code points of class mask from s[j].
func (t *classTable) run(s string, j int, mask uint8) int {
	for j < len(s) {
		if b := s[j]; b < 0x80 {
			if t.ascii[b]&mask == 0 {
				return j
			}
			j++
			continue
		}
		c, w := t.at(s, j)
		if c&mask == 0 {
			return j
		}
		j += w
	}
	return j
}

// numbers returns the end of \p{N}{1,3} whose first code point ends at j.
func (t *classTable) numbers(s string, j int) int {
	for range 2 {
		if j >= len(s) {
			break
		}
		c, w := t.at(s, j)
		if c&cNumber == 0 {
			break
		}
		j += w
	}
	return j
}

// punct matches ' ?[^\s\p{L}\p{N}]+' at s[i], whose class and width are c
// and w, and returns its end, or 0.
func (t *classTable) punct(s string, i int, c uint8, w int) int {
	if s[i] == ' ' && i+1 < len(s) {
		c, w = t.at(s, i+1)
		i++
	}
	if c&punctClass != 0 {
		return 0
	}
	j := i + w
	for j < len(s) {
		c, w := t.at(s, j)
		if c&punctClass != 0 {
			break
		}
		j += w
	}
	return j
}

// spaces scans the run of white space at s[i]. It returns the run's end,
// the start of its last code point, and the index of its last \r or \n
// (-1 if none).
func (t *classTable) spaces(s string, i int) (end, last, nl int) {
	nl = -1
	j := i
	for j < len(s) {
		c, w := t.at(s, j)
		if c&cSpace == 0 {
			break
		}
		if c&cNewline != 0 {
			nl = j
		}
		last = j
		j += w
	}
	return j, last, nl
}
