package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/keygate/keygate/internal/mockopenai"
)

func newMockCmd() *cobra.Command {
	var (
		listen     string
		opts       mockopenai.Options
		shutdownIn = 5 * time.Second
	)
	cmd := &cobra.Command{
		Use:   "mock-openai",
		Short: "Run a mock of the OpenAI API for tests, benchmarks and offline work",
		Long: `mock-openai serves OpenAI's API (chat, completions, embeddings, responses,
models) the way api.openai.com does: the same error bodies, headers, rate-limit
headers and stream framing. The API key picks a scenario:

  sk-mock-good        a working tier-1 key        sk-mock-unlimited  never rate-limited
  sk-mock-free        free-tier limits            sk-mock-revoked    401 invalid_api_key
  sk-mock-deactivated 401 account_deactivated     sk-mock-noquota    429 insufficient_quota
  sk-mock-nobilling   429 billing_not_active      sk-mock-ratelimited / -tokenlimited  429
  sk-mock-overloaded  503                         sk-mock-flaky      500 every other request
  sk-mock-slow        slow answers                sk-mock-drop       connection dropped mid-stream
  sk-mock-streamerror error event mid-stream      sk-mock-forbidden  403 unsupported region

Any other key is refused as OpenAI refuses a mistyped key. A model named
fault-<scenario> applies that scenario whatever the key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", listen, err)
			}
			srv := &http.Server{Handler: mockopenai.New(opts), ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(cmd.ErrOrStderr(), "mock OpenAI API on http://%s/v1 — try API key %s\n", l.Addr(), mockopenai.Key(mockopenai.ScenarioGood))
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(l) }()
			select {
			case err := <-errc:
				return err
			case <-cmd.Context().Done():
			}
			ctx, cancel := contextWithTimeout(shutdownIn)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:4010", "address to listen on")
	cmd.Flags().DurationVar(&opts.Latency, "latency", 0, "latency added before every response")
	cmd.Flags().DurationVar(&opts.ChunkDelay, "chunk-delay", 0, "pause between stream events")
	cmd.Flags().DurationVar(&opts.SlowLatency, "slow-latency", 2*time.Second, "latency of the slow scenario")
	return cmd
}
