package tenant

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// KeyPrefix starts every virtual key, so that people and secret scanners
// tell a keygate key from a provider's.
const KeyPrefix = "kg-"

// keyEncoding writes random bytes as lowercase letters and digits: no
// characters that shells, URLs or double-click selection split on.
var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewKey returns a new virtual key of project: the key itself, to be shown
// once, and its record (ID, Project, Hash and Hint set) for the store. The
// key carries 240 random bits; the ID carries 80 and is public.
func NewKey(project string) (string, VirtualKey) {
	secret := make([]byte, 30)
	id := make([]byte, 10)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails
	_, _ = rand.Read(id)
	key := KeyPrefix + keyEncoding.EncodeToString(secret)
	return key, VirtualKey{
		ID:      "vk_" + keyEncoding.EncodeToString(id),
		Project: project,
		Hash:    HashKey(key),
		Hint:    KeyPrefix + "…" + key[len(key)-4:],
	}
}

// HashKey is the SHA-256 under which a virtual key is stored and looked up.
func HashKey(key string) [32]byte { return sha256.Sum256([]byte(key)) }

// LooksLikeKey reports whether s has the form of a virtual key, so that a
// provider key sent by mistake gets a message saying so.
func LooksLikeKey(s string) bool {
	return strings.HasPrefix(s, KeyPrefix) && len(s) == len(KeyPrefix)+48
}
