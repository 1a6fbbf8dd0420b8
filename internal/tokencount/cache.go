package tokencount

import (
	"sync"

	"github.com/cespare/xxhash/v2"
)

// Cache remembers the token counts of long texts, for texts that come back:
// a chat sends its whole history again on every turn, and apps repeat their
// system prompts and tool definitions. Hashing a text costs a small
// fraction of tokenizing it. A Cache is bounded (each shard forgets
// everything when full) and safe for concurrent use.
type Cache struct {
	enc    Counter
	shards [cacheShards]cacheShard
}

const (
	cacheShards = 16
	shardSize   = 4096 // entries per shard: 64K texts, about 1.5 MB
	// cacheMinLen is the shortest text worth caching: below it, counting
	// costs little more than hashing and a lookup.
	cacheMinLen = 128
)

type cacheShard struct {
	mu sync.Mutex
	m  map[cacheKey]int32
}

// cacheKey pairs the hash with the length, so that a 64-bit collision
// would also need texts of the same length.
type cacheKey struct {
	hash uint64
	n    int
}

// NewCache returns a cache of enc's counts.
func NewCache(enc Counter) *Cache {
	c := &Cache{enc: enc}
	for i := range c.shards {
		c.shards[i].m = make(map[cacheKey]int32)
	}
	return c
}

// Count returns enc's count of text.
func (c *Cache) Count(text string) int {
	if len(text) < cacheMinLen {
		return c.enc.Count(text)
	}
	k := cacheKey{xxhash.Sum64String(text), len(text)}
	s := &c.shards[k.hash%cacheShards]
	s.mu.Lock()
	n, ok := s.m[k]
	s.mu.Unlock()
	if ok {
		return int(n)
	}
	count := countNew(c.enc, text)
	s.mu.Lock()
	if len(s.m) >= shardSize {
		clear(s.m)
	}
	s.m[k] = int32(count)
	s.mu.Unlock()
	return count
}
