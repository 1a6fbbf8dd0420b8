package verify

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/secret"
)

// Verify checks one key: its format, then GET /models (authentication,
// organization and project, base URL, network), then a no-cost probe of
// every model in o.Models and o.Requirements, judged against the
// requirements. The verdict is OK only if the key authenticated, every model
// is accessible, and every requirement is met; otherwise Cause and Message
// name the first failure and its fix. Nothing in the verdict holds the key
// beyond secret.Redact's form.
func Verify(ctx context.Context, t Target, o Options) credential.Verification {
	o = o.withDefaults()
	start := o.Now()
	v := credential.Verification{At: start, Redacted: secret.Redact(t.Key.Reveal())}
	verify(ctx, t, o, &v)
	v.Duration = o.Now().Sub(start)
	return v
}

func verify(ctx context.Context, t Target, o Options, v *credential.Verification) {
	fail := func(f *Fault) { v.Cause, v.Message = f.Cause, f.Error() }
	if cause, msg := CheckFormat(t.Vendor, t.Key.Reveal()); cause != credential.CauseNone {
		v.Cause, v.Message = cause, msg
		return
	}
	c, f := NewClient(t, o)
	if f != nil {
		fail(f)
		return
	}
	defer c.Close()
	if _, f := c.Models(ctx, KeyAndScope); f != nil {
		fail(f)
		return
	}
	for _, m := range ProbeModels(o) {
		var req *credential.Requirement
		if r, ok := o.Requirements[m]; ok {
			req = &r
		}
		ml, f := c.Probe(ctx, m, req)
		v.Models = append(v.Models, ml)
		if f != nil && !f.ModelLevel() {
			fail(f)
			return
		}
	}
	var failed []credential.ModelLimits
	for _, ml := range v.Models {
		if ml.Cause != credential.CauseNone {
			failed = append(failed, ml)
		}
	}
	if len(failed) == 0 {
		v.OK = true
		v.Message = summary(v)
		return
	}
	v.Cause, v.Message = failed[0].Cause, failed[0].Message
	if n := len(failed) - 1; n > 0 {
		v.Message += fmt.Sprintf(" (%d more of the %d models fail too; see each model's result.)", n, len(v.Models))
	}
}

// ProbeModels lists the models a verification probes: o.Models in order,
// then the models of o.Requirements not among them, sorted, without
// duplicates or empty names.
func ProbeModels(o Options) []string {
	var out []string
	for _, m := range o.Models {
		if m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	var extra []string
	for m := range o.Requirements {
		if m != "" && !slices.Contains(out, m) {
			extra = append(extra, m)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// summary is the message of a passing verification.
func summary(v *credential.Verification) string {
	if len(v.Models) == 0 {
		return "The key works (no model was named, so no limits were checked)."
	}
	parts := make([]string, 0, len(v.Models))
	for _, ml := range v.Models {
		s := ml.Model + " " + DescribeLimits(&ml)
		if ml.Requirement != nil {
			s += fmt.Sprintf(", meets %s", describeRequirement(ml.Requirement))
		}
		parts = append(parts, s)
	}
	return "The key works: " + strings.Join(parts, "; ") + "."
}

func describeRequirement(r *credential.Requirement) string {
	var p []string
	if r.RPM > 0 {
		p = append(p, fmt.Sprintf("%d RPM", r.RPM))
	}
	if r.TPM > 0 {
		p = append(p, fmt.Sprintf("%d TPM", r.TPM))
	}
	if len(p) == 0 {
		return "its requirement"
	}
	return "the " + strings.Join(p, " / ") + " minimum"
}

// NamedTarget is a target with the name it is known by (a credential's).
type NamedTarget struct {
	Name string
	Target
	// Models, when not nil, replaces Options.Models for this target: each
	// credential matters for the models that use it.
	Models []string
}

// DefaultParallel is VerifyMany's bound when parallel is not positive.
const DefaultParallel = 8

// VerifyMany verifies ts with at most parallel verifications in flight
// (DefaultParallel when parallel ≤ 0) and returns the verdicts in input
// order. progress, when not nil, is called once per finished target with the
// number done so far; calls never overlap.
func VerifyMany(ctx context.Context, ts []NamedTarget, o Options, parallel int, progress func(done, total int, name string)) []credential.Verification {
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	out := make([]credential.Verification, len(ts))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
		sem  = make(chan struct{}, parallel)
	)
	for i, t := range ts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			opts := o
			if t.Models != nil {
				opts.Models = t.Models
			}
			out[i] = Verify(ctx, t.Target, opts)
			mu.Lock()
			defer mu.Unlock()
			done++
			if progress != nil {
				progress(done, len(ts), t.Name)
			}
		}()
	}
	wg.Wait()
	return out
}
