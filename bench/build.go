package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// binaries are the programs the harness runs, built into the work directory.
type binaries struct {
	keygate   string // the mock (keygate mock-openai) and, if measured, the keygate target
	bareproxy string // empty unless needed
	loadgen   string
}

// buildBinaries builds what o needs from the module at root into dir.
func buildBinaries(ctx context.Context, root, dir string, o options, progress func(string, ...any)) (binaries, error) {
	var b binaries
	type job struct {
		dst *string
		pkg string
	}
	jobs := []job{{&b.loadgen, "./bench/loadgen"}, {&b.keygate, "./cmd/keygate"}}
	if hasTarget(o, targetBare) {
		jobs = append(jobs, job{&b.bareproxy, "./bench/bareproxy"})
	}
	for _, j := range jobs {
		out := filepath.Join(dir, filepath.Base(j.pkg))
		progress("building %s", j.pkg)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, j.pkg)
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			return binaries{}, fmt.Errorf("go build %s: %w\n%s", j.pkg, err, msg)
		}
		*j.dst = out
	}
	return b, nil
}

// moduleRoot returns the directory of the main module (the one holding go.mod).
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == "/dev/null" {
		return "", fmt.Errorf("not inside the keygate module: run from its directory (go run ./bench)")
	}
	return filepath.Dir(gomod), nil
}
