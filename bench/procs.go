package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// child is a process the harness started: the mock, a proxy. Its stdout and
// stderr go to a log file, so a chatty process can never block on a pipe.
type child struct {
	name string
	cmd  *exec.Cmd
	log  string        // path of the log file
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result; read only after done is closed
}

// startChild starts bin with args in dir, logging to dir/name.log. The child
// gets its own process group, so a Ctrl-C at the terminal reaches the harness
// only and the harness stops each child itself, and it is killed if the
// harness dies without doing so (Pdeathsig).
// With cpus set ("0", "1"), the child runs pinned to those CPUs through
// taskset, which sets the mask before exec, so every thread inherits it and
// the pid stays the child's own.
func startChild(name, dir, cpus, bin string, args ...string) (*child, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	defer f.Close() // the child holds its own copy of the descriptor
	line := pinned(cpus, bin, args)
	cmd := exec.Command(line[0], line[1:]...)
	cmd.Dir = dir
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// pid returns the child's process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// exited reports whether the child has exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop ends the child's process group: SIGTERM, then SIGKILL if it is still
// running after a grace period. It returns once the child has been reaped.
func (c *child) stop() {
	if c.exited() {
		return
	}
	_ = syscall.Kill(-c.pid(), syscall.SIGTERM)
	select {
	case <-c.done:
		return
	case <-time.After(3 * time.Second):
	}
	_ = syscall.Kill(-c.pid(), syscall.SIGKILL)
	<-c.done
}

// logTail returns up to the last n lines of the child's log.
func (c *child) logTail(n int) string {
	data, err := os.ReadFile(c.log)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", c.log, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// waitReady polls url until it answers with a status ok accepts, the child
// exits, or timeout passes.
func waitReady(ctx context.Context, c *child, url string, ok func(status int) bool, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("%s readiness: %w", c.name, err)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if ok(resp.StatusCode) {
				return nil
			}
			err = fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
		}
		last = err
		select {
		case <-c.done:
			return fmt.Errorf("%s exited before it was ready (%v); last lines of %s:\n%s", c.name, c.err, c.log, c.logTail(20))
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("%s not ready after %v: %w; last lines of %s:\n%s", c.name, timeout, last, c.log, c.logTail(20))
			}
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// children stops, in reverse order of start, every child added to it.
type children []*child

func (cs *children) add(c *child) { *cs = append(*cs, c) }

// stopAll has a pointer receiver so that `defer cs.stopAll()`, evaluated
// before any child is added, still stops every child added later.
func (cs *children) stopAll() {
	for i := len(*cs) - 1; i >= 0; i-- {
		(*cs)[i].stop()
	}
}

// pinned returns the command line that runs bin with args, on cpus when set.
func pinned(cpus, bin string, args []string) []string {
	if cpus == "" {
		return append([]string{bin}, args...)
	}
	return append([]string{"taskset", "-c", cpus, bin}, args...)
}

// CPU sets for -pin: the proxy under test gets a core of its own; the load
// generator and the mock share the other.
const (
	proxyCPUs = "1"
	otherCPUs = "0"
)

func cpusFor(o options, proxy bool) string {
	switch {
	case !o.pin:
		return ""
	case proxy:
		return proxyCPUs
	}
	return otherCPUs
}
