package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/keygate/keygate/internal/admin"
	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/ledger"
	"github.com/keygate/keygate/internal/mockopenai"
	"github.com/keygate/keygate/internal/secret"
)

type serveFlags struct {
	config    string
	listen    string
	demo      bool
	logLevel  string
	logFormat string
	drain     time.Duration
	cpuProf   string
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the gateway",
		Long: `serve runs the OpenAI-compatible gateway. The config comes from --config,
$KEYGATE_CONFIG, or ./keygate.yaml; with none, keygate starts with no models and
says how to add one. --demo adds models served by a built-in mock of the OpenAI
API, so that everything works offline.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.config = configFlag(cmd)
			return runServe(cmd.Context(), f, cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&f.listen, "listen", "", "address to listen on (default from the config, else 127.0.0.1:4000)")
	cmd.Flags().BoolVar(&f.demo, "demo", false, "add demo models served by a built-in mock OpenAI upstream")
	cmd.Flags().StringVar(&f.logLevel, "log-level", envOr("KEYGATE_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	cmd.Flags().StringVar(&f.logFormat, "log-format", envOr("KEYGATE_LOG_FORMAT", "text"), "log format: text or json")
	cmd.Flags().DurationVar(&f.drain, "shutdown-timeout", 30*time.Second, "how long to let requests in flight finish on shutdown")
	cmd.Flags().StringVar(&f.cpuProf, "cpuprofile", "", "write a CPU profile (pprof) to this file, from start to shutdown")
	return cmd
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// loadConfig finds and loads the config: the flag, then $KEYGATE_CONFIG, then
// ./keygate.yaml. A missing default file is not an error; a missing named one is.
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		path = os.Getenv("KEYGATE_CONFIG")
	}
	if path == "" {
		if _, err := os.Stat("keygate.yaml"); errors.Is(err, fs.ErrNotExist) {
			return config.Default(), nil
		}
		path = "keygate.yaml"
	}
	return config.Load(path)
}

func runServe(ctx context.Context, f serveFlags, stderr io.Writer) error {
	log, err := newLogger(stderr, f.logLevel, f.logFormat)
	if err != nil {
		return err
	}
	if f.cpuProf != "" {
		stop, err := startCPUProfile(f.cpuProf)
		if err != nil {
			return err
		}
		defer func() {
			if err := stop(); err != nil {
				log.Error("cpu profile not written", "error", err.Error())
			}
		}()
	}
	cfg, err := loadConfig(f.config)
	if err != nil {
		return err
	}
	for _, w := range cfg.Warnings {
		log.Warn("config: " + w.Error())
	}
	if f.listen != "" {
		cfg.Listen = f.listen
	}
	if f.demo && cfg.File == "" {
		// A demo with no config leaves nothing behind: an in-memory store
		// sealed with a throwaway master key.
		var k [32]byte
		_, _ = rand.Read(k[:])
		cfg.Database = "sqlite::memory:"
		cfg.MasterKey = secret.New(base64.StdEncoding.EncodeToString(k[:]))
	}
	if f.demo {
		stopMock, err := startDemo(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer stopMock()
	}

	st, _, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	adminAPI := admin.New(st, app.Verifier(cfg), func(name string) []string { return app.UsedBy(cfg, name) }, cfg.AdminToken, log)
	// Batches of 128 every 100 ms: larger ones hold a core for milliseconds
	// and show in the tail latency, smaller ones cost more CPU per record
	// (BENCHMARKS.md, pinned runs).
	usage := ledger.New(st, ledger.Options{BatchSize: 128, FlushInterval: 100 * time.Millisecond}, log)
	limiter, err := app.NewLimiter(ctx, cfg, "keygate:", log)
	if err != nil {
		return err
	}
	defer limiter.Close()
	a := app.New(cfg, log, app.Options{Credentials: st, Tenants: st, Admin: adminAPI.Handler(), Ledger: usage,
		Limiter: limiter, Degraded: limiter.Degraded})
	defer a.Close()
	adminAPI.SetTenants(admin.TenantOptions{Tenants: st, AlertAt: cfg.BudgetAlert, Lookup: a.Directory.ProjectOf})
	// Changes to keys, projects and credentials reach every replica sharing
	// the database within this interval.
	go a.Watch(ctx, 500*time.Millisecond)
	srv := a.Server

	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another keygate running? choose another address with --listen)", cfg.Listen, err)
	}
	announce(log, cfg, l.Addr().String(), a.LoopbackOnly())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "timeout", f.drain)
	sctx, cancel := contextWithTimeout(f.drain)
	defer cancel()
	serr := srv.Shutdown(sctx)
	// Every request has finished and recorded its usage; write what is left.
	lctx, lcancel := contextWithTimeout(f.drain)
	defer lcancel()
	if err := usage.Close(lctx); err != nil {
		log.Error("usage records not written at shutdown", "error", err.Error())
		return errors.Join(serr, err)
	}
	return serr
}

func announce(log *slog.Logger, cfg *config.Config, addr string, loopbackOnly bool) {
	aliases := map[string]bool{}
	var names []string
	for _, d := range cfg.Models {
		if !aliases[d.Alias] {
			aliases[d.Alias] = true
			names = append(names, d.Alias)
		}
	}
	log.Info("keygate listening", "url", "http://"+addr+"/v1", "models", strings.Join(names, ","), "config", cfg.File)
	if len(names) == 0 {
		log.Warn("no models configured: create keygate.yaml with a model_list, e.g.\n" +
			"  model_list:\n    - model_name: gpt-4o-mini\n      model: openai/gpt-4o-mini\n      api_key: ${OPENAI_API_KEY}\n" +
			"then restart (or try `keygate serve --demo` for models served by a built-in mock)")
	}
	if loopbackOnly {
		log.Warn("no keys yet: accepting requests from this machine only; create a project and a key to allow others " +
			"(keygate projects create NAME; keygate vkeys create --project NAME)")
	}
}

// startDemo runs a mock OpenAI upstream on a free loopback port and adds
// models served by it to cfg, unless the config already uses those names.
func startDemo(ctx context.Context, cfg *config.Config, log *slog.Logger) (func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: start mock upstream: %w", err)
	}
	srv := &http.Server{Handler: mockopenai.New(mockopenai.Options{}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	base := "http://" + l.Addr().String() + "/v1"
	key := secret.New(mockopenai.Key(mockopenai.ScenarioGood))
	have := map[string]bool{}
	for _, d := range cfg.Models {
		have[d.Alias] = true
	}
	for _, m := range []string{"gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "text-embedding-3-small", "gpt-3.5-turbo-instruct"} {
		if have[m] {
			continue
		}
		cfg.Models = append(cfg.Models, config.Deployment{
			Alias: m, Vendor: "openai", Protocol: "openai", Model: m, APIBase: base,
			APIKeys: []secret.Secret{key}, Pos: config.Pos{File: "--demo"},
		})
	}
	log.Info("demo: mock OpenAI upstream running", "api_base", base)
	return func() {
		sctx, cancel := contextWithTimeout(2 * time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}

// startCPUProfile profiles the process into path until stop is called. The
// profile is how a performance report is best made, and the source of the
// build's default.pgo (see bench/README.md, "Profile-guided optimization").
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
