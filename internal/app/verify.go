package app

import (
	"context"
	"sort"

	"github.com/keygate/keygate/internal/admin"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/verify"
)

// UsedBy returns the aliases whose model_list entries name the credential.
func UsedBy(cfg *config.Config, name string) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range cfg.Models {
		if d.Credential == name && !seen[d.Alias] {
			seen[d.Alias] = true
			out = append(out, d.Alias)
		}
	}
	sort.Strings(out)
	return out
}

// verifyOptions are the models that matter for a credential (the upstream
// models of the entries that use it) and the config's requirements.
func verifyOptions(cfg *config.Config, name string) verify.Options {
	o := verify.Options{Requirements: map[string]credential.Requirement{}}
	seen := map[string]bool{}
	for _, d := range cfg.Models {
		if d.Credential == name && !seen[d.Model] {
			seen[d.Model] = true
			o.Models = append(o.Models, d.Model)
		}
	}
	for _, r := range cfg.Requirements {
		o.Requirements[r.Model] = credential.Requirement{RPM: int64(r.RPM), TPM: int64(r.TPM)}
	}
	return o
}

func target(c credential.Credential) verify.Target {
	return verify.Target{Vendor: c.Vendor, APIBase: c.APIBase, Organization: c.Organization, Project: c.Project, Proxy: c.Proxy, Key: c.Key}
}

// Verify checks one credential against its provider, for the models that
// use it and the configured requirements.
func Verify(ctx context.Context, cfg *config.Config, c credential.Credential) credential.Verification {
	return verify.Verify(ctx, target(c), verifyOptions(cfg, c.Name))
}

// Verifier is Verify bound to cfg, for the admin API.
func Verifier(cfg *config.Config) admin.Verifier {
	return func(ctx context.Context, c credential.Credential) credential.Verification { return Verify(ctx, cfg, c) }
}

// VerifyAll checks many credentials at once, at most parallel at a time,
// calling progress as each finishes; results are in input order. Each
// credential is judged for its own models.
func VerifyAll(ctx context.Context, cfg *config.Config, cs []credential.Credential, parallel int, progress func(done, total int, name string)) []credential.Verification {
	ts := make([]verify.NamedTarget, len(cs))
	for i, c := range cs {
		models := verifyOptions(cfg, c.Name).Models
		if models == nil {
			models = []string{}
		}
		ts[i] = verify.NamedTarget{Name: c.Name, Target: target(c), Models: models}
	}
	return verify.VerifyMany(ctx, ts, verifyOptions(cfg, ""), parallel, progress)
}
