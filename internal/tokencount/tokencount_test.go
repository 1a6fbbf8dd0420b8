package tokencount

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// words counts whitespace-separated words: a stand-in encoding simple enough
// to work the expected counts out by hand.
type words struct{}

func (words) Count(s string) int { return len(strings.Fields(s)) }

func TestPrompt(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, endpoint, body string
		want                 int64
	}{
		// Completions and embeddings: text tokens or token ids, no overhead.
		{"prompt string", Completions, `{"prompt":"a b c"}`, 3},
		{"prompt strings", Completions, `{"prompt":["a b","c"]}`, 3},
		{"prompt ids", Completions, `{"prompt":[1,2,3]}`, 3},
		{"prompt id arrays", Completions, `{"prompt":[[1,2],[3],[]]}`, 3},
		{"prompt suffix", Completions, `{"prompt":"a","suffix":"b c"}`, 3},
		{"input string", Embeddings, `{"input":"a b"}`, 2},
		{"input strings", Embeddings, `{"input":["a","b c d"]}`, 4},
		{"input ids", Embeddings, `{"input":[[1,2,3],[4]]}`, 4},
		{"input mixed junk", Embeddings, `{"input":["a",{"x":1},true,null,[5]]}`, 2},

		// Chat: 3 per message + role + content, 1 + name, 3 for the reply.
		{"one message", Chat, `{"messages":[{"role":"user","content":"hello world"}]}`, 3 + 1 + 2 + 3},
		{"name", Chat, `{"messages":[{"role":"user","name":"bob","content":"hi"}]}`, 3 + 1 + 1 + 1 + 1 + 3},
		{"null content", Chat, `{"messages":[{"role":"assistant","content":null}]}`, 3 + 1 + 3},
		{"no messages", Chat, `{"messages":[]}`, 3},
		{"text parts", Chat, `{"messages":[{"role":"user","content":[{"type":"text","text":"a b "},{"type":"text","text":"c"},{"type":"input_audio","input_audio":{"data":"xx yy"}}]}]}`, 3 + 1 + 3 + 3},
		{"refusal part", Chat, `{"messages":[{"role":"assistant","content":[{"type":"refusal","refusal":"no way"}]}]}`, 3 + 1 + 2 + 3},
		{"junk messages skipped", Chat, `{"messages":[1,"x",null,{"role":"user","content":"a"}]}`, 3 + 1 + 1 + 3},
		{"image low", Chat, `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}}]}]}`, 3 + 1 + 85 + 3},
		{"image unknown size", Chat, `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}`, 3 + 1 + 85 + 8*170 + 3},

		// Tool calls: 4 + type + 2·name + arguments each; 3 more with text.
		{"tool call", Chat, `{"messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]}`,
			3 + 1 + (4 + 1 + 2*1 + 1) + 3},
		{"two tool calls and text", Chat, `{"messages":[{"role":"assistant","content":"ok then","tool_calls":[{"function":{"name":"f","arguments":"{}"}},{"function":{"name":"g","arguments":"a b"}}]}]}`,
			3 + 1 + 2 + (4 + 1 + 2 + 1) + (4 + 1 + 2 + 2) + 3 + 3},
		{"custom tool call", Chat, `{"messages":[{"role":"assistant","tool_calls":[{"type":"custom","custom":{"name":"f","input":"x y"}}]}]}`,
			3 + 1 + (4 + 1 + 2 + 2) + 3},
		{"tool message", Chat, `{"messages":[{"role":"tool","tool_call_id":"c1","content":"42"}]}`, 3 + 1 + 1 + 3},
		{"legacy function_call message", Chat, `{"messages":[{"role":"assistant","content":"","function_call":{"name":"f","arguments":"a b"}}]}`,
			3 + 1 + (3 + 1 + 2) + 3},
		{"legacy function message", Chat, `{"messages":[{"role":"function","name":"f","content":"a"}]}`, 3 + 1 + 1 + (1 + 1) - 2 + 3},

		// Definitions: the namespace block + 9, −4 with a system message.
		{"function def", Chat, `{"messages":[{"role":"user","content":"a"}],"tools":[{"type":"function","function":{"name":"f"}}]}`,
			3 + 1 + 1 + 3 + block("type f = () => any;") + 9},
		{"function def with system", Chat, `{"messages":[{"role":"system","content":"s"},{"role":"user","content":"a"}],"tools":[{"type":"function","function":{"name":"f"}}]}`,
			(3 + 1 + 1) + (3 + 1 + 1) + 3 + block("type f = () => any;") + 9 - 4},
		{"legacy functions", Chat, `{"messages":[],"functions":[{"name":"f"}]}`, 3 + block("type f = () => any;") + 9},
		{"built-in tools ignored", Chat, `{"messages":[],"tools":[{"type":"web_search"},{"type":"function"},7]}`, 3},
		{"function_call none", Chat, `{"messages":[],"function_call":"none"}`, 3 + 1},
		{"function_call named", Chat, `{"messages":[],"function_call":{"name":"f"}}`, 3 + 4 + 1},

		// Responses: the chat rendering.
		{"input string", Responses, `{"input":"a b"}`, 3 + 1 + 2 + 3},
		{"instructions only", Responses, `{"instructions":"be nice"}`, 3 + 1 + 2 + 3},
		{"instructions and items", Responses, `{"instructions":"x","input":[{"role":"user","content":[{"type":"input_text","text":"a b"},{"type":"input_image","image_url":"https://x/y.png","detail":"low"}]},{"type":"reasoning","summary":[]}]}`,
			(3 + 1 + 1) + (3 + 1 + 2 + 85) + 3},
		{"function call items", Responses, `{"input":[{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"a b"}]}`,
			(3 + 1 + 4 + 1 + 2 + 1) + (3 + 1 + 2) + 3},
		{"output parts", Responses, `{"input":[{"type":"function_call_output","output":[{"type":"input_text","text":"a"}]}]}`, (3 + 1 + 1) + 3},
		{"flat tools", Responses, `{"input":"a","tools":[{"type":"function","name":"f"},{"type":"file_search"}]}`,
			(3 + 1 + 1) + 3 + block("type f = () => any;") + 9},
	} {
		n, err := Prompt(tt.endpoint, []byte(tt.body), words{})
		if err != nil || n != tt.want {
			t.Errorf("%s: Prompt(%s, %s) = %d, %v; want %d", tt.name, tt.endpoint, tt.body, n, err, tt.want)
		}
	}
}

// block is the word count of a namespace block with one definition.
func block(def string) int64 {
	return int64(words{}.Count("namespace functions {\n\n" + def + "\n\n} // namespace functions"))
}

func TestPromptErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ endpoint, body string }{
		{Chat, `{"messages":`},
		{Chat, `[]`},
		{Chat, `"x"`},
		{Chat, `{}`},
		{Chat, `{"messages":{"role":"user"}}`},
		{Completions, `{"prompt":5}`},
		{Completions, `{}`},
		{Embeddings, `{"input":null}`},
		{Responses, `{}`},
		{Responses, `{"input":{"role":"user"}}`},
		{"moderations", `{"input":"x"}`},
	} {
		n, err := Prompt(tt.endpoint, []byte(tt.body), words{})
		if err == nil {
			t.Errorf("Prompt(%s, %s) = %d, want an error", tt.endpoint, tt.body, n)
		} else if tt.endpoint != "moderations" && !errors.Is(err, ErrMalformed) {
			t.Errorf("Prompt(%s, %s): %v, want ErrMalformed", tt.endpoint, tt.body, err)
		}
	}
}

func TestFormatFunctions(t *testing.T) {
	t.Parallel()
	// The expected text is what hmarr/openai-chat-tokens' formatFunctionDefinitions
	// returns for the same definitions (its get_recipe and bing_bong test cases).
	defs := gjson.Parse(`[
	{"name":"get_recipe","parameters":{"type":"object","required":["ingredients","instructions","time_to_cook"],"properties":{
		"ingredients":{"type":"array","items":{"type":"object","required":["name","unit","amount"],"properties":{"name":{"type":"string"},"unit":{"enum":["grams","ml","cups","pieces","teaspoons"],"type":"string"},"amount":{"type":"number"}}}},
		"instructions":{"type":"array","items":{"type":"string"},"description":"Steps to prepare the recipe (no numbering)"},
		"time_to_cook":{"type":"number","description":"Total time to prepare the recipe in minutes"}}}},
	{"name":"bing_bong","description":"Do a bing bong","parameters":{"type":"object","properties":{"foo":{"type":"object","properties":{"bar":{"type":"string","enum":["a","b","c"]},"baz":{"type":"boolean"}}}}}},
	{"name":"noop","parameters":{"type":"object","properties":{}}}]`).Array()
	want := `namespace functions {

type get_recipe = (_: {
ingredients: {
  name: string,
  unit: "grams" | "ml" | "cups" | "pieces" | "teaspoons",
  amount: number,
}[],
// Steps to prepare the recipe (no numbering)
instructions: string[],
// Total time to prepare the recipe in minutes
time_to_cook: number,
}) => any;

// Do a bing bong
type bing_bong = (_: {
foo?: {
  bar?: "a" | "b" | "c",
  baz?: boolean,
},
}) => any;

type noop = () => any;

} // namespace functions`
	if got := formatFunctions(defs); got != want {
		t.Errorf("formatFunctions:\n%s\nwant:\n%s", got, want)
	}

	// Forms hmarr leaves undefined.
	for _, tt := range []struct{ schema, want string }{
		{`{"type":["string","null"]}`, "string | null"},
		{`{"enum":[1,"a",true]}`, `1 | "a" | true`},
		{`{"anyOf":[{"type":"integer"},{"type":"array","items":{"type":"boolean"}}]}`, "number | boolean[]"},
		{`{"type":"integer","enum":[1,2]}`, "1 | 2"},
		{`{"type":"array"}`, "any[]"},
		{`{"$ref":"#/defs/x"}`, "any"},
		{`"string"`, "any"},
		{`{"type":"object"}`, "{\n\n}"},
	} {
		if got := formatType(gjson.Parse(tt.schema), 0, 0); got != tt.want {
			t.Errorf("formatType(%s) = %q, want %q", tt.schema, got, tt.want)
		}
	}

	// Nesting past maxDepth ends in "any" rather than recursing on.
	deep := strings.Repeat(`{"type":"array","items":`, 100) + `{"type":"string"}` + strings.Repeat("}", 100)
	if got := formatType(gjson.Parse(deep), 0, 0); !strings.HasPrefix(got, "any[]") || strings.Count(got, "[]") != maxDepth {
		t.Errorf("deep schema rendered as %q", got)
	}
}

func TestImageTokens(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		model, url, detail string
		want               int64
	}{
		// Examples of OpenAI's vision guide.
		{"gpt-4o", pngURL(1024, 1024), "high", 765},
		{"gpt-4o", pngURL(2048, 4096), "high", 1105},
		{"gpt-4o", pngURL(4096, 8192), "low", 85},
		{"gpt-4.1", pngURL(1024, 1024), "", 765},
		{"gpt-4.1-mini", pngURL(1024, 1024), "", 1659},            // 1024 patches × 1.62, rounded up
		{"gpt-4.1-mini-2025-04-14", pngURL(1800, 2400), "", 2353}, // 1452 patches × 1.62
		{"gpt-4.1-nano", pngURL(1800, 2400), "low", 3572},         // 1452 × 2.46
		// Small images are not scaled up.
		{"gpt-4o", pngURL(128, 64), "high", 85 + 170},
		{"openai/gpt-4o-mini", pngURL(128, 64), "auto", 2833 + 5667},
		{"o3", pngURL(600, 400), "", 75 + 150*2},
		// Unknown size: the most the detail level allows.
		{"gpt-4o", "https://example.com/cat.png", "high", 85 + 8*170},
		{"gpt-4o", "data:image/png;base64,not-an-image", "", 85 + 8*170},
		{"gpt-4o", "data:image/png,rawbytes", "", 85 + 8*170},
		{"o4-mini", "https://example.com/cat.png", "low", 2642}, // 1536 × 1.72
		// WebP headers.
		{"gpt-4o", webpURL("VP8X", 1024, 1024), "", 765},
		{"gpt-4o", webpURL("VP8L", 1024, 1024), "", 765},
		{"gpt-4o", webpURL("VP8 ", 1024, 1024), "", 765},
	} {
		if got := imageTokens(tt.model, tt.url, tt.detail); got != tt.want {
			u := tt.url
			if len(u) > 40 {
				u = u[:40] + "…"
			}
			t.Errorf("imageTokens(%s, %s, %q) = %d, want %d", tt.model, u, tt.detail, got, tt.want)
		}
	}
}

func TestPatchCount(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		w, h int
		want int64
	}{
		{1024, 1024, 1024}, {1800, 2400, 1452}, {32, 32, 1}, {33, 1, 2}, {100000, 1, 1536}, {1, 100000, 1536},
	} {
		if got := patchCount(tt.w, tt.h); got != tt.want {
			t.Errorf("patchCount(%d, %d) = %d, want %d", tt.w, tt.h, got, tt.want)
		}
	}
}

// pngURL is a data URL of a PNG header of the given size: signature and IHDR,
// all image.DecodeConfig reads.
func pngURL(w, h int) string {
	ihdr := make([]byte, 0, 25)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 13)
	ihdr = append(ihdr, "IHDR"...)
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8-bit grayscale
	ihdr = binary.BigEndian.AppendUint32(ihdr, crc32.ChecksumIEEE(ihdr[4:]))
	b := append([]byte("\x89PNG\r\n\x1a\n"), ihdr...)
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b)
}

// webpURL is a data URL of the first 30 bytes of a WebP file whose first
// chunk is of kind ("VP8 ", "VP8L" or "VP8X") and describes a w×h image.
func webpURL(kind string, w, h int) string {
	b := make([]byte, 30)
	copy(b, "RIFF\x00\x00\x00\x00WEBP"+kind)
	switch kind {
	case "VP8 ":
		copy(b[23:], "\x9d\x01\x2a")
		binary.LittleEndian.PutUint16(b[26:], uint16(w))
		binary.LittleEndian.PutUint16(b[28:], uint16(h))
	case "VP8L":
		b[20] = 0x2f
		binary.LittleEndian.PutUint32(b[21:], uint32(w-1)|uint32(h-1)<<14)
	case "VP8X":
		b[24], b[25], b[26] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
		b[27], b[28], b[29] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
	}
	return "data:image/webp;base64," + base64.StdEncoding.EncodeToString(b)
}
