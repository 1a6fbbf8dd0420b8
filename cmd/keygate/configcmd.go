package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/keygate/keygate/internal/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Work with keygate's configuration file"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Load a config file, report every problem with its line, and list the models it defines",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
			cfg, err := config.Load(args[0])
			if cfg != nil {
				for _, w := range cfg.Warnings {
					fmt.Fprintln(errOut, "warning:", w)
				}
			}
			if err != nil {
				var es config.Errors
				if errors.As(err, &es) {
					for _, e := range es {
						fmt.Fprintln(errOut, "error:", e)
					}
				} else {
					fmt.Fprintln(errOut, "error:", err)
				}
				return exitError{code: 1}
			}
			printModels(out, cfg)
			fmt.Fprintf(out, "%s: OK (%d deployments, %d warnings)\n", args[0], len(cfg.Models), len(cfg.Warnings))
			return nil
		},
	})
	return cmd
}

func printModels(w interface{ Write([]byte) (int, error) }, cfg *config.Config) {
	if len(cfg.Models) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tUPSTREAM\tAPI BASE\tKEYS\tRPM\tTPM\tFALLBACKS")
	for _, d := range cfg.Models {
		keys := make([]string, 0, len(d.APIKeys))
		for _, k := range d.APIKeys {
			keys = append(keys, k.String()) // redacted
		}
		if d.Credential != "" {
			keys = append(keys, "credential:"+d.Credential)
		}
		fmt.Fprintf(tw, "%s\t%s/%s\t%s\t%s\t%s\t%s\t%s\n", d.Alias, d.Vendor, d.Model, d.APIBase,
			orDash(strings.Join(keys, ",")), num(d.RPM), num(d.TPM), orDash(strings.Join(cfg.Fallbacks[d.Alias], ",")))
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func num(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
