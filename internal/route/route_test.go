package route

import (
	"strings"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/config"
	"github.com/keygate/keygate/internal/pricing"
	"github.com/keygate/keygate/internal/secret"
)

func names(ds []*Deployment) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return strings.Join(out, " ")
}

func testRouter() *Router {
	dep := func(alias string) config.Deployment {
		return config.Deployment{Alias: alias, Vendor: "openai", Model: alias}
	}
	return New(&config.Config{
		Models:    []config.Deployment{dep("a"), dep("a"), dep("a"), dep("b"), dep("c"), dep("c")},
		Fallbacks: map[string][]string{"a": {"b", "missing"}, "b": {"c", "b"}},
	})
}

func TestPlan(t *testing.T) {
	r := testRouter()
	now := time.Unix(1000, 0)
	tests := []struct {
		alias string
		cool  []string
		want  []string // successive plans
	}{
		{alias: "a", want: []string{"a#1 a#2 a#3 b#1", "a#2 a#3 a#1 b#1", "a#3 a#1 a#2 b#1", "a#1 a#2 a#3 b#1"}},
		{alias: "a", cool: []string{"a#2"}, want: []string{"a#1 a#3 a#2 b#1", "a#3 a#1 a#2 b#1"}},
		{alias: "b", want: []string{"b#1 c#1 c#2", "b#1 c#2 c#1"}},
		{alias: "nope", want: []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.alias+strings.Join(tt.cool, ","), func(t *testing.T) {
			r := testRouter()
			for _, name := range tt.cool {
				for _, d := range r.Deployments(strings.Split(name, "#")[0]) {
					if d.Name == name {
						d.CoolDown(now.Add(time.Minute))
					}
				}
			}
			for i, want := range tt.want {
				if got := names(r.Plan(tt.alias, now)); got != want {
					t.Fatalf("plan %d = %q, want %q", i, got, want)
				}
			}
		})
	}
	if got := r.Aliases(); strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("aliases %v", got)
	}
}

func TestCooldownExpires(t *testing.T) {
	r := testRouter()
	now := time.Unix(1000, 0)
	d := r.Deployments("b")[0]
	d.CoolDown(now.Add(time.Second))
	if !d.Cooling(now) || d.Cooling(now.Add(2*time.Second)) {
		t.Fatal("cooldown window wrong")
	}
	// A lone deployment is still tried while cooling: there is nothing better.
	if got := names(r.Plan("b", now)); !strings.HasPrefix(got, "b#1") {
		t.Fatalf("plan %q", got)
	}
}

func TestPlanBounded(t *testing.T) {
	var models []config.Deployment
	for range 20 {
		models = append(models, config.Deployment{Alias: "x"})
	}
	if n := len(New(&config.Config{Models: models}).Plan("x", time.Now())); n != maxPlan {
		t.Fatalf("plan of %d deployments, want at most %d", n, maxPlan)
	}
}

func TestKeysTakeTurns(t *testing.T) {
	r := New(&config.Config{Models: []config.Deployment{{Alias: "x", APIKeys: []secret.Secret{secret.New("k1"), secret.New("k2")}}}})
	d := r.Deployments("x")[0]
	var got []string
	for range 4 {
		got = append(got, d.Key().Reveal())
	}
	if strings.Join(got, ",") != "k1,k2,k1,k2" {
		t.Fatalf("keys %v", got)
	}
}

func TestPriceOverride(t *testing.T) {
	t.Parallel()
	f := func(x float64) *float64 { return &x }
	n := func(x int64) *int64 { return &x }
	catalog, ok := pricing.Default().Lookup("openai/gpt-4o-mini")
	if !ok || catalog.Input == 0 || catalog.Output == 0 || catalog.CachedInput == 0 || catalog.ContextWindow == 0 || catalog.MaxOutput == 0 {
		t.Fatalf("catalog price of gpt-4o-mini = %+v, %v; the test needs every field set", catalog, ok)
	}
	tests := []struct {
		name     string
		model    string
		override config.PriceOverride
		want     pricing.Price
		priced   bool
	}{
		{name: "catalog", model: "gpt-4o-mini", want: catalog, priced: true},
		{name: "override replaces", model: "gpt-4o-mini",
			override: config.PriceOverride{Input: f(1e-6), Output: f(2e-6), CachedInput: f(5e-7), Reasoning: f(3e-6), MaxOutput: n(100), ContextWindow: n(1000)},
			want: func() pricing.Price {
				p := catalog
				p.Input, p.Output, p.CachedInput, p.Reasoning, p.MaxOutput, p.ContextWindow = 1e-6, 2e-6, 5e-7, 3e-6, 100, 1000
				return p
			}(), priced: true},
		{name: "partial override keeps the rest", model: "gpt-4o-mini",
			override: config.PriceOverride{Input: f(1e-6), ContextWindow: n(1000)},
			want: func() pricing.Price {
				p := catalog
				p.Input, p.ContextWindow = 1e-6, 1000
				return p
			}(), priced: true},
		{name: "explicit zero makes it free", model: "gpt-4o-mini",
			override: config.PriceOverride{Input: f(0), Output: f(0)},
			want: func() pricing.Price {
				p := catalog
				p.Input, p.Output = 0, 0
				return p
			}(), priced: true},
		{name: "unknown model, both costs", model: "in-house-7b",
			override: config.PriceOverride{Input: f(1e-7), Output: f(2e-7), MaxOutput: n(512)},
			want:     pricing.Price{Input: 1e-7, Output: 2e-7, MaxOutput: 512}, priced: true},
		{name: "unknown model, free", model: "in-house-7b",
			override: config.PriceOverride{Input: f(0), Output: f(0)},
			want:     pricing.Price{}, priced: true},
		{name: "unknown model, input only", model: "in-house-7b",
			override: config.PriceOverride{Input: f(1e-7)},
			want:     pricing.Price{Input: 1e-7}, priced: false},
		{name: "unknown model, limits only", model: "in-house-7b",
			override: config.PriceOverride{ContextWindow: n(8192)},
			want:     pricing.Price{ContextWindow: 8192}, priced: false},
		{name: "unknown model", model: "in-house-7b", want: pricing.Price{}, priced: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := New(&config.Config{Models: []config.Deployment{{Alias: "m", Vendor: "openai", Model: tt.model, PriceOverride: tt.override}}})
			d := r.Deployments("m")[0]
			if d.Price != tt.want || d.Priced != tt.priced {
				t.Errorf("Price, Priced = %+v, %v\nwant %+v, %v", d.Price, d.Priced, tt.want, tt.priced)
			}
		})
	}
}

// TestPriceOverridePerDeployment: deployments of the same upstream model keep
// their own overrides, and an override does not leak into the catalog.
func TestPriceOverridePerDeployment(t *testing.T) {
	t.Parallel()
	in := 9e-6
	r := New(&config.Config{Models: []config.Deployment{
		{Alias: "m", Vendor: "openai", Model: "gpt-4o-mini", PriceOverride: config.PriceOverride{Input: &in}},
		{Alias: "m", Vendor: "openai", Model: "gpt-4o-mini"},
	}})
	ds := r.Deployments("m")
	catalog, _ := pricing.Default().Lookup("openai/gpt-4o-mini")
	if ds[0].Price.Input != in || ds[1].Price.Input != catalog.Input || catalog.Input == in {
		t.Errorf("inputs %g, %g; want %g, %g", ds[0].Price.Input, ds[1].Price.Input, in, catalog.Input)
	}
}

// TestPriceFromConfigFile: a LiteLLM entry's costs reach the router.
func TestPriceFromConfigFile(t *testing.T) {
	t.Parallel()
	src := `model_list:
  - model_name: m
    litellm_params:
      model: openai/in-house-7b
      api_base: http://127.0.0.1:8000/v1
      api_key: k
      input_cost_per_token: 0.0000001
      output_cost_per_token: 0.0000002
    model_info:
      max_tokens: 512
`
	cfg, err := config.Parse("c.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg).Deployments("m")[0]
	if want := (pricing.Price{Input: 1e-7, Output: 2e-7, MaxOutput: 512}); !d.Priced || d.Price != want {
		t.Errorf("Price, Priced = %+v, %v; want %+v, true", d.Price, d.Priced, want)
	}
}
