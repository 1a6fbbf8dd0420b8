package tokenizer

import (
	_ "embed" // the vocabularies
	"fmt"
	"math/bits"
)

//go:generate go run ./gen -out vocab

// The vocabularies written by ./gen: for each encoding, its tokens in rank
// order, each as one length byte followed by the token bytes. As strings
// they stay in the binary's read-only data; loading copies none of it.
var (
	//go:embed vocab/cl100k_base.bin
	cl100kData string
	//go:embed vocab/o200k_base.bin
	o200kData string
)

// noRank is the rank of a byte string that is not a token.
const noRank = ^uint32(0)

// vocab maps token bytes to ranks and back. Lookups do not allocate.
//
// The rank → bytes direction needs no copy of the tokens: off indexes into
// the embedded data. The bytes → rank direction is built for the two kinds
// of lookup the tokenizer makes:
//
//   - A whole piece, which is usually a token (" the", "func"): a probe of
//     an open-addressing hash table with linear probing. Slots carry a
//     token's first sixteen bytes and its length, so a hit on a token of up
//     to sixteen bytes (all but one in a thousand of the whole pieces of the
//     golden corpus) compares integers in one slot and never reads the
//     token bytes.
//   - A merge candidate, two adjacent parts of a piece, which is usually
//     not a token: a byte pair is looked up in a direct table (every merge
//     starts with all of its piece's pairs), anything longer first in a
//     blocked Bloom filter, a quarter of a megabyte that stays in cache
//     and turns most misses away before they touch the big table.
//
// The memory-bound part of tokenizing is these lookups; see BenchmarkLookup.
type vocab struct {
	data   string   // the embedded file
	off    []uint32 // off[rank]: start of the token's bytes in data; data[off[rank]-1] is its length
	slots  []slot   // the hash table; n == 0 marks an empty slot
	shift  uint     // 64 - log2(len(slots)): a hash's top bits pick the first slot
	maxLen int      // longest token, in bytes

	filter      []uint64 // Bloom filter of all tokens: two bits of one word each
	filterShift uint     // 64 - log2(len(filter))

	byteRank [256]uint32
	pairRank []uint32 // pairRank[a<<8|b]: rank of the bytes a, b

	memo *memo // merged pieces seen before
}

type slot struct {
	key  uint64 // the token's first eight bytes, little-endian, zero-padded
	key2 uint64 // its next eight bytes, likewise
	n    uint32 // token length
	rank uint32
}

// loadVocab indexes data, the embedded vocabulary of the encoding name,
// with its hash table from alloc (allocSlots; tests use make, which the
// garbage collector can take back).
func loadVocab(name, data string, alloc func(n int) []slot) (*vocab, error) {
	v := &vocab{data: data, memo: new(memo)}
	v.off = make([]uint32, 0, countTokens(data))
	for p := 0; p < len(data); {
		n := int(data[p])
		if n == 0 || p+1+n > len(data) {
			return nil, fmt.Errorf("tokenizer: %s vocabulary corrupt at byte %d", name, p)
		}
		v.off = append(v.off, uint32(p+1))
		v.maxLen = max(v.maxLen, n)
		p += 1 + n
	}

	// Load factor 3/8 to 3/4: for o200k_base, 2¹⁸ slots (6 MiB) at 0.76.
	// Half that load factor makes hits on a cold table a fifth faster, but
	// counting the corpus no faster, at twice the memory.
	size := 1 << bits.Len(uint(len(v.off)))
	v.slots = alloc(size)
	v.shift = uint(64 - bits.TrailingZeros(uint(size)))
	// About ten filter bits per token: 2 to 3% false positives.
	words := 1 << bits.Len(uint(len(v.off)/8))
	v.filter = make([]uint64, words)
	v.filterShift = uint(64 - bits.TrailingZeros(uint(words)))
	v.pairRank = make([]uint32, 1<<16)
	for p := range v.pairRank {
		v.pairRank[p] = noRank
	}
	for r, o := range v.off {
		i, j := int(o), int(o)+int(data[o-1])
		// No check for repeated tokens here: gen refuses them.
		k := key(data, i, j)
		h := hash(data, i, j, k)
		p := h >> v.shift
		for v.slots[p].n != 0 {
			p = (p + 1) & uint64(size-1)
		}
		v.slots[p] = slot{key: k, key2: key2(data, i, j), n: uint32(j - i), rank: uint32(r)}
		v.filter[h>>v.filterShift] |= filterBits(h)
		if j-i == 2 {
			v.pairRank[int(data[i])<<8|int(data[i+1])] = uint32(r)
		}
	}
	for b := range 256 {
		r := v.wholeRank(string([]byte{byte(b)}), 0, 1)
		if r == noRank {
			return nil, fmt.Errorf("tokenizer: %s vocabulary lacks byte %#x", name, b)
		}
		v.byteRank[b] = r
	}
	return v, nil
}

func countTokens(data string) int {
	n := 0
	for p := 0; p < len(data); p += 1 + int(data[p]) {
		n++
	}
	return n
}

// token returns the bytes of the token with rank r, which must be valid.
func (v *vocab) token(r uint32) string {
	o := v.off[r]
	return v.data[o : o+uint32(v.data[o-1])]
}

// wholeRank returns the rank of the string s[i:j], or noRank if it is not a
// token. Like all lookups it may read (but never uses) bytes of s after j.
// piece spells it out, since it needs the hash again for the memo.
func (v *vocab) wholeRank(s string, i, j int) uint32 {
	if j-i > v.maxLen {
		return noRank
	}
	k := key(s, i, j)
	return v.lookup(s, i, j, k, hash(s, i, j, k))
}

// rank returns the rank of the merge candidate s[i:j], at least two bytes,
// or noRank if it is not a token.
func (v *vocab) rank(s string, i, j int) uint32 {
	n := j - i
	if n == 2 {
		return v.pairRank[int(s[i])<<8|int(s[i+1])]
	}
	if n > v.maxLen {
		return noRank
	}
	k := key(s, i, j)
	h := hash(s, i, j, k)
	if f := filterBits(h); v.filter[h>>v.filterShift]&f != f {
		return noRank
	}
	return v.lookup(s, i, j, k, h)
}

// lookup finds s[i:j], whose key and hash are k and h, in the hash table.
func (v *vocab) lookup(s string, i, j int, k, h uint64) uint32 {
	n := j - i
	mask := uint64(len(v.slots) - 1)
	for p := h >> v.shift; ; p = (p + 1) & mask {
		sl := &v.slots[p]
		if sl.key == k && int(sl.n) == n {
			if sl.key2 == key2(s, i, j) {
				if n <= 16 {
					return sl.rank
				}
				o := int(v.off[sl.rank])
				if v.data[o+16:o+n] == s[i+16:j] {
					return sl.rank
				}
			}
		} else if sl.n == 0 {
			return noRank
		}
	}
}

// lookupShort is lookup for a string of at most eight bytes, which its key
// holds whole.
func (v *vocab) lookupShort(k uint64, n int, h uint64) uint32 {
	mask := uint64(len(v.slots) - 1)
	for p := h >> v.shift; ; p = (p + 1) & mask {
		sl := &v.slots[p]
		if sl.key == k && int(sl.n) == n {
			return sl.rank
		}
		if sl.n == 0 {
			return noRank
		}
	}
}

// lookupMid is lookup for a string of nine to sixteen bytes, whose keys are
// k and k2: like a short one, it is matched in its slot alone. (lookupShort
// is this with k2 = 0, but as a call to it the 4 KB count was 2 to 3% slower:
// one more load and compare on every short word.)
func (v *vocab) lookupMid(k, k2 uint64, n int, h uint64) uint32 {
	mask := uint64(len(v.slots) - 1)
	for p := h >> v.shift; ; p = (p + 1) & mask {
		sl := &v.slots[p]
		if sl.key == k && sl.key2 == k2 && int(sl.n) == n {
			return sl.rank
		}
		if sl.n == 0 {
			return noRank
		}
	}
}

// filterBits returns a token's two bits in its Bloom filter word, taken
// from hash bits below those that pick the word.
func filterBits(h uint64) uint64 {
	return 1<<(h>>20&63) | 1<<(h>>26&63)
}

// key returns the first (up to) eight bytes of s[i:j], little-endian and
// zero-padded. With eight bytes available from i it is one load and a mask.
func key(s string, i, j int) uint64 {
	if i+8 <= len(s) {
		return keyOf(le64(s[i:]), j-i)
	}
	return keyTail(s, i, j)
}

// keyOf is the key of a string of n bytes whose first eight bytes, or as
// many as there are followed by others, are x.
func keyOf(x uint64, n int) uint64 {
	return x & (^uint64(0) >> (64 - 8*uint(min(n, 8))))
}

// mix is the hash of a string of n bytes, at most eight, whose key is k.
func mix(k uint64, n int) uint64 {
	return (k ^ uint64(n)<<58 ^ uint64(n)) * 0x9e3779b97f4a7c15
}

// key2 returns bytes eight to sixteen of s[i:j] as key returns the first
// eight, or 0 if there are none. Slots hold them so that a token of up to
// sixteen bytes is matched without reading its bytes, which would be two
// more cache misses (its offset, then its bytes) when, as in a server
// between requests, the table is out of cache.
func key2(s string, i, j int) uint64 {
	if j-i <= 8 {
		return 0
	}
	return key(s, i+8, j)
}

// keyTail is key near the end of s, a byte at a time.
func keyTail(s string, i, j int) uint64 {
	var k uint64
	for p := min(j-i, 8) - 1; p >= 0; p-- {
		k = k<<8 | uint64(s[i+p])
	}
	return k
}

// hash mixes a key with the length and, for longer strings, the bytes past
// the eighth. The result's high bits are the well-mixed ones.
func hash(s string, i, j int, k uint64) uint64 {
	h := mix(k, j-i)
	if j-i > 8 {
		h = hashTail(s, i, j, h)
	}
	return h
}

// hashMid mixes into h the key of the next eight bytes: all of hashTail
// for a string of nine to sixteen bytes, whose bytes past the eighth have
// the key k2.
func hashMid(h, k2 uint64) uint64 {
	h = (h ^ k2) * 0xbf58476d1ce4e5b9
	return h ^ h>>29
}

func hashTail(s string, i, j int, h uint64) uint64 {
	for p := i + 8; p < j; p += 8 {
		h = hashMid(h, key(s, p, j))
	}
	return h
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
