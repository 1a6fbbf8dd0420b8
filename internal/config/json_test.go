package config

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// TestJSONYAMLEquivalence: the same config written as JSON and as YAML
// loads to the same result.
func TestJSONYAMLEquivalence(t *testing.T) {
	t.Parallel()
	js := `{
	"listen": "0.0.0.0:4000",
	"request_timeout": 30,
	"model_list": [
		{"model_name": "a", "model": "openai/gpt-4o", "api_keys": ["k1", "k2"], "rpm": "60", "tpm": 1000, "fallbacks": ["b"]},
		{"model_name": "b", "litellm_params": {"model": "groq/llama3", "api_key": "os.environ/K", "timeout": 1.5}}
	]
}`
	ym := `listen: 0.0.0.0:4000
request_timeout: 30
model_list:
  - model_name: a
    model: openai/gpt-4o
    api_keys: [k1, k2]
    rpm: "60"
    tpm: 1000
    fallbacks: [b]
  - model_name: b
    litellm_params:
      model: groq/llama3
      api_key: os.environ/K
      timeout: 1.5
`
	env := envMap(map[string]string{"K": "groq-key-0000"})
	cj, err := Parse("c.json", []byte(js), env)
	if err != nil {
		t.Fatal(err)
	}
	cy, err := Parse("c.yaml", []byte(ym), env)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cj.Models {
		cj.Models[i].Pos, cy.Models[i].Pos = Pos{}, Pos{}
	}
	cj.File, cy.File = "", ""
	if !reflect.DeepEqual(cj, cy) {
		t.Errorf("JSON and YAML differ:\njson %+v\nyaml %+v", cj, cy)
	}
}

// TestJSONStrings covers JSON string features the YAML parser reads
// differently or rejects, and checks that positions survive the rewrite.
func TestJSONStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key string
		want      string
	}{
		{"slash escape", `"a\/b"`, "a/b"},
		{"surrogate pair", `"\ud83d\ude00x"`, "\U0001F600x"},
		{"lone surrogate", `"\ud800x"`, "\uFFFDx"},
		{"common escapes", `"\"\\\b\f\n\r\t\u00e9"`, "\"\\\b\f\n\r\t\u00e9"},
		{"raw DEL", "\"a\x7fb\"", "a\x7fb"},
		{"raw line separator", "\"a\u2028b\"", "a\u2028b"},
		{"raw NEL", "\"a\u0085b\"", "a\u0085b"},
		{"raw BOM", "\"a\ufeffb\"", "a\ufeffb"},
		{"invalid UTF-8", "\"a\xffb\"", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The api_key is followed on the same line by a field whose
			// column the rewrite must preserve.
			src := `{"model_list": [{"model_name": "a", "model": "openai/x", "api_key": ` + tt.key + `, "rpm": "bad"}]}`
			_, err := Parse("c.json", []byte(src), nil)
			es, ok := err.(Errors)
			if !ok || len(es) != 1 {
				t.Fatalf("err = %v", err)
			}
			col := len([]rune(src[:len(src)-len(`"bad"}]}`)])) + 1
			if es[0].Pos.Column != col || es[0].Field != "model_list[0].rpm" {
				t.Errorf("rpm error at column %d (%v), want %d", es[0].Pos.Column, es[0], col)
			}
			src = `{"model_list": [{"model_name": "a", "model": "openai/x", "api_key": ` + tt.key + `}]}`
			cfg, err := Parse("c.json", []byte(src), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Models[0].APIKeys[0].Reveal(); got != tt.want {
				t.Errorf("key = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestJSONTabs: JSON indented with tabs, common in hand-edited files.
func TestJSONTabs(t *testing.T) {
	t.Parallel()
	src := "{\n\t\"model_list\": [\n\t\t{\n\t\t\t\"model_name\":\t\"a\",\n\t\t\t\"model\": \"openai/x\",\n\t\t\t\"api_key\": \"k\",\n\t\t\t\"rpm\": true\n\t\t}\n\t]\n}\n"
	_, err := Parse("c.json", []byte(src), nil)
	if got, want := err.Error(), "c.json:7:11: model_list[0].rpm: expected an integer, got true"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestJSONRejectsYAMLOnlySyntax: a .json file must be JSON, even though the
// YAML parser would accept more.
func TestJSONRejectsYAMLOnlySyntax(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"{listen: x}", "{\"listen\": \"x\",}", "# c\n{}", "{\"a\": 'x'}"} {
		if _, err := Parse("c.json", []byte(src), nil); err == nil {
			t.Errorf("%q accepted as JSON", src)
		}
	}
}

// TestJSONLongKey: the YAML parser cannot read a key longer than 1024
// characters, so keygate refuses one clearly instead of with the parser's
// "did not find expected ','". Invalid UTF-8 counts as the six-character
// escape it is rewritten to.
func TestJSONLongKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src, want string
	}{
		{"long", `{"a": 1,` + "\n" + `"` + strings.Repeat("k", 1001) + `": 1}`, "c.json:2:1: object key is 1003 characters long; keygate reads keys of up to 1000"},
		{"invalid UTF-8", "{\"" + strings.Repeat("\xff", 200) + "\" : 1}", "c.json:1:2: object key is 1203 characters long; keygate reads keys of up to 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.json", []byte(tc.src), nil)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
	long := `{"` + strings.Repeat("k", 990) + `": {"a": "` + strings.Repeat("v", 5000) + `"}}`
	if _, err := Parse("c.json", []byte(long), nil); err != nil && strings.Contains(err.Error(), "reads keys") {
		t.Errorf("a 992-character key or a long value refused: %v", err)
	}
}

// FuzzJSONAsYAML checks the claim that makes JSON-through-YAML sound: for
// any valid JSON document, the rewritten text parses as YAML to the same
// values encoding/json reads.
func FuzzJSONAsYAML(f *testing.F) {
	for _, s := range []string{
		`{"a": "\/\ud83d\ude00\ud800", "b": [1, 2.5, -0, 1e3, true, null], "c": {"d": ""}}`,
		"{\"a\":\t\"x\u2028\x7f\xff\"}", `{"<<": {"a": 1}}`, `{"a": "# not a comment", "&b": "*c"}`,
		`{"key": "~", "yes": "no", "on": "0x10", "y": "1_000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want any
		if json.Unmarshal(data, &want) != nil {
			return
		}
		if _, ok := want.(map[string]any); !ok {
			return
		}
		norm, _, e := normaliseJSON(data)
		if e != nil {
			if strings.Contains(e.Msg, "keygate reads keys of up to") {
				return // refused with a clear message, tested by TestJSONLongKey
			}
			t.Fatalf("valid JSON rejected: %v", e)
		}
		var n yaml.Node
		if err := yaml.Unmarshal(norm, &n); err != nil {
			t.Fatalf("YAML rejects rewritten JSON %q: %v", norm, err)
		}
		got, ok := nodeValue(n.Content[0])
		if !ok {
			return // duplicate keys: JSON takes the last, keygate reports them
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("JSON %q\nyaml reads %#v\njson reads %#v", data, got, want)
		}
	})
}

// nodeValue converts a node from a JSON document into what encoding/json
// would produce; ok is false for duplicate keys.
func nodeValue(n *yaml.Node) (any, bool) {
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := m[k]; dup {
				return nil, false
			}
			v, ok := nodeValue(n.Content[i+1])
			if !ok {
				return nil, false
			}
			m[k] = v
		}
		return m, true
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			v, ok := nodeValue(c)
			if !ok {
				return nil, false
			}
			s = append(s, v)
		}
		return s, true
	}
	switch n.Tag {
	case "!!null":
		return nil, true
	case "!!bool":
		return n.Value == "true", true
	case "!!int", "!!float":
		x, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			return n.Value, true
		}
		return x, true
	}
	return n.Value, true
}
