package mockopenai

import (
	"regexp"
	"testing"
)

func TestKeyShape(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	for _, sc := range Scenarios() {
		k := Key(sc)
		if !regexp.MustCompile(`^sk-mock-[a-z]+-[A-Za-z0-9]{40}$`).MatchString(k) {
			t.Errorf("Key(%q) = %q", sc, k)
		}
		if got, ok := s.scenarioForKey(k); !ok || got != sc {
			t.Errorf("Key(%q) selects %q, %v", sc, got, ok)
		}
		if got, ok := s.scenarioForKey("sk-mock-" + sc); !ok || got != sc {
			t.Errorf("bare key for %q selects %q, %v", sc, got, ok)
		}
	}
	for _, bad := range []string{"sk-mock-", "sk-mock-goodx", "sk-mockgood", "sk-proj-abc", "good"} {
		if sc, ok := s.scenarioForKey(bad); ok {
			t.Errorf("%q accepted as %q", bad, sc)
		}
	}
}

func TestOptionsKeys(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{Keys: map[string]string{
		"sk-proj-realistic-looking-key-0001": ScenarioOverloaded,
		"sk-typo":                            "overlaoded",
	}, Organization: "org-slug", Project: "proj_x"}))
	resp, _ := send(t, base, "POST", "/v1/chat/completions", "sk-proj-realistic-looking-key-0001", chatBody)
	if resp.StatusCode != 503 || resp.Header.Get("Openai-Organization") != "org-slug" || resp.Header.Get("Openai-Project") != "proj_x" {
		t.Errorf("custom key: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := send(t, base, "POST", "/v1/chat/completions", "sk-typo", chatBody); resp.StatusCode != 401 {
		t.Errorf("key mapped to an unknown scenario: %d", resp.StatusCode)
	}
}
