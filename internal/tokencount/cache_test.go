package tokencount

import (
	"strings"
	"sync"
	"testing"
)

// countingCounter counts words and how often it was asked.
type countingCounter struct {
	mu    sync.Mutex
	calls int
}

func (c *countingCounter) Count(s string) int {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return len(strings.Fields(s))
}

func TestCache(t *testing.T) {
	t.Parallel()
	inner := &countingCounter{}
	c := NewCache(inner)
	long := strings.Repeat("word ", 100)
	for range 3 {
		if got := c.Count(long); got != 100 {
			t.Fatalf("Count = %d", got)
		}
		if got := c.Count("short text"); got != 2 {
			t.Fatalf("Count(short) = %d", got)
		}
	}
	// The long text was counted once; short ones every time.
	if inner.calls != 1+3 {
		t.Fatalf("%d calls to the counter, want 4", inner.calls)
	}
	// Filling the cache past its bound forgets, and stays correct.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range cacheShards * shardSize / 2 {
				s := strings.Repeat("x ", 70) + strings.Repeat("y ", (i*4+g)%50)
				if got, want := c.Count(s), 70+(i*4+g)%50; got != want {
					t.Errorf("Count = %d, want %d", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	for i := range c.shards {
		if n := len(c.shards[i].m); n > shardSize {
			t.Fatalf("shard %d holds %d entries", i, n)
		}
	}
}
