package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keygate/keygate/bench/internal/load"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/tokencount"
	"github.com/keygate/keygate/internal/tokenizer"
)

func TestParseStatTicks(t *testing.T) {
	t.Parallel()
	tail := " S 1 2 3 4 5 6 7 8 9 10 %s %s 13 14 20 0 5 0 100 1000 50 18446744073709551615"
	tests := []struct {
		name    string
		stat    string
		want    uint64
		wantErr bool
	}{
		{"plain", "1234 (keygate)" + fmt.Sprintf(tail, "250", "75"), 325, false},
		{"name with spaces and parens", "99 (my (odd) name) x)" + fmt.Sprintf(tail, "1", "2"), 3, false},
		{"zero", "7 (bareproxy)" + fmt.Sprintf(tail, "0", "0"), 0, false},
		{"no parenthesis", "1234 keygate S 1 2", 0, true},
		{"too short", "1234 (keygate) S 1 2 3", 0, true},
		{"not a number", "1234 (keygate)" + fmt.Sprintf(tail, "x", "1"), 0, true},
	}
	for _, tt := range tests {
		got, err := parseStatTicks([]byte(tt.stat))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: parseStatTicks = %d, %v; want %d, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseStatusMem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  string
		want    memInfo
		wantErr bool
	}{
		{"both", "Name:\tkeygate\nVmPeak:\t  900 kB\nVmHWM:\t   2048 kB\nVmRSS:\t   1024 kB\nThreads:\t7\n", memInfo{RSS: 1 << 20, Peak: 2 << 20}, false},
		{"missing HWM", "VmRSS:\t 1024 kB\n", memInfo{}, true},
		{"odd unit", "VmRSS:\t 1 MB\nVmHWM:\t 1 MB\n", memInfo{}, true},
		{"empty", "", memInfo{}, true},
	}
	for _, tt := range tests {
		got, err := parseStatusMem([]byte(tt.status))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: parseStatusMem = %+v, %v; want %+v, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestReadOwnProc(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	tick := clockTick(t.Context())
	if _, err := cpuTime(os.Getpid(), tick); err != nil {
		t.Error(err)
	}
	m, err := readMem(os.Getpid())
	if err != nil || m.RSS <= 0 || m.Peak < m.RSS {
		t.Errorf("readMem(self) = %+v, %v", m, err)
	}
}

func TestTicksToDuration(t *testing.T) {
	t.Parallel()
	tests := map[string]time.Duration{
		"100\n": 10 * time.Millisecond,
		"250":   4 * time.Millisecond,
		"":      10 * time.Millisecond,
		"0":     10 * time.Millisecond,
		"-5":    10 * time.Millisecond,
		"abc":   10 * time.Millisecond,
	}
	for in, want := range tests {
		if got := ticksToDuration(in); got != want {
			t.Errorf("ticksToDuration(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("odd: %v", got)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 { // (2+3)/2 in integer nanoseconds
		t.Errorf("even: %v", got)
	}
	if got := median([]float64(nil)); got != 0 {
		t.Errorf("empty: %v", got)
	}
	xs := []float64{3, 1, 2}
	median(xs)
	if xs[0] != 3 {
		t.Error("median modified its input")
	}
}

// fakeRun builds a scenario run of three rounds with the given per-round p99s
// (ms) and proxy CPU per request (µs) for direct, bare and keygate.
func fakeRun(stream bool) scenarioRun {
	r := scenarioRun{scenario: scenario{name: "json", title: "JSON", rate: 100, stream: stream}, mem: map[string]memInfo{}}
	add := func(round int, target string, p99ms, cpuUs int, failed int) {
		res := load.Result{Planned: 100, Sent: 100, OK: 100 - failed, Failed: failed, RPS: 99,
			Latency: load.Percentiles{P50: time.Millisecond, P99: time.Duration(p99ms) * time.Millisecond},
			TTFB:    load.Percentiles{P50: time.Millisecond, P99: time.Duration(p99ms) * time.Millisecond}}
		if failed > 0 {
			res.Failures = []load.Failure{{Kind: "HTTP 502", Count: failed, Example: "bad | gateway"}}
		}
		r.samples = append(r.samples, sample{round: round, target: target, res: res, upstream: 100,
			proxyCPU: time.Duration(cpuUs*100) * time.Microsecond, mockCPU: 2 * time.Millisecond})
	}
	for round, v := range [][3]int{{3, 10, 12}, {4, 10, 16}, {5, 20, 25}} {
		add(round+1, targetDirect, v[0], 0, 0)
		add(round+1, targetBare, v[0]+1, v[1], 0)
		add(round+1, targetKeygate, v[0]+2, v[2], 0)
	}
	return r
}

func TestAggregate(t *testing.T) {
	t.Parallel()
	run := fakeRun(false)
	figs := aggregate(run, allTargets)
	if len(figs) != 3 {
		t.Fatalf("got %d figures, want 3", len(figs))
	}
	kg := figs[2]
	if kg.target != targetKeygate || kg.rounds != 3 || kg.lat99 != 6*time.Millisecond || !kg.added ||
		kg.add99 != 2*time.Millisecond || kg.proxyCPU != 16*time.Microsecond || kg.planned != 300 {
		t.Errorf("keygate figures %+v", kg)
	}
	ratio, ok := cpuRatio(run, targetKeygate, targetBare)
	if !ok || ratio != 1.25 { // per round 1.2, 1.6, 1.25 → median 1.25
		t.Errorf("cpuRatio = %v, %v; want 1.25", ratio, ok)
	}
	p99 := func(r load.Result) time.Duration { return r.Latency.P99 }
	if d, ok := delta(run, targetKeygate, targetBare, p99); !ok || d != time.Millisecond {
		t.Errorf("delta keygate−bare p99 = %v, %v; want 1ms", d, ok)
	}
	if _, ok := delta(run, targetKeygate, "missing", p99); ok {
		t.Error("delta against a missing target")
	}
	if _, ok := cpuRatio(run, targetKeygate, "missing"); ok {
		t.Error("cpuRatio against a missing target")
	}
	// Without direct there is nothing to add to.
	run.samples = slicesDeleteTarget(run.samples, targetDirect)
	if figs := aggregate(run, allTargets); len(figs) != 2 || figs[1].added {
		t.Errorf("without direct: %+v", figs)
	}
}

func slicesDeleteTarget(ss []sample, target string) []sample {
	var out []sample
	for _, s := range ss {
		if s.target != target {
			out = append(out, s)
		}
	}
	return out
}

func TestWriteReport(t *testing.T) {
	t.Parallel()
	m := machine{date: time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC), goVersion: "go1.26.8", os: "linux/amd64",
		nproc: 2, cpuModel: "AMD EPYC", tick: 10 * time.Millisecond, command: "go run ./bench"}
	o := options{targets: allTargets, rounds: 3, duration: time.Second, conns: 8}

	var clean bytes.Buffer
	if failed := writeReport(&clean, m, o, []scenarioRun{fakeRun(false), fakeRun(true)}); failed != 0 {
		t.Errorf("clean run: %d failures", failed)
	}
	for _, want := range []string{"go run ./bench", "go1.26.8", "AMD EPYC, nproc 2", "| keygate | 99 |", "**1.25×** (target ≤ 1.5×) ✅",
		"p99: **+2.00 ms** (target ≤ 1 ms) ❌", "added TTFB",
		"keygate latency minus bare ReverseProxy's, same round: p50 +0.00 ms, p99 +1.00 ms", "None: every request"} {
		if !strings.Contains(clean.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, clean.String())
		}
	}
	if strings.Contains(clean.String(), "FAILURES") {
		t.Error("clean report warns of failures")
	}

	bad := fakeRun(false)
	bad.samples[4].res.Failed, bad.samples[4].res.Failures = 7, []load.Failure{{Kind: "HTTP 502", Count: 7, Example: "a|b"}}
	var out bytes.Buffer
	if failed := writeReport(&out, m, o, []scenarioRun{bad}); failed != 7 {
		t.Errorf("failed = %d, want 7", failed)
	}
	for _, want := range []string{"THIS RUN HAD FAILURES: 7 of 900 measured requests failed, and 0 of the warm-up", "| json | round 2 | bare ReverseProxy | 7 | `HTTP 502` | `a\\|b` |", "**7** ❌"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestSubset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"keygate,direct", "direct,keygate", false},
		{" bare , bare ", "bare", false},
		{"direct,bare,keygate", "direct,bare,keygate", false},
		{"", "", true},
		{"direct,proxy", "", true},
	}
	for _, tt := range tests {
		got, err := subset("-targets", tt.in, allTargets)
		if (err != nil) != tt.wantErr || strings.Join(got, ",") != tt.want {
			t.Errorf("subset(%q) = %v, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseOptionsQuick(t *testing.T) {
	t.Parallel()
	o, err := parseOptions([]string{"-quick", "-targets", "direct,bare"}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	if o.rounds != 1 || o.duration != time.Second || len(o.targets) != 2 || hasTarget(o, targetKeygate) {
		t.Errorf("options %+v", o)
	}
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	got := commandLine([]string{"-rate", "2000", "-o", "my file.md", "-model", "it's"})
	want := `go run ./bench -rate 2000 -o 'my file.md' -model 'it'\''s'`
	if got != want {
		t.Errorf("commandLine = %s, want %s", got, want)
	}
}

func TestFmtCount(t *testing.T) {
	t.Parallel()
	for in, want := range map[float64]string{0: "0", 500: "500", 2000: "2,000", 1234567: "1,234,567"} {
		if got := fmtCount(in); got != want {
			t.Errorf("fmtCount(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestCPUModel(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cpuinfo")
	if err := os.WriteFile(path, []byte("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := cpuModel(path); got != "AMD EPYC 7B13" {
		t.Errorf("cpuModel = %q", got)
	}
	if got := cpuModel(filepath.Join(t.TempDir(), "none")); got != "unknown" {
		t.Errorf("cpuModel(missing) = %q", got)
	}
}

// TestSmoke runs the whole harness in -quick mode. It builds and starts real
// processes, so it runs only when asked: KEYGATE_BENCH_SMOKE=1.
func TestSmoke(t *testing.T) {
	if os.Getenv("KEYGATE_BENCH_SMOKE") == "" {
		t.Skip("set KEYGATE_BENCH_SMOKE=1 to run the harness end to end")
	}
	args := []string{"-quick"}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s\nreport:\n%s", err, stderr.String(), stdout.String())
	}
	if !strings.Contains(stdout.String(), "None: every request") {
		t.Errorf("report:\n%s", stdout.String())
	}
	t.Log(stdout.String())
}

func TestLoadAverageAndBusy(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "loadavg")
	if err := os.WriteFile(path, []byte("2.50 1.00 0.50 3/154 23217\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := loadAverage(path); got != "2.50 1.00 0.50" {
		t.Errorf("loadAverage = %q", got)
	}
	if got := loadAverage(filepath.Join(t.TempDir(), "none")); got != "unknown" {
		t.Errorf("loadAverage(missing) = %q", got)
	}
	tests := []struct {
		load     string
		nproc    int
		wantBusy bool
	}{
		{"2.50 1.00 0.50", 2, true},
		{"1.90 1.00 0.50", 2, false},
		{"unknown", 2, false},
	}
	for _, tt := range tests {
		if _, busy := (machine{loadStart: tt.load, nproc: tt.nproc}).busy(); busy != tt.wantBusy {
			t.Errorf("busy(%q on %d) = %v, want %v", tt.load, tt.nproc, busy, tt.wantBusy)
		}
	}
}

func TestParseMockStats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body    string
		want    int
		wantErr bool
	}{
		{`{}`, 0, false},
		{`{"sk-mock-unlimited":{"requests":7,"by_path":{"/v1/chat/completions":7},"by_status":{"200":7}}}`, 7, false},
		{`{"a":{"requests":2},"b":{"requests":3}}`, 5, false},
		{`[]`, 0, true},
		{`not json`, 0, true},
	}
	for _, tt := range tests {
		got, err := parseMockStats(strings.NewReader(tt.body))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseMockStats(%s) = %d, %v; want %d, error %v", tt.body, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestUpstreamMismatchIsReported(t *testing.T) {
	t.Parallel()
	m := machine{nproc: 2, loadStart: "0.1 0.1 0.1"}
	o := options{targets: allTargets, rounds: 3}
	run := fakeRun(false)
	run.samples[2].upstream = 40 // keygate, round 1: 60 of 100 answered without the mock
	var out bytes.Buffer
	writeReport(&out, m, o, []scenarioRun{run})
	if want := "⚠️ keygate: the mock received 240 requests for 300 sent"; !strings.Contains(out.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, out.String())
	}
	if strings.Contains(out.String(), "⚠️ bare") {
		t.Errorf("bare flagged:\n%s", out.String())
	}
}

func TestKeygateConfig(t *testing.T) {
	t.Parallel()
	for _, tpm := range []int64{0, countTPM} {
		path := filepath.Join(t.TempDir(), "keygate.yaml")
		if err := os.WriteFile(path, []byte(keygateConfig("gpt-4o-mini", "http://127.0.0.1:9", tpm)), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path)
		if err != nil {
			t.Fatalf("tpm %d: %v", tpm, err)
		}
		if len(cfg.Warnings) > 0 {
			t.Errorf("tpm %d: warnings %v", tpm, cfg.Warnings)
		}
		if len(cfg.Models) != 1 || cfg.Models[0].Alias != "gpt-4o-mini" || int64(cfg.Models[0].TPM) != tpm ||
			cfg.Models[0].APIBase != "http://127.0.0.1:9/v1" {
			t.Errorf("tpm %d: models %+v", tpm, cfg.Models)
		}
	}
}

// withCount adds keygate-count rounds to a fakeRun: its CPU per request is
// keygate's times each round's factor.
func withCount(r scenarioRun, factors ...float64) scenarioRun {
	var kg []sample
	for _, s := range r.samples {
		if s.target == targetKeygate {
			kg = append(kg, s)
		}
	}
	for i, s := range kg {
		s.target = targetKeygateCount
		s.proxyCPU = time.Duration(float64(s.proxyCPU) * factors[i])
		s.res.Latency.P99 += 500 * time.Microsecond
		r.samples = append(r.samples, s)
	}
	return r
}

func TestCountCheck(t *testing.T) {
	t.Parallel()
	m := machine{nproc: 2, loadStart: "0.1 0.1 0.1", request: request{bytes: 4096, tokens: 900, encoding: "o200k_base"}}
	o := options{targets: allTargets, rounds: 3, promptBytes: 4096}
	tests := []struct {
		name    string
		run     scenarioRun
		rq      request
		want    []string
		notWant []string
	}{
		{"met", withCount(fakeRun(false), 1.02, 1.06, 1.01), m.request, []string{
			"keygate-count CPU/req ÷ keygate CPU/req, same round: **1.020×**: counting the prompt (4,096-byte body, 900 tokens) adds **+2.0%** CPU per request (rounds: +2.0%, +6.0%, +1.0%; range +1.0% to +6.0%) (target < 5% for a 4 KB prompt) ✅",
			"keygate-count latency minus keygate's, same round: p50 +0.00 ms, p99 +0.50 ms",
			"| keygate counting prompts | 99 |",
		}, nil},
		{"not met", withCount(fakeRun(false), 1.10, 1.06, 1.01), m.request, []string{"adds **+6.0%** CPU per request", "(target < 5% for a 4 KB prompt) ❌"}, nil},
		{"small body: no verdict", withCount(fakeRun(false), 1.0, 1.0, 1.0), request{bytes: 201, tokens: 27, encoding: "o200k_base"},
			[]string{"(201-byte body, 27 tokens) adds **+0.0%** CPU per request (rounds: +0.0%, +0.0%, +0.0%; range +0.0% to +0.0%)\n"}, []string{"target < 5%"}},
		{"stream: no verdict", withCount(fakeRun(true), 1.0, 1.0, 1.0), m.request, []string{"keygate-count time to first byte minus keygate's"}, []string{"target < 5%"}},
		{"no keygate-count", fakeRun(false), m.request, nil, []string{"keygate-count CPU"}},
	}
	for _, tt := range tests {
		mm := m
		mm.request = tt.rq
		var out bytes.Buffer
		writeReport(&out, mm, o, []scenarioRun{tt.run})
		for _, want := range tt.want {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s: report lacks %q:\n%s", tt.name, want, out.String())
			}
		}
		for _, no := range tt.notWant {
			if strings.Contains(out.String(), no) {
				t.Errorf("%s: report has %q:\n%s", tt.name, no, out.String())
			}
		}
	}
}

func TestDescribeRequest(t *testing.T) {
	t.Parallel()
	small, err := describeRequest(options{model: "gpt-4o-mini"})
	if err != nil {
		t.Fatal(err)
	}
	big, err := describeRequest(options{model: "gpt-4o-mini", promptBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	novel, err := describeRequest(options{model: "gpt-4o-mini", promptBytes: 4096, novel: true})
	if err != nil {
		t.Fatal(err)
	}
	// English runs at about 4 bytes a token; the filler's rarer words make it
	// somewhat denser.
	if small.bytes > 300 || small.tokens < 20 || small.tokens > 40 || big.bytes != 4096 ||
		big.tokens < 700 || big.tokens > 1300 || big.encoding != "o200k_base" {
		t.Errorf("small %+v, 4 KB %+v", small, big)
	}
	if novel.bytes != 4096 || novel.tokens < 700 || novel.tokens > 1300 {
		t.Errorf("4 KB novel %+v", novel)
	}
}

// BenchmarkPromptCount measures what keygate-count adds on each request, in
// process: counting the load generator's chat body as the gateway does.
//
//	go test -run '^$' -bench PromptCount ./bench
func BenchmarkPromptCount(b *testing.B) {
	enc, _ := tokenizer.ForModel("gpt-4o-mini")
	for _, size := range []int{0, 1024, 4096, 16384} {
		body, err := load.ChatBody("gpt-4o-mini", false, size)
		if err != nil {
			b.Fatal(err)
		}
		novel, _, err := load.NovelChatBodies("gpt-4o-mini", false, size)
		if err != nil {
			b.Fatal(err)
		}
		// cold counts the same body every time, uncached; novel counts
		// load.NovelVariants different bodies in turn, as a server meets
		// prompts it has never seen (the CPU cannot learn their branches,
		// which made novel 4 KB bodies half as slow again as one repeated);
		// cached is the gateway's path for a text seen before (histories,
		// system prompts), through tokencount.Cache; evicted is cold after
		// writing a megabyte of other memory (then reading the body back),
		// as a server's other work does between two requests, untimed.
		for _, mode := range []string{"cold", "novel", "cached", "evicted"} {
			if (mode == "evicted" && size != 4096) || (mode == "novel" && size == 0) {
				continue // the untimed eviction would dwarf a small body's count; the small body has no padding to vary
			}
			var c tokencount.Counter = enc
			if mode == "cached" {
				c = tokencount.NewCache(enc)
			}
			var other []byte
			if mode == "evicted" {
				other = make([]byte, 1<<20)
			}
			bodies := [][]byte{body}
			if mode == "novel" {
				bodies = novel
			}
			b.Run(fmt.Sprintf("body=%d/%s", len(body), mode), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				var n int64
				k := 0
				for b.Loop() {
					body := bodies[k]
					if k++; k == len(bodies) {
						k = 0
					}
					if other != nil {
						b.StopTimer()
						evict(other, body)
						b.StartTimer()
					}
					if n, err = tokencount.PromptValid(tokencount.Chat, body, c); err != nil { // as the gateway calls it
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n), "tokens")
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/prompt")
			})
		}
	}
}

// evict writes a byte in every cache line of other, then reads one in every
// line of body.
func evict(other, body []byte) {
	for i := 0; i < len(other); i += 64 {
		other[i]++
	}
	for i := 0; i < len(body); i += 64 {
		other[0] += body[i]
	}
}
