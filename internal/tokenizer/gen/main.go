// Command gen rebuilds the vocabularies embedded by package tokenizer from
// OpenAI's official .tiktoken files.
//
// A .tiktoken file holds one token a line: the token's bytes in standard
// base64, a space, and its rank. gen checks each file's SHA-256 against the
// hash tiktoken publishes, then writes <name>.bin: the tokens in rank order,
// each as one length byte followed by the token's bytes. Ranks are dense
// (0..n-1), so the rank is implied by the position, tokens are distinct,
// and none is longer than 255 bytes; gen refuses input that breaks any of
// these assumptions, which the loader does not check again.
//
// The .tiktoken files ship in the Go module github.com/pkoukk/tiktoken-go-loader
// (MIT), which the benchmark module bench/tokenizers requires, so after
// `cd bench/tokenizers && go mod download` they are in the module cache,
// where gen looks by default:
//
//	go generate ./internal/tokenizer
//	go run ./internal/tokenizer/gen -src DIR -out internal/tokenizer/vocab
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// published maps each encoding to the SHA-256 of its .tiktoken file, as
// tiktoken_ext/openai_public.py pins them.
var published = map[string]string{
	"cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
	"o200k_base":  "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

const loaderModule = "github.com/pkoukk/tiktoken-go-loader@v0.0.2"

func main() {
	src := flag.String("src", "", "directory holding <encoding>.tiktoken (default: "+loaderModule+"/assets in the module cache)")
	out := flag.String("out", "vocab", "output directory for <encoding>.bin")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	if src == "" {
		cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			return fmt.Errorf("go env GOMODCACHE: %w", err)
		}
		src = filepath.Join(strings.TrimSpace(string(cache)), filepath.FromSlash(loaderModule), "assets")
	}
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		raw, err := os.ReadFile(filepath.Join(src, name+".tiktoken"))
		if err != nil {
			return fmt.Errorf("%w (run `go mod download` in bench/tokenizers, or pass -src)", err)
		}
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); got != published[name] {
			return fmt.Errorf("%s.tiktoken: sha256 %s, want %s", name, got, published[name])
		}
		bin, n, err := convert(raw)
		if err != nil {
			return fmt.Errorf("%s.tiktoken: %w", name, err)
		}
		dst := filepath.Join(out, name+".bin")
		if err := os.WriteFile(dst, bin, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d tokens, %d bytes\n", dst, n, len(bin))
	}
	return nil
}

// convert turns a .tiktoken file into the length-prefixed binary form.
func convert(raw []byte) ([]byte, int, error) {
	var tokens [][]byte
	seen := make(map[string]int)
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		b64, rankText, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			return nil, 0, fmt.Errorf("line %d: no space", line)
		}
		tok, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, 0, fmt.Errorf("line %d: %w", line, err)
		}
		rank, err := strconv.Atoi(rankText)
		if err != nil {
			return nil, 0, fmt.Errorf("line %d: %w", line, err)
		}
		if rank != len(tokens) {
			return nil, 0, fmt.Errorf("line %d: rank %d, want %d (ranks must be dense and sorted)", line, rank, len(tokens))
		}
		if len(tok) == 0 || len(tok) > 255 {
			return nil, 0, fmt.Errorf("line %d: token of %d bytes", line, len(tok))
		}
		if r, ok := seen[string(tok)]; ok {
			return nil, 0, fmt.Errorf("line %d: token %q repeats rank %d", line, tok, r)
		}
		seen[string(tok)] = rank
		tokens = append(tokens, tok)
	}
	if err := sc.Err(); err != nil {
		return nil, 0, err
	}
	if len(tokens) == 0 {
		return nil, 0, errors.New("no tokens")
	}
	var b bytes.Buffer
	for _, t := range tokens {
		b.WriteByte(byte(len(t)))
		b.Write(t)
	}
	return b.Bytes(), len(tokens), nil
}
