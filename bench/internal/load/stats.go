package load

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Percentiles summarizes a set of durations. Durations marshal as nanoseconds.
type Percentiles struct {
	N   int           `json:"n"`
	P50 time.Duration `json:"p50"`
	P90 time.Duration `json:"p90"`
	P99 time.Duration `json:"p99"`
	Max time.Duration `json:"max"`
}

// Summarize sorts d in place and returns its percentiles.
func Summarize(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	slices.Sort(d)
	return Percentiles{
		N:   len(d),
		P50: Percentile(d, 50),
		P90: Percentile(d, 90),
		P99: Percentile(d, 99),
		Max: d[len(d)-1],
	}
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the
// nearest-rank method: the smallest value that at least p% of values are less
// than or equal to. It returns 0 for an empty slice.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	n := len(sorted)
	// rank = ⌈p/100 × n⌉; the epsilon keeps exact ranks (p=50, n=10 → 5) from
	// rounding up through floating-point error.
	rank := int(math.Ceil(p*float64(n)/100 - 1e-9))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// summarize turns the per-request records into a Result.
func summarize(planned, sent int, rate float64, sched func(int) time.Time, rec *records, workers []*worker) Result {
	res := Result{Planned: planned, Sent: sent}
	lat := make([]time.Duration, 0, sent)
	ttfb := make([]time.Duration, 0, sent)
	var first, last time.Time
	for i := range sent {
		start := sched(i).Add(rec.lag[i])
		if first.IsZero() || start.Before(first) {
			first = start
		}
		if start.After(last) {
			last = start
		}
		if !rec.ok[i] {
			continue
		}
		lat = append(lat, rec.latency[i])
		if rec.ttfb[i] > 0 {
			ttfb = append(ttfb, rec.ttfb[i])
		}
	}
	res.OK = len(lat)
	res.Failed = sent - res.OK
	res.Latency = Summarize(lat)
	res.TTFB = Summarize(ttfb)
	res.Lag = Summarize(rec.lag[:sent]) // sorts in place: the last use of rec.lag
	if sent > 0 {
		res.Window = last.Sub(first) + time.Duration(float64(time.Second)/rate)
		res.RPS = float64(res.OK) / res.Window.Seconds()
	}

	byKind := map[string]*Failure{}
	for _, w := range workers {
		for k, f := range w.failures {
			if g, ok := byKind[k]; ok {
				g.Count += f.Count
			} else {
				c := *f
				byKind[k] = &c
			}
		}
	}
	if missing := planned - sent; missing > 0 {
		byKind["not sent: run cancelled"] = &Failure{Kind: "not sent: run cancelled", Count: missing}
		res.Failed += missing
	}
	for _, f := range byKind {
		res.Failures = append(res.Failures, *f)
	}
	slices.SortFunc(res.Failures, func(a, b Failure) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Kind, b.Kind))
	})
	return res
}
