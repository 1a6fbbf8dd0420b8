package route

import (
	"strings"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/config"
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
