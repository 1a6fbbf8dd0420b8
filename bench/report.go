package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/keygate/keygate/bench/internal/load"
)

// DESIGN.md §4 targets the report checks.
const (
	maxCPURatio      = 1.5
	maxAddedP99      = time.Millisecond
	maxAddedTTFBP99  = time.Millisecond
	lowRateThreshold = 0.95 // achieved/offered below this is called out

	// Counting a 4 KB prompt adds under 5% to keygate's CPU per request: the
	// check applies to non-streaming runs whose body is within 10% of 4 KB.
	maxCountShare    = 0.05
	countTargetBytes = 4096
)

// targetTitle names targets in the report.
var targetTitle = map[string]string{
	targetDirect:  "direct to mock",
	targetBare:    "bare ReverseProxy",
	targetKeygate: "keygate",
	// The same keygate with a deployment tpm: it counts every prompt.
	targetKeygateCount: "keygate counting prompts",
}

// writeReport writes the Markdown report and returns how many measured or
// warm-up requests failed.
func writeReport(w io.Writer, m machine, o options, runs []scenarioRun) int {
	measured, failed, warmFailed := 0, 0, 0
	for _, r := range runs {
		for _, s := range r.samples {
			measured += s.res.Planned
			failed += s.res.Failed
		}
		for _, s := range r.warmups {
			warmFailed += s.res.Failed
		}
	}

	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("## Proxy overhead: direct vs bare ReverseProxy vs keygate\n\n")
	if failed+warmFailed > 0 {
		p("> [!CAUTION]\n> **THIS RUN HAD FAILURES: %s of %s measured requests failed, and %s of the warm-up requests.** "+
			"Every response should be a 200 with a complete body; see *Failures* before trusting any figure below.\n\n",
			fmtCount(float64(failed)), fmtCount(float64(measured)), fmtCount(float64(warmFailed)))
	}
	if busy, ok := m.busy(); ok {
		p("> [!WARNING]\n> The machine was busy when the run began (1-minute load average %.1f on %d CPUs): "+
			"something else competed for the CPUs, so latencies are inflated and noisy. CPU time per request holds up better.\n\n", busy, m.nproc)
	}
	p("```\n%s\n```\n\n", m.command)
	p("| | |\n|---|---|\n")
	p("| date | %s |\n", m.date.Format("2006-01-02 15:04 MST"))
	p("| Go | %s %s |\n", m.goVersion, m.os)
	p("| CPU | %s, nproc %d |\n", m.cpuModel, m.nproc)
	p("| load average | %s at start, %s at end (1, 5, 15 min) |\n", m.loadStart, m.loadEnd)
	p("| upstream | `keygate mock-openai`, latency %v, chunk delay %v |\n", o.latency, o.chunkDelay)
	if rq := m.request; rq.bytes > 0 {
		body := "the small body: a system and a user message"
		if o.promptBytes > 0 {
			body = fmt.Sprintf("`-prompt-bytes %d`: the user message padded with generated English-like text", o.promptBytes)
		}
		if o.novel {
			body += "; `-novel`: every request's text is new, a number at its start differs per request, and the padding is one of 64 texts in turn"
		}
		tokens := fmtCount(float64(rq.tokens))
		if o.novel {
			tokens += " (the median of the texts)"
		}
		p("| request | chat completion, %s-byte JSON body (%s), `max_tokens` 64; %s prompt tokens as keygate counts them (%s) |\n",
			fmtCount(float64(rq.bytes)), body, tokens, rq.encoding)
	}
	if hasTarget(o, targetKeygate) {
		p("| keygate | `keygate serve --config keygate.yaml%s`: one client key, one `model_list` entry to the mock |\n",
			strings.TrimRight(" "+strings.Join(o.kgFlags, " "), " "))
	}
	if hasTarget(o, targetKeygateCount) {
		p("| keygate-count | the same, in a directory of its own, with `tpm: %d` on the `model_list` entry: "+
			"keygate counts every request's prompt tokens and admits them against that limit (in memory) |\n", countTPM)
	}
	if hasTarget(o, targetBare) {
		p("| bare proxy | `bench/bareproxy`: `httputil.ReverseProxy` with its default FlushInterval (SSE flushed per write), a pooled transport, sets the upstream key, nothing else |\n")
	}
	p("| load | open loop at a fixed rate from its own process, HTTP/1.1 keep-alive, ≤ %d connections; "+
		"%v warm-up per target, then %d round(s) × %v per target, order rotated each round; "+
		"figures are medians across rounds |\n", o.conns, o.warmup, o.rounds, o.duration)
	if o.pin {
		p("| pinning | the proxy under test on CPU %s; the load generator and the mock on CPU %s (taskset) |\n", proxyCPUs, otherCPUs)
	}
	p("| CPU/req | utime+stime from /proc/PID/stat (tick %v) before and after each run ÷ requests completed |\n", m.tick)
	p("| added | target's p50/p99 minus direct's in the same round (median across rounds) |\n\n")

	for _, r := range runs {
		writeScenario(w, r, o, m.request)
	}
	writeMemory(w, runs)
	writeFailures(w, runs)
	writeRounds(w, runs)
	return failed + warmFailed
}

func writeScenario(w io.Writer, r scenarioRun, o options, rq request) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("### %s — %s req/s offered\n\n", r.title, fmtCount(r.rate))
	figs := aggregate(r, o.targets)
	if r.stream {
		p("| target | req/s | TTFB p50 | TTFB p99 | added TTFB p50 | added TTFB p99 | stream p50 | stream p99 | proxy CPU/req | mock CPU/req | failed |\n")
		p("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, f := range figs {
			p("| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", targetTitle[f.target], f.rps,
				fmtMs(f.ttfb50), fmtMs(f.ttfb99), fmtAdded(f, f.addTTFB50), fmtAdded(f, f.addTTFB99),
				fmtMs(f.lat50), fmtMs(f.lat99), fmtProxyCPU(f), fmtUs(f.mockCPU), fmtFailed(f))
		}
	} else {
		p("| target | req/s | p50 | p99 | added p50 | added p99 | proxy CPU/req | mock CPU/req | failed |\n")
		p("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, f := range figs {
			p("| %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n", targetTitle[f.target], f.rps,
				fmtMs(f.lat50), fmtMs(f.lat99), fmtAdded(f, f.add50), fmtAdded(f, f.add99),
				fmtProxyCPU(f), fmtUs(f.mockCPU), fmtFailed(f))
		}
	}
	p("\n")
	checks := scenarioChecks(r, o, rq, figs)
	for _, c := range checks {
		p("- %s\n", c)
	}
	if len(checks) > 0 {
		p("\n")
	}
}

// scenarioChecks returns the lines under a scenario's table: keygate against
// the DESIGN.md §4 targets and against the bare proxy, what counting prompts
// costs, and anything that makes the figures suspect.
func scenarioChecks(r scenarioRun, o options, rq request, figs []figures) []string {
	var checks []string
	if ratio, ok := cpuRatio(r, targetKeygate, targetBare); ok {
		line := fmt.Sprintf("keygate CPU/req ÷ bare ReverseProxy CPU/req: **%.2f×**", ratio)
		if !r.stream {
			line += verdict(ratio <= maxCPURatio, fmt.Sprintf("target ≤ %.1f×", maxCPURatio))
		}
		checks = append(checks, line)
	}
	for _, f := range figs {
		if f.target != targetKeygate || !f.added {
			continue
		}
		if r.stream {
			checks = append(checks, fmt.Sprintf("keygate added time to first byte, p99: **%s**", fmtSigned(f.addTTFB99))+
				verdict(f.addTTFB99 <= maxAddedTTFBP99, "target: first byte forwarded within 1 ms"))
		} else {
			checks = append(checks, fmt.Sprintf("keygate added latency at %s req/s, p99: **%s**", fmtCount(r.rate), fmtSigned(f.add99))+
				verdict(f.add99 <= maxAddedP99, "target ≤ 1 ms"))
		}
	}
	p50, p99 := func(r load.Result) time.Duration { return r.Latency.P50 }, func(r load.Result) time.Duration { return r.Latency.P99 }
	what := "latency"
	if r.stream {
		p50, p99 = func(r load.Result) time.Duration { return r.TTFB.P50 }, func(r load.Result) time.Duration { return r.TTFB.P99 }
		what = "time to first byte"
	}
	if d50, ok := delta(r, targetKeygate, targetBare, p50); ok {
		d99, _ := delta(r, targetKeygate, targetBare, p99)
		checks = append(checks, fmt.Sprintf("keygate %s minus bare ReverseProxy's, same round: p50 %s, p99 %s", what, fmtSigned(d50), fmtSigned(d99)))
	}
	if line, ok := countCheck(r, rq); ok {
		checks = append(checks, line)
		d50, _ := delta(r, targetKeygateCount, targetKeygate, p50)
		d99, _ := delta(r, targetKeygateCount, targetKeygate, p99)
		checks = append(checks, fmt.Sprintf("keygate-count %s minus keygate's, same round: p50 %s, p99 %s", what, fmtSigned(d50), fmtSigned(d99)))
	}
	for _, name := range o.targets {
		sent, seen, ok := upstreamCounts(r, name)
		if ok && seen != sent {
			checks = append(checks, fmt.Sprintf("⚠️ %s: the mock received %s requests for %s sent (a cache, retries or lost requests?)",
				targetTitle[name], fmtCount(float64(seen)), fmtCount(float64(sent))))
		}
	}
	for _, f := range figs {
		if f.rps < lowRateThreshold*r.rate {
			checks = append(checks, fmt.Sprintf("⚠️ %s achieved only %.0f of %s req/s offered (median load-generator lag p99 %s)",
				targetTitle[f.target], f.rps, fmtCount(r.rate), fmtMs(f.lag99)))
		}
	}
	return checks
}

// countCheck returns the line giving what counting prompts adds to keygate's
// CPU per request: keygate-count's CPU/req over keygate's in the same round,
// the median and every round's, and whether both were measured.
func countCheck(r scenarioRun, rq request) (string, bool) {
	ratios := cpuRatios(r, targetKeygateCount, targetKeygate)
	if len(ratios) == 0 {
		return "", false
	}
	ratio := median(ratios)
	perRound := make([]string, len(ratios))
	for i, x := range ratios {
		perRound[i] = fmtShare(x)
	}
	line := fmt.Sprintf("keygate-count CPU/req ÷ keygate CPU/req, same round: **%.3f×**: counting the prompt", ratio)
	if rq.bytes > 0 {
		line += fmt.Sprintf(" (%s-byte body, %s tokens)", fmtCount(float64(rq.bytes)), fmtCount(float64(rq.tokens)))
	}
	line += fmt.Sprintf(" adds **%s** CPU per request (rounds: %s; range %s to %s)",
		fmtShare(ratio), strings.Join(perRound, ", "), fmtShare(slices.Min(ratios)), fmtShare(slices.Max(ratios)))
	if !r.stream && abs(rq.bytes-countTargetBytes) <= countTargetBytes/10 {
		line += verdict(ratio < 1+maxCountShare, fmt.Sprintf("target < %.0f%% for a 4 KB prompt", maxCountShare*100))
	}
	return line, true
}

// fmtShare renders a ratio as the share it adds: 1.034 → "+3.4%".
func fmtShare(ratio float64) string { return fmt.Sprintf("%+.1f%%", (ratio-1)*100) }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func writeMemory(w io.Writer, runs []scenarioRun) {
	if len(runs) == 0 {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("### Memory\n\n| process |")
	for _, r := range runs {
		p(" RSS after %s |", r.name)
	}
	p(" peak RSS (VmHWM) |\n|---|")
	for range runs {
		p("--:|")
	}
	p("--:|\n")
	for _, name := range []string{"mock", "bareproxy", targetKeygate, targetKeygateCount} {
		last, ok := runs[len(runs)-1].mem[name]
		if !ok {
			continue
		}
		p("| %s |", name)
		for _, r := range runs {
			p(" %s |", fmtMiB(r.mem[name].RSS))
		}
		p(" %s |\n", fmtMiB(last.Peak))
	}
	p("\n")
}

func writeFailures(w io.Writer, runs []scenarioRun) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("### Failures\n\n")
	var rows []string
	for _, r := range runs {
		add := func(phase string, ss []sample) {
			for _, s := range ss {
				for _, f := range s.res.Failures {
					rows = append(rows, fmt.Sprintf("| %s | %s | %s | %d | %s | %s |", r.name, phase, targetTitle[s.target],
						f.Count, mdCell(f.Kind), mdCell(f.Example)))
				}
			}
		}
		add("warm-up", r.warmups)
		for _, s := range r.samples {
			add(fmt.Sprintf("round %d", s.round), []sample{s})
		}
	}
	if len(rows) == 0 {
		p("None: every request returned 200 with a complete body (a chat.completion with choices; " +
			"streams ended with `data: [DONE]` after a usage chunk).\n\n")
		return
	}
	p("| scenario | run | target | count | failure | example |\n|---|---|---|--:|---|---|\n%s\n\n", strings.Join(rows, "\n"))
}

func writeRounds(w io.Writer, runs []scenarioRun) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("<details><summary>Every round</summary>\n\n")
	p("| scenario | round | target | sent | mock saw | req/s | p50 | p99 | TTFB p99 | proxy CPU/req | mock CPU/req | loadgen CPU/req | loadgen lag p99 | failed |\n")
	p("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range runs {
		for _, s := range r.samples {
			ttfb := "—"
			if r.stream {
				ttfb = fmtMs(s.res.TTFB.P99)
			}
			proxy := "—"
			if s.target != targetDirect {
				proxy = fmtUs(s.perReq(s.proxyCPU))
			}
			seen := "?"
			if s.upstream >= 0 {
				seen = fmt.Sprint(s.upstream)
			}
			p("| %s | %d | %s | %d | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %d |\n", r.name, s.round, targetTitle[s.target],
				s.res.Sent, seen, s.res.RPS, fmtMs(s.res.Latency.P50), fmtMs(s.res.Latency.P99), ttfb, proxy,
				fmtUs(s.perReq(s.mockCPU)), fmtUs(s.perReq(s.genCPU)), fmtMs(s.res.Lag.P99), s.res.Failed)
		}
	}
	p("\n</details>\n")
}

// upstreamCounts sums, over the measured rounds of one target, the requests
// sent and those the mock received; ok is false if any round lacks the mock's
// count.
func upstreamCounts(r scenarioRun, target string) (sent, seen int, ok bool) {
	ok = true
	for _, s := range r.samples {
		if s.target != target {
			continue
		}
		if s.upstream < 0 {
			ok = false
		}
		sent += s.res.Sent
		seen += s.upstream
	}
	return sent, seen, ok && sent > 0
}

func verdict(ok bool, target string) string {
	if ok {
		return fmt.Sprintf(" (%s) ✅", target)
	}
	return fmt.Sprintf(" (%s) ❌", target)
}

func fmtMs(d time.Duration) string { return fmt.Sprintf("%.2f ms", d.Seconds()*1e3) }

func fmtUs(d time.Duration) string { return fmt.Sprintf("%.1f µs", d.Seconds()*1e6) }

func fmtSigned(d time.Duration) string { return fmt.Sprintf("%+.2f ms", d.Seconds()*1e3) }

func fmtMiB(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func fmtAdded(f figures, d time.Duration) string {
	if !f.added || f.target == targetDirect {
		return "—"
	}
	return fmtSigned(d)
}

func fmtProxyCPU(f figures) string {
	if f.target == targetDirect {
		return "—"
	}
	return fmtUs(f.proxyCPU)
}

func fmtFailed(f figures) string {
	if f.failed > 0 {
		return fmt.Sprintf("**%d** ❌", f.failed)
	}
	return "0"
}

// fmtCount renders a rate with thousands separators: 2000 → "2,000".
func fmtCount(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// mdCell makes text safe inside a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	if s == "" {
		return "—"
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}
