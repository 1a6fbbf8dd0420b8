package requestid

import (
	"regexp"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	t.Parallel()
	format := regexp.MustCompile(`^req_[0-9a-f]{32}$`)
	seen := map[string]bool{}
	prev := ""
	for range 10000 {
		id := New()
		if !format.MatchString(id) {
			t.Fatalf("%q is not req_ and 32 hex digits", id)
		}
		if seen[id] {
			t.Fatalf("%q twice", id)
		}
		seen[id] = true
		// The time prefix never goes back.
		if prev != "" && id[:16] < prev[:16] {
			t.Fatalf("%q after %q", id, prev)
		}
		prev = id
	}
	a := New()
	time.Sleep(2 * time.Millisecond)
	if b := New(); b[:16] <= a[:16] {
		t.Fatalf("%q not after %q", b, a)
	}
}
