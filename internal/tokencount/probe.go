//go:build countprobe && linux

package tokencount

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// With the countprobe build tag, keygate measures in the server itself what
// counting a text it has not counted before costs, which a benchmark loop
// cannot show (BENCHMARKS.md, "New text, not a learnt one"). For each such
// text of probeMinLen bytes or more it reads the thread's CPU clock around
// three counts: the one the gateway makes; the same text again, at once
// (warm caches, and branches the CPU has just learnt); and then another
// text of the same words (warm caches, new branches), the words of the
// first long text shuffled. Every probeBatch texts it prints the medians
// to standard error:
//
//	go build -tags countprobe -o /tmp/keygate-probe ./cmd/keygate
//	KEEP=1 bench/countshare.sh /tmp/keygate-probe   # then grep COUNTS in its keygate.log
//
// The two extra counts add to keygate's CPU: shares measured with this
// build are not keygate's. The shuffled texts, made of a request's words,
// stay in memory only, as the tokenizer's memo of pieces does.

const (
	probeMinLen = 1000
	probeBatch  = 3000
	probeOthers = 32 // shuffled texts, used in turn
)

var probe struct {
	once   sync.Once
	others [probeOthers]string
	next   atomic.Uint32

	mu                 sync.Mutex
	first, again, diff []int64
}

func countNew(enc Counter, text string) int {
	if len(text) < probeMinLen {
		return enc.Count(text)
	}
	probe.once.Do(func() {
		words := strings.Fields(text)
		r := rand.New(rand.NewPCG(1, 2))
		for k := range probe.others {
			r.Shuffle(len(words), func(a, b int) { words[a], words[b] = words[b], words[a] })
			probe.others[k] = strings.Join(words, " ")
		}
	})
	other := probe.others[probe.next.Add(1)%probeOthers]
	t0 := threadCPU()
	n := enc.Count(text)
	t1 := threadCPU()
	enc.Count(text)
	t2 := threadCPU()
	enc.Count(other)
	t3 := threadCPU()

	probe.mu.Lock()
	defer probe.mu.Unlock()
	probe.first = append(probe.first, t1-t0)
	probe.again = append(probe.again, t2-t1)
	probe.diff = append(probe.diff, t3-t2)
	if len(probe.first) == probeBatch {
		fmt.Fprintf(os.Stderr, "COUNTS of %d texts, p50 of thread CPU time: the count %.1f µs, the same text again %.1f µs, another text %.1f µs\n",
			probeBatch, median(probe.first), median(probe.again), median(probe.diff))
		probe.first, probe.again, probe.diff = probe.first[:0], probe.again[:0], probe.diff[:0]
	}
	return n
}

func threadCPU() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return ts.Nano()
}

// median sorts ns and returns its middle, in microseconds.
func median(ns []int64) float64 {
	slices.Sort(ns)
	return float64(ns[len(ns)/2]) / 1000
}
