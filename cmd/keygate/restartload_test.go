package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// load is several clients sending chat completions back to back, each as
// soon as the last is answered, until stop.
type load struct {
	// draining is set by the test when serve's shutdown begins, to count
	// the 200s answered after it.
	draining atomic.Bool

	client   *http.Client
	quit     chan struct{}
	quitOnce sync.Once
	wg       sync.WaitGroup
	okCount  atomic.Int64

	mu      sync.Mutex
	ok      []string       // X-Request-Id of every 200, read after stop
	other   map[string]int // every other outcome: a status or a transport error
	drained int            // 200s answered once draining was set
}

// startLoad starts workers clients sending to baseURL with key.
func startLoad(baseURL, key string, workers int) *load {
	l := &load{
		client: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: workers}},
		quit:   make(chan struct{}),
		other:  map[string]int{},
	}
	for range workers {
		l.wg.Go(func() { l.send(baseURL+"/chat/completions", key) })
	}
	return l
}

const loadBody = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello to the restart."}]}`

func (l *load) send(url, key string) {
	for {
		select {
		case <-l.quit:
			return
		default:
		}
		id, outcome := l.post(url, key)
		draining := l.draining.Load()
		l.mu.Lock()
		if outcome == "" {
			l.ok = append(l.ok, id)
			if draining {
				l.drained++
			}
		} else {
			l.other[outcome]++
		}
		l.mu.Unlock()
		if outcome == "" {
			l.okCount.Add(1)
		} else {
			// Refused while serve is down or stopping: do not spin.
			time.Sleep(time.Millisecond)
		}
	}
}

// post sends one request and returns its request id if it was answered 200
// with a whole body, else a word on what happened instead.
func (l *load) post(url, key string) (id, outcome string) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(loadBody))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.client.Do(req)
	if err != nil {
		return "", "transport error"
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return "", fmt.Sprintf("status %d, body cut off", resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return "", fmt.Sprintf("status %d", resp.StatusCode)
	case !strings.Contains(string(body), `"chat.completion"`):
		return "", "status 200 without a chat completion"
	case resp.Header.Get("X-Request-Id") == "":
		return "", "status 200 without X-Request-Id"
	}
	return resp.Header.Get("X-Request-Id"), ""
}

// waitFor waits until n requests have been answered 200, or d has passed.
func (l *load) waitFor(n int64, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for l.okCount.Load() < n {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// stop ends the clients and waits for their last requests. It may be
// called again.
func (l *load) stop() {
	l.quitOnce.Do(func() { close(l.quit) })
	l.wg.Wait()
	l.client.CloseIdleConnections()
}

func (l *load) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("%d answered 200 (%d of them after shutdown began), others %v", len(l.ok), l.drained, l.other)
}
