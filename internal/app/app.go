// Package app assembles keygate from a configuration: the upstream client,
// router, authenticator, gateway and HTTP server. The serve command and the
// end-to-end tests build the same thing through it.
package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/keygate/keygate/internal/auth"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/gateway"
	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/metrics"
	"github.com/keygate/keygate/internal/policy"
	"github.com/keygate/keygate/internal/route"
	"github.com/keygate/keygate/internal/server"
	"github.com/keygate/keygate/internal/upstream"
)

// App is a keygate ready to serve.
type App struct {
	Server  *server.Server
	Client  *upstream.Client
	Metrics *metrics.Metrics
	// Directory authenticates callers; the admin API looks virtual keys
	// up in it too.
	Directory *auth.Directory

	cfg     *config.Config
	creds   CredentialSource
	tenants TenantSource
	seen    int64 // the store's change counter when the credentials were last loaded
	gateway *gateway.Gateway
	log     *slog.Logger
}

// Options adjust how an App is built.
type Options struct {
	// Resolver replaces the system resolver for upstream host names.
	Resolver *net.Resolver
	// Credentials, when set, supplies the keys of model_list entries that
	// name a stored credential.
	Credentials CredentialSource
	// Admin, when set, serves the admin API under /api.
	Admin http.Handler
	// Ledger, when set, receives a usage record for every proxied request.
	Ledger gateway.Recorder
	// Tenants, when set, supplies projects and virtual keys, and the spend
	// recorded so far for budgets.
	Tenants TenantSource
	// Limiter counts rate limits and budgets; nil counts in this process.
	Limiter limits.Limiter
	// Degraded, when set, reports whether Limiter is serving per-replica
	// limits because its shared counters are down (for metrics).
	Degraded func() bool
}

// TenantSource is the part of the store that says who may call and what
// they spent.
type TenantSource interface {
	auth.Tenants
	policy.Ledger
	Changed(ctx context.Context) (int64, error)
}

// New builds an App serving cfg.
func New(cfg *config.Config, log *slog.Logger, opts Options) *App {
	m := metrics.New(opts.Degraded)
	client := upstream.NewClient(cfg.RequestTimeout)
	client.Resolver = opts.Resolver
	dir := auth.NewDirectory(cfg.ClientKeys)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Read the change counter before the credentials and tenants, so that a
	// change made while they load (or before Watch starts) is seen by Watch,
	// not lost.
	var seen int64
	if opts.Credentials != nil {
		seen, _ = opts.Credentials.Changed(ctx)
	} else if opts.Tenants != nil {
		seen, _ = opts.Tenants.Changed(ctx)
	}
	if opts.Tenants != nil {
		if err := dir.Load(ctx, opts.Tenants); err != nil {
			log.Error("virtual keys not loaded; requests with them are refused until the store answers", "error", err.Error())
		}
	}
	gw := gateway.New(route.New(WithCredentials(ctx, cfg, opts.Credentials, log)), client, dir, cfg.MaxRequestBytes, log, m)
	if opts.Ledger != nil {
		gw.SetLedger(opts.Ledger)
	}
	limiter := opts.Limiter
	if limiter == nil {
		limiter = limits.NewMemory()
	}
	po := policy.Options{AlertAt: cfg.BudgetAlert, Log: log, Metrics: m}
	if opts.Tenants != nil {
		po.Ledger = opts.Tenants
	}
	gw.SetPolicy(policy.New(limiter, po))
	return &App{
		Server:    server.New(gw.Handler(), opts.Admin, m, cfg.AdminToken, log),
		Client:    client,
		Metrics:   m,
		Directory: dir,
		cfg:       cfg,
		creds:     opts.Credentials,
		tenants:   opts.Tenants,
		seen:      seen,
		gateway:   gw,
		log:       log,
	}
}

// LoopbackOnly reports whether there is no client key and no virtual key,
// so that only this machine's clients are served.
func (a *App) LoopbackOnly() bool { return a.Directory.LoopbackOnly() }

// Close releases the upstream connections.
func (a *App) Close() { a.Client.CloseIdleConnections() }
