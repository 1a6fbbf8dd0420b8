package tokenizer

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestGet(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"o200k_base", "cl100k_base"} {
		a, err := Get(name)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Get(name)
		if a != b || a.Name() != name {
			t.Errorf("Get(%q): %p %q, again %p", name, a, a.Name(), b)
		}
	}
	_, err := Get("p50k_base")
	if err == nil || !strings.Contains(err.Error(), "o200k_base") || !strings.Contains(err.Error(), "cl100k_base") {
		t.Errorf("Get(p50k_base) error %v, want one naming the valid encodings", err)
	}
}

func TestForModel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model, encoding string
		known           bool
	}{
		{"gpt-4o", "o200k_base", true},
		{"gpt-4o-mini-2024-07-18", "o200k_base", true},
		{"openai/gpt-4o", "o200k_base", true},
		{"gpt-4.1-nano", "o200k_base", true},
		{"gpt-4.5-preview", "o200k_base", true},
		{"gpt-5", "o200k_base", true},
		{"gpt-5-mini", "o200k_base", true},
		{"o1", "o200k_base", true},
		{"o1-preview", "o200k_base", true},
		{"o3-mini", "o200k_base", true},
		{"o4-mini", "o200k_base", true},
		{"chatgpt-4o-latest", "o200k_base", true},
		{"gpt-4", "cl100k_base", true},
		{"gpt-4-0613", "cl100k_base", true},
		{"gpt-4-turbo", "cl100k_base", true},
		{"gpt-4-32k", "cl100k_base", true},
		{"gpt-3.5-turbo", "cl100k_base", true},
		{"gpt-3.5-turbo-16k", "cl100k_base", true},
		{"gpt-35-turbo", "cl100k_base", true},
		{"azure/gpt-35-turbo", "cl100k_base", true},
		{"text-embedding-3-small", "cl100k_base", true},
		{"text-embedding-3-large", "cl100k_base", true},
		{"text-embedding-ada-002", "cl100k_base", true},
		{"ft:gpt-4o-mini-2024-07-18:acme::abc123", "o200k_base", true},
		{"ft:gpt-3.5-turbo-0125:acme::abc123", "cl100k_base", true},
		{"claude-3-5-sonnet", "o200k_base", false},
		{"", "o200k_base", false},
		{"gpt-3", "o200k_base", false},
		{"o2", "o200k_base", false},
	}
	for _, tt := range tests {
		e, known := ForModel(tt.model)
		if e.Name() != tt.encoding || known != tt.known {
			t.Errorf("ForModel(%q) = %s, %v; want %s, %v", tt.model, e.Name(), known, tt.encoding, tt.known)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		encoding, text string
		want           []int
	}{
		// From tiktoken.
		{"o200k_base", "hello world", []int{24912, 2375}},
		{"cl100k_base", "hello world", []int{15339, 1917}},
		{"o200k_base", "<|endoftext|>", []int{27, 91, 419, 1440, 919, 91, 29}},
		{"cl100k_base", "<|endoftext|>", []int{27, 91, 8862, 728, 428, 91, 29}},
		{"o200k_base", "", nil},
	}
	for _, tt := range tests {
		e := mustGet(t, tt.encoding)
		got := e.Encode(tt.text)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s Encode(%q) = %v, want %v", tt.encoding, tt.text, got, tt.want)
		}
		if n := e.Count(tt.text); n != len(tt.want) {
			t.Errorf("%s Count(%q) = %d, want %d", tt.encoding, tt.text, n, len(tt.want))
		}
		if back := string(e.Decode(got)); back != tt.text {
			t.Errorf("%s Decode(Encode(%q)) = %q", tt.encoding, tt.text, back)
		}
	}
}

func TestDecodeSpecial(t *testing.T) {
	t.Parallel()
	o := mustGet(t, "o200k_base")
	if got := string(o.Decode([]int{24912, 199999, 200018, 2375})); got != "hello<|endoftext|><|endofprompt|> world" {
		t.Errorf("o200k Decode = %q", got)
	}
	c := mustGet(t, "cl100k_base")
	if got := string(c.Decode([]int{100257, 15339, 100276})); got != "<|endoftext|>hello<|endofprompt|>" {
		t.Errorf("cl100k Decode = %q", got)
	}
	// Ids that are no token at all are skipped.
	if got := string(c.Decode([]int{-1, 15339, 100256, 100261, math.MaxInt})); got != "hello" {
		t.Errorf("Decode of unknown ids = %q, want %q", got, "hello")
	}
}

func TestValidUTF8(t *testing.T) {
	t.Parallel()
	const fffd = "\uFFFD"
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain ascii", "plain ascii"},
		{"héllo 世界 😀", "héllo 世界 😀"},
		{"a\x80b", "a" + fffd + "b"},                    // stray continuation byte
		{"a\xffb", "a" + fffd + "b"},                    // never valid
		{"\xe2\x82", fffd},                              // truncated €: one maximal subpart
		{"\xe2\x82a", fffd + "a"},                       // truncated, then ASCII
		{"\xe2\x82\xe2\x82\xac", fffd + "€"},            // truncated, then the whole €
		{"\xf0\x9f\x98", fffd},                          // truncated 😀
		{"\xc0\xaf", fffd + fffd},                       // overlong: C0 never starts a sequence
		{"\xe0\x80\xaf", fffd + fffd + fffd},            // overlong: E0 needs A0..BF next
		{"\xed\xa0\x80", fffd + fffd + fffd},            // surrogate D800
		{"\xf4\x90\x80\x80", fffd + fffd + fffd + fffd}, // beyond U+10FFFF
		{"\xf5\x80", fffd + fffd},
		{"x\xc3", "x" + fffd}, // truncated at the end
	}
	for _, tt := range tests {
		if got := validUTF8(tt.in); got != tt.want {
			t.Errorf("validUTF8(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Encode treats the repaired text as its input.
	e := mustGet(t, "o200k_base")
	if got, want := e.Encode("a\xe2\x82b"), e.Encode("a"+fffd+"b"); !slices.Equal(got, want) {
		t.Errorf("Encode of invalid UTF-8 = %v, want %v", got, want)
	}
}

// TestLongPieces checks both merge loops against a transcription of
// tiktoken's byte_pair_merge, on pieces up to three times smallPiece built
// so that ties (repeated pairs) and long merge chains happen.
func TestLongPieces(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"o200k_base", "cl100k_base"} {
		e := mustGet(t, name)
		for _, unit := range []string{"a", "ab", "aab", " ", "=", "的", "😀", "xyz", "Zq"} {
			for n := 1; n <= 3*smallPiece; n++ {
				s := strings.Repeat(unit, n)
				if len(s) > 3*smallPiece {
					break
				}
				for _, p := range e.pieces(s) {
					want := referenceMerge(e.v, s, p.start, p.end)
					_, large := e.v.mergeLarge(s, p.start, p.end, nil, true)
					if !slices.Equal(large, want) {
						t.Fatalf("%s %q×%d: heap merge %v, want %v", name, unit, n, large, want)
					}
					if p.end-p.start <= smallPiece && e.v.wholeRank(s, p.start, p.end) == noRank {
						var sc scratch
						_, small := e.v.mergeSmall(s, p.start, p.end, &sc, nil, true)
						if !slices.Equal(small, want) {
							t.Fatalf("%s %q×%d: scan merge %v, want %v", name, unit, n, small, want)
						}
					}
				}
			}
		}
	}
}

// referenceMerge is tiktoken's byte_pair_merge written plainly: parts in a
// slice, the leftmost lowest-ranked pair merged until none is a token.
func referenceMerge(v *vocab, s string, i, j int) []int {
	type part struct {
		start int
		rank  uint32
	}
	parts := make([]part, 0, j-i+1)
	for k := i; k <= j; k++ {
		parts = append(parts, part{k, noRank})
	}
	pairRank := func(k int) uint32 {
		if k+2 < len(parts) {
			return v.rank(s, parts[k].start, parts[k+2].start)
		}
		return noRank
	}
	for k := range parts {
		parts[k].rank = pairRank(k)
	}
	for {
		at := -1
		for k := 0; k+1 < len(parts); k++ {
			if parts[k].rank != noRank && (at < 0 || parts[k].rank < parts[at].rank) {
				at = k
			}
		}
		if at < 0 {
			break
		}
		parts = slices.Delete(parts, at+1, at+2)
		parts[at].rank = pairRank(at)
		if at > 0 {
			parts[at-1].rank = pairRank(at - 1)
		}
	}
	var ids []int
	for k := 0; k+1 < len(parts); k++ {
		ids = append(ids, int(v.rank(s, parts[k].start, parts[k+1].start)))
	}
	return ids
}

// TestCountDoesNotAllocate: counting valid UTF-8 needs no heap memory once
// the pieces that must be merged are in the memo (AllocsPerRun counts a
// first run apart).
func TestCountDoesNotAllocate(t *testing.T) {
	e := mustGet(t, "o200k_base")
	text := "The quick brown fox jumps over the lazy dog. Ünïcödé, 中文, 😀!\n\tfunc main() { return 12345 }\n"
	if n := testing.AllocsPerRun(100, func() { e.Count(text) }); n != 0 {
		t.Errorf("Count allocates %v times", n)
	}
}

// TestMemo checks that the memo answers a merged piece with what merging
// gives, and never answers for another piece that shares its slot.
func TestMemo(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"o200k_base", "cl100k_base"} {
		e := mustGet(t, name)
		text := " Überweisungsträger Kubernetes' xylophonists 数据库连接池"
		first := e.Encode(text)
		for _, p := range e.pieces(text) {
			n := p.end - p.start
			if n <= 2 || n > memoMax || e.v.wholeRank(text, p.start, p.end) != noRank {
				continue
			}
			k := key(text, p.start, p.end)
			got := e.v.memo.get(hash(text, p.start, p.end, k), text[p.start:p.end])
			want := referenceMerge(e.v, text, p.start, p.end)
			if len(got) != len(want) {
				t.Fatalf("%s: memo of %q = %v, want %v", name, text[p.start:p.end], got, want)
			}
			for k := range got {
				if int(got[k]) != want[k] {
					t.Fatalf("%s: memo of %q = %v, want %v", name, text[p.start:p.end], got, want)
				}
			}
		}
		if again := e.Encode(text); !slices.Equal(again, first) {
			t.Errorf("%s: Encode from the memo = %v, want %v", name, again, first)
		}
	}

	var m memo
	m.put(42, "abc", []int{1, 2})
	if got := m.get(42, "abd"); got != nil {
		t.Errorf("get of another piece in the same slot = %v, want nil", got)
	}
	m.put(42, "xyz", []int{3})
	if got := m.get(42, "abc"); got != nil {
		t.Errorf("get of an evicted piece = %v, want nil", got)
	}
	if got := m.get(42, "xyz"); !slices.Equal(got, []uint32{3}) {
		t.Errorf("get = %v, want [3]", got)
	}
}

// TestConcurrent runs Get and Count from many goroutines; with -race it
// checks that an Encoding is safe for concurrent use.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	_, texts := corpusDocs(t)
	want := map[string][]int{}
	for _, name := range []string{"o200k_base", "cl100k_base"} {
		e := mustGet(t, name)
		for _, s := range texts {
			want[name] = append(want[name], e.Count(s))
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			name := []string{"o200k_base", "cl100k_base"}[g%2]
			e, err := Get(name)
			if err != nil {
				t.Error(err)
				return
			}
			for k, s := range texts {
				if n := e.Count(s); n != want[name][k] {
					t.Errorf("%s: concurrent Count = %d, want %d", name, n, want[name][k])
				}
			}
		})
	}
	wg.Wait()
}

// FuzzRoundTrip checks that Decode inverts Encode and that Count agrees
// with Encode, for both encodings.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "hello world", "don't HELLO'S", "  \n\n  x", "1234567", "👨\u200d👩\u200d👧", "a\xe2\x82b", "e\u0301"} {
		f.Add(s)
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		// Seeds of a few hundred bytes keep the fuzzer's mutations local.
		for k := 0; k < len(b); k += 4096 {
			f.Add(string(b[k:min(len(b), k+512)]))
		}
	}
	encs := []*Encoding{mustGet(f, "o200k_base"), mustGet(f, "cl100k_base")}
	f.Fuzz(func(t *testing.T, s string) {
		for _, e := range encs {
			ids := e.Encode(s)
			back := string(e.Decode(ids))
			want := s
			if !utf8.ValidString(s) {
				want = validUTF8(s)
			}
			if back != want {
				t.Fatalf("%s: Decode(Encode(%q)) = %q", e.name, s, back)
			}
			if n := e.Count(s); n != len(ids) {
				t.Fatalf("%s: Count(%q) = %d, len(Encode) = %d", e.name, s, n, len(ids))
			}
		}
	})
}
