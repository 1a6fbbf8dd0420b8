package tokenizer

import "sync/atomic"

// memo remembers the tokens of pieces that are not tokens themselves and
// had to be merged: words the vocabulary lacks as a whole (" Kubernetes",
// "Überweisung"). Merging costs a rank lookup per candidate pair, about a
// microsecond for a ten-byte piece, while such pieces come back across
// requests as often as the words do. Hugging Face's tokenizers keep the same
// kind of word cache for the same reason.
//
// It is direct-mapped by the piece's hash (a new piece evicts whichever
// shared its slot) and lock-free: a slot holds a pointer to an immutable
// entry, and a hit compares the whole piece, so a count from the memo is
// always exact. Bounded at memoSlots entries of at most memoMax bytes.
//
// The entries are fragments of request texts, held in memory only: never
// logged, returned or written anywhere, like the request bodies they came
// from.
type memo struct {
	slots [memoSlots]atomic.Pointer[memoEntry]
}

const (
	memoBits  = 15
	memoSlots = 1 << memoBits
	// memoMax is the longest piece remembered: longer ones are mostly
	// identifiers, numbers spelled out and base64, which rarely come back.
	memoMax = 32
)

// memoIDs is the most tokens a remembered piece may have: a piece that
// merges into more (a run of rare bytes) is merged every time.
const memoIDs = 8

// memoEntry is one allocation, the piece and its tokens inline, since a
// text full of new words (a first multilingual request) puts one for each.
type memoEntry struct {
	n, m  uint8 // len(piece), len(ids)
	piece [memoMax]byte
	ids   [memoIDs]uint32
}

// get returns the ids of piece, whose hash is h, or nil.
func (m *memo) get(h uint64, piece string) []uint32 {
	if e := m.slots[h>>(64-memoBits)].Load(); e != nil && string(e.piece[:e.n]) == piece {
		return e.ids[:e.m]
	}
	return nil
}

// put remembers ids as the tokens of piece, at most memoMax bytes, whose
// hash is h, if there are at most memoIDs of them. piece is copied: it
// points into a request body.
func (m *memo) put(h uint64, piece string, ids []int) {
	if len(ids) > memoIDs {
		return
	}
	e := &memoEntry{n: uint8(len(piece)), m: uint8(len(ids))}
	copy(e.piece[:], piece)
	for k, id := range ids {
		e.ids[k] = uint32(id)
	}
	m.slots[h>>(64-memoBits)].Store(e)
}
