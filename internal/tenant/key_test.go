package tenant

import (
	"strings"
	"testing"
)

func TestNewKey(t *testing.T) {
	t.Parallel()
	key, vk := NewKey("p")
	if !LooksLikeKey(key) {
		t.Fatalf("%q does not look like a key", key)
	}
	if vk.Hash != HashKey(key) || vk.Project != "p" || !strings.HasPrefix(vk.ID, "vk_") {
		t.Fatalf("record %+v does not match key", vk)
	}
	if strings.Contains(vk.Hint, key[len(KeyPrefix):len(key)-4]) || !strings.HasSuffix(vk.Hint, key[len(key)-4:]) {
		t.Fatalf("hint %q", vk.Hint)
	}
	other, vk2 := NewKey("p")
	if other == key || vk2.ID == vk.ID {
		t.Fatal("two keys alike")
	}
}

func TestNanosString(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n    Nanos
		want string
	}{
		{FromUSD(13), "$13.00"}, {0, "$0.00"}, {FromUSD(0.0042), "$0.0042"}, {14100, "$0.000014"},
		{1, "$0.000001"}, {-14100, "$-0.000014"}, {FromUSD(0.01), "$0.01"}, {FromUSD(1234.567), "$1234.57"},
	} {
		if got := tt.n.String(); got != tt.want {
			t.Errorf("Nanos(%d) = %s, want %s", int64(tt.n), got, tt.want)
		}
	}
}
