package verify

import (
	"fmt"
	"strings"
	"time"

	"github.com/keygate/keygate/internal/credential"
)

// FreeTierFix is the way out of the free tier (BEHAVIOUR.md §8: tier 1 needs
// $5 paid).
const FreeTierFix = "Add a payment method and $5 of credit in the provider's billing settings to reach tier 1."

// judge sets ml's Meets, Shortfall, Cause and Message from its limits and
// its Requirement, and returns the fault when it fails. RPM is compared with a per-minute bucket only; a per-day
// bucket of at most freeTierDayLimit requests is the free tier's signature
// and fails whatever the requirement, as 3 RPM serves no gateway.
func judge(ml *credential.ModelLimits) *Fault {
	req := ml.Requirement
	free := ml.RequestsWindow == credential.PerDay && ml.RequestsLimit <= freeTierDayLimit
	var short, notes []string
	if req != nil && req.RPM > 0 {
		switch {
		case ml.RequestsLimit <= 0:
			short = append(short, fmt.Sprintf("RPM cannot be confirmed to reach the required %d: the provider sent no x-ratelimit-limit-requests header", req.RPM))
		case ml.RequestsWindow == credential.PerMinute && ml.RequestsLimit < req.RPM:
			short = append(short, fmt.Sprintf("RPM %d is %d below the required %d", ml.RequestsLimit, req.RPM-ml.RequestsLimit, req.RPM))
		case free:
			short = append(short, fmt.Sprintf("RPM cannot reach the required %d: the requests header reports a per-day bucket of %d requests, the free tier's signature (free accounts get 3 RPM)", req.RPM, ml.RequestsLimit))
		case ml.RequestsWindow == credential.PerDay && ml.RequestsLimit < req.RPM*24*60:
			// A paid tier's day bucket: the minute limit is not reported,
			// so it is not held against the requirement; say how long the
			// day's requests last at the required rate.
			last := time.Duration(float64(ml.RequestsLimit) / float64(req.RPM) * float64(time.Minute)).Round(time.Minute)
			notes = append(notes, fmt.Sprintf("RPM is not reported (the requests header shows the %d requests/day bucket); at %d RPM that bucket lasts %s a day", ml.RequestsLimit, req.RPM, fmtDuration(last)))
		}
	}
	if req != nil && req.TPM > 0 {
		switch {
		case ml.TokensLimit <= 0:
			short = append(short, fmt.Sprintf("TPM cannot be confirmed to reach the required %d: the provider sent no x-ratelimit-limit-tokens header", req.TPM))
		case ml.TokensLimit < req.TPM:
			short = append(short, fmt.Sprintf("TPM %d is %d below the required %d", ml.TokensLimit, req.TPM-ml.TokensLimit, req.TPM))
		}
	}
	ml.Meets = len(short) == 0
	ml.Shortfall = strings.Join(short, "; ")
	var f *Fault
	switch {
	case free && ml.Shortfall != "":
		f = fault(credential.CauseFreeTier, FreeTierFix, "%s has free-tier limits: %s.", ml.Model, ml.Shortfall)
	case free:
		f = fault(credential.CauseFreeTier, FreeTierFix, "%s has free-tier limits (%s).", ml.Model, DescribeLimits(ml))
	case !ml.Meets:
		f = fault(credential.CauseInsufficientRateLimit, "Raise the account's usage tier (limits grow with paid spend), or lower the requirement.",
			"%s: %s.", ml.Model, ml.Shortfall)
	case len(notes) > 0:
		ml.Message = ml.Model + ": " + strings.Join(notes, "; ") + "."
		return nil
	default:
		return nil
	}
	*ml = withFault(*ml, f)
	return f
}

// fmtDuration renders a whole-minute duration as "50m" or "2h30m".
func fmtDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
