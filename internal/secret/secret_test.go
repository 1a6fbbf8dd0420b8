package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"":                                       "",
		"short":                                  "…",
		"sk-proj-abcdefghijklmnopqrstuvwxyz1234": "sk-proj-…1234",
		"sk-abcdefghijklmnop9876":                "sk-…9876",
		"kg-0123456789abcdef":                    "kg-…cdef",
		"plainbutlongenough":                     "…ough",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every way a Secret is commonly printed shows the redacted form only.
func TestSecretDoesNotLeak(t *testing.T) {
	const raw = "sk-proj-THISISTHESECRETVALUE0000abcd"
	s := New(raw)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "key", s)
	js, _ := json.Marshal(struct{ K Secret }{s})
	txt, _ := s.MarshalText()
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q", s, s, s, s, s), logs.String(), string(js), string(txt)} {
		if strings.Contains(out, "THISISTHESECRET") {
			t.Fatalf("leaked: %s", out)
		}
	}
	if s.Reveal() != raw {
		t.Fatal("Reveal")
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://proxy:3128":                "http://proxy:3128",
		"socks5://kg:hunter2@proxy:1080":   "socks5://kg:xxxxx@proxy:1080",
		"postgres://kg:hunter2@db:5432/kg": "postgres://kg:xxxxx@db:5432/kg",
		"user:hunter2@proxy":               "(a URL with credentials)",
		"":                                 "",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
