package tokencount

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tidwall/gjson"
)

// FuzzPrompt checks that no body, however malformed, makes Prompt panic or
// return a negative count, on any endpoint.
func FuzzPrompt(f *testing.F) {
	files, _ := filepath.Glob("testdata/fixtures/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add([]byte(gjson.GetBytes(data, "request").Raw))
		}
	}
	for _, s := range []string{
		`{}`, `[]`, `null`, `{"messages":null}`, `{"messages":[{}]}`,
		`{"messages":[{"role":"function","content":[{"type":"image_url","image_url":"data:image/png;base64,iVBORw0KGgo="}]}],"functions":[{"name":"f","parameters":{"properties":{"a":{"type":"object","properties":{"b":{"anyOf":[{"type":"array"}]}}}}}}]}`,
		`{"input":[{"type":"function_call"},{"type":"function_call_output","output":[1]}],"tools":[{"type":"function","name":"x","parameters":{"properties":7}}]}`,
		`{"prompt":[[1,[2]],{"a":1}],"suffix":5}`,
		`{"model":"gpt-4.1-mini","messages":[{"role":"user","content":[{"type":"input_image","image_url":"data:image/webp;base64,UklGRgAAAABXRUJQVlA4WAAAAAAAAAAA/z8A/z8A"}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, ep := range []string{Chat, Completions, Embeddings, Responses} {
			n, err := Prompt(ep, body, words{})
			if err == nil && n < 0 {
				t.Errorf("Prompt(%s, %q) = %d", ep, body, n)
			}
		}
	})
}
