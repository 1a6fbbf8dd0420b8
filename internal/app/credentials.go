package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/route"
	"github.com/keygate/keygate/internal/secret"
)

// CredentialSource is the part of the store the gateway reads.
type CredentialSource interface {
	GetCredential(ctx context.Context, name string) (credential.Credential, error)
	Changed(ctx context.Context) (int64, error)
}

// WithCredentials returns a copy of cfg in which every model_list entry that
// names a stored credential carries its key and, where the entry leaves them
// out, its organization, project and proxy. An entry whose credential is
// missing or cannot be opened keeps no key: the gateway answers its requests
// with an error that says so, and the log says why now.
func WithCredentials(ctx context.Context, cfg *config.Config, src CredentialSource, log *slog.Logger) *config.Config {
	out := *cfg
	out.Models = append([]config.Deployment(nil), cfg.Models...)
	if src == nil {
		return &out
	}
	cache := map[string]*credential.Credential{}
	for i := range out.Models {
		d := &out.Models[i]
		if d.Credential == "" || len(d.APIKeys) > 0 {
			continue
		}
		c, seen := cache[d.Credential]
		if !seen {
			got, err := src.GetCredential(ctx, d.Credential)
			if err != nil {
				log.Warn("model cannot use its stored credential", "model", d.Alias, "credential", d.Credential, "error", err.Error())
			} else {
				c = &got
			}
			cache[d.Credential] = c
		}
		if c == nil {
			continue
		}
		if c.Vendor != "" && c.Vendor != d.Vendor {
			log.Warn("model and its credential name different vendors", "model", d.Alias, "model_vendor", d.Vendor, "credential", d.Credential, "credential_vendor", c.Vendor)
		}
		d.APIKeys = []secret.Secret{c.Key}
		if c.APIBase != "" {
			d.APIBase = c.APIBase
		}
		d.Organization = orElse(d.Organization, c.Organization)
		d.Project = orElse(d.Project, c.Project)
		d.Proxy = orElse(d.Proxy, c.Proxy)
	}
	return &out
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Watch reloads stored credentials whenever the store reports a change (a
// `keygate keys` command, the admin API, another replica), until ctx ends.
// Polling a change counter costs one tiny query per interval and needs no
// notification channel, so it works on SQLite and PostgreSQL alike.
func (a *App) Watch(ctx context.Context, interval time.Duration) {
	var changes interface {
		Changed(ctx context.Context) (int64, error)
	}
	switch {
	case a.creds != nil:
		changes = a.creds
	case a.tenants != nil:
		changes = a.tenants
	default:
		return
	}
	last := a.seen
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := changes.Changed(ctx)
		if err != nil {
			a.log.Warn("cannot check the store for changes", "error", err.Error())
			continue
		}
		if n == last {
			continue
		}
		last = n
		a.Reload(ctx)
	}
}

// Reload re-reads stored credentials, projects and virtual keys, and swaps
// in a router and a directory built from them.
func (a *App) Reload(ctx context.Context) {
	if a.creds != nil {
		a.gateway.SetRouter(route.New(WithCredentials(ctx, a.cfg, a.creds, a.log)))
	}
	if a.tenants != nil {
		if err := a.Directory.Load(ctx, a.tenants); err != nil {
			a.log.Warn("projects and virtual keys not reloaded", "error", err.Error())
			return
		}
	}
	a.log.Info("stored credentials, projects and keys reloaded")
}
