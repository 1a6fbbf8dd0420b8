package verify

import (
	"time"

	"strings"
	"testing"

	"github.com/keygate/keygate/internal/openai"

	"github.com/keygate/keygate/internal/credential"
)

func TestCheckFormat(t *testing.T) {
	t.Parallel()
	openaiKey := "sk-proj-" + strings.Repeat("Ab3d", 12)
	tests := []struct {
		name, vendor, key string
		want              string // substring of the message; "" = fine
	}{
		{"openai key", "openai", openaiKey, ""},
		{"legacy openai key", "openai", "sk-" + strings.Repeat("x", 48), ""},
		{"unknown vendor, any text", "openai-compatible", "sk-1234", ""},
		{"key optional", "ollama", "", ""},
		{"empty", "openai", "", "No key was given"},
		{"trailing newline", "openai", openaiKey + "\n", "ends with a line break"},
		{"leading space", "groq", " gsk_" + strings.Repeat("a", 52), "starts with a space"},
		{"quotes", "openai", `"` + openaiKey + `"`, "wrapped in quotes"},
		{"single quote at end", "openai", openaiKey + "'", "wrapped in quotes"},
		{"bearer", "openai", "Bearer " + openaiKey, `starts with "Bearer "`},
		{"masked copy", "openai", "sk-…" + strings.Repeat("a", 40), "masked form"},
		{"stars", "openai", "sk-proj***" + strings.Repeat("a", 40), "masked form"},
		{"zero-width space", "openai", openaiKey[:10] + "\u200b" + openaiKey[10:], "non-ASCII or invisible character at position 11"},
		{"smart quote", "openrouter", "sk-or-v1-" + strings.Repeat("a", 60) + "’x", "non-ASCII"},
		{"inner space", "openai", openaiKey[:20] + " " + openaiKey[20:], "space or line break inside it"},
		{"anthropic key for openai", "openai", "sk-ant-api03-" + strings.Repeat("a", 90), "sk-ant-, which marks an Anthropic key, but the vendor is openai"},
		{"openai key for anthropic", "anthropic", openaiKey, "sk-, which marks an OpenAI-style key, but the vendor is anthropic, whose keys start with sk-ant-"},
		{"openai key for groq", "groq", openaiKey, "vendor is groq, whose keys start with gsk_"},
		{"virtual key", "openai", "kg-" + strings.Repeat("a", 40), "a keygate virtual key, not a provider key"},
		{"no prefix", "openai", strings.Repeat("a", 51), "does not start with sk-"},
		{"too short", "openai", "sk-abc123", "only 9 characters long, but openai keys have at least 40"},
		{"vendor alias", "together_ai", "anything-goes", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cause, msg := CheckFormat(tt.vendor, tt.key)
			if tt.want == "" {
				if cause != credential.CauseNone || msg != "" {
					t.Fatalf("got %q %q, want no problem", cause, msg)
				}
				return
			}
			if cause != credential.CauseMistypedKey || !strings.Contains(msg, tt.want) {
				t.Fatalf("got %q %q, want mistyped_key with %q", cause, msg, tt.want)
			}
			if k := strings.TrimSpace(tt.key); len(k) > 12 && strings.Contains(msg, k[len(k)-8:]) {
				t.Errorf("message shows the key: %q", msg)
			}
		})
	}
}

func TestRequestWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		limit, remaining int64
		reset            string
		want             credential.Window
	}{
		{200, 199, "7m12s", credential.PerDay},        // free gpt-3.5-turbo after one request (BEHAVIOUR §1.1)
		{200, 12, "23h55m16.126s", credential.PerDay}, // … after many
		{10000, 9993, "54.889s", credential.PerDay},   // tier-1 gpt-3.5-turbo after 7 requests
		{500, 499, "120ms", credential.PerMinute},     // tier-1 gpt-4o
		{3000, 2999, "20ms", credential.PerMinute},    // embeddings
		{10000, 9990, "60ms", credential.PerMinute},   // a 10,000 RPM bucket in use is told apart
		{200, 200, "0s", credential.PerDay},           // full buckets: the value decides
		{10000, 10000, "0s", credential.PerDay},
		{500, 500, "0s", credential.PerMinute},
		{0, 0, "", ""},
	}
	for _, tt := range tests {
		reset, _ := parseDuration(tt.reset)
		if got := RequestWindow(tt.limit, tt.remaining, reset); got != tt.want {
			t.Errorf("RequestWindow(%d, %d, %s) = %q, want %q", tt.limit, tt.remaining, tt.reset, got, tt.want)
		}
	}
}

func parseDuration(s string) (d time.Duration, ok bool) { return openai.ParseReset(s) }
