package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// cpuTime returns the CPU time (user + system) process pid has used so far,
// read from /proc/PID/stat. tick is the length of a clock tick (see clockTick).
func cpuTime(pid int, tick time.Duration) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read CPU time of pid %d: %w", pid, err)
	}
	ticks, err := parseStatTicks(data)
	if err != nil {
		return 0, fmt.Errorf("pid %d: %w", pid, err)
	}
	return time.Duration(ticks) * tick, nil
}

// parseStatTicks returns utime+stime, in clock ticks, from the contents of
// /proc/PID/stat. The command name (field 2) is in parentheses and may itself
// hold spaces and parentheses, so fields are counted from the last ')'.
func parseStatTicks(stat []byte) (uint64, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("parse /proc stat: no ')' after the command name")
	}
	// After ") " come fields 3 (state) onwards; utime and stime are fields 14 and 15.
	fields := strings.Fields(string(stat[end+1:]))
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("parse /proc stat: %d fields after the command name, want more than %d", len(fields), stime)
	}
	u, err := strconv.ParseUint(fields[utime], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse /proc stat utime: %w", err)
	}
	s, err := strconv.ParseUint(fields[stime], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse /proc stat stime: %w", err)
	}
	return u + s, nil
}

// memInfo is a process's resident memory, in bytes.
type memInfo struct {
	RSS  int64 // VmRSS: resident now
	Peak int64 // VmHWM: the most ever resident
}

// readMem returns pid's memory from /proc/PID/status.
func readMem(pid int) (memInfo, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memInfo{}, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	m, err := parseStatusMem(data)
	if err != nil {
		return memInfo{}, fmt.Errorf("pid %d: %w", pid, err)
	}
	return m, nil
}

// parseStatusMem reads VmRSS and VmHWM (given in kB) from the contents of
// /proc/PID/status.
func parseStatusMem(status []byte) (memInfo, error) {
	var m memInfo
	var seen int
	for line := range strings.Lines(string(status)) {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *int64
		switch key {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.Peak
		default:
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(val), " ")
		if unit != "kB" {
			return memInfo{}, fmt.Errorf("parse /proc status %s: unit %q, want kB", key, unit)
		}
		kb, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return memInfo{}, fmt.Errorf("parse /proc status %s: %w", key, err)
		}
		*dst = kb << 10
		seen++
	}
	if seen != 2 {
		return memInfo{}, fmt.Errorf("parse /proc status: VmRSS or VmHWM missing")
	}
	return m, nil
}

// clockTick returns the length of the clock tick /proc/PID/stat counts in, from
// `getconf CLK_TCK`, or 10ms (100 Hz, Linux's usual value) if that fails.
func clockTick(ctx context.Context) time.Duration {
	out, err := exec.CommandContext(ctx, "getconf", "CLK_TCK").Output()
	if err != nil {
		return 10 * time.Millisecond
	}
	return ticksToDuration(string(out))
}

// ticksToDuration turns getconf's CLK_TCK output into a tick length, falling
// back to 100 Hz on anything unexpected.
func ticksToDuration(clkTck string) time.Duration {
	hz, err := strconv.Atoi(strings.TrimSpace(clkTck))
	if err != nil || hz <= 0 {
		return 10 * time.Millisecond
	}
	return time.Second / time.Duration(hz)
}
