// Package tokenizer counts and encodes tokens exactly as OpenAI's tiktoken
// does for the o200k_base and cl100k_base byte-pair encodings.
//
// Exactness is checked against token ids from tiktoken (golden_test.go);
// speed comes from a hand-written pre-tokenizer in place of the regular
// expression (pretokenize.go) with byte-wise fast paths for ASCII
// (ascii.go), a rank table laid out for a server's cold cache (vocab.go),
// a memo of the pieces that need merging (memo.go) and a merge loop sized
// to the piece (bpe.go). The vocabularies are embedded.
//
// Text is encoded as ordinary text: special-token text like <|endoftext|>
// becomes the tokens of its characters, as tiktoken's encode_ordinary does.
// Invalid UTF-8 is first repaired as Python's decode(errors="replace") and
// the WHATWG TextDecoder repair it (see validUTF8), since tiktoken only
// takes valid strings.
package tokenizer

import (
	"fmt"
	"sync"
)

// Encoding is a byte-pair encoding such as o200k_base. Safe for concurrent use.
type Encoding struct {
	name    string
	data    string         // the embedded vocabulary
	special map[int]string // special tokens, for Decode
	o200k   bool           // which pre-tokenizer

	once    sync.Once
	v       *vocab
	cls     *classTable
	loadErr error
}

// The encodings, each loaded on first Get.
var (
	o200kBase = &Encoding{
		name:    "o200k_base",
		data:    o200kData,
		o200k:   true,
		special: map[int]string{199999: "<|endoftext|>", 200018: "<|endofprompt|>"},
	}
	cl100kBase = &Encoding{
		name: "cl100k_base",
		data: cl100kData,
		special: map[int]string{
			100257: "<|endoftext|>",
			100258: "<|fim_prefix|>",
			100259: "<|fim_middle|>",
			100260: "<|fim_suffix|>",
			100276: "<|endofprompt|>",
		},
	}
)

// Get returns the named encoding, "o200k_base" or "cl100k_base". The first
// Get of an encoding indexes its embedded vocabulary, which takes tens of
// milliseconds and keeps about 8 MB for o200k_base, 4 MB for cl100k_base
// (BenchmarkLoad, BENCHMARKS.md); later calls return the same *Encoding.
func Get(name string) (*Encoding, error) {
	var e *Encoding
	switch name {
	case "o200k_base":
		e = o200kBase
	case "cl100k_base":
		e = cl100kBase
	default:
		return nil, fmt.Errorf("tokenizer: unknown encoding %q (valid: o200k_base, cl100k_base)", name)
	}
	e.once.Do(func() {
		e.cls = loadClasses()
		e.v, e.loadErr = loadVocab(e.name, e.data, allocSlots)
	})
	if e.loadErr != nil {
		return nil, e.loadErr
	}
	return e, nil
}

// Name returns the encoding's name, e.g. "o200k_base".
func (e *Encoding) Name() string { return e.name }

// Encode returns the token ids of text. Special-token text such as
// <|endoftext|> is encoded as plain text.
func (e *Encoding) Encode(text string) []int {
	text = validUTF8(text)
	out := make([]int, 0, len(text)/4+1)
	var sc scratch
	_, out = e.run(text, &sc, out, true)
	return out
}

// Count returns len(e.Encode(text)) without building the id slice.
func (e *Encoding) Count(text string) int {
	text = validUTF8(text)
	var sc scratch
	n, _ := e.run(text, &sc, nil, false)
	return n
}

// run splits text into pieces and merges each, appending ids to out if ids
// is set. It returns the number of tokens.
func (e *Encoding) run(text string, sc *scratch, out []int, ids bool) (int, []int) {
	n := 0
	v, t := e.v, e.cls
	for i := 0; i < len(text); {
		// The commonest pieces of prose, split without the state machine
		// and, for words, looked up from the same loads. The last fifteen
		// bytes of a text are left to the state machine: loading them
		// zero-padded instead made the 4 KB count 2 to 6% slower, for a
		// gain on a 200-byte body within noise.
		if text[i] == ' ' && i+16 <= len(text) {
			x, y := le64(text[i:]), le64(text[i+8:])
			if w := spaceWord(x, y); w != 0 {
				j := i + w
				var r uint32
				var h uint64
				if w <= 8 {
					k := keyOf(x, w)
					h = mix(k, w)
					r = v.lookupShort(k, w, h)
				} else {
					k2 := keyOf(y, w-8)
					h = hashMid(mix(x, w), k2)
					r = v.lookupMid(x, k2, w, h)
				}
				// The end of piece, inline: as a shared function that
				// cannot inline it made the 4 KB count 6% slower.
				if r != noRank {
					if ids {
						out = append(out, int(r))
					}
					n++
					i = j
					continue
				}
				var c int
				c, out = v.notToken(text, i, j, h, sc, out, ids)
				n += c
				i = j
				continue
			}
		}
		if t.punctSpace(text, i) {
			if ids {
				out = append(out, int(v.byteRank[text[i]]))
			}
			n++
			i++
			continue
		}
		j := e.split(t, text, i)
		var c int
		c, out = v.piece(text, i, j, sc, out, ids)
		n += c
		i = j
	}
	return n, out
}

// split returns the end of the piece at text[i], by the fast path where it
// answers.
func (e *Encoding) split(t *classTable, text string, i int) int {
	if e.o200k {
		if j := t.asciiO200k(text, i); j != 0 {
			return j
		}
		return t.nextO200k(text, i)
	}
	if j := t.asciiCL100k(text, i); j != 0 {
		return j
	}
	return t.nextCL100k(text, i)
}

// Decode returns the bytes of the tokens ids: their concatenation, which
// for the ids of Encode(text) is text (after any repair of invalid UTF-8).
// Special tokens decode to their text, e.g. "<|endoftext|>"; ids that are
// neither ordinary nor special tokens of e contribute nothing.
func (e *Encoding) Decode(ids []int) []byte {
	v := e.v
	size := 0
	for _, id := range ids {
		if id >= 0 && id < len(v.off) {
			size += int(v.data[v.off[id]-1])
		} else {
			size += len(e.special[id])
		}
	}
	out := make([]byte, 0, size)
	for _, id := range ids {
		switch {
		case id >= 0 && id < len(v.off):
			out = append(out, v.token(uint32(id))...)
		default:
			out = append(out, e.special[id]...)
		}
	}
	return out
}
