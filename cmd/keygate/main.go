// Command keygate is a self-hosted, OpenAI-compatible gateway for people who
// bring their own LLM API keys.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		var ex exitError
		if errors.As(err, &ex) {
			os.Exit(ex.code)
		}
		fmt.Fprintln(os.Stderr, "keygate:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a code after the command has already told
// the user what went wrong.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "keygate",
		Short: "A self-hosted, OpenAI-compatible gateway for your own LLM API keys",
		Long: `keygate keeps your provider API keys in one place and gives every app one
OpenAI-compatible endpoint, with model aliases, load balancing and fallbacks.

Start it with a built-in mock upstream to try it offline:
  keygate serve --demo`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("config", "", "config file (default $KEYGATE_CONFIG or ./keygate.yaml)")
	root.AddCommand(newServeCmd(), newMockCmd(), newConfigCmd(), newKeysCmd(), newDoctorCmd(), newProjectsCmd(), newVKeysCmd(), newUsageCmd(), newTokensCmd(), newVersionCmd())
	return root
}

// configFlag returns the --config value of cmd's root.
func configFlag(cmd *cobra.Command) string {
	if f := cmd.Flag("config"); f != nil {
		return f.Value.String()
	}
	return ""
}
