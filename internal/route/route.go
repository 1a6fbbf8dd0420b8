// Package route resolves a client's model alias to the deployments that can
// serve it: the model_list entries sharing the alias take turns, a deployment
// that just failed cools down for a while, and an alias's fallbacks follow.
package route

import (
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/pricing"
	"github.com/keygate/keygate/internal/secret"
)

// Deployment is one model_list entry as the router serves it.
type Deployment struct {
	config.Deployment
	// Name identifies the deployment in logs, metrics and errors without
	// revealing anything secret: "alias#n" for the n-th entry of the alias.
	Name string
	// Upstream is "vendor/model", the name the pricing catalog and the ledger use.
	Upstream string
	// Price is the upstream model's price, when Priced: the catalog's, with
	// the config's PriceOverride laid over it (see New). It is worked out
	// once here rather than on every request. Its token limits are set from
	// the config even when it is not Priced.
	Price  pricing.Price
	Priced bool

	nextKey   atomic.Uint32
	coolUntil atomic.Int64 // unix nanoseconds; 0 = healthy
}

// Key returns the API key for the next request; a deployment with several keys
// (api_keys) uses them in turn.
func (d *Deployment) Key() secret.Secret {
	switch len(d.APIKeys) {
	case 0:
		return secret.Secret{}
	case 1:
		return d.APIKeys[0]
	}
	return d.APIKeys[int(d.nextKey.Add(1)-1)%len(d.APIKeys)]
}

// CoolDown keeps d out of rotation until t, unless every deployment of its
// alias is cooling too.
func (d *Deployment) CoolDown(t time.Time) { d.coolUntil.Store(t.UnixNano()) }

// Cooling reports whether d is cooling down at now.
func (d *Deployment) Cooling(now time.Time) bool { return d.coolUntil.Load() > now.UnixNano() }

type group struct {
	deployments []*Deployment
	next        atomic.Uint64
}

// Router maps aliases to deployments. It is safe for concurrent use; a new
// configuration is served by building a new Router.
type Router struct {
	groups    map[string]*group
	aliases   []string
	fallbacks map[string][]string
}

// New builds a router over the deployments of cfg, pricing each from the
// embedded catalog and its own PriceOverride (see priceOf).
func New(cfg *config.Config) *Router {
	prices := pricing.Default()
	r := &Router{groups: map[string]*group{}, fallbacks: cfg.Fallbacks}
	for _, d := range cfg.Models {
		g := r.groups[d.Alias]
		if g == nil {
			g = &group{}
			r.groups[d.Alias] = g
			r.aliases = append(r.aliases, d.Alias)
		}
		upstream := d.Vendor + "/" + d.Model
		price, priced := priceOf(prices, upstream, d.PriceOverride)
		g.deployments = append(g.deployments, &Deployment{
			Deployment: d,
			Name:       d.Alias + "#" + strconv.Itoa(len(g.deployments)+1),
			Upstream:   upstream,
			Price:      price,
			Priced:     priced,
		})
	}
	sort.Strings(r.aliases)
	return r
}

// priceOf is the price of upstream: the catalog's, with each field that o
// sets replacing the catalog's, zero included (an explicit 0 makes a model
// free, where pricing.Catalog.With would keep the catalog's price; and the
// override is the deployment's own, where With would key it by model name,
// shared by every deployment of that model). A model the catalog does not
// know is priced when o gives both its input and output prices.
func priceOf(catalog *pricing.Catalog, upstream string, o config.PriceOverride) (pricing.Price, bool) {
	p, priced := catalog.Lookup(upstream)
	for _, f := range []struct{ dst, v *float64 }{
		{&p.Input, o.Input}, {&p.Output, o.Output}, {&p.CachedInput, o.CachedInput}, {&p.Reasoning, o.Reasoning},
	} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if o.MaxOutput != nil {
		p.MaxOutput = *o.MaxOutput
	}
	if o.ContextWindow != nil {
		p.ContextWindow = *o.ContextWindow
	}
	return p, priced || (o.Input != nil && o.Output != nil)
}

// Aliases returns the model names clients may use, sorted.
func (r *Router) Aliases() []string { return r.aliases }

// Deployments returns the deployments of alias in file order.
func (r *Router) Deployments(alias string) []*Deployment {
	if g := r.groups[alias]; g != nil {
		return g.deployments
	}
	return nil
}

// maxPlan bounds how many deployments one request may try, so that a long
// fallback chain cannot turn one request into dozens of upstream calls.
const maxPlan = 6

// Plan returns the deployments to try for alias, in order: the alias's own,
// starting with the one whose turn it is and healthy ones before cooling ones,
// then those of its fallbacks in the same way. It returns nil for an unknown
// alias.
func (r *Router) Plan(alias string, now time.Time) []*Deployment {
	g := r.groups[alias]
	if g == nil {
		return nil
	}
	plan := make([]*Deployment, 0, 4)
	plan = g.appendTurn(plan, now)
	for _, fb := range r.fallbacks[alias] {
		if fg := r.groups[fb]; fg != nil && fb != alias {
			plan = fg.appendTurn(plan, now)
		}
	}
	if len(plan) > maxPlan {
		plan = plan[:maxPlan]
	}
	return plan
}

// appendTurn appends g's deployments in round-robin order from the next turn,
// healthy first.
func (g *group) appendTurn(plan []*Deployment, now time.Time) []*Deployment {
	n := len(g.deployments)
	if n == 1 {
		return append(plan, g.deployments[0])
	}
	start := int(g.next.Add(1)-1) % n
	base := len(plan)
	for i := 0; i < n; i++ {
		if d := g.deployments[(start+i)%n]; !d.Cooling(now) {
			plan = append(plan, d)
		}
	}
	if len(plan)-base == n {
		return plan
	}
	for i := 0; i < n; i++ {
		if d := g.deployments[(start+i)%n]; d.Cooling(now) {
			plan = append(plan, d)
		}
	}
	return plan
}
