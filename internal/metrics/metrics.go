// Package metrics holds keygate's Prometheus collectors. Labels name models,
// deployments and error codes, never keys.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the collectors the request path updates.
type Metrics struct {
	Registry *prometheus.Registry

	Requests       *prometheus.CounterVec   // model, code
	Duration       *prometheus.HistogramVec // model
	Tokens         *prometheus.CounterVec   // model, kind (prompt|completion|cached|reasoning)
	UpstreamErrors *prometheus.CounterVec   // deployment, code
	Spend          *prometheus.CounterVec   // model
	InFlight       prometheus.Gauge

	Refusals       *prometheus.CounterVec // scope (key|project|deployment), kind (requests|tokens|requests_per_day|budget)
	BudgetUsed     *prometheus.GaugeVec   // project: budget in use (spent + held) ÷ budget at the last admission
	LimitsDegraded prometheus.GaugeFunc   // 1 while shared counters are down and limits are per replica
}

// New registers keygate's collectors, with the Go runtime and process
// collectors, in a registry of their own. degraded, if not nil, reports
// whether limits are served per replica because shared counters are down.
func New(degraded func() bool) *Metrics {
	if degraded == nil {
		degraded = func() bool { return false }
	}
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keygate_requests_total", Help: "Proxied requests by model alias and HTTP status.",
		}, []string{"model", "code"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "keygate_request_duration_seconds", Help: "Time from request to the last byte of the answer.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"model"}),
		Tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keygate_tokens_total", Help: "Tokens reported by upstreams, by model alias and kind.",
		}, []string{"model", "kind"}),
		UpstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keygate_upstream_errors_total", Help: "Failed upstream attempts by deployment and error code.",
		}, []string{"deployment", "code"}),
		Spend: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keygate_spend_usd_total", Help: "Estimated provider spend in USD, from reported usage and the pricing catalog, by model alias.",
		}, []string{"model"}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "keygate_requests_in_flight", Help: "Requests being proxied now.",
		}),
		Refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keygate_limit_refusals_total", Help: "Requests refused by keygate's own rate limits and budgets, by whose limit and what it counts.",
		}, []string{"scope", "kind"}),
		BudgetUsed: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "keygate_budget_used_ratio", Help: "Budget in use (spent plus held by requests in flight) as a fraction of the budget, per project, at its last admission.",
		}, []string{"project"}),
		LimitsDegraded: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "keygate_limits_degraded", Help: "1 while Redis is unreachable and limits are counted per replica.",
		}, func() float64 {
			if degraded() {
				return 1
			}
			return 0
		}),
	}
	r.MustRegister(m.Requests, m.Duration, m.Tokens, m.UpstreamErrors, m.Spend, m.InFlight, m.Refusals, m.BudgetUsed, m.LimitsDegraded,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
