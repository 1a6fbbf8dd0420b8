// Package record holds what both store implementations share about the rows
// they keep. A credential is kept with every field in clear except the key,
// which is sealed under the master key with the credential's name as
// additional data, so a sealed key copied into another row does not open.
// Projects, virtual keys and usage records are checked and normalised here
// (tenant.go, usage.go) so that SQLite and PostgreSQL accept and return the
// same values.
package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/secret"
)

// Row is a credential as stored.
type Row struct {
	Name         string
	Vendor       string
	APIBase      string
	Organization string
	Project      string
	Proxy        string
	KeySealed    []byte // nil when the key is not being written
	KeyID        string // the id of the master key KeySealed is sealed under
	Redacted     string // secret.Redact of the key
	Verification []byte // JSON; nil when never verified
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Encode returns c in stored form. If c.Key is non-zero it is sealed under
// s and Redacted is derived from it (c.Redacted is ignored); otherwise
// KeySealed, KeyID and Redacted are left empty.
func Encode(s *seal.Sealer, c credential.Credential) (Row, error) {
	if c.Name == "" {
		return Row{}, errors.New("credential has no name")
	}
	r := Row{
		Name: c.Name, Vendor: c.Vendor, APIBase: c.APIBase,
		Organization: c.Organization, Project: c.Project, Proxy: c.Proxy,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	var err error
	if r.Verification, err = MarshalVerification(c.Verification); err != nil {
		return Row{}, fmt.Errorf("credential %q: %w", c.Name, err)
	}
	if !c.Key.IsZero() {
		if r.KeySealed, err = SealKey(s, c.Name, c.Key); err != nil {
			return Row{}, err
		}
		r.KeyID = s.KeyID()
		r.Redacted = secret.Redact(c.Key.Reveal())
	}
	return r, nil
}

// Decode returns the credential r holds. With a nil Sealer the key is not
// opened and Key is zero; otherwise a key that s cannot open gives an error
// wrapping credential.ErrWrongMasterKey.
func (r Row) Decode(s *seal.Sealer) (credential.Credential, error) {
	c := credential.Credential{
		Name: r.Name, Vendor: r.Vendor, APIBase: r.APIBase,
		Organization: r.Organization, Project: r.Project, Proxy: r.Proxy,
		Redacted: r.Redacted, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.Verification != nil {
		c.Verification = new(credential.Verification)
		if err := json.Unmarshal(r.Verification, c.Verification); err != nil {
			return credential.Credential{}, fmt.Errorf("credential %q: decode verification: %w", r.Name, err)
		}
	}
	if s != nil {
		key, err := OpenKey(s, r.Name, r.KeySealed)
		if err != nil {
			return credential.Credential{}, err
		}
		c.Key = key
	}
	return c, nil
}

// SealKey seals key for the credential called name.
func SealKey(s *seal.Sealer, name string, key secret.Secret) ([]byte, error) {
	b, err := s.Seal([]byte(key.Reveal()), aad(name))
	if err != nil {
		return nil, fmt.Errorf("credential %q: %w", name, err)
	}
	return b, nil
}

// OpenKey opens the sealed key of the credential called name.
func OpenKey(s *seal.Sealer, name string, sealed []byte) (secret.Secret, error) {
	b, err := s.Open(sealed, aad(name))
	if err != nil {
		return secret.Secret{}, fmt.Errorf("credential %q: %w", name, err)
	}
	return secret.New(string(b)), nil
}

// MarshalVerification encodes v as JSON, or returns nil for a nil v.
func MarshalVerification(v *credential.Verification) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode verification: %w", err)
	}
	return b, nil
}

// Now returns the current time as the stores keep it: UTC, to the
// microsecond (PostgreSQL's precision), so both implementations return the
// same value they were given.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// aad binds a sealed key to its row; the prefix keeps it apart from other
// kinds of sealed values later tables may hold.
func aad(name string) []byte { return []byte("credential\x00" + name) }
