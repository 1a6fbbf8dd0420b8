package tokenizer

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// Character classes used by the pre-tokenizers, as bits of one byte per
// code point. The regular expressions' classes are unions and complements
// of these:
//
//	\p{L}                                 cLetter
//	\p{N}                                 cNumber
//	\s                                    cSpace (Unicode White_Space)
//	[\r\n]                                cNewline
//	[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]       cUpper  (o200k)
//	[\p{Ll}\p{Lm}\p{Lo}\p{M}]             cLower  (o200k)
//	[^\r\n\p{L}\p{N}]                     none of cLetter|cNumber|cNewline
//	[^\s\p{L}\p{N}]                       none of cLetter|cNumber|cSpace
//
// The classes come from the Unicode Character Database of the version
// tiktoken's Rust regex crate compiles in (unicodeVersion, 16.0.0), through
// the generated classRuns, not from Go's unicode package (15.0.0 in Go
// 1.26): the two differ on the five thousand code points assigned in 15.1
// and 16.0, and tiktoken splits text by its own version. To regenerate
// classes_table.go: cd gen/classes && npm ci && npm run gen.
const (
	cLetter uint8 = 1 << iota
	cNumber
	cSpace
	cNewline
	cUpper
	cLower
)

// punctClass marks the classes excluded by [^\s\p{L}\p{N}]; prefixClass
// those excluded by [^\r\n\p{L}\p{N}].
const (
	punctClass  = cLetter | cNumber | cSpace
	prefixClass = cLetter | cNumber | cNewline
)

// classTable holds the class of every code point in two stages: blocks of
// 256 code points, identical blocks stored once.
type classTable struct {
	ascii  [utf8.RuneSelf]uint8
	stage1 [(unicode.MaxRune + 1) >> 8]uint16 // block index for r>>8
	stage2 []uint8                            // blocks of 256 classes
}

var (
	classesOnce sync.Once
	classes     *classTable
)

// loadClasses builds the class table on first use.
func loadClasses() *classTable {
	classesOnce.Do(func() { classes = buildClasses() })
	return classes
}

// classRun starts a run of code points of one class; see classRuns.
type classRun struct {
	lo    rune
	class uint8
}

func buildClasses() *classTable {
	flat := make([]uint8, unicode.MaxRune+1)
	for k, run := range classRuns {
		hi := rune(len(flat))
		if k+1 < len(classRuns) {
			hi = classRuns[k+1].lo
		}
		for r := run.lo; r < hi; r++ {
			flat[r] = run.class
		}
	}

	t := &classTable{}
	copy(t.ascii[:], flat)
	seen := make(map[string]uint16)
	for b := range t.stage1 {
		block := flat[b<<8 : (b+1)<<8]
		idx, ok := seen[string(block)]
		if !ok {
			idx = uint16(len(t.stage2) >> 8)
			seen[string(block)] = idx
			t.stage2 = append(t.stage2, block...)
		}
		t.stage1[b] = idx
	}
	return t
}

// of returns the class of r, which must be a valid code point.
func (t *classTable) of(r rune) uint8 {
	return t.stage2[int(t.stage1[r>>8])<<8|int(r&0xff)]
}

// at returns the class of the rune starting at s[i] and its width in bytes.
// It is small enough to inline; non-ASCII goes through atRune.
func (t *classTable) at(s string, i int) (uint8, int) {
	if b := s[i]; b < utf8.RuneSelf {
		return t.ascii[b], 1
	}
	return t.atRune(s, i)
}

func (t *classTable) atRune(s string, i int) (uint8, int) {
	r, w := utf8.DecodeRuneInString(s[i:])
	return t.of(r), w
}
