package openai

import (
	"testing"
	"time"
)

func TestParseReset(t *testing.T) {
	for in, want := range map[string]time.Duration{
		// Values captured from api.openai.com (BEHAVIOUR.md §1.1).
		"1s": time.Second, "6m0s": 6 * time.Minute, "20ms": 20 * time.Millisecond, "0s": 0,
		"54.889s": 54889 * time.Millisecond, "1m55.869s": 115869 * time.Millisecond,
		"23h55m16.126s": 23*time.Hour + 55*time.Minute + 16126*time.Millisecond,
		// Bare seconds, as some OpenAI-compatible servers send.
		"7": 7 * time.Second,
	} {
		got, ok := ParseReset(in)
		if !ok || got != want {
			t.Errorf("ParseReset(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "soon", "-", "1.5"} {
		if _, ok := ParseReset(bad); ok {
			t.Errorf("ParseReset(%q) accepted", bad)
		}
	}
	if got := FormatReset(120*time.Millisecond + 400*time.Microsecond); got != "120ms" {
		t.Errorf("FormatReset = %q", got)
	}
}

// FuzzParseReset checks that any header value parses without panicking, and
// that every value keygate formats parses back to itself.
func FuzzParseReset(f *testing.F) {
	for _, s := range []string{"1s", "6m0s", "54.889s", "23h55m16.126s", "7", "", "1e9s"} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		if d, ok := ParseReset(s); ok && d < 0 && s[0] != '-' {
			t.Fatalf("%q parsed to negative %v", s, d)
		}
		d := time.Duration(n).Round(time.Millisecond)
		if d < 0 {
			d = 0
		}
		if got, ok := ParseReset(FormatReset(d)); !ok || got != d {
			t.Fatalf("FormatReset(%v) = %q parses to %v %v", d, FormatReset(d), got, ok)
		}
	})
}
