package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/keygate/keygate/internal/admin"
	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/store"
)

// env is what an admin command works with: the config, a logger for
// warnings, and the store.
type env struct {
	cfg   *config.Config
	log   *slog.Logger
	store store.DB
	keys  app.MasterKeySource
}

func openEnv(cmd *cobra.Command) (*env, error) {
	cfg, err := loadConfig(configFlag(cmd))
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, src, err := app.OpenStore(cmd.Context(), cfg, log)
	if err != nil {
		return nil, err
	}
	return &env{cfg: cfg, log: log, store: st, keys: src}, nil
}

func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Add, verify, list and remove stored provider API keys",
		Long: `keys manages the provider API keys keygate stores sealed with its master key.
A model_list entry uses one with "credential: NAME". Keys are read from a
no-echo prompt or standard input (--key-stdin), never from a flag.`,
	}
	cmd.AddCommand(newKeysAddCmd(), newKeysListCmd(), newKeysVerifyCmd(), newKeysRemoveCmd(), newKeysRotateCmd())
	return cmd
}

func newKeysAddCmd() *cobra.Command {
	var c credential.Credential
	var keyStdin, noVerify, asJSON bool
	cmd := &cobra.Command{
		Use:   "add NAME --vendor VENDOR",
		Short: "Store a provider API key, verifying it first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c.Name = args[0]
			key, err := readSecret(cmd, keyStdin, "API key for "+c.Name)
			if err != nil {
				return err
			}
			c.Key = key
			if e := admin.Validate(c); e != nil {
				return errors.New(e.Message)
			}
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			if !noVerify {
				v := app.Verify(cmd.Context(), e.cfg, c)
				c.Verification = &v
				if v.KeyRejected() {
					printVerification(cmd.OutOrStdout(), c.Name, v)
					return fmt.Errorf("%s was not stored: %s", c.Name, v.Message)
				}
			}
			if err := e.store.CreateCredential(cmd.Context(), c); err != nil {
				return describeStoreErr(err, c.Name)
			}
			if c.Verification != nil {
				if err := e.store.SaveVerification(cmd.Context(), c.Name, *c.Verification); err != nil {
					return describeStoreErr(err, c.Name)
				}
			}
			if asJSON {
				c.Redacted = secret.Redact(c.Key.Reveal())
				return printJSON(cmd.OutOrStdout(), admin.ViewOf(c, app.UsedBy(e.cfg, c.Name)))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "stored %s (%s, %s)\n", c.Name, c.Vendor, secret.Redact(c.Key.Reveal()))
			if c.Verification != nil {
				printVerification(cmd.OutOrStdout(), c.Name, *c.Verification)
				if !c.Verification.OK {
					// Stored, since the key itself works; the exit status
					// still tells a script that something needs fixing.
					fmt.Fprintf(cmd.ErrOrStderr(), "%s is stored, but it does not pass verification yet: fix the above, then run `keygate keys verify %s`\n", c.Name, c.Name)
					return exitError{code: 1}
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Vendor, "vendor", "openai", "the provider (openai, groq, deepseek, …; see keygate config docs)")
	f.StringVar(&c.APIBase, "base-url", "", "the API base URL (default: the vendor's)")
	f.StringVar(&c.Organization, "org", "", "OpenAI-Organization to send")
	f.StringVar(&c.Project, "project", "", "OpenAI-Project to send")
	f.StringVar(&c.Proxy, "proxy", "", "proxy URL for this provider (http, https, socks5)")
	f.BoolVar(&keyStdin, "key-stdin", false, "read the key from standard input instead of a prompt")
	f.BoolVar(&noVerify, "no-verify", false, "store without checking the key with the provider")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newKeysListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List stored keys (redacted) with their latest verification",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			cs, err := e.store.ListCredentials(cmd.Context())
			if err != nil {
				return describeStoreErr(err, "")
			}
			views := make([]admin.View, 0, len(cs))
			for _, c := range cs {
				views = append(views, admin.ViewOf(c, app.UsedBy(e.cfg, c.Name)))
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), views)
			}
			printCredentialTable(cmd.OutOrStdout(), views)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newKeysVerifyCmd() *cobra.Command {
	var all, asJSON bool
	var parallel int
	cmd := &cobra.Command{
		Use:   "verify NAME... | --all",
		Short: "Check stored keys with their providers: works, limits per model, requirements met",
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return errors.New("name the keys to verify, or pass --all")
			}
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			names := args
			if all {
				cs, err := e.store.ListCredentials(cmd.Context())
				if err != nil {
					return describeStoreErr(err, "")
				}
				for _, c := range cs {
					names = append(names, c.Name)
				}
			}
			creds := make([]credential.Credential, 0, len(names))
			for _, n := range names {
				c, err := e.store.GetCredential(cmd.Context(), n)
				if err != nil {
					return describeStoreErr(err, n)
				}
				creds = append(creds, c)
			}
			progress := func(done, total int, name string) {}
			if isTerminal(cmd.ErrOrStderr()) && len(creds) > 1 {
				progress = func(done, total int, name string) {
					fmt.Fprintf(cmd.ErrOrStderr(), "\r\033[Kverified %d/%d (%s)", done, total, name)
					if done == total {
						fmt.Fprintln(cmd.ErrOrStderr())
					}
				}
			}
			vs := app.VerifyAll(cmd.Context(), e.cfg, creds, parallel, progress)
			failed := 0
			views := make([]admin.View, 0, len(vs))
			for i, v := range vs {
				if err := e.store.SaveVerification(cmd.Context(), creds[i].Name, v); err != nil {
					return describeStoreErr(err, creds[i].Name)
				}
				if !v.OK {
					failed++
				}
				creds[i].Verification = &vs[i]
				creds[i].Redacted = v.Redacted
				views = append(views, admin.ViewOf(creds[i], app.UsedBy(e.cfg, creds[i].Name)))
			}
			if asJSON {
				if err := printJSON(cmd.OutOrStdout(), views); err != nil {
					return err
				}
			} else {
				for i, v := range vs {
					printVerification(cmd.OutOrStdout(), creds[i].Name, v)
				}
			}
			if failed > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "verify every stored key")
	cmd.Flags().IntVar(&parallel, "parallel", 8, "how many keys to verify at once")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newKeysRemoveCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "remove NAME",
		Short: "Delete a stored key (refused while a model uses it, unless --force)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			name := args[0]
			if users := app.UsedBy(e.cfg, name); len(users) > 0 && !force {
				return fmt.Errorf("%s is used by the models %s in %s: point them at another credential first, or pass --force (they will fail until fixed)",
					name, strings.Join(users, ", "), orDash(e.cfg.File))
			}
			if err := e.store.DeleteCredential(cmd.Context(), name); err != nil {
				return describeStoreErr(err, name)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s: its sealed key is deleted\n", name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "remove even while models use it")
	return cmd
}

func newKeysRotateCmd() *cobra.Command {
	var newKeyStdin bool
	cmd := &cobra.Command{
		Use:   "rotate-master",
		Short: "Re-seal every stored key under a new master key",
		Long: `rotate-master re-seals every stored key under a new master key in one
transaction. With a key file, it writes the new key to the same file. With
KEYGATE_MASTER_KEY, pass the new key on standard input (--new-key-stdin;
make one with: openssl rand -base64 32), then set KEYGATE_MASTER_KEY to it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := openEnv(cmd)
			if err != nil {
				return err
			}
			defer e.store.Close()
			var next []byte
			switch {
			case newKeyStdin:
				s, err := readSecret(cmd, true, "new master key")
				if err != nil {
					return err
				}
				if next, err = seal.ParseKey(s.Reveal()); err != nil {
					return err
				}
			case e.keys.Env:
				return errors.New("the master key comes from master_key / KEYGATE_MASTER_KEY: make a new one (openssl rand -base64 32) and pass it with --new-key-stdin")
			default:
				next = make([]byte, 32)
				if _, err := rand.Read(next); err != nil {
					return err
				}
			}
			sealer, err := seal.New(next)
			if err != nil {
				return err
			}
			if e.keys.File != "" && !newKeyStdin {
				// Write the new key beside the old first, so that no moment
				// exists in which the sealed keys' master key is on no disk.
				pending := e.keys.File + ".new"
				if err := os.WriteFile(pending, []byte(base64.StdEncoding.EncodeToString(next)+"\n"), 0o600); err != nil {
					return fmt.Errorf("write %s: %w", pending, err)
				}
				n, err := e.store.RotateMaster(cmd.Context(), sealer)
				if err != nil {
					os.Remove(pending)
					return fmt.Errorf("nothing was changed: %w", err)
				}
				if err := os.Rename(pending, e.keys.File); err != nil {
					return fmt.Errorf("%d keys are sealed under the new master key in %s, but it could not replace %s: %w; move it there yourself", n, pending, e.keys.File, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "re-sealed %d keys under a new master key (%s, id %s); back up the new file\n", n, e.keys.File, sealer.KeyID())
				return nil
			}
			n, err := e.store.RotateMaster(cmd.Context(), sealer)
			if err != nil {
				return fmt.Errorf("nothing was changed: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "re-sealed %d keys under the new master key (id %s); set KEYGATE_MASTER_KEY to it before keygate next starts\n", n, sealer.KeyID())
			return nil
		},
	}
	cmd.Flags().BoolVar(&newKeyStdin, "new-key-stdin", false, "read the new master key from standard input")
	return cmd
}

// readSecret reads a secret from standard input (fromStdin) or a no-echo
// prompt on the terminal. Only the line ending is removed: any other stray
// whitespace is kept, so that verification can say it was pasted along.
func readSecret(cmd *cobra.Command, fromStdin bool, what string) (secret.Secret, error) {
	in := cmd.InOrStdin()
	if !fromStdin {
		f, ok := in.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return secret.Secret{}, fmt.Errorf("no terminal to ask for the %s on: pass it on standard input with --key-stdin", what)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "Paste the %s (input hidden): ", what)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(cmd.ErrOrStderr())
		if err != nil {
			return secret.Secret{}, fmt.Errorf("read the %s: %w", what, err)
		}
		return secret.New(string(b)), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return secret.Secret{}, fmt.Errorf("read the %s from standard input: %w", what, err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return secret.Secret{}, fmt.Errorf("standard input held no %s", what)
	}
	return secret.New(line), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func describeStoreErr(err error, name string) error {
	switch {
	case errors.Is(err, credential.ErrNotFound):
		return fmt.Errorf("no stored key is named %q (keygate keys list shows them)", name)
	case errors.Is(err, credential.ErrExists):
		return fmt.Errorf("a key named %q is stored already: remove it first or choose another name", name)
	case errors.Is(err, credential.ErrWrongMasterKey):
		return errors.New("the master key cannot open the stored keys: it is not the one they were sealed with. " +
			"Restore the original KEYGATE_MASTER_KEY or key file; nothing was changed")
	}
	return err
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
