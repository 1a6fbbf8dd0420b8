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
	"github.com/keygate/keygate/internal/metrics"
	"github.com/keygate/keygate/internal/route"
	"github.com/keygate/keygate/internal/server"
	"github.com/keygate/keygate/internal/upstream"
)

// App is a keygate ready to serve.
type App struct {
	Server  *server.Server
	Client  *upstream.Client
	Metrics *metrics.Metrics
	// LoopbackOnly is true when no client keys are configured.
	LoopbackOnly bool

	cfg     *config.Config
	creds   CredentialSource
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
}

// New builds an App serving cfg.
func New(cfg *config.Config, log *slog.Logger, opts Options) *App {
	m := metrics.New()
	client := upstream.NewClient(cfg.RequestTimeout)
	client.Resolver = opts.Resolver
	authn := auth.NewClientKeys(cfg.ClientKeys)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Read the change counter before the credentials, so that a change made
	// while they load (or before Watch starts) is seen by Watch, not lost.
	var seen int64
	if opts.Credentials != nil {
		seen, _ = opts.Credentials.Changed(ctx)
	}
	gw := gateway.New(route.New(WithCredentials(ctx, cfg, opts.Credentials, log)), client, authn, cfg.MaxRequestBytes, log, m)
	if opts.Ledger != nil {
		gw.SetLedger(opts.Ledger)
	}
	return &App{
		Server:       server.New(gw.Handler(), opts.Admin, m, cfg.AdminToken, log),
		Client:       client,
		Metrics:      m,
		LoopbackOnly: authn.LoopbackOnly(),
		cfg:          cfg,
		creds:        opts.Credentials,
		seen:         seen,
		gateway:      gw,
		log:          log,
	}
}

// Close releases the upstream connections.
func (a *App) Close() { a.Client.CloseIdleConnections() }
