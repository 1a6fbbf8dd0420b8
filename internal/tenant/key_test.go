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
