package main

import (
	"slices"
	"time"

	"github.com/keygate/keygate/bench/internal/load"
)

// figures are one target's results in one scenario: medians across rounds,
// and sums for the counts.
type figures struct {
	target string
	rounds int

	rps            float64
	lat50, lat99   time.Duration // send → last body byte
	ttfb50, ttfb99 time.Duration // send → first body byte (streams)

	// added* are this target's figure minus direct's in the same round, then
	// the median across rounds; set only when direct was measured.
	added                bool
	add50, add99         time.Duration
	addTTFB50, addTTFB99 time.Duration

	proxyCPU, mockCPU, genCPU time.Duration // per completed request
	lag99                     time.Duration // load generator dispatch lag

	planned, failed int // summed over rounds
}

// aggregate computes each target's figures for run, in targets' order.
func aggregate(run scenarioRun, targets []string) []figures {
	direct := map[int]sample{}
	for _, s := range run.samples {
		if s.target == targetDirect {
			direct[s.round] = s
		}
	}
	var out []figures
	for _, name := range targets {
		f := figures{target: name}
		var rps []float64
		var lat50, lat99, ttfb50, ttfb99, add50, add99, addT50, addT99, proxy, mock, gen, lag []time.Duration
		for _, s := range run.samples {
			if s.target != name {
				continue
			}
			f.rounds++
			f.planned += s.res.Planned
			f.failed += s.res.Failed
			rps = append(rps, s.res.RPS)
			lat50 = append(lat50, s.res.Latency.P50)
			lat99 = append(lat99, s.res.Latency.P99)
			ttfb50 = append(ttfb50, s.res.TTFB.P50)
			ttfb99 = append(ttfb99, s.res.TTFB.P99)
			proxy = append(proxy, s.perReq(s.proxyCPU))
			mock = append(mock, s.perReq(s.mockCPU))
			gen = append(gen, s.perReq(s.genCPU))
			lag = append(lag, s.res.Lag.P99)
			if d, ok := direct[s.round]; ok {
				add50 = append(add50, s.res.Latency.P50-d.res.Latency.P50)
				add99 = append(add99, s.res.Latency.P99-d.res.Latency.P99)
				addT50 = append(addT50, s.res.TTFB.P50-d.res.TTFB.P50)
				addT99 = append(addT99, s.res.TTFB.P99-d.res.TTFB.P99)
			}
		}
		if f.rounds == 0 {
			continue
		}
		f.rps = median(rps)
		f.lat50, f.lat99 = median(lat50), median(lat99)
		f.ttfb50, f.ttfb99 = median(ttfb50), median(ttfb99)
		f.proxyCPU, f.mockCPU, f.genCPU = median(proxy), median(mock), median(gen)
		f.lag99 = median(lag)
		if len(add50) > 0 {
			f.added = true
			f.add50, f.add99 = median(add50), median(add99)
			f.addTTFB50, f.addTTFB99 = median(addT50), median(addT99)
		}
		out = append(out, f)
	}
	return out
}

// cpuRatio returns the median across rounds of num's proxy CPU per request
// divided by den's in the same round, and whether any round had both.
func cpuRatio(run scenarioRun, num, den string) (float64, bool) {
	ratios := cpuRatios(run, num, den)
	return median(ratios), len(ratios) > 0
}

// cpuRatios returns, in round order, num's proxy CPU per request divided by
// den's in the same round, for every round that measured both.
func cpuRatios(run scenarioRun, num, den string) []float64 {
	byRound := map[int]sample{}
	for _, s := range run.samples {
		if s.target == den {
			byRound[s.round] = s
		}
	}
	var ratios []float64
	for _, s := range run.samples {
		d, ok := byRound[s.round]
		if s.target != num || !ok || d.perReq(d.proxyCPU) == 0 {
			continue
		}
		ratios = append(ratios, float64(s.perReq(s.proxyCPU))/float64(d.perReq(d.proxyCPU)))
	}
	return ratios
}

// median returns the median of xs (the mean of the middle two for an even
// count), or zero for none. xs is not modified.
func median[T ~int64 | ~float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// delta returns the median across rounds of metric(a) − metric(b) within the
// same round, and whether any round measured both targets.
func delta(run scenarioRun, a, b string, metric func(load.Result) time.Duration) (time.Duration, bool) {
	byRound := map[int]sample{}
	for _, s := range run.samples {
		if s.target == b {
			byRound[s.round] = s
		}
	}
	var ds []time.Duration
	for _, s := range run.samples {
		if o, ok := byRound[s.round]; ok && s.target == a {
			ds = append(ds, metric(s.res)-metric(o.res))
		}
	}
	if len(ds) == 0 {
		return 0, false
	}
	return median(ds), true
}
