package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runIn(t, "", args...)
}

// runIn runs keygate with stdin as its standard input.
func runIn(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("model_list:\n  - model_name: m\n    model: openai/gpt-4o-mini\n    api_key: sk-abcdefghijklmnopqrstuvwxyz\n    rpm: 60\n    colour: blue\n"), 0o600)
	os.WriteFile(bad, []byte("model_list:\n  - model_name: m\n    model: openai/gpt-4o-mini\n    api_key: sk-x\n    rpm: fast\n"), 0o600)

	out, errOut, err := run(t, "config", "check", good)
	if err != nil {
		t.Fatalf("%v %s", err, errOut)
	}
	if !strings.Contains(out, "openai/gpt-4o-mini  https://api.openai.com/v1") || !strings.Contains(out, "sk-…wxyz") || strings.Contains(out, "abcdefghijklmnop") {
		t.Fatalf("table (keys must show redacted):\n%s", out)
	}
	if !strings.Contains(errOut, "good.yaml:6:5: model_list[0].colour") {
		t.Fatalf("unknown field not reported with its position: %s", errOut)
	}

	_, errOut, err = run(t, "config", "check", bad)
	var ex exitError
	if !errors.As(err, &ex) || ex.code != 1 || !strings.Contains(errOut, "bad.yaml:5:10: model_list[0].rpm") {
		t.Fatalf("err %v, stderr %s", err, errOut)
	}
}

func TestVersion(t *testing.T) {
	out, _, err := run(t, "version")
	if err != nil || !strings.HasPrefix(out, "keygate ") {
		t.Fatalf("%q %v", out, err)
	}
}

// serve --demo starts, answers a chat completion from its built-in mock, and
// shuts down cleanly when its context ends.
func TestServeDemo(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Chdir(t.TempDir()) // no keygate.yaml here
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, serveFlags{listen: addr, demo: true, logLevel: "info", logFormat: "text", drain: 5 * time.Second}, io.Discard)
	}()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		resp, err = http.Post("http://"+addr+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`))
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"chat.completion"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
