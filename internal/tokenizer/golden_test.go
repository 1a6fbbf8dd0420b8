package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The golden files hold tiktoken's own token ids for every document of
// testdata/corpus: testdata/golden/<encoding>/<file>.json, written by
// testdata/gen/gen.mjs with the npm tiktoken package (OpenAI's Rust core
// compiled to WASM) calling encode_ordinary on the file's text, decoded
// with a WHATWG TextDecoder. testdata/golden/decoded/<file> holds that text
// for files that are not valid UTF-8.

// corpusFiles lists the corpus documents, sorted.
func corpusFiles(tb testing.TB) []string {
	tb.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", "corpus"))
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		tb.Fatal("testdata/corpus is empty")
	}
	return names
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, file := range corpusFiles(t) {
		raw, err := os.ReadFile(filepath.Join("testdata", "corpus", file))
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		if decoded, err := os.ReadFile(filepath.Join("testdata", "golden", "decoded", file)); err == nil {
			if got := validUTF8(text); got != string(decoded) {
				t.Errorf("%s: repaired UTF-8 differs from TextDecoder's (golden/decoded/%s)", file, file)
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		for _, name := range []string{"o200k_base", "cl100k_base"} {
			t.Run(name+"/"+file, func(t *testing.T) {
				t.Parallel()
				want := readGolden(t, name, file)
				e := mustGet(t, name)
				got := e.Encode(text)
				if i := firstDiff(got, want); i >= 0 {
					t.Errorf("%d tokens, tiktoken %d; first difference at token %d (byte %d):\n%s",
						len(got), len(want), i, len(e.Decode(want[:min(i, len(want))])), diffContext(e, got, want, i))
				}
				if n := e.Count(text); n != len(want) {
					t.Errorf("Count = %d, tiktoken %d", n, len(want))
				}
				if back := string(e.Decode(want)); back != validUTF8(text) {
					t.Errorf("Decode(tiktoken ids) differs from the text")
				}
			})
		}
	}
}

// TestGoldenComplete fails on corpus documents without golden ids, and on
// golden ids of documents no longer in the corpus.
func TestGoldenComplete(t *testing.T) {
	t.Parallel()
	inCorpus := map[string]bool{}
	for _, f := range corpusFiles(t) {
		inCorpus[f] = true
	}
	for _, name := range []string{"o200k_base", "cl100k_base"} {
		seen := map[string]bool{}
		paths, err := filepath.Glob(filepath.Join("testdata", "golden", name, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			f := strings.TrimSuffix(filepath.Base(p), ".json")
			if f == "counts" {
				continue
			}
			seen[f] = true
			if !inCorpus[f] {
				t.Errorf("golden/%s/%s.json: no such corpus document", name, f)
			}
		}
		for f := range inCorpus {
			if !seen[f] {
				t.Errorf("corpus/%s: no golden/%s/%s.json (run testdata/gen)", f, name, f)
			}
		}
	}
}

func readGolden(t *testing.T, encoding, file string) []int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", encoding, file+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	if err := json.Unmarshal(b, &ids); err != nil {
		t.Fatalf("golden/%s/%s.json: %v", encoding, file, err)
	}
	return ids
}

func mustGet(t testing.TB, name string) *Encoding {
	t.Helper()
	e, err := Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// firstDiff returns the first index where a and b differ, or -1.
func firstDiff(a, b []int) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// diffContext shows the tokens around index i of got and want, with their
// text, and the pre-tokenizer's pieces around that point of the text.
func diffContext(e *Encoding, got, want []int, i int) string {
	var b strings.Builder
	show := func(label string, ids []int) {
		fmt.Fprintf(&b, "  %-8s", label)
		for k := max(0, i-3); k < min(len(ids), i+4); k++ {
			mark := ""
			if k == i {
				mark = ">"
			}
			fmt.Fprintf(&b, " %s%d%q", mark, ids[k], e.Decode(ids[k:k+1]))
		}
		b.WriteByte('\n')
	}
	show("got", got)
	show("tiktoken", want)
	text := string(e.Decode(want))
	at := len(e.Decode(want[:min(i, len(want))]))
	var around []string
	for _, p := range e.pieces(text) {
		if p.end >= at-16 && p.start <= at+16 {
			around = append(around, fmt.Sprintf("%q", text[p.start:p.end]))
		}
	}
	fmt.Fprintf(&b, "  pieces   %s\n", strings.Join(around, " "))
	return b.String()
}

type span struct{ start, end int }

// pieces returns the pre-tokenizer's pieces of text, which must be valid UTF-8.
func (e *Encoding) pieces(text string) []span {
	var out []span
	for i := 0; i < len(text); {
		j := e.split(e.cls, text, i)
		out = append(out, span{i, j})
		i = j
	}
	return out
}
