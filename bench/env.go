package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine describes where and how a run happened, for the report.
type machine struct {
	date      time.Time
	goVersion string
	os        string
	nproc     int
	cpuModel  string
	tick      time.Duration
	command   string
	loadStart string  // /proc/loadavg's 1, 5 and 15 minute averages when the run began
	loadEnd   string  // … and when it ended
	request   request // what every request sends; zero if unknown
}

// describeMachine gathers the machine's description. args are the harness's
// arguments, without the program name. The caller fills in loadEnd.
func describeMachine(args []string, tick time.Duration) machine {
	return machine{
		loadStart: loadAverage("/proc/loadavg"),
		date:      time.Now().UTC(),
		goVersion: runtime.Version(),
		os:        runtime.GOOS + "/" + runtime.GOARCH,
		nproc:     runtime.NumCPU(),
		cpuModel:  cpuModel("/proc/cpuinfo"),
		tick:      tick,
		command:   commandLine(args),
	}
}

// cpuModel returns the first "model name" in a /proc/cpuinfo file, or
// "unknown".
func cpuModel(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(val)
		}
	}
	return "unknown"
}

// commandLine renders how the harness was run, as `go run ./bench ARGS`, with
// arguments quoted for a POSIX shell where needed.
func commandLine(args []string) string {
	parts := []string{"go", "run", "./bench"}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,@+%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// loadAverage returns the 1, 5 and 15 minute load averages from a
// /proc/loadavg file, or "unknown". On a small shared machine they tell
// whether something else was competing for the CPUs during the run.
func loadAverage(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// busy returns the 1-minute load average at the start of the run and whether
// it exceeded the number of CPUs, meaning other work competed with the run.
func (m machine) busy() (float64, bool) {
	first, _, _ := strings.Cut(m.loadStart, " ")
	load, err := strconv.ParseFloat(first, 64)
	if err != nil {
		return 0, false
	}
	return load, load > float64(m.nproc)
}
