package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/pricing"
	"github.com/keygate/keygate/internal/tokencount"
	"github.com/keygate/keygate/internal/tokenizer"
)

func newTokensCmd() *cobra.Command {
	var (
		model, encoding string
		chat, ids       bool
	)
	cmd := &cobra.Command{
		Use:   "tokens [FILE|-]",
		Short: "Count the tokens of a text or a chat request, and what they cost",
		Long: `tokens counts the tokens of FILE (or standard input, also with "-") in the
encoding of --model, or in --encoding, and estimates what they cost as input
to --model from the pricing catalog. Without either flag it uses o200k_base.

With --chat the input is a chat completions request body in JSON, and the
count is the prompt tokens OpenAI is expected to bill for it: messages, tool
definitions and calls, images, and the per-message overhead. Its "model" is
used when --model is not given.

--ids prints the token ids of the text, one per line, instead of the count.`,
		Example: `  keygate tokens --model gpt-4o notes.txt
  echo 'Hello, world!' | keygate tokens --encoding cl100k_base --ids
  keygate tokens --chat request.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if chat && ids {
				return errors.New("--ids lists the tokens of a plain text; it cannot be combined with --chat")
			}
			name := "-"
			if len(args) == 1 {
				name = args[0]
			}
			data, err := readInput(cmd, name)
			if err != nil {
				return fmt.Errorf("cannot read input: %w", err)
			}
			if chat && model == "" {
				model = modelOf(data)
			}
			enc, how, err := pickEncoding(model, encoding)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if ids {
				var b strings.Builder
				for _, id := range enc.Encode(string(data)) {
					fmt.Fprintln(&b, id)
				}
				_, err := io.WriteString(out, b.String())
				return err
			}
			var n int64
			what := ""
			if chat {
				if n, err = tokencount.Prompt(tokencount.Chat, data, enc); err != nil {
					return fmt.Errorf("%s is not a chat completions request: %w", inputName(name), err)
				}
				what = " (prompt of the chat request, estimated)"
			} else {
				n = int64(enc.Count(string(data)))
			}
			_, err = fmt.Fprintf(out, "tokens:   %d%s\nencoding: %s\ncost:     %s\n", n, what, how, inputCost(model, n))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&model, "model", "", "model whose encoding and input price to use, e.g. gpt-4o")
	f.StringVar(&encoding, "encoding", "", "encoding to count in: o200k_base or cl100k_base (default: the model's)")
	f.BoolVar(&chat, "chat", false, "the input is a chat completions request body (JSON)")
	f.BoolVar(&ids, "ids", false, "print the token ids, one per line, instead of the count")
	return cmd
}

// readInput reads the file name, or standard input for "-".
func readInput(cmd *cobra.Command, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(cmd.InOrStdin())
	}
	return os.ReadFile(name)
}

func inputName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// modelOf returns the "model" of a JSON request body, or "" when there is
// none; a body that is not JSON is reported when it is counted.
func modelOf(body []byte) string {
	if !gjson.ValidBytes(body) {
		return ""
	}
	return gjson.GetBytes(body, "model").String()
}

// pickEncoding returns the encoding to count in and a description of why it
// was chosen: --encoding if given, else model's, else the default.
func pickEncoding(model, name string) (*tokenizer.Encoding, string, error) {
	if name != "" {
		enc, err := tokenizer.Get(name)
		if err != nil {
			return nil, "", err
		}
		return enc, enc.Name() + " (--encoding)", nil
	}
	enc, known := tokenizer.ForModel(model)
	if !known {
		// keygate names models vendor/id ("openai/gpt-4o"); the tokenizer
		// knows the id.
		if i := strings.LastIndexByte(model, '/'); i >= 0 {
			enc, known = tokenizer.ForModel(model[i+1:])
		}
	}
	switch {
	case known:
		return enc, fmt.Sprintf("%s (used by %s)", enc.Name(), model), nil
	case model == "":
		return enc, enc.Name() + " (default; pass --model for a model's own encoding)", nil
	}
	return enc, fmt.Sprintf("%s (default: the tokenizer does not know model %q)", enc.Name(), model), nil
}

// inputCost describes what n prompt tokens cost as input to model at the
// catalog's price, rounded up to a whole nano-dollar as budgets are charged.
func inputCost(model string, n int64) string {
	if model == "" {
		return "unknown (pass --model to price the tokens)"
	}
	p, ok := pricing.Default().Lookup(model)
	if !ok {
		return fmt.Sprintf("unknown (no price for %q in the pricing catalog)", model)
	}
	return fmt.Sprintf("%s as input to %s", pricing.Cost(p, openai.Usage{PromptTokens: n}), model)
}
