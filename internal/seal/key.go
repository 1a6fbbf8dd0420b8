package seal

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// errKeyFormat says what a master key must look like and how to make one.
// It never repeats the value it was given.
var errKeyFormat = errors.New("a master key is 32 random bytes written as base64 or as 64 hex characters; make one with: openssl rand -base64 32")

// ParseKey decodes a master key as given in KEYGATE_MASTER_KEY or a key
// file: 64 hex characters, or base64 (standard or URL alphabet, padded or
// not) of exactly KeySize bytes. Surrounding white space is ignored.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errKeyFormat
	}
	// Hex first: 64 hex characters are also valid base64 (of 48 bytes).
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, errKeyFormat
}
