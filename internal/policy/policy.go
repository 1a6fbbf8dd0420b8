// Package policy admits a request before it is sent upstream and accounts
// for it afterwards: the caller's rate limits (per virtual key and per
// project), the deployment's own rpm/tpm, and the budgets of the key and the
// project. Admission reserves the most a request can take — its prompt plus
// the requested output in tokens, its largest possible cost in dollars — and
// settlement gives back what it did not use, so concurrent requests, on one
// replica or many, never pass a limit by more than one request's estimate.
package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keygate/keygate/internal/auth"
	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/metrics"
	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/route"
	"github.com/keygate/keygate/internal/tenant"
)

// Ledger reports spend already recorded, to seed budget counters that
// start empty (a restarted process, a flushed Redis).
type Ledger interface {
	SpentSince(ctx context.Context, project, keyID string, since time.Time) (tenant.Nanos, error)
}

// Options configure New. The zero value is usable.
type Options struct {
	Ledger  Ledger           // nil: budget counters start from zero
	AlertAt float64          // budget fraction that is logged and flagged; 0 means 0.8
	Log     *slog.Logger     // nil discards
	Metrics *metrics.Metrics // nil: no metrics
	Now     func() time.Time // nil: time.Now
}

// Policy admits requests against a Limiter. It is safe for concurrent use.
type Policy struct {
	limiter limits.Limiter
	opts    Options
	seeded  sync.Map // budget key + window id → struct{}
	alerted sync.Map // budget key + window id → struct{}
}

// New returns a policy counting in limiter.
func New(limiter limits.Limiter, o Options) *Policy {
	if o.AlertAt <= 0 || o.AlertAt > 1 {
		o.AlertAt = 0.8
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Policy{limiter: limiter, opts: o}
}

// Request is what admission needs to know about a request.
type Request struct {
	Caller auth.Caller
	Alias  string
	// Tokens is the TPM charge: the prompt's tokens plus the requested
	// maximum output.
	Tokens int64
	// MaxCost is the most the request can cost, reserved from budgets.
	MaxCost tenant.Nanos
}

// Admission is what an admitted request holds. Its methods are safe on a nil
// Admission, which a caller without limits gets.
type Admission struct {
	p       *Policy
	rate    *limits.Reservation
	budgets []*limits.BudgetReservation
}

// scope names whose limit a bucket is, for messages and metrics.
type scope struct {
	kind      string // "key", "project" or "deployment"
	label     string // "keygate key vk_… (kg-…abcd)", "project team-a"
	fix       string // what raises its rate limits
	budgetFix string // what raises its budget
}

// Bucket and budget keys are namespaced by what they limit, so that a key,
// a project and a deployment never share a counter.
func keyBucket(k *tenant.VirtualKey) string       { return "k:" + k.ID }
func projectBucket(p *tenant.Project) string      { return "p:" + p.Name }
func deploymentBucket(d *route.Deployment) string { return deploymentPrefix + d.Name }

const deploymentPrefix = "d:"

// Admit reserves the caller's rate limits and budgets for req, or returns
// the 429 (or 503 when budgets cannot be checked) to send.
func (p *Policy) Admit(ctx context.Context, req Request) (*Admission, *openai.Error) {
	c := req.Caller
	if c.Project == nil {
		return nil, nil
	}
	scopes := map[string]scope{}
	var charges []limits.Charge
	add := func(bucket string, l tenant.Limits, s scope) {
		scopes[bucket] = s
		if l.RPM > 0 {
			charges = append(charges, limits.Charge{Key: bucket, Kind: limits.Requests, Limit: l.RPM, Amount: 1})
		}
		if l.TPM > 0 {
			charges = append(charges, limits.Charge{Key: bucket, Kind: limits.Tokens, Limit: l.TPM, Amount: req.Tokens})
		}
		if l.RPD > 0 {
			charges = append(charges, limits.Charge{Key: bucket, Kind: limits.RequestsPerDay, Limit: l.RPD, Amount: 1})
		}
	}
	add(keyBucket(c.Key), c.Key.Limits, keyScope(c.Key))
	add(projectBucket(c.Project), c.Project.Limits, projectScope(c.Project))

	a := &Admission{p: p}
	if len(charges) > 0 {
		r, err := p.limiter.Reserve(ctx, charges)
		if e := p.rateError(err, req.Alias, scopes); e != nil {
			return nil, e
		}
		a.rate = r
	}
	for _, b := range []struct {
		bucket string
		l      tenant.Limits
		keyID  string
		s      scope
	}{
		{keyBucket(c.Key), c.Key.Limits, c.Key.ID, keyScope(c.Key)},
		{projectBucket(c.Project), c.Project.Limits, "", projectScope(c.Project)},
	} {
		if b.l.Budget <= 0 {
			continue
		}
		br, e := p.reserveBudget(ctx, c.Project.Name, b.keyID, b.bucket, b.l, req.MaxCost, b.s)
		if e != nil {
			a.Cancel(context.WithoutCancel(ctx))
			return nil, e
		}
		a.budgets = append(a.budgets, br)
	}
	return a, nil
}

func keyScope(k *tenant.VirtualKey) scope {
	return scope{kind: "key", label: "keygate key " + k.ID + " (" + k.Hint + ")",
		fix:       "Ask the keygate admin for a key with a higher limit (keygate vkeys create --project " + k.Project + " …).",
		budgetFix: "Ask the keygate admin for a key with a larger budget (keygate vkeys create --project " + k.Project + " --budget USD)."}
}

func projectScope(p *tenant.Project) scope {
	return scope{kind: "project", label: "project " + p.Name,
		fix:       "An admin can raise it: keygate projects update " + p.Name + " --rpm N --tpm N.",
		budgetFix: "An admin can raise it: keygate projects update " + p.Name + " --budget USD."}
}

// Hold is a deployment's share of an admitted request. Its methods are safe
// on a nil Hold, which a deployment without rpm/tpm gives.
type Hold struct {
	p      *Policy
	r      *limits.Reservation
	bucket string
}

// Settle counts the tokens the request used against the deployment's TPM.
func (h *Hold) Settle(ctx context.Context, tokens int64) {
	if h != nil {
		h.p.logSettle(ctx, h.r.Settle(ctx, map[string]int64{h.bucket: tokens}))
	}
}

// Cancel gives the request back: it never reached the deployment.
func (h *Hold) Cancel(ctx context.Context) {
	if h != nil {
		h.p.logSettle(ctx, h.r.Cancel(ctx))
	}
}

// AdmitDeployment takes one request of tokens from d's own rpm/tpm. A
// refusal means another deployment should be tried; errors of the limiter
// other than refusals admit, since the upstream enforces its own limits.
func (p *Policy) AdmitDeployment(ctx context.Context, d *route.Deployment, tokens int64) (*Hold, *limits.Denied) {
	bucket := deploymentBucket(d)
	var charges []limits.Charge
	if d.RPM > 0 {
		charges = append(charges, limits.Charge{Key: bucket, Kind: limits.Requests, Limit: int64(d.RPM), Amount: 1})
	}
	if d.TPM > 0 {
		charges = append(charges, limits.Charge{Key: bucket, Kind: limits.Tokens, Limit: int64(d.TPM), Amount: tokens})
	}
	if len(charges) == 0 {
		return nil, nil
	}
	r, err := p.limiter.Reserve(ctx, charges)
	var denied *limits.Denied
	if errors.As(err, &denied) {
		p.refused("deployment", denied.Charge.Kind.String())
		return nil, denied
	}
	if err != nil {
		p.opts.Log.WarnContext(ctx, "deployment limits not checked", "deployment", d.Name, "error", err.Error())
		return nil, nil
	}
	return &Hold{p: p, r: r, bucket: bucket}, nil
}

// DeploymentsBusy is the 429 for a request every deployment of which is at
// its own configured limit; denied is the refusal that clears first.
func DeploymentsBusy(alias string, denied *limits.Denied) *openai.Error {
	c := denied.Charge
	typ, unit := kindWords(c.Kind)
	e := openai.New(429, typ, "rate_limit_exceeded", fmt.Sprintf(
		"Rate limit reached for %s on %s: every deployment of this model is at the rpm/tpm set for it in keygate's model_list "+
			"(%s: Limit %d, Used %d, Requested %d). Please try again in %s. An admin can raise the deployment's rpm/tpm or add a deployment.",
		alias, unit, strings.TrimPrefix(c.Key, deploymentPrefix), c.Limit, denied.Used, c.Amount, openai.FormatReset(denied.RetryAfter)))
	if denied.TooLarge() {
		return e.NoRetry()
	}
	return e.WithRetryAfter(max(denied.RetryAfter, time.Millisecond))
}

// rateError turns Reserve's error into the response to send, or nil to
// admit.
func (p *Policy) rateError(err error, alias string, scopes map[string]scope) *openai.Error {
	if err == nil {
		return nil
	}
	var d *limits.Denied
	if !errors.As(err, &d) {
		// The Fallback limiter serves per replica when Redis is down, so an
		// error here is a bug or a cancelled request: admit rather than
		// refuse every caller for it.
		p.opts.Log.Warn("rate limits not checked", "error", err.Error())
		return nil
	}
	s := scopes[d.Charge.Key]
	p.refused(s.kind, d.Charge.Kind.String())
	return rateRefusal(alias, d, s)
}

// kindWords names what a bucket counts as OpenAI's 429s do: the error type
// and the limit's unit.
func kindWords(k limits.Kind) (typ, unit string) {
	switch k {
	case limits.Tokens:
		return "tokens", "tokens per min (TPM)"
	case limits.RequestsPerDay:
		return "requests", "requests per day (RPD)"
	}
	return "requests", "requests per min (RPM)"
}

// rateRefusal words a refusal as OpenAI does, naming keygate's limit and
// how to raise it.
func rateRefusal(alias string, d *limits.Denied, s scope) *openai.Error {
	c := d.Charge
	typ, unit := kindWords(c.Kind)
	h := http.Header{}
	if c.Kind == limits.Tokens {
		setHeaders(h, limits.State{}, limits.State{Limit: c.Limit, Remaining: max(c.Limit-d.Used, 0), Reset: d.Reset})
	} else {
		setHeaders(h, limits.State{Limit: c.Limit, Remaining: max(c.Limit-d.Used, 0), Reset: d.Reset}, limits.State{})
	}
	if d.TooLarge() {
		e := openai.New(429, typ, "rate_limit_exceeded", fmt.Sprintf(
			"Request too large for %s in %s on %s: Limit %d, Requested %d. The input or output tokens must be reduced in order to run successfully "+
				"(send a lower max_tokens or a shorter prompt). %s", alias, s.label, unit, c.Limit, c.Amount, s.fix))
		e.Header = h
		return e.NoRetry()
	}
	e := openai.New(429, typ, "rate_limit_exceeded", fmt.Sprintf(
		"Rate limit reached for %s in %s on %s: Limit %d, Used %d, Requested %d. Please try again in %s. This is keygate's limit, not the provider's. %s",
		alias, s.label, unit, c.Limit, d.Used, c.Amount, openai.FormatReset(d.RetryAfter), s.fix))
	e.Header = h
	return e.WithRetryAfter(max(d.RetryAfter, time.Millisecond))
}

func (p *Policy) refused(scope, kind string) {
	if p.opts.Metrics != nil {
		p.opts.Metrics.Refusals.WithLabelValues(scope, kind).Inc()
	}
}

// reserveBudget holds amount of one budget, seeding its counter from the
// ledger the first time this process meets the window.
func (p *Policy) reserveBudget(ctx context.Context, project, keyID, bucket string, l tenant.Limits, amount tenant.Nanos, s scope) (*limits.BudgetReservation, *openai.Error) {
	now := p.opts.Now()
	period := l.Period
	if period == "" {
		period = tenant.Month
	}
	w, err := limits.WindowOf(period, now)
	if err != nil {
		p.opts.Log.WarnContext(ctx, "budget not checked", "budget", bucket, "error", err.Error())
		return nil, nil
	}
	p.seed(ctx, project, keyID, bucket, period, w, now)
	r, err := p.limiter.ReserveBudget(ctx, bucket, l.Budget, amount, period, now)
	var denied *limits.BudgetDenied
	switch {
	case errors.As(err, &denied):
		p.refused(s.kind, "budget")
		return nil, budgetRefusal(denied, s, amount)
	case errors.Is(err, limits.ErrUnavailable):
		p.refused(s.kind, "budget")
		return nil, openai.New(503, openai.TypeServiceUnavailable, "budget_unavailable",
			"keygate cannot check the budget of "+s.label+" because its shared counters (Redis) are unreachable, and budgets are set to fail closed. "+
				"Retry shortly; an admin should check Redis (or set budgets_fail_open: true).").WithRetryAfter(time.Second)
	case err != nil:
		p.opts.Log.WarnContext(ctx, "budget not checked", "budget", bucket, "error", err.Error())
		return nil, nil
	}
	p.noteUse(ctx, project, keyID, bucket, w, r.Used+r.Amount, l.Budget)
	return r, nil
}

func (p *Policy) seed(ctx context.Context, project, keyID, bucket string, period tenant.Period, w limits.Window, now time.Time) {
	if p.opts.Ledger == nil {
		return
	}
	id := bucket + "\x00" + w.ID
	if _, done := p.seeded.Load(id); done {
		return
	}
	spent, err := p.opts.Ledger.SpentSince(ctx, project, keyID, w.Start)
	if err == nil {
		err = p.limiter.SeedBudget(ctx, bucket, period, now, spent)
	}
	if err != nil {
		// Counting from what the counters hold is the best left; try again
		// on the next request.
		p.opts.Log.WarnContext(ctx, "budget counter not seeded from the ledger", "budget", bucket, "error", err.Error())
		return
	}
	p.seeded.Store(id, struct{}{})
}

// noteUse exposes a project's budget use and logs, once per window, when a
// budget passes the alert threshold.
func (p *Policy) noteUse(ctx context.Context, project, keyID, bucket string, w limits.Window, used, budget tenant.Nanos) {
	ratio := float64(used) / float64(budget)
	if keyID == "" && p.opts.Metrics != nil {
		p.opts.Metrics.BudgetUsed.WithLabelValues(project).Set(ratio)
	}
	if ratio < p.opts.AlertAt {
		return
	}
	if _, done := p.alerted.LoadOrStore(bucket+"\x00"+w.ID, struct{}{}); done {
		return
	}
	attrs := []any{"project", project, "used_usd", used.USD(), "budget_usd", budget.USD(),
		"percent", int(ratio * 100), "window_start", w.Start.Format(time.RFC3339)}
	if keyID != "" {
		attrs = append(attrs, "key_id", keyID)
	}
	p.opts.Log.WarnContext(ctx, "budget alert: "+strconv.Itoa(int(p.opts.AlertAt*100))+"% threshold passed", attrs...)
}

// budgetRefusal is the 429 for an exhausted budget. x-should-retry: false
// keeps SDKs from retrying what will not succeed before the window resets.
func budgetRefusal(d *limits.BudgetDenied, s scope, amount tenant.Nanos) *openai.Error {
	reset := "It does not reset (period total)."
	if !d.ResetsAt.IsZero() {
		reset = "It resets at " + d.ResetsAt.UTC().Format("2006-01-02 15:04 UTC") + "."
	}
	msg := fmt.Sprintf("Budget exceeded for %s: %s, and this request could cost up to %s. %s %s",
		s.label, tenant.UsedOf(d.Used, d.Limit, d.Period), amount, reset, s.budgetFix)
	return openai.New(429, "insufficient_quota", "insufficient_quota", msg).NoRetry()
}

// Settle reconciles the reservations with what the request used: tokens
// (prompt plus completion) for TPM buckets and cost for budgets.
func (a *Admission) Settle(ctx context.Context, tokens int64, cost tenant.Nanos) {
	if a == nil {
		return
	}
	if a.rate != nil {
		actual := map[string]int64{}
		for _, c := range a.rate.Charges() {
			if c.Kind == limits.Tokens {
				actual[c.Key] = tokens
			}
		}
		a.p.logSettle(ctx, a.rate.Settle(ctx, actual))
	}
	for _, b := range a.budgets {
		a.p.logSettle(ctx, b.Settle(ctx, max(cost, 0)))
	}
}

// Cancel gives everything back: the request never reached an upstream.
func (a *Admission) Cancel(ctx context.Context) {
	if a == nil {
		return
	}
	if a.rate != nil {
		a.p.logSettle(ctx, a.rate.Cancel(ctx))
	}
	for _, b := range a.budgets {
		a.p.logSettle(ctx, b.Cancel(ctx))
	}
}

func (p *Policy) logSettle(ctx context.Context, err error) {
	if err != nil {
		p.opts.Log.WarnContext(ctx, "limits not reconciled", "error", err.Error())
	}
}

// SetHeaders writes x-ratelimit-* for the caller's tightest limits — the
// requests and the tokens bucket with the fewest units left — replacing the
// upstream's, which describe the provider account rather than the caller.
// It writes nothing for a caller without rate limits.
func (a *Admission) SetHeaders(h http.Header) {
	if a == nil || a.rate == nil {
		return
	}
	var req, tok limits.State
	for _, s := range a.rate.States() {
		switch s.Kind {
		case limits.Tokens:
			if tok.Limit == 0 || s.Remaining < tok.Remaining {
				tok = s
			}
		default:
			if req.Limit == 0 || s.Remaining < req.Remaining {
				req = s
			}
		}
	}
	setHeaders(h, req, tok)
}

func setHeaders(h http.Header, req, tok limits.State) {
	if req.Limit > 0 {
		h.Set(openai.HeaderLimitRequests, strconv.FormatInt(req.Limit, 10))
		h.Set(openai.HeaderRemainingRequests, strconv.FormatInt(req.Remaining, 10))
		h.Set(openai.HeaderResetRequests, openai.FormatReset(req.Reset))
	}
	if tok.Limit > 0 {
		h.Set(openai.HeaderLimitTokens, strconv.FormatInt(tok.Limit, 10))
		h.Set(openai.HeaderRemainingTokens, strconv.FormatInt(tok.Remaining, 10))
		h.Set(openai.HeaderResetTokens, openai.FormatReset(tok.Reset))
	}
}
