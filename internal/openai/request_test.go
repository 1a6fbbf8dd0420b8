package openai

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestScanRequest(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		want      Request
		errCode   string
		errParam  string
		errSubstr string
	}{
		{name: "minimal", body: `{"model":"gpt-4o-mini","messages":[]}`, want: Request{Model: "gpt-4o-mini"}},
		{name: "stream with usage", body: `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`,
			want: Request{Model: "m", Stream: true, IncludeUsage: true, HasStreamOps: true}},
		{name: "stream without usage", body: ` {"stream":true,"model":"m"}`, want: Request{Model: "m", Stream: true}},
		{name: "stream null", body: `{"stream":null,"model":"m"}`, want: Request{Model: "m"}},
		{name: "max tokens", body: `{"model":"m","max_tokens":4096}`, want: Request{Model: "m", MaxTokens: 4096, MaxTokensKey: "max_tokens"}},
		{name: "max completion tokens", body: `{"model":"m","max_completion_tokens":12}`, want: Request{Model: "m", MaxTokens: 12, MaxTokensKey: "max_completion_tokens"}},
		{name: "duplicate model, last wins", body: `{"model":"a","model":"b"}`, want: Request{Model: "b"}},
		{name: "nested model ignored", body: `{"metadata":{"model":"x"},"model":"m"}`, want: Request{Model: "m"}},
		{name: "escaped model", body: `{"model":"gpt\u002d4o"}`, want: Request{Model: "gpt-4o"}},
		{name: "not json", body: `{"model":`, errSubstr: "could not parse the JSON body"},
		{name: "empty", body: ``, errSubstr: "could not parse the JSON body"},
		{name: "invalid utf-8", body: "{\"model\":\"\xe4\"}", errSubstr: "not valid UTF-8"},
		{name: "array", body: `[1,2]`, errCode: "invalid_type", errSubstr: "must be a JSON object"},
		{name: "no model", body: `{"messages":[]}`, errParam: "model", errSubstr: "you must provide a model parameter"},
		{name: "empty model", body: `{"model":""}`, errParam: "model", errSubstr: "is empty"},
		{name: "model number", body: `{"model":4}`, errCode: "invalid_type", errParam: "model", errSubstr: "expected a string, but got an integer"},
		{name: "stream string", body: `{"model":"m","stream":"yes"}`, errCode: "invalid_type", errParam: "stream"},
		{name: "max tokens decimal", body: `{"model":"m","max_tokens":1.5}`, errCode: "invalid_type", errParam: "max_tokens", errSubstr: "got a decimal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ScanRequest([]byte(tt.body))
			if tt.errSubstr != "" || tt.errCode != "" || tt.errParam != "" {
				if err == nil {
					t.Fatalf("want error, got %+v", got)
				}
				if err.Status != 400 || err.Type != TypeInvalidRequest || err.Code != tt.errCode || err.Param != tt.errParam ||
					!strings.Contains(err.Message, tt.errSubstr) {
					t.Fatalf("error = %+v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			got.modelStart, got.modelEnd = 0, 0
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRewrite(t *testing.T) {
	tests := []struct {
		name, body, model, want string
		requireUsage            bool
	}{
		{"same model untouched", `{"model":"m","x":1}`, "m", `{"model":"m","x":1}`, false},
		{"rewrite", `{"x":1, "model" : "alias" ,"y":2}`, "gpt-4o", `{"x":1, "model" : "gpt-4o" ,"y":2}`, false},
		{"rewrite needs escaping", `{"model":"a"}`, `we"ird\`, `{"model":"we\"ird\\"}`, false},
		{"insert stream options", `{"model":"a","stream":true}`, "b", `{"stream_options":{"include_usage":true},"model":"b","stream":true}`, true},
		{"flip include usage", `{"model":"a","stream":true,"stream_options":{"include_usage":false}}`, "b",
			`{"model":"b","stream":true,"stream_options":{"include_usage":true}}`, true},
		{"add include usage", `{"stream_options":{},"model":"a","stream":true}`, "bb",
			`{"stream_options":{"include_usage":true},"model":"bb","stream":true}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			r, e := ScanRequest(body)
			if e != nil {
				t.Fatal(e)
			}
			if tt.requireUsage {
				var err error
				if body, err = r.RequireUsage(body); err != nil {
					t.Fatal(err)
				}
			}
			body = r.SetModel(body, tt.model)
			if string(body) != tt.want {
				t.Fatalf("got  %s\nwant %s", body, tt.want)
			}
			again, e := ScanRequest(body)
			if e != nil || again.Model != tt.model || (tt.requireUsage && !again.IncludeUsage) {
				t.Fatalf("rescan: %+v %v", again, e)
			}
		})
	}
}

// FuzzScanRequest checks that scanning never panics, that a body it accepts has
// the model encoding/json finds, and that rewriting keeps the body valid JSON
// with only the model changed.
func FuzzScanRequest(f *testing.F) {
	for _, s := range []string{`{"model":"a"}`, `{"model":"a","stream":true}`, `{"stream_options":{"include_usage":false},"model":"x"}`,
		`{"model":"\u00e9","messages":[{"role":"user","content":"hi"}]}`, `[]`, `{"model":1}`, "{\"model\":\"a\"}\n"} {
		f.Add([]byte(s), "gpt-4o")
	}
	f.Fuzz(func(t *testing.T, body []byte, model string) {
		r, e := ScanRequest(body)
		if e != nil {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			// gjson accepts a few inputs encoding/json rejects (invalid UTF-8 in strings); skip those.
			return
		}
		if got, _ := m["model"].(string); got != r.Model {
			t.Fatalf("scan found model %q, encoding/json %q", r.Model, got)
		}
		out := r.SetModel(append([]byte(nil), body...), model)
		if r.Stream {
			var err error
			if out, err = r.RequireUsage(out); err != nil {
				t.Fatal(err)
			}
		}
		var m2 map[string]any
		if err := json.Unmarshal(out, &m2); err != nil {
			t.Fatalf("rewrite broke JSON: %v\n%s", err, out)
		}
		var want string
		enc, _ := json.Marshal(model)
		_ = json.Unmarshal(enc, &want)
		if m2["model"] != want {
			t.Fatalf("model = %q, want %q", m2["model"], want)
		}
	})
}
