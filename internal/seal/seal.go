package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/keygate/keygate/internal/credential"
)

// KeySize is the length of a master key in bytes (AES-256).
const KeySize = 32

const (
	version1  = 1
	idSize    = 8
	nonceSize = 12
	tagSize   = 16
	headSize  = 1 + idSize + nonceSize
	// keyIDLabel separates the key id from any other hash of the key.
	keyIDLabel = "keygate master key id v1\x00"
)

// ErrMalformed is wrapped by Open's error when a sealed value is too short,
// of an unknown version or otherwise not something Seal produced.
var ErrMalformed = errors.New("malformed sealed value")

// Sealer seals and opens values under one master key. It is safe for
// concurrent use.
type Sealer struct {
	aead cipher.AEAD
	id   [idSize]byte
}

// New returns a Sealer for key, which must be exactly KeySize bytes. The
// Sealer does not keep a reference to key.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("master key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	s := &Sealer{aead: aead}
	h := sha256.New()
	h.Write([]byte(keyIDLabel))
	h.Write(key)
	copy(s.id[:], h.Sum(nil))
	return s, nil
}

// KeyID returns the hex form of the master key's 8-byte id. It reveals
// nothing useful about the key and is safe to show and log.
func (s *Sealer) KeyID() string { return hex.EncodeToString(s.id[:]) }

// Seal encrypts plaintext with a fresh random nonce, binding aad (for
// example the name of the row the value belongs to) so the result opens only
// with the same aad.
func (s *Sealer) Seal(plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, headSize, headSize+len(plaintext)+tagSize)
	out[0] = version1
	copy(out[1:], s.id[:])
	if _, err := rand.Read(out[1+idSize : headSize]); err != nil {
		return nil, fmt.Errorf("seal: read random nonce: %w", err)
	}
	nonce := out[1+idSize : headSize]
	return s.aead.Seal(out, nonce, plaintext, s.additional(out[:1+idSize], aad)), nil
}

// Open decrypts a value made by Seal with the same aad. A value sealed under
// another master key, or one that fails authentication (tampered, or moved
// to another row), gives an error wrapping credential.ErrWrongMasterKey; a
// value that is not a sealed value at all gives one wrapping ErrMalformed.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	switch {
	case len(sealed) == 0:
		return nil, fmt.Errorf("open: empty value: %w", ErrMalformed)
	case sealed[0] != version1:
		return nil, fmt.Errorf("open: unknown format version %d: %w", sealed[0], ErrMalformed)
	case len(sealed) < headSize+tagSize:
		return nil, fmt.Errorf("open: %d bytes is too short: %w", len(sealed), ErrMalformed)
	}
	id := sealed[1 : 1+idSize]
	if subtle.ConstantTimeCompare(id, s.id[:]) != 1 {
		return nil, fmt.Errorf("open: sealed under master key %x, not %s: %w",
			id, s.KeyID(), credential.ErrWrongMasterKey)
	}
	nonce := sealed[1+idSize : headSize]
	plain, err := s.aead.Open(nil, nonce, sealed[headSize:], s.additional(sealed[:1+idSize], aad))
	if err != nil {
		return nil, fmt.Errorf("open: authentication failed under master key %s (tampered, or sealed for another row): %w",
			s.KeyID(), credential.ErrWrongMasterKey)
	}
	return plain, nil
}

// additional is the GCM additional data: the header, then the caller's aad.
func (s *Sealer) additional(head, aad []byte) []byte {
	a := make([]byte, 0, len(head)+len(aad))
	return append(append(a, head...), aad...)
}
