package tokenizer

import (
	"slices"
	"testing"
	"unicode"
)

func split(e *Encoding, text string) []string {
	var out []string
	for _, p := range e.pieces(text) {
		out = append(out, text[p.start:p.end])
	}
	return out
}

// TestSplit pins the pre-tokenizers on the rules that are easy to get wrong.
// Each want was derived by hand from the regular expression's
// backtracking semantics; the golden corpus then checks the same rules
// against tiktoken's token ids at scale.
func TestSplit(t *testing.T) {
	t.Parallel()
	both := func(s ...string) [2][]string { return [2][]string{s, s} }
	tests := []struct {
		name, text string
		want       [2][]string // o200k_base, cl100k_base
	}{
		// Contractions: cl100k splits them off as pieces of their own, even
		// at the start of a longer word; o200k keeps them with the word, in
		// any case, after upper case too.
		{"contraction", "don't", [2][]string{{"don't"}, {"don", "'t"}}},
		{"contraction upper", "DON'T", [2][]string{{"DON'T"}, {"DON", "'T"}}},
		{"contraction upper S", "JOHN'S he'S", [2][]string{{"JOHN'S", " he'S"}, {"JOHN", "'S", " he", "'S"}}},
		{"contractions chained", "we'll've", [2][]string{{"we'll", "'ve"}, {"we", "'ll", "'ve"}}},
		{"contraction prefix of word", "'sup", [2][]string{{"'sup"}, {"'s", "up"}}},
		{"contraction long s", "it'ſ", [2][]string{{"it'ſ"}, {"it", "'ſ"}}},
		{"not a contraction", "it'x 'Re", [2][]string{{"it", "'x", " '", "Re"}, {"it", "'x", " '", "Re"}}},
		{"apostrophe after space", " 's", both(" '", "s")},
		{"curly apostrophe", "don’t", [2][]string{{"don", "’t"}, {"don", "’t"}}},

		// Digits go in threes, whatever the run's length.
		{"digits 1", "7", both("7")},
		{"digits 3", "123", both("123")},
		{"digits 4", "1234", both("123", "4")},
		{"digits 7", "1234567", both("123", "456", "7")},
		{"digits other scripts", "١٢٣٤ ²³", both("١٢٣", "٤", " ", "²³")},
		{"digits after letter", "abc123", both("abc", "123")},
		{"money", "$100.50", both("$", "100", ".", "50")},

		// White space: a run before a word leaves its last space to the
		// word; a run ending in newlines is a piece; at the end of the text
		// the whole run is one piece in cl100k but newlines still split it
		// in o200k.
		{"space before word", "a  b", both("a", " ", " b")},
		{"spaces before word", "a    b", both("a", "   ", " b")},
		{"space then newline", "a \n b", both("a", " \n", " b")},
		{"newlines then spaces", "x\n\n  y", both("x", "\n\n", " ", " y")},
		{"trailing spaces", "x   ", both("x", "   ")},
		{"trailing newline and spaces", "x \n\n  ", [2][]string{{"x", " \n\n", "  "}, {"x", " \n\n  "}}},
		{"space before digit", "a 1", both("a", " ", "1")},
		{"spaces before digit", "a   1", both("a", "  ", " ", "1")},
		{"crlf", "a\r\nb\r\n", both("a", "\r\n", "b", "\r\n")},
		{"lone cr", "a\rb", both("a", "\r", "b")},
		{"tab before word", "\tfoo", both("\tfoo")},
		{"tabs before word", "\t\tfoo", both("\t", "\tfoo")},
		{"nbsp before word", "a\u00a0b", both("a", "\u00a0b")},
		{"ideographic space", "a\u3000\u3000b", both("a", "\u3000", "\u3000b")},
		{"form feed", "a\fb", both("a", "\fb")},

		// Punctuation: an optional leading space, the run, then newlines
		// (and in o200k slashes).
		{"punct newlines", "!!!\n\nx", both("!!!\n\n", "x")},
		{"punct slash", "x//\n/y", [2][]string{{"x", "//\n/", "y"}, {"x", "//\n", "/y"}}},
		{"space punct", "a !?b", both("a", " !?", "b")},
		{"punct before word", "(hello)", both("(hello", ")")},
		{"space punct space", " - ", both(" -", " ")},
		{"special token text", "<|endoftext|>", both("<|", "endoftext", "|>")},

		// Letters by category. o200k splits camel case: a word is upper
		// case (Lu, Lt) then lower case (Ll); Lm, Lo and marks count as
		// both.
		{"camel", "HelloWorld", [2][]string{{"Hello", "World"}, {"HelloWorld"}}},
		{"lower then upper", "helloWorld", [2][]string{{"hello", "World"}, {"helloWorld"}}},
		{"caps then word", "HTTPServer", [2][]string{{"HTTPServer"}, {"HTTPServer"}}},
		{"all caps", "HELLO world", [2][]string{{"HELLO", " world"}, {"HELLO", " world"}}},
		{"titlecase Lt", "ǅemal ǅEMAL", [2][]string{{"ǅemal", " ǅEMAL"}, {"ǅemal", " ǅEMAL"}}},
		{"modifier Lm", "ʰello xʰY", [2][]string{{"ʰello", " xʰ", "Y"}, {"ʰello", " xʰY"}}},
		{"other Lo", "ABC中文DEF", [2][]string{{"ABC中文", "DEF"}, {"ABC中文DEF"}}},
		{"Lo then lower", "中文abc", both("中文abc")},
		{"lower then Lo", "abc中文", both("abc中文")},
		{"cjk", "你好，世界。", both("你好", "，世界", "。")},
		{"hangul", "안녕하세요 세계", both("안녕하세요", " 세계")},
		{"thai", "ภาษาไทย", both("ภาษาไทย")}, // vowel signs like า are Lo
		{"thai marks", "สวัสดี", [2][]string{{"สวัสดี"}, {"สว", "ัสด", "ี"}}},
		{"greek", "Ελληνικά ΚΕΙΜΕΝΟ", both("Ελληνικά", " ΚΕΙΜΕΝΟ")},

		// Marks are letters to o200k but not to cl100k, and also count as
		// [^\r\n\p{L}\p{N}].
		{"combining mark", "e\u0301te\u0301", [2][]string{{"e\u0301te\u0301"}, {"e", "\u0301te", "\u0301"}}},
		{"leading mark", "\u0301abc", [2][]string{{"\u0301abc"}, {"\u0301abc"}}},
		{"mark after upper", "E\u0301T\u0301E", [2][]string{{"E\u0301T\u0301", "E"}, {"E", "\u0301T", "\u0301E"}}},
		{"lone mark", " \u0301 ", [2][]string{{" \u0301", " "}, {" \u0301", " "}}},

		// Symbols: emoji, ZWJ sequences, flags and skin tones are one run.
		{"emoji", "hi 😀😀!", both("hi", " 😀😀!")},
		{"zwj family", "👨\u200d👩\u200d👧 ok", both("👨\u200d👩\u200d👧", " ok")},
		{"flag", "🇺🇸🇫🇷", both("🇺🇸🇫🇷")},
		{"skin tone", "👍🏽x", both("👍🏽", "x")},
		{"emoji before word", "😀hello", both("😀hello")}, // one code point of prefix only
		{"zero width space", "a\u200bb", both("a", "\u200bb")},
		{"bom", "\ufeffhello", both("\ufeffhello")},
	}
	encs := [2]*Encoding{mustGet(t, "o200k_base"), mustGet(t, "cl100k_base")}
	for _, tt := range tests {
		for k, e := range encs {
			if got := split(e, tt.text); !slices.Equal(got, tt.want[k]) {
				t.Errorf("%s %s: split(%q)\n got  %q\n want %q", e.name, tt.name, tt.text, got, tt.want[k])
			}
		}
	}
}

// TestContractionFolding checks the assumption behind contraction(): under
// simple case folding the letters of the contractions fold only to their
// ASCII pair, except s, which also folds to ſ.
func TestContractionFolding(t *testing.T) {
	t.Parallel()
	for _, c := range "sdmtlvre" {
		var orbit []rune
		for r := unicode.SimpleFold(c); r != c; r = unicode.SimpleFold(r) {
			orbit = append(orbit, r)
		}
		slices.Sort(orbit)
		want := []rune{unicode.ToUpper(c)}
		if c == 's' {
			want = []rune{'S', 'ſ'}
		}
		if !slices.Equal(orbit, want) {
			t.Errorf("%c folds to %q, want %q", c, string(orbit), string(want))
		}
	}
}

// TestClasses spot-checks the generated class table against Go's unicode
// package on code points both Unicode versions agree on, and on a few that
// Unicode 16.0 added.
func TestClasses(t *testing.T) {
	t.Parallel()
	cls := loadClasses()
	assigned := []*unicode.RangeTable{unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cc, unicode.Cf, unicode.Co}
	for r := rune(0); r < 0x3000; r++ {
		if !unicode.In(r, assigned...) {
			continue // perhaps assigned since Go's Unicode version
		}
		want := uint8(0)
		if unicode.IsLetter(r) {
			want |= cLetter
		}
		if unicode.IsNumber(r) {
			want |= cNumber
		}
		if unicode.IsSpace(r) {
			want |= cSpace
		}
		if r == '\r' || r == '\n' {
			want |= cNewline
		}
		if unicode.In(r, unicode.Lu, unicode.Lt, unicode.Lm, unicode.Lo, unicode.M) {
			want |= cUpper
		}
		if unicode.In(r, unicode.Ll, unicode.Lm, unicode.Lo, unicode.M) {
			want |= cLower
		}
		if got := cls.of(r); got != want {
			t.Errorf("class of %U = %06b, want %06b", r, got, want)
		}
	}
	for _, c := range []struct {
		r    rune
		want uint8
	}{
		{0x1c89, cLetter | cUpper},           // CYRILLIC CAPITAL LETTER TJE, 16.0
		{0x1c8a, cLetter | cLower},           // CYRILLIC SMALL LETTER TJE, 16.0
		{0x2ebf0, cLetter | cUpper | cLower}, // CJK Extension I, 15.1
		{0x116d0, cNumber},                   // MYANMAR PAO DIGIT ZERO, 16.0
	} {
		if got := cls.of(c.r); got != c.want {
			t.Errorf("class of %U = %06b, want %06b", c.r, got, c.want)
		}
	}
	if unicodeVersion != "16.0.0" {
		t.Errorf("classes_table.go is Unicode %s; tiktoken 1.0.22's regex uses 16.0.0", unicodeVersion)
	}
}

// asciiDisagrees returns the first position of s at which a fast path
// answers differently from the state machine it stands in for.
func asciiDisagrees(t *classTable, s string) (enc string, at, fast, full int) {
	for i := range len(s) {
		// run's own fast paths answer for both encodings at once.
		f := 0
		if s[i] == ' ' && i+16 <= len(s) {
			if w := spaceWord(le64(s[i:]), le64(s[i+8:])); w != 0 {
				f = i + w
			}
		}
		if f == 0 && t.punctSpace(s, i) {
			f = i + 1
		}
		if f != 0 {
			if g := t.nextO200k(s, i); f != g {
				return "o200k_base (run)", i, f, g
			}
			if g := t.nextCL100k(s, i); f != g {
				return "cl100k_base (run)", i, f, g
			}
		}
		if f := t.asciiO200k(s, i); f != 0 {
			if g := t.nextO200k(s, i); f != g {
				return "o200k_base", i, f, g
			}
		}
		if f := t.asciiCL100k(s, i); f != 0 {
			if g := t.nextCL100k(s, i); f != g {
				return "cl100k_base", i, f, g
			}
		}
	}
	return "", -1, 0, 0
}

// TestASCIIAgrees checks the fast paths against the state machines at every
// byte of the corpus, not only where pieces start.
func TestASCIIAgrees(t *testing.T) {
	cls := loadClasses()
	_, texts := corpusDocs(t)
	texts = append(texts, "ABc'S ABC'S aB don't DON'T x'ſ 12٣ 1234 .— ..\n/ \t\tword 'll 'x", "a", "1", " ", ".")
	for _, s := range texts {
		s = validUTF8(s)
		if enc, at, fast, full := asciiDisagrees(cls, s); at >= 0 {
			t.Fatalf("%s at %d of %q: fast path ends at %d, state machine at %d", enc, at, s[max(0, at-20):min(len(s), at+20)], fast, full)
		}
	}
}

func FuzzASCIIAgrees(f *testing.F) {
	for _, s := range []string{"Hello, World's end.", "ABC'S 123456 x/\r\n", " --> \t\tfoo", "é1٣ aé",
		// Long words, capitals, and what stops the fast paths.
		"The keys of a project, I think, are sealed. Rotation is due Friday. A camelCase word, x.y and  two spaces.",
	} {
		f.Add(s)
	}
	cls := loadClasses()
	f.Fuzz(func(t *testing.T, s string) {
		// Checking every position is quadratic in the length of a run (each
		// position scans to the run's end), so long inputs are cut.
		s = validUTF8(s[:min(len(s), 2048)])
		if enc, at, fast, full := asciiDisagrees(cls, s); at >= 0 {
			t.Fatalf("%s at %d of %q: fast path ends at %d, state machine at %d", enc, at, s, fast, full)
		}
	})
}

func TestNotLower(t *testing.T) {
	for b := range 256 {
		for pos := range 8 {
			var buf [8]byte
			for k := range buf {
				buf[k] = 'q'
			}
			buf[pos] = byte(b)
			m := notLower(le64(string(buf[:])))
			want := uint64(0)
			if b < 'a' || b > 'z' {
				want = 0x80 << (8 * pos)
			}
			if m != want {
				t.Fatalf("notLower with %#x at %d = %#x, want %#x", b, pos, m, want)
			}
		}
	}
}
