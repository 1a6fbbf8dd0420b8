package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestTokens runs keygate tokens and compares its output with
// testdata/tokens/<name>.golden; go test -run TestTokens -update rewrites them.
func TestTokens(t *testing.T) {
	t.Parallel()
	const dir = "testdata/tokens/"
	for _, tt := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"text_gpt-4o", "", []string{"--model", "gpt-4o", dir + "hello.txt"}},
		{"text_vendor_model", "", []string{"--model", "openai/gpt-4o-mini", dir + "hello.txt"}},
		{"text_default", "", []string{dir + "hello.txt"}},
		{"text_unknown_model", "", []string{"--model", "acme-7b", dir + "hello.txt"}},
		{"text_encoding", "", []string{"--encoding", "cl100k_base", "--model", "gpt-4o", dir + "hello.txt"}},
		{"stdin", "Hello, world!\n", []string{"--model", "gpt-4-turbo"}},
		{"stdin_dash", "Hello, world!\n", []string{"--model", "gpt-4-turbo", "-"}},
		{"ids", "", []string{"--ids", "--model", "gpt-4o", dir + "hello.txt"}},
		{"ids_cl100k", "Hello, world!\n", []string{"--ids", "--encoding", "cl100k_base"}},
		// OpenAI's cookbook example: the API billed 124 prompt tokens on gpt-4o.
		{"chat", "", []string{"--chat", dir + "chat.json"}},
		{"chat_model_flag", "", []string{"--chat", "--model", "gpt-4", dir + "chat.json"}},
		{"empty", "", []string{"--model", "gpt-4o"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, err := runIn(t, tt.stdin, append([]string{"tokens"}, tt.args...)...)
			if err != nil {
				t.Fatalf("keygate tokens %v: %v\n%s", tt.args, err, errOut)
			}
			golden := filepath.Join(dir, tt.name+".golden")
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("keygate tokens %v:\n%s\nwant (%s):\n%s", tt.args, out, golden, want)
			}
		})
	}
}

func TestTokensErrors(t *testing.T) {
	t.Parallel()
	const dir = "testdata/tokens/"
	for _, tt := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{dir + "no-such-file.txt"}, "cannot read input: open " + dir + "no-such-file.txt: no such file or directory"},
		{"", []string{"--chat", dir + "bad.json"}, dir + "bad.json is not a chat completions request: tokencount: malformed request body: not valid JSON"},
		{"[1, 2]", []string{"--chat"}, "standard input is not a chat completions request: tokencount: malformed request body: not a JSON object"},
		{`{"model":"gpt-4o"}`, []string{"--chat", "-"}, `"messages" must be an array`},
		{"", []string{"--chat", "--ids", dir + "chat.json"}, "cannot be combined with --chat"},
		{"", []string{"--encoding", "p50k_base", dir + "hello.txt"}, "p50k_base"},
		{"", []string{dir + "hello.txt", dir + "chat.json"}, "accepts at most 1 arg"},
	} {
		_, _, err := runIn(t, tt.stdin, append([]string{"tokens"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("keygate tokens %v: error %v, want one containing %q", tt.args, err, tt.want)
		}
	}
}
