package app_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestJSSDK runs testdata/js/sdk.test.mjs, the same scenarios as the Go SDK
// tests, with the official openai npm package as the client. It needs Node and
// npm; it installs the locked package into testdata/js on first run. .ci/run
// sets KEYGATE_TEST_NODE=1, under which a missing Node fails the test instead
// of skipping it.
func TestJSSDK(t *testing.T) {
	dir := filepath.Join("testdata", "js")
	node, err := exec.LookPath("node")
	npm, npmErr := exec.LookPath("npm")
	if err != nil || npmErr != nil {
		if os.Getenv("KEYGATE_TEST_NODE") != "" {
			t.Fatal("KEYGATE_TEST_NODE is set but node or npm is not on PATH")
		}
		t.Skip("needs node and npm on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openai", "package.json")); err != nil {
		install := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		install.Dir = dir
		if out, err := install.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	s := newStack(t, defaultModels, stackOptions{})
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "sdk.test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KEYGATE_BASE_URL="+s.URL, "KEYGATE_API_KEY="+clientKey)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", out)
	if err != nil {
		t.Fatalf("the openai npm SDK scenarios failed: %v", err)
	}
}
