package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Target names: the client talks to the mock directly, through the bare proxy,
// through keygate, or through a keygate that counts every prompt.
const (
	targetDirect  = "direct"
	targetBare    = "bare"
	targetKeygate = "keygate"
	// targetKeygateCount is keygate started the same way, but its model_list
	// entry has a tpm limit (countTPM). A deployment with a tpm makes keygate
	// count each request's prompt tokens and admit them against that limit;
	// keygate counts nothing when no limit, budget or context window needs
	// it. Compared with keygate in the same round, it shows what counting
	// costs.
	targetKeygateCount = "keygate-count"
)

// countTPM is keygate-count's deployment tpm: so large that nothing is ever
// refused, while every request still pays for the count and an in-memory
// bucket update.
const countTPM = 1_000_000_000_000

// Keys: the mock never rate-limits mockKey; keygate's config admits clientKey.
const (
	mockKey   = "sk-mock-unlimited"
	clientKey = "kg-bench-key"
)

// readyTimeout bounds how long a started process may take to become ready.
const readyTimeout = 30 * time.Second

// target is one way of reaching the mock.
type target struct {
	name  string
	url   string // base URL including /v1
	key   string // bearer token the client sends
	proxy *child // the proxying process; nil for direct
}

// rig is the running system under test: the mock and the proxies in front of it.
type rig struct {
	mock    *child
	mockURL string // http://host:port, without /v1
	targets []target
	procs   []*child // every long-running process, for memory figures
}

// startRig starts the mock and the proxies o asks for, registering each with
// cs so the caller can stop them, and waits until all are ready.
func startRig(ctx context.Context, o options, bins binaries, dir string, cs *children) (*rig, error) {
	r := &rig{}
	mockAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	r.mockURL = "http://" + mockAddr
	r.mock, err = startChild("mock", dir, cpusFor(o, false), bins.keygate, "mock-openai",
		"--listen", mockAddr, "--latency", o.latency.String(), "--chunk-delay", o.chunkDelay.String())
	if err != nil {
		return nil, err
	}
	cs.add(r.mock)
	r.procs = append(r.procs, r.mock)
	// Any answer means it is listening; /_mock/stats is the mock's own page.
	if err := waitReady(ctx, r.mock, r.mockURL+"/_mock/stats", func(s int) bool { return s < 500 }, readyTimeout); err != nil {
		return nil, err
	}

	for _, name := range o.targets {
		t := target{name: name}
		switch name {
		case targetDirect:
			t.url, t.key = r.mockURL+"/v1", mockKey
		case targetBare:
			t.proxy, t.url, err = startBare(ctx, cpusFor(o, true), bins.bareproxy, dir, r.mockURL, o.conns, cs)
			t.key = clientKey // the proxy replaces it with the mock's key
		case targetKeygate:
			t.proxy, t.url, err = startKeygate(ctx, cpusFor(o, true), bins.keygate, dir, name, r.mockURL, o.model, 0, o.kgFlags, cs)
			t.key = clientKey
		case targetKeygateCount:
			t.proxy, t.url, err = startKeygate(ctx, cpusFor(o, true), bins.keygate, dir, name, r.mockURL, o.model, countTPM, o.kgFlags, cs)
			t.key = clientKey
		}
		if err != nil {
			return nil, err
		}
		if t.proxy != nil {
			r.procs = append(r.procs, t.proxy)
		}
		r.targets = append(r.targets, t)
	}
	return r, nil
}

func startBare(ctx context.Context, cpus, bin, dir, mockURL string, conns int, cs *children) (*child, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	c, err := startChild("bareproxy", dir, cpus, bin, "-listen", addr, "-upstream", mockURL, "-key", mockKey,
		"-max-idle", fmt.Sprint(max(conns, 1024)))
	if err != nil {
		return nil, "", err
	}
	cs.add(c)
	// The proxy has no page of its own; any answer relayed from the mock will do.
	if err := waitReady(ctx, c, "http://"+addr+"/_mock/stats", func(s int) bool { return s < 500 }, readyTimeout); err != nil {
		return nil, "", err
	}
	return c, "http://" + addr + "/v1", nil
}

// keygateConfig returns the config keygate serves the benchmark with: one
// client key, one model routed to the mock, with a tpm limit if tpm > 0.
func keygateConfig(model, mockURL string, tpm int64) string {
	cfg := fmt.Sprintf(`client_keys: [%s]
model_list:
  - model_name: %s
    model: openai/%s
    api_key: %s
    api_base: %s/v1
`, clientKey, model, model, mockKey, mockURL)
	if tpm > 0 {
		cfg += fmt.Sprintf("    tpm: %d\n", tpm)
	}
	return cfg
}

// startKeygate starts `keygate serve` as the named process, with its config.
// The keygate target runs in dir; any other (keygate-count) in a directory of
// its own under dir, so that the two do not share the usage ledger's SQLite
// file (./keygate.db by default).
func startKeygate(ctx context.Context, cpus, bin, dir, name, mockURL, model string, tpm int64, flags []string, cs *children) (*child, string, error) {
	if name != targetKeygate {
		dir = filepath.Join(dir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, "", fmt.Errorf("start %s: %w", name, err)
		}
	}
	cfgPath := filepath.Join(dir, "keygate.yaml")
	if err := os.WriteFile(cfgPath, []byte(keygateConfig(model, mockURL, tpm)), 0o600); err != nil {
		return nil, "", fmt.Errorf("write %s config: %w", name, err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	args := append([]string{"serve", "--config", cfgPath, "--listen", addr}, flags...)
	c, err := startChild(name, dir, cpus, bin, args...)
	if err != nil {
		return nil, "", err
	}
	cs.add(c)
	if err := waitReady(ctx, c, "http://"+addr+"/healthz", func(s int) bool { return s == http.StatusOK }, readyTimeout); err != nil {
		return nil, "", err
	}
	return c, "http://" + addr + "/v1", nil
}

// resetMock asks the mock to forget its counters; failures do not matter.
func (r *rig) resetMock(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.mockURL+"/_mock/reset", nil)
	if err != nil {
		return
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	}
}

// checkAlive returns an error, with the end of its log, if a process died.
func (r *rig) checkAlive() error {
	for _, c := range r.procs {
		if c.exited() {
			return fmt.Errorf("%s exited during the run (%v); last lines of %s:\n%s", c.name, c.err, c.log, c.logTail(20))
		}
	}
	return nil
}

// mockRequests returns how many requests the mock has received so far, summed
// over API keys, from GET /_mock/stats ({"<key>": {"requests": N, …}, …}). The
// harness compares it with the requests sent, so a cache or retries in a proxy
// cannot pass unnoticed.
func (r *rig) mockRequests(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.mockURL+"/_mock/stats", nil)
	if err != nil {
		return 0, fmt.Errorf("mock stats: %w", err)
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("mock stats: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("mock stats: status %d", resp.StatusCode)
	}
	return parseMockStats(resp.Body)
}

// parseMockStats sums the per-key request counts of a /_mock/stats body.
func parseMockStats(body io.Reader) (int, error) {
	var stats map[string]struct {
		Requests int `json:"requests"`
	}
	if err := json.NewDecoder(body).Decode(&stats); err != nil {
		return 0, fmt.Errorf("mock stats: %w", err)
	}
	n := 0
	for _, ks := range stats {
		n += ks.Requests
	}
	return n, nil
}
