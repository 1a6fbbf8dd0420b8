package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/keygate/keygate/internal/app"
	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/doctor"
	"github.com/keygate/keygate/internal/verify"
)

type doctorFlags struct {
	model, credential, baseURL, vendor, testModel string
	keyStdin                                      bool
}

func newDoctorCmd() *cobra.Command {
	var f doctorFlags
	cmd := &cobra.Command{
		Use:   "doctor [--model ALIAS | --credential NAME | --base-url URL --key-stdin]",
		Short: "Diagnose a setup end to end: config, DNS, TCP, proxy, TLS, base URL, key, model, limits, a real completion",
		Long: `doctor walks the chain from keygate to the provider one step at a time and
stops at the first failure with its cause and fix. With no flag it checks every
model in the config. It exits non-zero when a check fails.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDoctor(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "check this model alias of the config")
	fl.StringVar(&f.credential, "credential", "", "check this stored key")
	fl.StringVar(&f.baseURL, "base-url", "", "check this API base URL with a key from standard input (--key-stdin)")
	fl.StringVar(&f.vendor, "vendor", "openai", "the vendor, with --base-url")
	fl.StringVar(&f.testModel, "test-model", "", "the model to probe with --credential or --base-url (default: one the config uses, else gpt-4o-mini)")
	fl.BoolVar(&f.keyStdin, "key-stdin", false, "read the key from standard input")
	return cmd
}

// doctorCase is one chain to check.
type doctorCase struct {
	title string
	check doctor.Check
}

func runDoctor(cmd *cobra.Command, f doctorFlags) error {
	out := cmd.OutOrStdout()
	cases, err := doctorCases(cmd, f)
	if err != nil {
		return err
	}
	failed := 0
	for _, c := range cases {
		fmt.Fprintf(out, "%s\n", c.title)
		rep := doctor.Run(cmd.Context(), c.check, func(s doctor.Step) { printStep(out, s) })
		if !rep.OK {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(out, "\n%d of %d checks failed\n", failed, len(cases))
		return exitError{code: 1}
	}
	return nil
}

func printStep(w io.Writer, s doctor.Step) {
	mark := tick(s.OK)
	if s.Skipped {
		mark = "-"
	}
	fmt.Fprintf(w, "  %s %-16s %s\n", mark, s.Name, s.Detail)
	if !s.OK && !s.Skipped && s.Fix != "" {
		fmt.Fprintf(w, "      fix: %s\n", s.Fix)
	}
}

func doctorCases(cmd *cobra.Command, f doctorFlags) ([]doctorCase, error) {
	if f.baseURL != "" {
		if !f.keyStdin {
			return nil, errors.New("--base-url needs the key on standard input: add --key-stdin")
		}
		key, err := readSecret(cmd, true, "API key")
		if err != nil {
			return nil, err
		}
		return []doctorCase{{title: "doctor: " + f.baseURL, check: doctor.Check{
			Target: verify.Target{Vendor: f.vendor, APIBase: f.baseURL, Key: key}, Model: orDefault(f.testModel, "gpt-4o-mini")}}}, nil
	}
	cfg, cfgErr := loadConfig(configFlag(cmd))
	if cfgErr != nil {
		// The config step reports it, with its file and line.
		return []doctorCase{{title: "doctor: config", check: doctor.Check{ConfigErr: cfgErr}}}, nil
	}
	reqs := map[string]credential.Requirement{}
	for _, r := range cfg.Requirements {
		reqs[r.Model] = credential.Requirement{RPM: int64(r.RPM), TPM: int64(r.TPM)}
	}
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	if f.credential != "" {
		st, _, err := app.OpenStore(cmd.Context(), cfg, log)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		c, err := st.GetCredential(cmd.Context(), f.credential)
		if err != nil {
			return nil, describeStoreErr(err, f.credential)
		}
		model := f.testModel
		for _, d := range cfg.Models {
			if model == "" && d.Credential == c.Name {
				model = d.Model
			}
		}
		return []doctorCase{{title: "doctor: stored key " + c.Name + " (" + c.Redacted + ")", check: doctor.Check{
			Target: verify.Target{Vendor: c.Vendor, APIBase: c.APIBase, Organization: c.Organization, Project: c.Project, Proxy: c.Proxy, Key: c.Key},
			Model:  orDefault(model, "gpt-4o-mini"), Requirements: reqs}}}, nil
	}
	var cases []doctorCase
	needStore := false
	for _, d := range cfg.Models {
		if (f.model == "" || d.Alias == f.model) && d.Credential != "" && len(d.APIKeys) == 0 {
			needStore = true
		}
	}
	var resolved = cfg
	if needStore {
		st, _, err := app.OpenStore(cmd.Context(), cfg, log)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		resolved = app.WithCredentials(cmd.Context(), cfg, st, log)
	}
	for i, d := range resolved.Models {
		if f.model != "" && d.Alias != f.model {
			continue
		}
		title := fmt.Sprintf("doctor: model %s (entry %d: %s/%s at %s)", d.Alias, i+1, d.Vendor, d.Model, hostOf(d.APIBase))
		cases = append(cases, doctorCase{title: title, check: doctor.Check{Target: targetOf(d), Model: d.Model, Requirements: reqs}})
	}
	if len(cases) == 0 {
		if f.model != "" {
			return nil, fmt.Errorf("the config defines no model %q", f.model)
		}
		return nil, errors.New("the config defines no models: add a model_list (or use --credential / --base-url)")
	}
	return cases, nil
}

func targetOf(d config.Deployment) verify.Target {
	t := verify.Target{Vendor: d.Vendor, APIBase: d.APIBase, Organization: d.Organization, Project: d.Project, Proxy: d.Proxy}
	if len(d.APIKeys) > 0 {
		t.Key = d.APIKeys[0]
	}
	return t
}

func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return base
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
