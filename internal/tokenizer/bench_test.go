package tokenizer

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// corpusDocs reads the golden corpus, sorted by name.
func corpusDocs(tb testing.TB) (names, texts []string) {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Skip("no corpus in testdata/corpus")
	}
	sort.Strings(paths)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".txt"))
		texts = append(texts, string(b))
	}
	return names, texts
}

// BenchmarkCount counts the tokens of the whole corpus, one document at a
// time, per iteration.
func BenchmarkCount(b *testing.B) {
	benchCorpus(b, (*Encoding).Count)
}

// BenchmarkCountDoc counts each corpus document separately, to find the
// kinds of text that are slow.
func BenchmarkCountDoc(b *testing.B) {
	names, texts := corpusDocs(b)
	for _, enc := range []string{"o200k_base", "cl100k_base"} {
		e, err := Get(enc)
		if err != nil {
			b.Fatal(err)
		}
		for i, t := range texts {
			b.Run(enc+"/"+names[i], func(b *testing.B) {
				b.SetBytes(int64(len(t)))
				for b.Loop() {
					e.Count(t)
				}
			})
		}
	}
}

// BenchmarkEncode is BenchmarkCount building the ids.
func BenchmarkEncode(b *testing.B) {
	benchCorpus(b, func(e *Encoding, t string) int { return len(e.Encode(t)) })
}

// benchCorpus runs tokens on every corpus document, in each encoding, per
// iteration, and reports the corpus's tokens.
func benchCorpus(b *testing.B, tokens func(e *Encoding, text string) int) {
	_, texts := corpusDocs(b)
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	for _, name := range []string{"o200k_base", "cl100k_base"} {
		e := mustGet(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n = 0
				for _, t := range texts {
					n += tokens(e, t)
				}
			}
			b.ReportMetric(float64(n), "tokens/op")
		})
	}
}

// BenchmarkLoad measures what the first Get of an encoding costs: indexing
// the embedded vocabulary, in time and in heap bytes kept (heap-B; the
// vocabulary bytes themselves stay in the binary's read-only data and are
// not counted).
func BenchmarkLoad(b *testing.B) {
	loadClasses()
	for _, enc := range []*Encoding{o200kBase, cl100kBase} {
		b.Run(enc.name, func(b *testing.B) {
			var kept uint64
			var took time.Duration
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				start := time.Now()
				// make, not allocSlots: a table mapped on every iteration would
				// never be unmapped, and the heap figure counts the table.
				v, err := loadVocab(enc.name, enc.data, func(n int) []slot { return make([]slot, n) })
				took += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				kept = after.HeapAlloc - before.HeapAlloc
				runtime.KeepAlive(v)
			}
			b.ReportMetric(float64(took.Microseconds())/1000/float64(b.N), "ms/load")
			b.ReportMetric(float64(kept), "heap-B")
		})
	}
	b.Run("classes", func(b *testing.B) {
		for b.Loop() {
			buildClasses()
		}
	})
}

// BenchmarkLookup measures the rank lookups that dominate tokenizing: hits
// on whole pieces (every 7th token, so the table does not fit in cache) and
// misses on merge candidates (two tokens joined that are no token).
func BenchmarkLookup(b *testing.B) {
	e, err := Get("o200k_base")
	if err != nil {
		b.Fatal(err)
	}
	v := e.v
	var hits, misses []string
	for r := uint32(0); r < uint32(len(v.off)); r += 7 {
		hits = append(hits, v.token(r))
	}
	for r := uint32(0); len(misses) < len(hits); r += 13 {
		s := v.token(r%uint32(len(v.off))) + v.token(r*7%uint32(len(v.off)))
		if len(s) > 2 && v.wholeRank(s, 0, len(s)) == noRank {
			misses = append(misses, s)
		}
	}
	b.Run("hit", func(b *testing.B) {
		for b.Loop() {
			for _, s := range hits {
				if v.wholeRank(s, 0, len(s)) == noRank {
					b.Fatal("miss")
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(hits)), "ns/lookup")
	})
	b.Run("miss", func(b *testing.B) {
		fp := 0
		for b.Loop() {
			fp = 0
			for _, s := range misses {
				k := key(s, 0, len(s))
				h := hash(s, 0, len(s), k)
				if f := filterBits(h); v.filter[h>>v.filterShift]&f == f {
					fp++
				}
				if v.rank(s, 0, len(s)) != noRank {
					b.Fatal("hit")
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(misses)), "ns/lookup")
		b.ReportMetric(100*float64(fp)/float64(len(misses)), "%filter-fp")
	})
}

// BenchmarkMemo counts English prose and multilingual text with the memo of
// merged pieces as a server has it (warm: the words were seen before) and
// emptied before every count (cold: every word is new to the process, the
// worst case).
func BenchmarkMemo(b *testing.B) {
	names, texts := corpusDocs(b)
	e := mustGet(b, "o200k_base")
	for i, name := range names {
		if name != "gen_prose_english" && name != "gen_multilingual" {
			continue
		}
		for _, mode := range []string{"warm", "cold"} {
			b.Run(name+"/"+mode, func(b *testing.B) {
				b.SetBytes(int64(len(texts[i])))
				e.Count(texts[i])
				for b.Loop() {
					if mode == "cold" {
						b.StopTimer()
						e.v.memo = new(memo)
						b.StartTimer()
					}
					e.Count(texts[i])
				}
			})
		}
	}
}
