package tokencount

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/valyala/fastjson"
)

// formatFunctions and formatType let TestFormatFunctions, written when the
// package read JSON with gjson, drive renderFunctions and renderType as it
// is.
func formatFunctions(defs []gjson.Result) string {
	raws := make([]string, len(defs))
	for i, d := range defs {
		raws[i] = d.Raw
	}
	return renderFunctions(fastjson.MustParse("[" + strings.Join(raws, ",") + "]").GetArray())
}

func formatType(schema gjson.Result, indent, depth int) string {
	return renderType(fastjson.MustParse(schema.Raw), indent, depth)
}

// texts is a Counter that records what it is asked to count, one token each.
type texts struct{ seen []string }

func (t *texts) Count(s string) int {
	t.seen = append(t.seen, strings.Clone(s))
	return 1
}

// TestPromptReadings pins how values are read where the parser leaves a
// choice, as the gjson version read them: non-string values as text,
// repeated keys, escaped keys.
func TestPromptReadings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, endpoint, body string
		want                 []string // the texts counted, in order
	}{
		{"number suffix", Completions, `{"prompt":"a","suffix":5}`, []string{"a", "5"}},
		{"float suffix", Completions, `{"prompt":"a","suffix":1.50}`, []string{"a", "1.5"}},
		{"exponent suffix", Completions, `{"prompt":"a","suffix":-2E2}`, []string{"a", "-200"}},
		{"bool suffix", Completions, `{"prompt":"a","suffix":true}`, []string{"a", "true"}},
		{"null suffix", Completions, `{"prompt":"a","suffix":null}`, []string{"a"}},
		{"first prompt wins", Completions, `{"prompt":"a","prompt":"b"}`, []string{"a"}},
		{"escaped text", Embeddings, `{"input":"tab\there \u00e9 \ud83d\ude00 \/"}`, []string{"tab\there é 😀 /"}},
		{"last message member wins", Chat, `{"messages":[{"role":"user","content":"a","content":"b"}]}`, []string{"user", "b"}},
		{"first nested member wins", Chat, `{"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","name":"g","arguments":"x"}}]}]}`,
			[]string{"assistant", "f", "function", "x"}},
		{"escaped key", Chat, `{"messages":[{"r\u006fle":"user","content":"a"}]}`, []string{"user", "a"}},
		{"object arguments", Chat, `{"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":{"a": [1, "x"]}}}]}]}`,
			[]string{"assistant", "f", "function", `{"a":[1,"x"]}`}},
		{"number role", Chat, `{"messages":[{"role":1e3,"content":"a"}]}`, []string{"1000", "a"}},
		{"object output", Responses, `{"input":[{"type":"function_call_output","output":{"ok":true}}]}`, []string{"tool", `{"ok":true}`}},
		{"text of a non-string part", Chat, `{"messages":[{"role":"user","content":[{"type":"text","text":7},"b"]}]}`, []string{"user", "7b"}},
	} {
		var got texts
		if _, err := Prompt(tt.endpoint, []byte(tt.body), &got); err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if strings.Join(got.seen, "\x00") != strings.Join(tt.want, "\x00") {
			t.Errorf("%s: counted %q, want %q", tt.name, got.seen, tt.want)
		}
	}

	// The first of two model members picks the image pricing, the escaped
	// one here: gpt-4o-mini's low detail costs 2833, gpt-4o's 85.
	body := `{"m\u006fdel":"gpt-4o-mini","model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}}]}]}`
	if n, err := Prompt(Chat, []byte(body), words{}); err != nil || n != 3+1+2833+3 {
		t.Errorf("escaped model: %d, %v; want %d", n, err, 3+1+2833+3)
	}
}

func TestFormatPropertiesNotObject(t *testing.T) {
	t.Parallel()
	// What the gjson version rendered for properties that are not an object.
	for _, tt := range []struct{ schema, want string }{
		{`{"type":"object","properties":[{"type":"string"},7]}`, "{\n  0?: string,\n  1?: any,\n}"},
		{`{"type":"object","properties":7}`, "{\n  ?: any,\n}"},
		{`{"type":"object","properties":null}`, "{\n  ?: any,\n}"},
		{`{"type":"object","properties":{"a":{"type":"string"},"a":{"type":"number"}},"required":["a",1]}`, "{\n  a: string,\n  a: number,\n}"},
		{`{"type":"array","items":null}`, "any[]"},
		{`{"enum":[1.50,{"a": 1},null]}`, `1.50 | {"a":1} | null`},
	} {
		if got := renderType(fastjson.MustParse(tt.schema), 0, 0); got != tt.want {
			t.Errorf("renderType(%s) = %q, want %q", tt.schema, got, tt.want)
		}
	}
}

// TestPromptDepth checks that a body nested deeper than fastjson can parse
// is refused as malformed, not a panic, and that one at the limit counts.
func TestPromptDepth(t *testing.T) {
	t.Parallel()
	// The root object and messages array are two levels; k arrays inside.
	nested := func(k int) []byte {
		return []byte(`{"messages":[` + strings.Repeat("[", k) + strings.Repeat("]", k) + `]}`)
	}
	for _, count := range []func(string, []byte, Counter) (int64, error){Prompt, PromptValid} {
		if n, err := count(Chat, nested(fastjson.MaxDepth-2), words{}); err != nil || n != replyPriming {
			t.Errorf("at the depth limit: %d, %v; want %d", n, err, replyPriming)
		}
		for _, k := range []int{fastjson.MaxDepth - 1, 100000} {
			if n, err := count(Chat, nested(k), words{}); !errors.Is(err, ErrMalformed) {
				t.Errorf("nested %d deep: %d, %v; want ErrMalformed", k+2, n, err)
			}
		}
	}
}

// TestPromptConcurrent counts bodies from several goroutines at once, as the
// gateway does: pooled parsers must not share values between counts.
func TestPromptConcurrent(t *testing.T) {
	t.Parallel()
	bodies := []string{
		`{"messages":[{"role":"user","content":"one two three"}]}`,
		`{"messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"a b c d e"}]}],"tools":[{"type":"function","function":{"name":"f","description":"does f","parameters":{"type":"object","properties":{"x":{"type":"string"}}}}}]}`,
		`{"messages":[{"role":"assistant","content":"` + strings.Repeat("word ", 2000) + `"}]}`,
	}
	want := make([]int64, len(bodies))
	for i, b := range bodies {
		want[i], _ = Prompt(Chat, []byte(b), words{})
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				k := (i + g) % len(bodies)
				if n, err := PromptValid(Chat, []byte(bodies[k]), words{}); err != nil || n != want[k] {
					t.Errorf("body %d: %d, %v; want %d", k, n, err, want[k])
					return
				}
			}
		})
	}
	wg.Wait()
}

// FuzzPromptValid checks that PromptValid, which leaves validation to its
// caller, does not panic or return a negative count when the caller passes
// a body that is not valid JSON: fastjson reads some of those.
func FuzzPromptValid(f *testing.F) {
	for _, s := range []string{
		`{"prompt":[01,NaN,-inf,1.2.3,-],"suffix":+5}`,
		"{\"messages\":[{\"role\":\"\x01\",\"content\":\"\\u12\\x\"}],\"function_call\":{\"name\":\"\\ud800\"}}",
		`{"input":[{"type":"function_call_output","output":nan}],"instructions":1e}`,
		`{"messages":[{"role":"user","content":"a"}]} trailing`,
		`{"messages":[],"tools":[{"type":"function","function":{"name":"f","parameters":{"properties":{"a":{"type":"object","properties":[-,]}}}}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, ep := range []string{Chat, Completions, Embeddings, Responses} {
			if n, err := PromptValid(ep, body, words{}); err == nil && n < 0 {
				t.Errorf("PromptValid(%s, %q) = %d", ep, body, n)
			}
		}
	})
}
