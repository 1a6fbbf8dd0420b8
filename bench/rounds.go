package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/keygate/keygate/bench/internal/load"
)

// Scenario names.
const (
	scenarioJSON   = "json"
	scenarioStream = "stream"
)

// scenario is one kind of load.
type scenario struct {
	name   string
	title  string
	stream bool
	rate   float64 // offered req/s
}

// scenariosFor returns the scenarios o asks for.
func scenariosFor(o options) []scenario {
	var out []scenario
	for _, name := range o.scenarios {
		switch name {
		case scenarioJSON:
			out = append(out, scenario{name: name, title: "Non-streaming chat completion", rate: o.jsonRate})
		case scenarioStream:
			out = append(out, scenario{name: name, title: "Streaming chat completion (stream_options.include_usage)", stream: true, rate: o.streamRate})
		}
	}
	return out
}

// sample is one load run against one target in one round.
type sample struct {
	round    int
	target   string
	res      load.Result
	proxyCPU time.Duration // CPU the proxying process used during the run; 0 for direct
	mockCPU  time.Duration // CPU the mock used during the run
	genCPU   time.Duration // CPU the load generator used
	// upstream is how many requests the mock received during the run, or -1 if
	// its stats could not be read.
	upstream int
}

// perReq divides a CPU time by the requests the run completed (successfully or
// not).
func (s sample) perReq(cpu time.Duration) time.Duration {
	if s.res.Sent == 0 {
		return 0
	}
	return cpu / time.Duration(s.res.Sent)
}

// scenarioRun is everything measured for one scenario.
type scenarioRun struct {
	scenario
	warmups []sample           // unmeasured; kept to show their failures
	samples []sample           // measured, in run order
	mem     map[string]memInfo // by process name, after the scenario
}

// pauseBetweenRuns lets the previous run's connections close before the next.
const pauseBetweenRuns = 200 * time.Millisecond

// bench runs the measurements: it drives the load generator against the rig.
type bench struct {
	o        options
	rig      *rig
	loadgen  string // path of the loadgen binary
	tick     time.Duration
	progress func(string, ...any)
}

// runScenario warms every target up, then runs o.rounds rounds, each visiting
// every target once; round r starts r places further along the target list, so
// no target always runs first or last.
func (b *bench) runScenario(ctx context.Context, sc scenario) (scenarioRun, error) {
	run := scenarioRun{scenario: sc, mem: map[string]memInfo{}}
	b.rig.resetMock(ctx)
	if b.o.warmup > 0 {
		for _, t := range b.rig.targets {
			s, err := b.measure(ctx, sc, t, 0, b.o.warmup)
			if err != nil {
				return run, fmt.Errorf("warm up %s: %w", t.name, err)
			}
			if s.res.OK == 0 {
				return run, fmt.Errorf("%s %s: every warm-up request failed: %s", sc.name, t.name, failureSummary(s.res))
			}
			if s.res.Failed > 0 {
				b.progress("%s warm-up %s: %d FAILED: %s", sc.name, t.name, s.res.Failed, failureSummary(s.res))
			}
			run.warmups = append(run.warmups, s)
		}
	}
	n := len(b.rig.targets)
	for round := 1; round <= b.o.rounds; round++ {
		for k := range n {
			t := b.rig.targets[(k+round-1)%n]
			s, err := b.measure(ctx, sc, t, round, b.o.duration)
			if err != nil {
				return run, fmt.Errorf("%s round %d %s: %w", sc.name, round, t.name, err)
			}
			run.samples = append(run.samples, s)
			proxy := "—"
			if t.proxy != nil {
				proxy = fmtUs(s.perReq(s.proxyCPU))
			}
			b.progress("%-6s round %d/%d %-13s %5.0f req/s  p50 %s  p99 %s  proxy %s/req  mock %s/req  failed %d",
				sc.name, round, b.o.rounds, t.name, s.res.RPS, fmtMs(s.res.Latency.P50), fmtMs(s.res.Latency.P99),
				proxy, fmtUs(s.perReq(s.mockCPU)), s.res.Failed)
		}
	}
	for _, c := range b.rig.procs {
		m, err := readMem(c.pid())
		if err != nil {
			return run, err
		}
		run.mem[c.name] = m
	}
	return run, nil
}

// measure runs the load generator once against t, reading the CPU time of the
// mock and of t's proxy before and after.
func (b *bench) measure(ctx context.Context, sc scenario, t target, round int, d time.Duration) (sample, error) {
	s := sample{round: round, target: t.name, upstream: -1}
	select {
	case <-time.After(pauseBetweenRuns):
	case <-ctx.Done():
		return s, ctx.Err()
	}
	seen0, statsErr := b.rig.mockRequests(ctx)
	mock0, err := cpuTime(b.rig.mock.pid(), b.tick)
	if err != nil {
		return s, err
	}
	var proxy0 time.Duration
	if t.proxy != nil {
		if proxy0, err = cpuTime(t.proxy.pid(), b.tick); err != nil {
			return s, err
		}
	}
	s.res, s.genCPU, err = b.runLoadgen(ctx, sc, t, d)
	if err != nil {
		return s, err
	}
	if err := b.rig.checkAlive(); err != nil {
		return s, err
	}
	mock1, err := cpuTime(b.rig.mock.pid(), b.tick)
	if err != nil {
		return s, err
	}
	s.mockCPU = mock1 - mock0
	if seen1, err := b.rig.mockRequests(ctx); err == nil && statsErr == nil {
		s.upstream = seen1 - seen0
	}
	if t.proxy != nil {
		proxy1, err := cpuTime(t.proxy.pid(), b.tick)
		if err != nil {
			return s, err
		}
		s.proxyCPU = proxy1 - proxy0
	}
	return s, nil
}

// runLoadgen runs the load generator as its own process and returns its result
// and the CPU time it used.
func (b *bench) runLoadgen(ctx context.Context, sc scenario, t target, d time.Duration) (load.Result, time.Duration, error) {
	args := []string{
		"-url", t.url, "-key", t.key, "-model", b.o.model,
		"-rate", strconv.FormatFloat(sc.rate, 'f', -1, 64),
		"-duration", d.String(), "-conns", strconv.Itoa(b.o.conns), "-timeout", b.o.timeout.String(),
		"-prompt-bytes", strconv.Itoa(b.o.promptBytes),
	}
	if sc.stream {
		args = append(args, "-stream")
	}
	if b.o.novel {
		args = append(args, "-novel")
	}
	// The generator bounds itself to d + timeout; this is the backstop.
	runCtx, cancel := context.WithTimeout(ctx, d+b.o.timeout+15*time.Second)
	defer cancel()
	line := pinned(cpusFor(b.o, false), b.loadgen, args)
	cmd := exec.CommandContext(runCtx, line[0], line[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return load.Result{}, 0, ctx.Err() // interrupted: the kill is ours, not a failure
		}
		return load.Result{}, 0, fmt.Errorf("loadgen: %w\n%s", err, stderr.Bytes())
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	var res load.Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return load.Result{}, 0, fmt.Errorf("loadgen output: %w", err)
	}
	return res, cpu, nil
}

// failureSummary lists a result's failure kinds on one line.
func failureSummary(r load.Result) string {
	var buf bytes.Buffer
	for i, f := range r.Failures {
		if i > 0 {
			buf.WriteString("; ")
		}
		fmt.Fprintf(&buf, "%d× %s", f.Count, f.Kind)
		if f.Example != "" {
			fmt.Fprintf(&buf, " (%s)", f.Example)
		}
	}
	return buf.String()
}
