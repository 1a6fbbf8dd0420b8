package tokenizer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The oracle tests compare the tokenizer with tiktoken itself, run by node
// (testdata/oracle/oracle.mjs, with the npm package that testdata/gen
// installs), on inputs too many for golden files: random text from an
// alphabet of tricky characters, long pieces, every code point in several
// contexts, and random ill-formed UTF-8. They need node and take a minute,
// so they run only when asked:
//
//	(cd testdata/gen && npm ci) && TOKENIZER_ORACLE=1 go test -run Oracle -v

func needOracle(t *testing.T) {
	t.Helper()
	if os.Getenv("TOKENIZER_ORACLE") == "" {
		t.Skip("set TOKENIZER_ORACLE=1 to compare with tiktoken run by node")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node on PATH")
	}
	if _, err := os.Stat(filepath.Join("testdata", "gen", "node_modules", "tiktoken")); err != nil {
		t.Skip("tiktoken not installed: cd testdata/gen && npm ci")
	}
}

func oracle(t *testing.T, mode string, in, out any) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join("testdata", "oracle", "oracle.mjs"), mode)
	cmd.Stdin = bytes.NewReader(b)
	cmd.Stderr = os.Stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle.mjs %s: %v", mode, err)
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatal(err)
	}
}

// compareWithTiktoken encodes texts (valid UTF-8) with both encodings and
// reports every text whose ids differ from tiktoken's, or whose Count
// differs from its Encode.
func compareWithTiktoken(t *testing.T, texts []string) {
	t.Helper()
	var want map[string][][]int
	oracle(t, "encode", texts, &want)
	for _, name := range []string{"o200k_base", "cl100k_base"} {
		e := mustGet(t, name)
		bad := 0
		for k, s := range texts {
			got := e.Encode(s)
			if i := firstDiff(got, want[name][k]); i >= 0 {
				if bad++; bad <= 10 {
					t.Errorf("%s %q: first difference at token %d:\n%s", name, clip(s), i, diffContext(e, got, want[name][k], i))
				}
			}
			if n := e.Count(s); n != len(got) {
				t.Errorf("%s %q: Count %d, Encode %d tokens", name, clip(s), n, len(got))
			}
		}
		t.Logf("%s: %d of %d texts differ from tiktoken", name, bad, len(texts))
	}
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// tricky is the alphabet of TestOracleRandom: the characters and strings on
// which the pre-tokenizer's rules turn.
var tricky = []string{
	"a", "b", "e", "s", "t", "l", "d", "m", "r", "v", "A", "S", "T", "L", "D", "M", "R", "V", "E", "Z",
	"'", "'", "’", "0", "1", "2", "9", " ", " ", " ", "  ", "\t", "\n", "\r\n", "\r", "\n\n",
	".", ",", "!", "?", "/", "//", "-", "_", "(", ")", "{", "}", "\"", "#", "@", "*", "<|endoftext|>",
	"ſ", "K", "é", "É", "e\u0301", "\u0301", "\u0308", "ǅ", "ǈ", "ʰ", "ˆ", "ー", "א", "ا", "中", "文", "日本", "한", "ก", "ั",
	"²", "½", "Ⅻ", "٣", "३", "\u00a0", "\u2028", "\u3000", "\u0085", "\u200b", "\u200d", "\u2009", "\v", "\f",
	"😀", "👨\u200d👩\u200d👧", "🇺🇸", "👍🏽", "\U0001F9D1", "ß", "ﬁ", "Ω", "ω", "Σ", "ς", "İ", "ı", "ǰ", "ꭰ", "Ꭰ",
	"\ufeff", "\ufffd", "\u0000", "\x7f", "\u00ad", "\u1100", "\U00010400", "\U00010428", "\U0001D400", "ℌ", "µ",
	"\u1c89", "\u1c8a", "\U0002EBF0", "\U000116D0", // assigned in Unicode 15.1 and 16.0
}

func TestOracleRandom(t *testing.T) {
	needOracle(t)
	r := rand.New(rand.NewPCG(1, 2))
	texts := make([]string, 50000)
	for k := range texts {
		var b strings.Builder
		for range 1 + r.IntN(30) {
			s := tricky[r.IntN(len(tricky))]
			if r.IntN(8) == 0 {
				s = strings.Repeat(s, 1+r.IntN(12))
			}
			b.WriteString(s)
		}
		texts[k] = b.String()
	}
	compareWithTiktoken(t, texts)
}

// TestOracleLong covers pieces of up to thousands of bytes: the heap merge,
// long runs of one pair (ties), and runs of each kind of piece.
func TestOracleLong(t *testing.T) {
	needOracle(t)
	r := rand.New(rand.NewPCG(3, 4))
	sets := []string{
		"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
		"aA", "a", "ab", " ", " \t", "=-", "=", "中文日本語한국어", "ab中", "é", "x\u0301", "😀👍", "-_*#", "\n", " \n", "0123456789", "ـ",
	}
	var texts []string
	for range 3000 {
		set := []rune(sets[r.IntN(len(sets))])
		var b strings.Builder
		if r.IntN(2) == 0 {
			b.WriteString(" ")
		}
		for range 1 + r.IntN(1500) {
			b.WriteRune(set[r.IntN(len(set))])
		}
		if r.IntN(2) == 0 {
			b.WriteString(" end")
		}
		texts = append(texts, b.String())
	}
	for _, n := range []int{100, 127, 128, 129, 130, 200, 1000, 5000} {
		for _, s := range []string{"a", "ab", " ", "=", "\n", "aab", "ー", "😀"} {
			texts = append(texts, strings.Repeat(s, n), "x"+strings.Repeat(s, n)+"y")
		}
	}
	compareWithTiktoken(t, texts)
}

// TestOracleCodePoints puts every code point of planes 0 to 3 and 14 into
// contexts where each class bit changes the split, which checks the class
// table, and the Unicode version behind it, against tiktoken's regex.
func TestOracleCodePoints(t *testing.T) {
	needOracle(t)
	var texts []string
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if r >= 0xd800 && r < 0xf900 || r >= 0x40000 && r < 0xe0000 || r >= 0xf0000 {
			continue // surrogates, private use, unassigned planes
		}
		s := string(r)
		texts = append(texts, "a"+s+"b "+s+"1 A"+s+" "+s+s+"a ("+s+"x  "+s+" \n"+s+"AB"+s+"'S Ab"+s+"c "+s+"'ll"+s+"\n")
	}
	compareWithTiktoken(t, texts)
}

// TestOracleUTF8 compares validUTF8 with the WHATWG TextDecoder on random
// ill-formed byte strings.
func TestOracleUTF8(t *testing.T) {
	needOracle(t)
	r := rand.New(rand.NewPCG(5, 6))
	pool := []byte{0x41, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff}
	raw := make([]string, 50000)
	in := make([]string, len(raw))
	for k := range raw {
		b := make([]byte, 1+r.IntN(8))
		for i := range b {
			b[i] = pool[r.IntN(len(pool))]
		}
		raw[k], in[k] = string(b), base64.StdEncoding.EncodeToString(b)
	}
	var want []string
	oracle(t, "decode", in, &want)
	bad := 0
	for k, s := range raw {
		w, err := base64.StdEncoding.DecodeString(want[k])
		if err != nil {
			t.Fatal(err)
		}
		if got := validUTF8(s); got != string(w) || !utf8.ValidString(got) {
			if bad++; bad <= 10 {
				t.Errorf("validUTF8(%x) = %x, TextDecoder %x", s, got, w)
			}
		}
	}
	t.Logf("%d of %d byte strings repaired differently from TextDecoder", bad, len(raw))
}
