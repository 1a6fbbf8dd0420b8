// Command loadgen offers an open-loop, fixed-rate load of chat completions to
// one OpenAI-compatible target and prints what it measured as one JSON object
// (bench/internal/load.Result) on stdout. The bench harness runs it as its own
// process, so its CPU use is kept apart from the processes being measured.
//
//	loadgen -url http://127.0.0.1:4000/v1 -key kg-bench-key -rate 2000 -duration 5s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/keygate/keygate/bench/internal/load"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	var cfg load.Config
	fs.StringVar(&cfg.URL, "url", "", "target base URL including /v1")
	fs.StringVar(&cfg.Key, "key", "", "bearer token to send")
	fs.StringVar(&cfg.Model, "model", "gpt-4o-mini", "model to request")
	fs.BoolVar(&cfg.Stream, "stream", false, "streaming chat completion with stream_options.include_usage")
	fs.IntVar(&cfg.PromptBytes, "prompt-bytes", 0, "pad the user message so the request body is this many bytes (0: a small body of about 200 bytes)")
	fs.BoolVar(&cfg.Novel, "novel", false, "make every request's text new (a number at the start of the user message, and 64 padding texts in turn), so no count cache helps")
	fs.Float64Var(&cfg.Rate, "rate", 100, "offered requests per second")
	fs.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long to offer load")
	fs.IntVar(&cfg.Conns, "conns", 256, "workers (max in-flight requests and keep-alive connections)")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "per-request timeout")
	cpuprofile := fs.String("cpuprofile", "", "write the generator's own CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := load.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}
