// Package doctor checks one provider setup step by step, from the config to
// a real one-token completion, and stops at the first step that fails, so
// the report points at one cause and its fix: the config, the key's format,
// the base URL's shape, DNS, the TCP connection, the proxy, TLS, whether the
// base URL serves the API, authentication, organization and project, model
// access, rate limits against requirements, and a tiny completion.
package doctor

import (
	"context"
	"net"
	"net/url"
	"time"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/verify"
)

// Step is one check's outcome.
type Step struct {
	Name string
	// OK is true when the step passed, or did not apply (Skipped and OK:
	// no proxy to check, plain http has no TLS).
	OK bool
	// Skipped is true when the step did not run: it did not apply (OK), or
	// an earlier step failed (not OK).
	Skipped  bool
	Detail   string           // what was found
	Cause    credential.Cause // why it failed, "" when it passed
	Fix      string           // what to do about a failure
	Duration time.Duration
}

// Report is every step, in order.
type Report struct {
	Steps []Step
	OK    bool // every step passed or did not apply
}

// Check is the setup to examine.
type Check struct {
	Target verify.Target
	// Model is the upstream model to check access, limits and a completion
	// for; "" skips those steps.
	Model string
	// Requirements are minimum limits per model; the one for Model is
	// judged.
	Requirements map[string]credential.Requirement
	// ConfigErr is the error loading the config gave, nil if none.
	ConfigErr error
	// Resolver resolves host names instead of the system's resolver.
	Resolver *net.Resolver
	// Timeout bounds each step's network work; verify.DefaultTimeout when
	// zero.
	Timeout time.Duration
}

// Step names, in the order Run takes them.
const (
	StepConfig       = "config"
	StepKeyFormat    = "key format"
	StepBaseURL      = "base URL"
	StepDNS          = "DNS"
	StepTCP          = "TCP connect"
	StepProxy        = "proxy"
	StepTLS          = "TLS"
	StepAPI          = "API at base URL"
	StepAuth         = "authentication"
	StepOrganization = "organization"
	StepModel        = "model access"
	StepLimits       = "limits"
	StepCompletion   = "completion"
)

// outcome is what a step function finds.
type outcome struct {
	skipped bool // did not apply
	detail  string
	fault   *verify.Fault // nil: passed
}

func pass(detail string) outcome          { return outcome{detail: detail} }
func notApplicable(detail string) outcome { return outcome{skipped: true, detail: detail} }
func fail(f *verify.Fault) outcome        { return outcome{fault: f} }

// state is what the steps learn and hand on.
type state struct {
	c        Check
	timeout  time.Duration
	base     *url.URL
	proxy    *url.URL // the proxy in use, nil for a direct connection
	dialAddr string   // host:port of the first hop: the proxy, else the server
	tunnel   net.Conn // an established CONNECT or SOCKS tunnel for the TLS step
	client   *verify.Client
	limits   *credential.ModelLimits
	// limitsFault is the probe's finding about the model (throttled, free
	// tier, below the requirement), reported by the limits step.
	limitsFault *verify.Fault
}

// Run takes the steps in order, calling emit (when not nil) with each as it
// finishes. After the first failure the remaining steps are reported as
// skipped, not OK.
func Run(ctx context.Context, c Check, emit func(Step)) Report {
	s := &state{c: c, timeout: c.Timeout}
	if s.timeout <= 0 {
		s.timeout = verify.DefaultTimeout
	}
	defer s.close()
	steps := []struct {
		name string
		run  func(context.Context, *state) outcome
	}{
		{StepConfig, checkConfig}, {StepKeyFormat, checkKeyFormat}, {StepBaseURL, checkBaseURL},
		{StepDNS, checkDNS}, {StepTCP, checkTCP}, {StepProxy, checkProxy}, {StepTLS, checkTLS},
		{StepAPI, checkAPI}, {StepAuth, checkAuth}, {StepOrganization, checkOrganization},
		{StepModel, checkModel}, {StepLimits, checkLimits}, {StepCompletion, checkCompletion},
	}
	rep := Report{OK: true}
	for _, st := range steps {
		step := Step{Name: st.name}
		if rep.OK {
			start := time.Now()
			o := st.run(ctx, s)
			step.Duration = time.Since(start)
			step.OK, step.Skipped, step.Detail = o.fault == nil, o.skipped, o.detail
			if f := o.fault; f != nil {
				step.Detail, step.Cause, step.Fix = f.Detail, f.Cause, f.Fix
				rep.OK = false
			}
		} else {
			step.Skipped, step.Detail = true, "not run: an earlier step failed"
		}
		rep.Steps = append(rep.Steps, step)
		if emit != nil {
			emit(step)
		}
	}
	return rep
}

func (s *state) close() {
	if s.tunnel != nil {
		s.tunnel.Close()
	}
	if s.client != nil {
		s.client.Close()
	}
}
