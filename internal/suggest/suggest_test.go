package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"api_bse", "api_base", 1}, {"gpt-4o-mnii", "gpt-4o-mini", 1},
		{"ab", "ba", 1}, {"kitten", "sitting", 3},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	known := []string{"api_base", "api_key", "rpm", "gpt-4o-mini", "GPT-4o"}
	for name, want := range map[string]string{
		"api_bse": "api_base", "API_KEY": "api_key", "gpt-4o-mni": "gpt-4o-mini", "gpt-4O": "GPT-4o",
		"foo": "", "rpn": "rpm", "completely-different": "",
	} {
		if got := Closest(name, known); got != want {
			t.Errorf("Closest(%q) = %q, want %q", name, got, want)
		}
	}
}
