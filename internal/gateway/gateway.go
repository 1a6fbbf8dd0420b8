// Package gateway serves the OpenAI-compatible /v1 API: it authenticates the
// client, reads the few request fields it needs, resolves the model alias to
// deployments, sends the request upstream (failing over only on faults another
// deployment can fix), relays the answer as it arrives, and accounts for it.
package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keygate/keygate/internal/auth"
	"github.com/keygate/keygate/internal/limits"
	"github.com/keygate/keygate/internal/metrics"
	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/policy"
	"github.com/keygate/keygate/internal/pricing"
	"github.com/keygate/keygate/internal/relay"
	"github.com/keygate/keygate/internal/requestid"
	"github.com/keygate/keygate/internal/route"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/tenant"
	"github.com/keygate/keygate/internal/tokencount"
	"github.com/keygate/keygate/internal/tokenizer"
	"github.com/keygate/keygate/internal/upstream"
)

// Authenticator identifies the caller of a request to /v1, or refuses it.
type Authenticator interface {
	Authenticate(r *http.Request) (auth.Caller, *openai.Error)
}

// Recorder takes a usage record for the ledger. It must not block on I/O:
// it runs on the request path.
type Recorder interface {
	Record(u tenant.Usage)
}

// Gateway is the /v1 handler.
type Gateway struct {
	router  atomic.Pointer[route.Router]
	client  *upstream.Client
	auth    Authenticator
	log     *slog.Logger
	metrics *metrics.Metrics
	maxBody int64
	created int64 // the "created" time /v1/models reports
	ledger  Recorder
	policy  *policy.Policy
	now     func() time.Time
	counts  sync.Map // *tokenizer.Encoding → *tokencount.Cache
}

// New returns a gateway serving router's aliases through client.
func New(router *route.Router, client *upstream.Client, auth Authenticator, maxBody int64, log *slog.Logger, m *metrics.Metrics) *Gateway {
	g := &Gateway{client: client, auth: auth, log: log, metrics: m, maxBody: maxBody,
		created: time.Now().Unix(), now: time.Now}
	g.router.Store(router)
	return g
}

// SetLedger makes every request that reached an upstream leave a usage
// record in r.
func (g *Gateway) SetLedger(r Recorder) { g.ledger = r }

// SetPolicy makes every request pass p's rate limits and budgets.
func (g *Gateway) SetPolicy(p *policy.Policy) { g.policy = p }

// SetRouter makes later requests use router, as when stored credentials or
// the model list change. Requests in flight finish on the router they began with.
func (g *Gateway) SetRouter(router *route.Router) { g.router.Store(router) }

// endpoint describes one proxied OpenAI endpoint.
type endpoint struct {
	path string // after /v1
	// usageOption is true where stream_options.include_usage exists, so the
	// gateway asks for usage on every stream.
	usageOption bool
	kind        relay.Kind
	count       string // the tokencount endpoint that counts its prompt
}

var (
	chatEndpoint        = endpoint{"/chat/completions", true, relay.ChatStream, tokencount.Chat}
	completionsEndpoint = endpoint{"/completions", true, relay.ChatStream, tokencount.Completions}
	embeddingsEndpoint  = endpoint{"/embeddings", false, relay.ChatStream, tokencount.Embeddings}
	responsesEndpoint   = endpoint{"/responses", false, relay.ResponsesStream, tokencount.Responses}
)

// Handler returns the handler for the OpenAI API, served under /v1 and, for
// clients configured with a base URL that lacks /v1, at the root too.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, prefix := range []string{"/v1", ""} {
		mux.Handle("POST "+prefix+"/chat/completions", g.proxy(chatEndpoint))
		mux.Handle("POST "+prefix+"/completions", g.proxy(completionsEndpoint))
		mux.Handle("POST "+prefix+"/embeddings", g.proxy(embeddingsEndpoint))
		mux.Handle("POST "+prefix+"/responses", g.proxy(responsesEndpoint))
		mux.Handle("GET "+prefix+"/models", g.authed(g.listModels))
		mux.Handle("GET "+prefix+"/models/{id...}", g.authed(g.getModel))
	}
	mux.HandleFunc("/", g.unknownURL)
	return mux
}

func (g *Gateway) authed(h func(http.ResponseWriter, *http.Request, auth.Caller)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, e := g.auth.Authenticate(r)
		if e != nil {
			openai.WriteError(w, e)
			return
		}
		h(w, r, c)
	})
}

func (g *Gateway) unknownURL(w http.ResponseWriter, r *http.Request) {
	openai.WriteError(w, openai.New(404, openai.TypeInvalidRequest, "unknown_url",
		"Unknown request URL: "+r.Method+" "+r.URL.Path+". Please check the URL for typos: keygate serves POST /v1/chat/completions, "+
			"/v1/completions, /v1/embeddings, /v1/responses and GET /v1/models, with the base URL ending in /v1."))
}

// outcome is what became of a request, for accounting and the log line.
type outcome struct {
	caller   auth.Caller
	adm      *policy.Admission
	admitted bool // passed the caller's limits; its ledger record is due
	reached  bool // an upstream answered, so the request may have cost something
	// prompt counts the prompt's tokens once, when something needs them;
	// text is the answer's text when the upstream reported no usage.
	prompt     func() int64
	countModel string // the upstream model whose encoding counts tokens
	text       string
	estimated  bool // usage counted by keygate, not reported by the upstream
	alias      string
	dep        *route.Deployment // the deployment tried last; nil if none was
	status     int
	attempts   int
	usage      openai.Usage
	cost       tenant.Nanos
	stream     bool
	errCode    string
}

func (g *Gateway) proxy(ep endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := g.now()
		g.metrics.InFlight.Inc()
		var out outcome
		defer func() {
			g.metrics.InFlight.Dec()
			g.finish(w, r, start, &out)
		}()
		caller, e := g.auth.Authenticate(r)
		if e != nil {
			out.status, out.errCode = e.Status, e.Code
			openai.WriteError(w, e)
			return
		}
		out.caller = caller
		body, e := g.readBody(w, r)
		if e != nil {
			out.status, out.errCode = e.Status, e.Code
			openai.WriteError(w, e)
			return
		}
		req, e := openai.ScanRequest(body)
		if e != nil {
			out.status, out.errCode = e.Status, e.Code
			openai.WriteError(w, e)
			return
		}
		out.alias, out.stream = req.Model, req.Stream
		if !caller.Allows(req.Model) && g.router.Load().Deployments(req.Model) != nil {
			e := auth.NotAllowed(caller, req.Model)
			out.status, out.errCode = e.Status, e.Code
			openai.WriteError(w, e)
			return
		}
		g.serve(w, r, ep, req, body, &out)
	})
}

func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *openai.Error) {
	if r.ContentLength > g.maxBody {
		return nil, tooLarge(r.ContentLength, g.maxBody)
	}
	rd := http.MaxBytesReader(w, r.Body, g.maxBody)
	var body []byte
	var err error
	if r.ContentLength > 0 {
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(rd, body)
	} else {
		body, err = io.ReadAll(rd)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(-1, g.maxBody)
		}
		return nil, openai.New(400, openai.TypeInvalidRequest, "",
			"keygate could not read the request body ("+err.Error()+"). The client closed the connection or sent a body shorter than its Content-Length; resend the request.")
	}
	return body, nil
}

func tooLarge(n, max int64) *openai.Error {
	size := "larger than"
	if n > 0 {
		size = strconv.FormatInt(n, 10) + " bytes, more than"
	}
	return openai.New(413, openai.TypeInvalidRequest, "request_too_large",
		"The request body is "+size+" the "+strconv.FormatInt(max, 10)+" bytes keygate accepts. "+
			"Send less (fewer messages, smaller inputs or images by URL), or raise max_request_bytes in keygate's config.")
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, ep endpoint, req openai.Request, body []byte, out *outcome) {
	plan := g.router.Load().Plan(req.Model, g.now())
	if len(plan) == 0 {
		e := g.unknownModel(req.Model, out.caller)
		out.status, out.errCode = e.Status, e.Code
		openai.WriteError(w, e)
		return
	}
	hideUsage := false
	if req.Stream && ep.usageOption && !req.IncludeUsage {
		var err error
		if body, err = req.RequireUsage(body); err != nil {
			e := openai.New(400, openai.TypeInvalidRequest, "", "keygate could not add stream_options to the request: "+err.Error())
			out.status = e.Status
			openai.WriteError(w, e)
			return
		}
		hideUsage = true
	}

	// The prompt is counted with the first deployment's encoding, at most
	// once, and only when a check or an account needs it: most requests
	// never look up an encoding at all.
	counted := int64(-1)
	out.countModel = plan[0].Model
	out.prompt = func() int64 {
		if counted < 0 {
			enc, _ := tokenizer.ForModel(out.countModel)
			n, err := tokencount.PromptValid(ep.count, body, g.counter(enc)) // ScanRequest validated the body
			if err != nil {
				n = promptEstimate(body)
			}
			counted = n
		}
		return counted
	}
	if e := preflight(ep, plan[0], req, body, out.prompt); e != nil {
		out.status, out.errCode = e.Status, "preflight_"+orDefault(e.Code, "max_tokens")
		openai.WriteError(w, e)
		return
	}

	// Admission charges the prompt's tokens plus the requested output, as
	// OpenAI's own limiter does, and reserves the largest possible cost on
	// the dearest deployment the plan may reach.
	prompt := int64(0)
	if g.policy != nil && (out.caller.Project != nil || anyTPM(plan)) {
		prompt = out.prompt()
	}
	tokens := prompt + req.MaxTokens
	if g.policy != nil {
		adm, e := g.policy.Admit(r.Context(), policy.Request{Caller: out.caller, Alias: req.Model, Tokens: tokens, MaxCost: maxCost(plan, prompt, req.MaxTokens)})
		if e != nil {
			out.status, out.errCode = e.Status, e.Code
			openai.WriteError(w, e)
			return
		}
		out.adm = adm
	}
	out.admitted = true

	var last *openai.Error
	var busy *limits.Denied // the deployment limit that clears first, while every one refuses
	for i, d := range plan {
		out.attempts = i + 1
		out.dep = d
		rq := req
		var hold *policy.Hold
		if g.policy != nil {
			var denied *limits.Denied
			if hold, denied = g.policy.AdmitDeployment(r.Context(), d, tokens); denied != nil {
				if busy == nil || denied.RetryAfter < busy.RetryAfter {
					busy = denied
				}
				continue
			}
		}
		key := d.Key()
		if key.IsZero() && d.Credential != "" {
			// Stored credentials arrive with the credential store; until then
			// such an entry cannot be served, and must not go out keyless.
			f := upstream.Failure{Failover: true, Err: openai.New(503, openai.TypeServiceUnavailable, "credential_unavailable",
				"Model \""+d.Alias+"\" (deployment "+d.Name+") uses the stored credential \""+d.Credential+"\", which is not in keygate's store "+
					"or cannot be opened. An admin must add it (`keygate keys add "+d.Credential+" --vendor "+d.Vendor+"`) or give this model an api_key in the config.").NoRetry()}
			g.noteFailure(r.Context(), d, f, nil)
			last = f.Err
			continue
		}
		resp, err := g.client.Do(r.Context(), upstream.Request{
			Deployment: d, Path: ep.path, Method: http.MethodPost, Body: rq.SetModel(body, d.Model),
			Header: r.Header, Stream: req.Stream, Key: key,
		})
		if err != nil {
			hold.Cancel(context.WithoutCancel(r.Context()))
			if r.Context().Err() != nil {
				out.status = 499 // the client went away; there is no one to answer
				return
			}
			f := upstream.ClassifyError(d, err)
			g.noteFailure(r.Context(), d, f, err)
			last = f.Err
			if f.Failover {
				continue
			}
			break
		}
		out.reached = true
		if resp.StatusCode >= 400 || !isAPIResponse(resp) {
			done := g.failed(w, r, d, key, resp, out, &last)
			hold.Settle(context.WithoutCancel(r.Context()), 0)
			if done {
				return
			}
			continue
		}
		g.relay(w, r, ep, req, hideUsage, resp, out)
		g.estimateUsage(out)
		hold.Settle(context.WithoutCancel(r.Context()), out.usage.PromptTokens+out.usage.CompletionTokens)
		return
	}
	if last == nil && busy != nil {
		last = policy.DeploymentsBusy(req.Model, busy)
	}
	if last == nil {
		last = openai.New(502, openai.TypeUpstream, upstream.CodeUnreachable, "No deployment could serve this request.")
	}
	out.status, out.errCode = last.Status, last.Code
	openai.WriteError(w, last)
}

// failed handles an upstream error answer: it passes client faults through
// unchanged and reports whether the request is finished; otherwise it records
// the classified error in *last so the next deployment can be tried.
func (g *Gateway) failed(w http.ResponseWriter, r *http.Request, d *route.Deployment, key secret.Secret, resp *http.Response, out *outcome, last **openai.Error) bool {
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	f := upstream.ClassifyResponse(d, key, resp, head)
	if f.Passthrough {
		copyHeaders(w.Header(), resp.Header)
		out.adm.SetHeaders(w.Header())
		w.Header().Del("Content-Length")
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(head)
		_, _ = io.Copy(w, resp.Body)
		out.status = resp.StatusCode
		out.errCode = "upstream_" + strconv.Itoa(resp.StatusCode)
		return true
	}
	g.noteFailure(r.Context(), d, f, nil)
	*last = f.Err
	return !f.Failover
}

func (g *Gateway) noteFailure(ctx context.Context, d *route.Deployment, f upstream.Failure, err error) {
	g.metrics.UpstreamErrors.WithLabelValues(d.Name, f.Err.Code).Inc()
	if f.CoolDown > 0 {
		d.CoolDown(g.now().Add(f.CoolDown))
	}
	attrs := []slog.Attr{slog.String("request_id", requestid.From(ctx)), slog.String("deployment", d.Name),
		slog.String("code", f.Err.Code), slog.Bool("failover", f.Failover)}
	if err != nil {
		// Transport errors name hosts and ports, never keys.
		attrs = append(attrs, slog.String("cause", err.Error()))
	}
	g.log.LogAttrs(ctx, slog.LevelWarn, "upstream attempt failed", attrs...)
}

// isAPIResponse reports whether a 2xx answer looks like the OpenAI API rather
// than, say, a web page served at a wrong base URL.
func isAPIResponse(resp *http.Response) bool {
	ct := resp.Header.Get("Content-Type")
	return ct == "" || strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "text/event-stream")
}

func (g *Gateway) relay(w http.ResponseWriter, r *http.Request, ep endpoint, req openai.Request, hideUsage bool, resp *http.Response, out *outcome) {
	defer resp.Body.Close()
	h := w.Header()
	copyHeaders(h, resp.Header)
	out.adm.SetHeaders(h)
	isStream := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	if isStream {
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no") // keep reverse proxies in front of keygate from buffering the stream
		h.Del("Content-Length")
	}
	w.WriteHeader(resp.StatusCode)
	out.status = resp.StatusCode
	var res relay.Result
	var err error
	if isStream {
		fw := relay.ResponseFlusher(w)
		_ = fw.Flush() // the client sees the 200 at once, before the first token
		res, err = relay.Stream(fw, resp.Body, relay.StreamOptions{Kind: ep.kind, HideUsage: hideUsage})
	} else {
		res, err = relay.JSON(w, resp.Body)
	}
	out.usage, out.text = res.Usage, res.Text
	if err != nil && r.Context().Err() == nil {
		out.errCode = "relay_interrupted"
		g.log.LogAttrs(r.Context(), slog.LevelWarn, "relay interrupted",
			slog.String("request_id", requestid.From(r.Context())), slog.String("deployment", out.dep.Name), slog.String("cause", err.Error()))
	}
}

// relayedHeaders are the upstream response headers worth passing on. Others,
// such as openai-organization and openai-project, name the provider account
// and stay at the gateway.
var relayedHeaders = []string{
	"Content-Type", "Content-Length", "Openai-Processing-Ms", "Openai-Version",
	openai.HeaderLimitRequests, openai.HeaderLimitTokens, openai.HeaderRemainingRequests,
	openai.HeaderRemainingTokens, openai.HeaderResetRequests, openai.HeaderResetTokens,
}

func copyHeaders(dst, src http.Header) {
	for _, k := range relayedHeaders {
		if v, ok := src[k]; ok {
			dst[k] = v
		}
	}
	if v := src.Get("X-Request-Id"); v != "" {
		dst.Set("X-Upstream-Request-Id", v)
	}
}

func (g *Gateway) finish(w http.ResponseWriter, r *http.Request, start time.Time, out *outcome) {
	dur := g.now().Sub(start)
	model := out.alias
	if model != "" && g.router.Load().Deployments(model) == nil {
		model = "unknown" // keep client-chosen names out of metric labels
	}
	g.metrics.Requests.WithLabelValues(model, strconv.Itoa(out.status)).Inc()
	if model != "" && model != "unknown" {
		g.metrics.Duration.WithLabelValues(model).Observe(dur.Seconds())
		if u := out.usage; !u.IsZero() {
			g.metrics.Tokens.WithLabelValues(model, "prompt").Add(float64(u.PromptTokens))
			g.metrics.Tokens.WithLabelValues(model, "completion").Add(float64(u.CompletionTokens))
			if out.dep != nil && out.dep.Priced {
				out.cost = pricing.Cost(out.dep.Price, u)
				g.metrics.Spend.WithLabelValues(model).Add(out.cost.USD())
			}
		}
	}
	deployment := ""
	if out.dep != nil {
		deployment = out.dep.Name
	}
	if out.adm != nil {
		// The answer is complete; deliver it before talking to the counters.
		_ = http.NewResponseController(w).Flush()
		ctx := context.WithoutCancel(r.Context())
		if out.reached {
			out.adm.Settle(ctx, out.usage.PromptTokens+out.usage.CompletionTokens, out.cost)
		} else {
			out.adm.Cancel(ctx)
		}
	}
	var project, keyID string
	if c := out.caller; c.Project != nil {
		project, keyID = c.Project.Name, c.Key.ID
	}
	if g.ledger != nil && out.admitted && out.dep != nil {
		g.ledger.Record(tenant.Usage{
			RequestID: requestid.From(r.Context()), Time: start.UTC(), Project: project, KeyID: keyID, Alias: out.alias, Deployment: deployment,
			UpstreamModel: out.dep.Upstream, PromptTokens: out.usage.PromptTokens, CachedTokens: out.usage.CachedTokens,
			CompletionTokens: out.usage.CompletionTokens, ReasoningTokens: out.usage.ReasoningTokens,
			Cost: out.cost, Status: out.status, Latency: dur, Estimated: out.estimated,
		})
	}
	level := slog.LevelInfo
	if out.status >= 500 {
		level = slog.LevelWarn
	}
	if !g.log.Enabled(r.Context(), level) {
		return
	}
	g.log.LogAttrs(r.Context(), level, "request",
		slog.String("request_id", requestid.From(r.Context())),
		slog.String("path", r.URL.Path),
		slog.String("model", out.alias),
		slog.String("deployment", deployment),
		slog.Int("status", out.status),
		slog.Bool("stream", out.stream),
		slog.Int("attempts", out.attempts),
		slog.Int64("prompt_tokens", out.usage.PromptTokens),
		slog.Int64("completion_tokens", out.usage.CompletionTokens),
		slog.Float64("cost_usd", out.cost.USD()),
		slog.Duration("duration", dur),
		slog.String("error", out.errCode),
	)
}

// estimateUsage counts the usage of an answer whose upstream reported none
// (some OpenAI-compatible servers, or a stream the client left before the
// usage chunk): the prompt, and the completion text the client received.
func (g *Gateway) estimateUsage(out *outcome) {
	if !out.usage.IsZero() || out.status >= 300 || out.prompt == nil {
		return
	}
	p := out.prompt()
	enc, _ := tokenizer.ForModel(out.countModel)
	c := int64(enc.Count(out.text))
	out.usage = openai.Usage{PromptTokens: p, CompletionTokens: c, TotalTokens: p + c}
	out.estimated = true
}

// counter returns the cached counter of enc.
func (g *Gateway) counter(enc *tokenizer.Encoding) *tokencount.Cache {
	if c, ok := g.counts.Load(enc); ok {
		return c.(*tokencount.Cache)
	}
	c, _ := g.counts.LoadOrStore(enc, tokencount.NewCache(enc))
	return c.(*tokencount.Cache)
}

func anyTPM(plan []*route.Deployment) bool {
	for _, d := range plan {
		if d.TPM > 0 {
			return true
		}
	}
	return false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// promptEstimate stands in for the prompt's count when the body's shape is
// one tokencount cannot read: about one token per four bytes of JSON.
func promptEstimate(body []byte) int64 { return int64(len(body)+3) / 4 }

// maxCost is the most the request can cost on any deployment of plan: the
// prompt plus the requested output, or the model's whole output cap when
// the request sets none.
func maxCost(plan []*route.Deployment, prompt, maxTokens int64) tenant.Nanos {
	var most tenant.Nanos
	for _, d := range plan {
		if !d.Priced {
			continue
		}
		out := maxTokens
		if out <= 0 {
			out = d.Price.MaxOutput
		}
		most = max(most, pricing.MaxCost(d.Price, prompt, out))
	}
	return most
}
