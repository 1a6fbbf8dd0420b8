package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	t.Parallel()
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(250 + i) // bytes that differ between base64 alphabets
	}
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"std", base64.StdEncoding.EncodeToString(key), true},
		{"std raw", base64.RawStdEncoding.EncodeToString(key), true},
		{"url", base64.URLEncoding.EncodeToString(key), true},
		{"url raw", base64.RawURLEncoding.EncodeToString(key), true},
		{"hex", hex.EncodeToString(key), true},
		{"HEX", strings.ToUpper(hex.EncodeToString(key)), true},
		{"trailing newline", base64.StdEncoding.EncodeToString(key) + "\n", true},
		{"surrounding spaces", "  " + hex.EncodeToString(key) + " ", true},
		{"empty", "", false},
		{"blank", "  \n", false},
		{"short base64", base64.StdEncoding.EncodeToString(key[:16]), false},
		{"long base64", base64.StdEncoding.EncodeToString(append(key, 0)), false},
		{"short hex", hex.EncodeToString(key[:31]), false},
		{"passphrase", "correct horse battery staple", false},
		{"hex with junk", hex.EncodeToString(key)[:63] + "z", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseKey(tc.in)
			if !tc.ok {
				if err == nil {
					t.Fatalf("ParseKey(%q) succeeded", tc.in)
				}
				if !strings.Contains(err.Error(), "openssl rand -base64 32") {
					t.Errorf("error does not say how to make a key: %v", err)
				}
				if strings.TrimSpace(tc.in) != "" && strings.Contains(err.Error(), strings.TrimSpace(tc.in)) {
					t.Errorf("error repeats the input: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, key) {
				t.Errorf("ParseKey = %x, want %x", got, key)
			}
		})
	}
}
