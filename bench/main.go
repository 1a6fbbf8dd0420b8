// Command bench measures what keygate costs on the request path. In one run it
// compares, side by side, clients talking to the mock OpenAI upstream directly,
// through a bare httputil.ReverseProxy (bench/bareproxy) and through keygate,
// and prints a Markdown report ready for BENCHMARKS.md (DESIGN.md §4).
//
//	go run ./bench                 # full run: 5 rounds × 5 s per target and scenario
//	go run ./bench -quick          # smoke test: 1 round × 1 s
//	go run ./bench -o /tmp/b.md    # also write the report to a file
//
// It builds keygate, the bare proxy and the load generator, starts the mock
// (`keygate mock-openai`), keygate and the bare proxy as separate processes on
// free loopback ports, and drives each target with bench/loadgen, a separate
// open-loop load generator process. Each child process is stopped on exit, on
// error and on Ctrl-C.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	interrupted := ctx.Err() != nil // read before stop, which cancels ctx
	stop()
	switch {
	case err != nil && interrupted:
		fmt.Fprintln(os.Stderr, "bench: interrupted; every child process stopped")
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// errFailures is returned when the run completed but some requests failed.
var errFailures = errors.New("requests failed")

// run is the whole harness; args exclude the program name. The report goes to
// stdout, progress to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	progress := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }
	req, err := describeRequest(o)
	if err != nil {
		return err
	}

	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	dir := o.workdir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "keygate-bench-"); err != nil {
			return fmt.Errorf("work directory: %w", err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("work directory: %w", err)
	}
	defer func() {
		if o.keep || (err != nil && ctx.Err() == nil) {
			progress("logs and binaries kept in %s", dir)
			return
		}
		os.RemoveAll(dir)
	}()

	bins, err := buildBinaries(ctx, root, dir, o, progress)
	if err != nil {
		return err
	}
	var cs children
	defer cs.stopAll() // runs before the directory is removed
	rig, err := startRig(ctx, o, bins, dir, &cs)
	if err != nil {
		return err
	}
	tick := clockTick(ctx)
	m := describeMachine(args, tick)
	m.request = req
	b := &bench{o: o, rig: rig, loadgen: bins.loadgen, tick: tick, progress: progress}
	var runs []scenarioRun
	for _, sc := range scenariosFor(o) {
		r, err := b.runScenario(ctx, sc)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}

	m.loadEnd = loadAverage("/proc/loadavg")
	var md bytes.Buffer
	failed := writeReport(&md, m, o, runs)
	if _, err := stdout.Write(md.Bytes()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, md.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d %w; the report lists them", failed, errFailures)
	}
	return nil
}
