package tokenizers

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/keygate/keygate/internal/tokenizer"
	pkoukk "github.com/pkoukk/tiktoken-go"
	loader "github.com/pkoukk/tiktoken-go-loader"
	tiktokengo "github.com/tiktoken-go/tokenizer"
)

// corpusDir is internal/tokenizer's golden corpus, and goldenDir holds
// tiktoken's ids for it.
const (
	corpusDir = "../../internal/tokenizer/testdata/corpus"
	goldenDir = "../../internal/tokenizer/testdata/golden"
)

type doc struct{ name, text string }

var (
	corpusOnce sync.Once
	corpus     []doc
	corpusErr  error
)

func loadCorpus(tb testing.TB) []doc {
	tb.Helper()
	corpusOnce.Do(func() {
		paths, err := filepath.Glob(filepath.Join(corpusDir, "*.txt"))
		if err != nil || len(paths) == 0 {
			corpusErr = err
			if err == nil {
				corpusErr = os.ErrNotExist
			}
			return
		}
		sort.Strings(paths)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				corpusErr = err
				return
			}
			corpus = append(corpus, doc{strings.TrimSuffix(filepath.Base(p), ".txt"), string(b)})
		}
	})
	if corpusErr != nil {
		tb.Fatalf("corpus %s: %v", corpusDir, corpusErr)
	}
	return corpus
}

// A counter counts the tokens of a text with one tokenizer, and an encoder
// returns its ids.
type impl struct {
	name   string
	count  func(string) int
	encode func(string) []int
}

var encodings = []string{"o200k_base", "cl100k_base"}

// impls returns the three tokenizers for an encoding, keygate first.
func impls(tb testing.TB, encoding string) []impl {
	tb.Helper()
	kg, err := tokenizer.Get(encoding)
	if err != nil {
		tb.Fatal(err)
	}
	tg, err := tiktokengo.Get(tiktokengo.Encoding(encoding))
	if err != nil {
		tb.Fatal(err)
	}
	pkoukk.SetBpeLoader(loader.NewOfflineLoader())
	pk, err := pkoukk.GetEncoding(encoding)
	if err != nil {
		tb.Fatal(err)
	}
	return []impl{
		{"keygate", kg.Count, kg.Encode},
		{"tiktoken-go", func(s string) int {
			n, err := tg.Count(s)
			if err != nil {
				panic(err)
			}
			return n
		}, func(s string) []int {
			ids, _, err := tg.Encode(s)
			if err != nil {
				panic(err)
			}
			out := make([]int, len(ids))
			for i, id := range ids {
				out[i] = int(id)
			}
			return out
		}},
		{"pkoukk", func(s string) int { return len(pk.EncodeOrdinary(s)) }, pk.EncodeOrdinary},
	}
}

// BenchmarkCount counts the tokens of every corpus document, one document
// at a time, per iteration; MB/s is corpus bytes per second.
func BenchmarkCount(b *testing.B) {
	docs := loadCorpus(b)
	size := 0
	for _, d := range docs {
		size += len(d.text)
	}
	for _, enc := range encodings {
		for _, im := range impls(b, enc) {
			b.Run(enc+"/"+im.name, func(b *testing.B) {
				b.SetBytes(int64(size))
				b.ReportAllocs()
				tokens := 0
				for b.Loop() {
					tokens = 0
					for _, d := range docs {
						tokens += im.count(d.text)
					}
				}
				b.ReportMetric(float64(tokens), "tokens/op")
			})
		}
	}
}

// BenchmarkCountDoc counts single documents, one of each kind that the
// corpus total mixes: English prose, Go code, and multilingual text (CJK,
// Cyrillic, Arabic, Devanagari...), whose long pieces need many merges.
func BenchmarkCountDoc(b *testing.B) {
	docs := loadCorpus(b)
	for _, enc := range encodings {
		for _, im := range impls(b, enc) {
			for _, d := range docs {
				switch d.name {
				case "gen_prose_english", "gen_code_go", "gen_multilingual":
				default:
					continue
				}
				b.Run(enc+"/"+d.name+"/"+im.name, func(b *testing.B) {
					b.SetBytes(int64(len(d.text)))
					for b.Loop() {
						im.count(d.text)
					}
				})
			}
		}
	}
}

// TestExactness compares each tokenizer's ids with tiktoken's, the golden
// ids of internal/tokenizer (testdata/golden/<encoding>/<file>.json), on
// every corpus document. keygate must match; a port that differs is wrong
// on that document, which is reported, not failed.
func TestExactness(t *testing.T) {
	docs := loadCorpus(t)
	for _, enc := range encodings {
		for _, im := range impls(t, enc) {
			bad := 0
			for _, d := range docs {
				want := golden(t, enc, d.name)
				got := im.encode(d.text)
				if i := firstDiff(got, want); i >= 0 {
					bad++
					msg := fmt.Sprintf("%s %s: %s: %d tokens, tiktoken %d; first difference at token %d: %v, tiktoken %v",
						enc, im.name, d.name, len(got), len(want), i, window(got, i), window(want, i))
					if im.name == "keygate" {
						t.Error(msg)
					} else {
						t.Log(msg)
					}
				}
			}
			t.Logf("%s %s: %d of %d documents differ from tiktoken", enc, im.name, bad, len(docs))
		}
	}
}

func golden(t *testing.T, encoding, doc string) []int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, encoding, doc+".txt.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	if err := json.Unmarshal(b, &ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

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

func window(ids []int, i int) []int {
	return ids[max(0, i-2):min(len(ids), i+3)]
}
