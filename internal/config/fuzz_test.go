package config

import (
	"bytes"
	"errors"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var positioned = regexp.MustCompile(`^fuzz\.(yaml|json):[1-9][0-9]*(:[1-9][0-9]*)?: `)

// FuzzParse asserts that Parse never panics and that every error and
// warning it returns renders with a position.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	more, _ := filepath.Glob("testdata/*/*")
	for _, file := range append(files, more...) {
		// testdata/fuzz holds the fuzzer's own corpus, which it reads itself.
		if filepath.Ext(file) == ".md" || strings.HasPrefix(file, filepath.Join("testdata", "fuzz")) {
			continue
		}
		data := mustRead(f, file)
		// Go's minimizer spends the whole fuzz time on inputs grown from a
		// long seed, so long fixtures are cut at a line near 2 KB; what is
		// left still parses (possibly with errors) and covers their syntax.
		if len(data) > 2048 {
			data = data[:bytes.LastIndexByte(data[:2048], '\n')+1]
		}
		f.Add(data, filepath.Ext(file) == ".json")
	}
	f.Add([]byte("a: &x {b: *x}\nmodel_list: [*x]\n"), false)
	f.Add([]byte("model_list:\n  - <<: {model_name: a, model: openai/x}\n    api_key: ${K:-k}\n"), false)
	f.Add([]byte("budget_alert: 80%\nbudgets_fail_open: true\nmodel_list:\n  - {model_name: a, model: openai/x, api_key: k, input_cost_per_token: 1e-6,\n     model_info: {output_cost_per_token: \"2e-6\", max_tokens: 8, max_input_tokens: 9}}\n"), false)
	env := envMap(map[string]string{"AZURE_API_KEY_EU": "k", "OPENAI_API_KEY": "k", "K": "v"})
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		name := "fuzz.yaml"
		if asJSON {
			name = "fuzz.json"
		}
		cfg, err := Parse(name, data, env)
		if cfg == nil {
			t.Fatal("nil Config")
		}
		for _, w := range cfg.Warnings {
			if !positioned.MatchString(w.Error()) {
				t.Fatalf("warning without position: %q", w.Error())
			}
		}
		if err == nil {
			checkValues(t, cfg)
			return
		}
		var es Errors
		if !errors.As(err, &es) || len(es) == 0 {
			t.Fatalf("error is not Errors: %v", err)
		}
		for _, e := range es {
			if !positioned.MatchString(e.Error()) {
				t.Fatalf("error without position: %q", e.Error())
			}
		}
	})
}

// checkValues asserts the ranges Parse promises for a loaded config.
func checkValues(t *testing.T, cfg *Config) {
	t.Helper()
	if !(cfg.BudgetAlert > 0 && cfg.BudgetAlert <= 1) {
		t.Fatalf("BudgetAlert = %v, want (0, 1]", cfg.BudgetAlert)
	}
	for _, d := range cfg.Models {
		o := d.PriceOverride
		for _, x := range []*float64{o.Input, o.Output, o.CachedInput, o.Reasoning} {
			if x != nil && (!(*x >= 0) || math.IsInf(*x, 0) || math.Signbit(*x)) {
				t.Fatalf("%s: price %v, want finite and not negative", d.Alias, *x)
			}
		}
		for _, n := range []*int64{o.MaxOutput, o.ContextWindow} {
			if n != nil && *n <= 0 {
				t.Fatalf("%s: token limit %d, want positive", d.Alias, *n)
			}
		}
	}
}

// TestHostileYAML: self-referential anchors and merge keys end, with errors.
func TestHostileYAML(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"a: &x {<<: *x}\nmodel_list: [*x]\n",
		"model_list:\n  - &x\n    <<: *x\n    model_name: a\n",
		"x: &a [*a, *a]\nmodel_list: *a\n",
	} {
		if _, err := Parse("h.yaml", []byte(src), nil); err == nil {
			t.Logf("%q: no error", src)
		}
	}
}
