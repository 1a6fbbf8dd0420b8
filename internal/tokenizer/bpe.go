package tokenizer

import "sync"

// Byte-pair merging of one piece, as tiktoken's byte_pair_merge does it:
// start from single bytes and repeatedly merge the adjacent pair whose
// concatenation has the lowest rank, the leftmost on a tie, until no
// adjacent pair is a token. Ranks are unique per byte string, so a tie can
// only be the same pair occurring twice, and leftmost-first decides it.

// smallPiece is the longest piece merged in the fixed arrays of scratch,
// with tiktoken's own O(n²) scan: for short pieces a linear scan of a few
// ranks beats any heap. Longer pieces use a heap (mergeLarge).
const smallPiece = 64

// scratch is the working memory of mergeSmall. Count and Encode keep one on
// their stack and reuse it for every piece.
type scratch struct {
	pos [smallPiece + 1]int32 // part boundaries, from the piece's start: part k is piece[pos[k]:pos[k+1]]
	rk  [smallPiece]uint32    // rk[k]: rank of parts k and k+1 merged
	id  [smallPiece]uint32    // id[k]: rank of part k (Encode only)
}

// piece appends the tokens of s[i:j] to out if ids is set, and returns how
// many there are. s[i:j] is one pre-tokenizer piece.
func (v *vocab) piece(s string, i, j int, sc *scratch, out []int, ids bool) (int, []int) {
	n := j - i
	switch {
	case n == 1:
		if ids {
			out = append(out, int(v.byteRank[s[i]]))
		}
		return 1, out
	case n == 2:
		// Either one token or two bytes: there is nothing else to merge.
		if r := v.pairRank[int(s[i])<<8|int(s[i+1])]; r != noRank {
			if ids {
				out = append(out, int(r))
			}
			return 1, out
		}
		if ids {
			out = append(out, int(v.byteRank[s[i]]), int(v.byteRank[s[i+1]]))
		}
		return 2, out
	case n > v.maxLen:
		return v.merge(s, i, j, sc, out, ids)
	}
	// tiktoken takes a piece that is itself a token as is, without merging.
	var k, h uint64
	r := noRank
	if n <= 8 && i+8 <= len(s) {
		// The common case, without the calls key, hash and lookup cannot
		// inline (lookup also spills its arguments for a byte comparison a
		// short piece never needs): they were a third of the time of a
		// piece that is a token.
		k = keyOf(le64(s[i:]), n)
		h = mix(k, n)
		r = v.lookupShort(k, n, h)
	} else {
		k = key(s, i, j)
		h = hash(s, i, j, k)
		r = v.lookup(s, i, j, k, h)
	}
	if r != noRank {
		if ids {
			out = append(out, int(r))
		}
		return 1, out
	}
	return v.notToken(s, i, j, h, sc, out, ids)
}

// notToken is piece for a piece of at most maxLen bytes that is not a
// token, whose hash is h: its tokens come from the memo or from merging.
func (v *vocab) notToken(s string, i, j int, h uint64, sc *scratch, out []int, ids bool) (int, []int) {
	if j-i > memoMax {
		return v.merge(s, i, j, sc, out, ids)
	}
	got := v.memo.get(h, s[i:j])
	if got == nil {
		var buf [memoMax]int
		_, merged := v.mergeSmall(s, i, j, sc, buf[:0], true)
		v.memo.put(h, s[i:j], merged)
		if ids {
			out = append(out, merged...)
		}
		return len(merged), out
	}
	if ids {
		for _, id := range got {
			out = append(out, int(id))
		}
	}
	return len(got), out
}

// merge merges s[i:j], which is not a token, with the loop sized to it.
func (v *vocab) merge(s string, i, j int, sc *scratch, out []int, ids bool) (int, []int) {
	if j-i > smallPiece {
		return v.mergeLarge(s, i, j, out, ids)
	}
	return v.mergeSmall(s, i, j, sc, out, ids)
}

// mergeSmall merges s[i:j], at most smallPiece bytes and not itself a token,
// with tiktoken's algorithm as it is.
func (v *vocab) mergeSmall(s string, i, j int, sc *scratch, out []int, ids bool) (int, []int) {
	n := j - i
	pos, rk, id := sc.pos[:n+1], sc.rk[:n], sc.id[:n]
	for k := range pos {
		pos[k] = int32(k)
	}
	for k := 0; k < n-1; k++ {
		rk[k] = v.rank(s, i+k, i+k+2)
	}
	if ids {
		for k := range id {
			id[k] = v.byteRank[s[i+k]]
		}
	}
	m := n // parts
	for m > 1 {
		minR, at := noRank, -1
		for k, r := range rk[:m-1] {
			if r < minR {
				minR, at = r, k
			}
		}
		if at < 0 {
			break
		}
		// Merge parts at and at+1: drop boundary at+1.
		copy(pos[at+1:m], pos[at+2:m+1])
		if at+2 < m {
			copy(rk[at+1:m-2], rk[at+2:m-1])
		}
		if ids {
			id[at] = minR
			copy(id[at+1:m-1], id[at+2:m])
		}
		m--
		if m == 2 {
			break // the last pair is the whole piece, which is no token
		}
		if at+1 < m {
			rk[at] = v.rank(s, i+int(pos[at]), i+int(pos[at+2]))
		}
		if at > 0 {
			rk[at-1] = v.rank(s, i+int(pos[at-1]), i+int(pos[at+1]))
		}
	}
	if ids {
		for _, r := range id[:m] {
			out = append(out, int(r))
		}
	}
	return m, out
}

// largeScratch is the working memory of mergeLarge, pooled because long
// pieces are rare but may come in runs (minified code, base64).
type largeScratch struct {
	next []int32  // next[k]: start of the part after part k (relative), n at the end
	prev []int32  // prev[k]: start of the part before part k, -1 for the first
	rk   []uint32 // rk[k]: rank of part k merged with the next; noRank if none or k is gone
	id   []uint32 // id[k]: rank of part k
	heap []uint64 // rank<<32 | part start, a min-heap: lowest rank, then leftmost
}

var largePool = sync.Pool{New: func() any { return new(largeScratch) }}

// mergeLarge merges like mergeSmall in O(n log n) (for pieces shorter than
// 2 GiB, since positions are int32): parts form a linked list
// and candidate merges wait in a heap keyed by (rank, position), which pops
// them in the order tiktoken's scan picks them. A heap entry is stale once
// its left part has gone or merged with something else; rk then differs
// from the entry's rank (a part's next pair only grows, and distinct byte
// strings have distinct ranks), so a mismatch discards it.
func (v *vocab) mergeLarge(s string, i, j int, out []int, ids bool) (int, []int) {
	n := j - i
	ls := largePool.Get().(*largeScratch)
	defer largePool.Put(ls)
	ls.next = grow(ls.next, n)
	ls.prev = grow(ls.prev, n)
	ls.rk = grow(ls.rk, n)
	ls.id = grow(ls.id, n)
	ls.heap = ls.heap[:0]
	next, prev, rk, id := ls.next, ls.prev, ls.rk, ls.id
	for k := range n {
		next[k], prev[k] = int32(k+1), int32(k-1)
		id[k] = v.byteRank[s[i+k]]
		rk[k] = noRank
		if k+2 <= n {
			if r := v.rank(s, i+k, i+k+2); r != noRank {
				rk[k] = r
				ls.heap = append(ls.heap, uint64(r)<<32|uint64(k))
			}
		}
	}
	h := ls.heap
	for k := len(h)/2 - 1; k >= 0; k-- {
		down(h, k)
	}
	m := n
	for len(h) > 0 {
		top := h[0]
		last := len(h) - 1
		h[0] = h[last]
		h = h[:last]
		if last > 0 {
			down(h, 0)
		}
		r, p := uint32(top>>32), int32(top)
		if rk[p] != r {
			continue
		}
		q := next[p] // merge part p with part q
		id[p] = r
		rk[q] = noRank
		next[p] = next[q]
		if next[q] < int32(n) {
			prev[next[q]] = p
		}
		m--
		rk[p] = noRank
		if next[p] < int32(n) {
			if r := v.rank(s, i+int(p), i+int(next[next[p]])); r != noRank {
				rk[p] = r
				h = push(h, uint64(r)<<32|uint64(p))
			}
		}
		if pp := prev[p]; pp >= 0 {
			rk[pp] = v.rank(s, i+int(pp), i+int(next[p]))
			if rk[pp] != noRank {
				h = push(h, uint64(rk[pp])<<32|uint64(pp))
			}
		}
	}
	ls.heap = h
	if ids {
		for k := int32(0); k < int32(n); k = next[k] {
			out = append(out, int(id[k]))
		}
	}
	return m, out
}

func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

func push(h []uint64, x uint64) []uint64 {
	h = append(h, x)
	k := len(h) - 1
	for k > 0 {
		parent := (k - 1) / 2
		if h[parent] <= x {
			break
		}
		h[k] = h[parent]
		k = parent
	}
	h[k] = x
	return h
}

func down(h []uint64, k int) {
	x := h[k]
	for {
		c := 2*k + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && h[c+1] < h[c] {
			c++
		}
		if h[c] >= x {
			break
		}
		h[k] = h[c]
		k = c
	}
	h[k] = x
}
