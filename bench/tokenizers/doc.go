// Package tokenizers benchmarks keygate's tokenizer (internal/tokenizer)
// against the Go ports of tiktoken, github.com/tiktoken-go/tokenizer and
// github.com/pkoukk/tiktoken-go, on the golden corpus of internal/tokenizer,
// and checks the ports' token ids against keygate's. It is a module of its
// own so that the ports never enter keygate's go.mod.
//
//	cd bench/tokenizers && go test -run '^$' -bench . -cpu 1 -count 5
//	cd bench/tokenizers && go test -run Exactness -v
package tokenizers
