package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/keygate/keygate/internal/admin"
	"github.com/keygate/keygate/internal/credential"
)

func tick(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// printVerification shows a verdict the way the admin sees it in the UI:
// the redacted key with a tick or a cross, the cause and fix, and the limits
// of each model with the requirement they were judged against.
func printVerification(w io.Writer, name string, v credential.Verification) {
	fmt.Fprintf(w, "%s %s  %s  verified %s in %s\n", tick(v.OK), name, v.Redacted, ago(v.At), v.Duration.Round(1e6))
	if v.Message != "" {
		fmt.Fprintf(w, "  %s\n", v.Message)
	}
	if len(v.Models) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  MODEL\tREQUESTS\tTOKENS\tREQUIRED\tOK")
	for _, m := range v.Models {
		req, tok := "-", "-"
		if m.RequestsLimit > 0 {
			req = fmt.Sprintf("%d/%s (%d left)", m.RequestsLimit, orDash(string(m.RequestsWindow)), m.RequestsRemaining)
		}
		if m.TokensLimit > 0 {
			tok = fmt.Sprintf("%d/min (%d left)", m.TokensLimit, m.TokensRemaining)
		}
		need := "-"
		if r := m.Requirement; r != nil {
			var parts []string
			if r.RPM > 0 {
				parts = append(parts, fmt.Sprintf("%d RPM", r.RPM))
			}
			if r.TPM > 0 {
				parts = append(parts, fmt.Sprintf("%d TPM", r.TPM))
			}
			need = strings.Join(parts, ", ")
		}
		ok := tick(m.Accessible && (m.Requirement == nil || m.Meets))
		if !m.Accessible {
			req = "no access"
		}
		note := ""
		if m.Shortfall != "" {
			note = "  " + m.Shortfall
		} else if m.Message != "" && !m.Accessible {
			note = "  " + m.Message
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s%s\n", m.Model, req, tok, need, ok, note)
	}
	tw.Flush()
}

func printCredentialTable(w io.Writer, views []admin.View) {
	if len(views) == 0 {
		fmt.Fprintln(w, "no stored keys: add one with `keygate keys add NAME --vendor openai`")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVENDOR\tKEY\tSTATUS\tVERIFIED\tUSED BY")
	for _, v := range views {
		status, when := "not verified", "-"
		if ver := v.Verification; ver != nil {
			status, when = tick(ver.OK), ago(ver.At)
			if !ver.OK && ver.Cause != "" {
				status += " " + string(ver.Cause)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.Name, v.Vendor, v.Key, status, when, orDash(strings.Join(v.UsedBy, ",")))
	}
	tw.Flush()
}
