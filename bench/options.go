package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// options are the harness's command-line flags.
type options struct {
	rounds     int
	duration   time.Duration // measured load per target per round
	warmup     time.Duration // unmeasured load per target before a scenario's rounds
	jsonRate   float64       // offered req/s, non-streaming
	streamRate float64       // offered req/s, streaming
	conns      int
	timeout    time.Duration // per request
	latency    time.Duration // mock's latency before responding
	chunkDelay time.Duration // mock's delay between stream chunks
	model      string
	kgFlags    []string // extra flags for keygate serve
	targets    []string // subset of allTargets, in this order
	scenarios  []string // subset of allScenarios
	out        string   // also write the Markdown here
	workdir    string   // binaries, configs and logs; a temporary directory if empty
	keep       bool     // keep workdir
	quick      bool
	pin        bool // proxy on CPU 1; load generator and mock on CPU 0

	// promptBytes pads the user message so the request body is this many
	// bytes; 0 sends the small body (load.ChatBody).
	promptBytes int
	// novel stamps every request's user message with a new number
	// (load.Config.Novel).
	novel bool
}

var (
	allTargets = []string{targetDirect, targetBare, targetKeygate, targetKeygateCount}
	// defaultTargets leaves out keygate-count: it matters with a large prompt
	// (-prompt-bytes) and would add a quarter to every run.
	defaultTargets = []string{targetDirect, targetBare, targetKeygate}
	allScenarios   = []string{scenarioJSON, scenarioStream}
)

// parseOptions parses the harness's flags from args (without the program name).
func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: go run ./bench [flags]\n\n"+
			"Measures direct-to-mock vs a bare httputil.ReverseProxy vs keygate, side by side,\n"+
			"and prints a Markdown report for BENCHMARKS.md.\n\n")
		fs.PrintDefaults()
	}
	fs.IntVar(&o.rounds, "rounds", 5, "rounds; each runs every target once, in rotated order; figures are medians across rounds")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "load per target per round")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load per target before each scenario")
	fs.Float64Var(&o.jsonRate, "rate", 2000, "offered req/s for non-streaming chat completions")
	fs.Float64Var(&o.streamRate, "stream-rate", 500, "offered req/s for streaming chat completions")
	fs.IntVar(&o.conns, "conns", 256, "load generator workers = max in-flight requests and keep-alive connections")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.DurationVar(&o.latency, "latency", 2*time.Millisecond, "mock upstream latency before responding")
	fs.DurationVar(&o.chunkDelay, "chunk-delay", 5*time.Millisecond, "mock upstream delay between stream chunks")
	fs.StringVar(&o.model, "model", "gpt-4o-mini", "model requested")
	fs.IntVar(&o.promptBytes, "prompt-bytes", 0, "pad the chat request's user message with generated English-like text so the whole JSON body is this many bytes (0: the small body, about 200 bytes)")
	fs.BoolVar(&o.novel, "novel", false, "make every request's text new, with a number at the start of the user message and 64 padding texts in turn, so keygate-count meets only prompts it has not counted before, in text the CPU has not learnt")
	kgFlags := fs.String("keygate-flags", "", `extra flags for "keygate serve", space-separated (e.g. "--log-level warn"); default: as shipped`)
	targets := fs.String("targets", strings.Join(defaultTargets, ","), "targets to measure, from "+strings.Join(allTargets, ",")+
		" (keygate-count: keygate whose model has a tpm limit, so it counts every prompt)")
	scenarios := fs.String("scenarios", strings.Join(allScenarios, ","), "scenarios to run")
	fs.StringVar(&o.out, "o", "", "also write the Markdown report to this file")
	fs.StringVar(&o.workdir, "workdir", "", "directory for binaries, config and logs (default: a new temporary directory)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (logs) after the run")
	fs.BoolVar(&o.pin, "pin", false, "pin the proxy under test to CPU 1 and the load generator and mock to CPU 0 (taskset), so the proxy's tail latency is not CPU queueing behind them")
	fs.BoolVar(&o.quick, "quick", false, "smoke test: 1 round of 1s, 200ms warmup")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.quick {
		o.rounds, o.duration, o.warmup = 1, time.Second, 200*time.Millisecond
	}
	o.kgFlags = strings.Fields(*kgFlags)
	var err error
	if o.targets, err = subset("-targets", *targets, allTargets); err != nil {
		return options{}, err
	}
	if o.scenarios, err = subset("-scenarios", *scenarios, allScenarios); err != nil {
		return options{}, err
	}
	switch {
	case o.rounds < 1:
		return options{}, fmt.Errorf("-rounds %d: want at least 1", o.rounds)
	case o.duration <= 0 || o.warmup < 0 || o.timeout <= 0:
		return options{}, fmt.Errorf("-duration and -timeout must be positive, -warmup not negative")
	case o.jsonRate <= 0 || o.streamRate <= 0:
		return options{}, fmt.Errorf("-rate and -stream-rate must be positive")
	case o.conns < 1:
		return options{}, fmt.Errorf("-conns %d: want at least 1", o.conns)
	case o.promptBytes < 0:
		return options{}, fmt.Errorf("-prompt-bytes %d: want 0 or more", o.promptBytes)
	}
	return o, nil
}

// subset parses a comma-separated list whose items must come from all, and
// returns them in all's order without duplicates.
func subset(flagName, list string, all []string) ([]string, error) {
	var got []string
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !slices.Contains(all, item) {
			return nil, fmt.Errorf("%s: unknown %q, want some of %s", flagName, item, strings.Join(all, ","))
		}
		got = append(got, item)
	}
	var out []string
	for _, a := range all {
		if slices.Contains(got, a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: empty", flagName)
	}
	return out, nil
}

// hasTarget reports whether o measures the named target.
func hasTarget(o options, name string) bool { return slices.Contains(o.targets, name) }
