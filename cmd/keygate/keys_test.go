package main

import (
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/secret"
)

// keysEnv writes a config whose store lives in a temporary directory and
// whose model "stored" uses the credential openai-main at the mock.
func keysEnv(t *testing.T) (cfgPath, mockURL, dir string) {
	t.Helper()
	ms := httptest.NewServer(mockopenai.New(mockopenai.Options{}))
	t.Cleanup(ms.Close)
	dir = t.TempDir()
	t.Setenv("KEYGATE_MASTER_KEY_FILE", filepath.Join(dir, "keygate.key"))
	t.Setenv("KEYGATE_MASTER_KEY", "")
	cfgPath = filepath.Join(dir, "keygate.yaml")
	cfg := "database: sqlite://" + filepath.Join(dir, "keygate.db") + "\n" +
		"requirements:\n  - {model: gpt-3.5-turbo, rpm: 200, tpm: 50000}\n" +
		"model_list:\n  - {model_name: stored, model: openai/gpt-4o-mini, credential: openai-main, api_base: \"" + ms.URL + "/v1\"}\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, ms.URL + "/v1", dir
}

func TestKeysLifecycle(t *testing.T) {
	cfg, mock, dir := keysEnv(t)
	good := mockopenai.Key(mockopenai.ScenarioGood)
	var seen strings.Builder
	keygate := func(stdin string, args ...string) (string, error) {
		out, errOut, err := runIn(t, stdin, append([]string{"--config", cfg}, args...)...)
		seen.WriteString(out + errOut)
		if err != nil {
			seen.WriteString(err.Error())
		}
		return out + errOut, err
	}

	out, err := keygate(good+"\n", "keys", "add", "openai-main", "--vendor", "openai", "--base-url", mock, "--key-stdin")
	if err != nil || !strings.Contains(out, "✓ openai-main  "+secret.Redact(good)) || !strings.Contains(out, "gpt-3.5-turbo") {
		t.Fatalf("add: %v\n%s", err, out)
	}
	// A key the provider refuses, or one pasted with stray characters, is not stored.
	for _, bad := range []struct{ key, want string }{
		{mockopenai.Key(mockopenai.ScenarioRevoked), "was not stored"},
		{" " + good, "was not stored"},
	} {
		out, err := keygate(bad.key+"\n", "keys", "add", "other", "--base-url", mock, "--key-stdin")
		if err == nil || !strings.Contains(err.Error()+out, bad.want) {
			t.Fatalf("bad key %q: %v\n%s", bad.key[:12], err, out)
		}
	}
	if _, err := keygate(good+"\n", "keys", "add", "openai-main", "--base-url", mock, "--key-stdin"); err == nil || !strings.Contains(err.Error(), "stored already") {
		t.Fatalf("duplicate: %v", err)
	}
	out, err = keygate("", "keys", "list")
	if err != nil || !strings.Contains(out, "openai-main") || !strings.Contains(out, "✓") || !strings.Contains(out, "stored") || strings.Contains(out, "other") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = keygate("", "keys", "list", "--json")
	if err != nil || gjson.Get(out, "0.verification.ok").Bool() != true || gjson.Get(out, "0.key").String() != secret.Redact(good) {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	if out, err := keygate("", "keys", "verify", "openai-main"); err != nil || !strings.Contains(out, "✓ openai-main") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	if _, err := keygate("", "keys", "remove", "openai-main"); err == nil || !strings.Contains(err.Error(), "used by the models stored") {
		t.Fatalf("remove in use: %v", err)
	}

	// Rotation re-seals under a new key file; everything still opens.
	keyFile := filepath.Join(dir, "keygate.key")
	before, _ := os.ReadFile(keyFile)
	if out, err := keygate("", "keys", "rotate-master"); err != nil || !strings.Contains(out, "re-sealed 1 keys") {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	after, _ := os.ReadFile(keyFile)
	if string(before) == string(after) {
		t.Fatal("the key file did not change")
	}
	if _, err := keygate("", "keys", "verify", "openai-main"); err != nil {
		t.Fatalf("verify after rotation: %v", err)
	}

	// A wrong master key says so, lists what is stored, and destroys nothing.
	if err := os.WriteFile(keyFile, before, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := keygate("", "keys", "verify", "openai-main"); err == nil || !strings.Contains(err.Error(), "master key cannot open") {
		t.Fatalf("wrong master key: %v", err)
	}
	if out, err := keygate("", "keys", "list"); err != nil || !strings.Contains(out, "openai-main") {
		t.Fatalf("list with the wrong master key: %v\n%s", err, out)
	}
	if err := os.WriteFile(keyFile, after, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := keygate("", "keys", "verify", "openai-main"); err != nil {
		t.Fatalf("the right key again: %v", err)
	}

	if out, err := keygate("", "keys", "remove", "openai-main", "--force"); err != nil || !strings.Contains(out, "removed openai-main") {
		t.Fatalf("remove --force: %v\n%s", err, out)
	}
	if out, _ := keygate("", "keys", "list"); !strings.Contains(out, "no stored keys") {
		t.Fatalf("after remove: %s", out)
	}

	all := seen.String() + readFiles(t, dir)
	if strings.Contains(all, good) || strings.Contains(all, good[4:]) {
		t.Fatal("the plaintext key appears in CLI output or the database files")
	}
}

func TestKeysAddNeedsStdinOrTerminal(t *testing.T) {
	cfg, _, _ := keysEnv(t)
	_, _, err := runIn(t, "", "--config", cfg, "keys", "add", "x")
	if err == nil || !strings.Contains(err.Error(), "--key-stdin") {
		t.Fatalf("%v", err)
	}
}

func TestDoctorCLI(t *testing.T) {
	cfg, mock, _ := keysEnv(t)
	if _, _, err := runIn(t, mockopenai.Key(mockopenai.ScenarioGood)+"\n", "--config", cfg, "keys", "add", "openai-main", "--base-url", mock, "--key-stdin"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "--config", cfg, "doctor", "--model", "stored")
	if err != nil || strings.Count(out, "✓") < 5 || strings.Contains(out, "✗") {
		t.Fatalf("doctor on a good setup: %v\n%s", err, out)
	}
	out, _, err = runIn(t, mockopenai.Key(mockopenai.ScenarioRevoked)+"\n", "--config", cfg, "doctor", "--base-url", mock, "--key-stdin")
	var ex exitError
	if !errors.As(err, &ex) || ex.code != 1 || !strings.Contains(out, "✗") || !strings.Contains(out, "fix:") {
		t.Fatalf("doctor on a revoked key: %v\n%s", err, out)
	}
}

func readFiles(t *testing.T, dir string) string {
	var b strings.Builder
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			b.Write(data)
		}
	}
	return b.String()
}
