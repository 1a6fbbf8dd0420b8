package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/keygate/keygate/internal/tenant"
)

func newVKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vkeys",
		Short: "Create, list and revoke virtual keys: the keys clients send to keygate",
		Long: `vkeys manages virtual keys. A client sends one as its OpenAI API key
("Authorization: Bearer kg-…"); keygate checks it, applies its project's
models and limits and the key's own, and calls the provider with a stored
provider key. A virtual key is shown once, when it is made: keygate keeps only
its SHA-256 and a hint of its last characters.`,
	}
	cmd.AddCommand(newVKeysCreateCmd(), newVKeysListCmd(), newVKeysRevokeCmd())
	return cmd
}

func newVKeysCreateCmd() *cobra.Command {
	var (
		lf                     limitFlags
		project, name, expires string
		asJSON                 bool
	)
	cmd := &cobra.Command{
		Use:   "create --project NAME",
		Short: "Make a virtual key for a project and print it once",
		Long: `create makes a new virtual key for a project. Its own limits (--rpm, --tpm,
--rpd, --budget) apply within the project's, and --expires ends it after a
span such as 30d, 7d or 12h.

The key is printed once, alone on the last line, so that a script can take it:
  KEY=$(keygate vkeys create --project webapp --name ci | tail -n1)
With --json, it is the "key" field of the one object printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if project == "" {
				return errors.New("say which project the key is for: --project NAME (`keygate projects list` shows them)")
			}
			key, k := tenant.NewKey(project)
			k.Name = name
			if err := lf.apply(cmd, &k.Limits); err != nil {
				return err
			}
			if expires != "" {
				d, err := parseExpires(expires)
				if err != nil {
					return err
				}
				at := time.Now().Add(d).UTC()
				k.ExpiresAt = &at
			}
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			ctx := cmd.Context()
			if err := e.store.CreateVirtualKey(ctx, k); err != nil {
				if errors.Is(err, tenant.ErrNotFound) {
					return fmt.Errorf("no project is named %q: create it first with `keygate projects create %s`", project, project)
				}
				return err
			}
			if stored, err := e.store.GetVirtualKeyByHash(ctx, k.Hash); err == nil {
				k = stored // with the store's CreatedAt
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, struct {
					tenant.VirtualKey
					Key string `json:"key"`
				}{k, key})
			}
			fmt.Fprintf(out, "created %s for project %s\n", k.ID, k.Project)
			if k.Name != "" {
				fmt.Fprintf(out, "  name:     %s\n", k.Name)
			}
			fmt.Fprintf(out, "  hint:     %s\n", k.Hint)
			fmt.Fprintf(out, "  expires:  %s\n", expiresText(k.ExpiresAt))
			fmt.Fprintf(out, "  limits:   %s (within project %s's)\n", describeLimits(k.Limits), k.Project)
			fmt.Fprintln(out, "This key is shown only once: keep it now. Revoke it with `keygate vkeys revoke "+k.ID+"`.")
			fmt.Fprintln(out, key)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&project, "project", "", "the project the key belongs to (required)")
	f.StringVar(&name, "name", "", "a label for the key, such as the app or person using it")
	f.StringVar(&expires, "expires", "", "end the key after this long: 30d, 7d, 12h (default: never)")
	lf.register(cmd, "for this key")
	f.BoolVar(&asJSON, "json", false, "print JSON, with the key in \"key\"")
	return cmd
}

func newVKeysListCmd() *cobra.Command {
	var (
		project string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List virtual keys (by hint; the keys themselves are never shown again)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			ks, err := e.store.ListVirtualKeys(cmd.Context(), project)
			if err != nil {
				return describeTenantErr(err, project)
			}
			now := time.Now()
			views := make([]vkeyView, 0, len(ks))
			for _, k := range ks {
				views = append(views, vkeyView{VirtualKey: k, Status: keyStatus(k, now)})
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), views)
			}
			printVKeyTable(cmd.OutOrStdout(), views, project)
			return nil
		},
	}
	cmd.Flags().StringVar(&project, "project", "", "only this project's keys")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newVKeysRevokeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a virtual key: requests with it are refused from then on",
		Long: `revoke marks a virtual key revoked, by its id (vk_…, from ` + "`keygate vkeys list`" + `).
A leaked key may be given itself instead. The key stays listed as revoked;
its usage records stay in the ledger. Revoking cannot be undone: make a new
key with ` + "`keygate vkeys create`" + `.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			ctx := cmd.Context()
			id := args[0]
			if tenant.LooksLikeKey(id) {
				k, err := e.store.GetVirtualKeyByHash(ctx, tenant.HashKey(id))
				if err != nil {
					if errors.Is(err, tenant.ErrNotFound) {
						return errors.New("that key is not one keygate stores: `keygate vkeys list` shows the ids of those it does")
					}
					return err
				}
				id = k.ID
			}
			ks, err := e.store.ListVirtualKeys(ctx, "")
			if err != nil {
				return err
			}
			var k *tenant.VirtualKey
			for i := range ks {
				if ks[i].ID == id {
					k = &ks[i]
					break
				}
			}
			if k == nil {
				return fmt.Errorf("no virtual key has the id %q: `keygate vkeys list` shows them", id)
			}
			if k.RevokedAt != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "%s (project %s) was revoked already, at %s\n", k.ID, k.Project, ago(*k.RevokedAt))
				return nil
			}
			if err := e.store.RevokeVirtualKey(ctx, id, time.Time{}); err != nil {
				if errors.Is(err, tenant.ErrNotFound) {
					return fmt.Errorf("no virtual key has the id %q: `keygate vkeys list` shows them", id)
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked %s (project %s, %s): requests with it are refused from now on\n", k.ID, k.Project, k.Hint)
			return nil
		},
	}
	return cmd
}

// vkeyView is a virtual key as vkeys list shows it. The key's hash is not
// part of it (tenant.VirtualKey.Hash is not marshalled).
type vkeyView struct {
	tenant.VirtualKey
	Status string `json:"status"` // active, revoked or expired
}

// keyStatus names k's state at now; a revoked key that has also expired is
// revoked.
func keyStatus(k tenant.VirtualKey, now time.Time) string {
	switch {
	case k.RevokedAt != nil:
		return "revoked"
	case !k.Usable(now):
		return "expired"
	}
	return "active"
}

func printVKeyTable(w io.Writer, views []vkeyView, project string) {
	if len(views) == 0 {
		if project == "" {
			project = "NAME"
		}
		fmt.Fprintf(w, "no virtual keys: make one with `keygate vkeys create --project %s`\n", project)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPROJECT\tNAME\tKEY\tSTATUS\tEXPIRES\tLIMITS")
	for _, v := range views {
		lim := describeLimits(v.Limits)
		if lim == "none" {
			lim = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Project, orDash(v.Name), v.Hint, v.Status, expiresText(v.ExpiresAt), lim)
	}
	tw.Flush()
}

func expiresText(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return ago(*t)
}

// parseExpires reads --expires, a span from now (see tenant.ParseSpan).
func parseExpires(s string) (time.Duration, error) {
	d, err := tenant.ParseSpan(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q: want a span from now like 30d, 2w or 12h", s)
	}
	return d, nil
}
