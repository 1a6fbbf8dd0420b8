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
}

// New registers keygate's collectors, with the Go runtime and process
// collectors, in a registry of their own.
func New() *Metrics {
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
	}
	r.MustRegister(m.Requests, m.Duration, m.Tokens, m.UpstreamErrors, m.Spend, m.InFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
