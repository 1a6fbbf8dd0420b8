package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

// Time returns t as the stores keep it: UTC, to the microsecond.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// OptTime is Time for an optional timestamp; nil stays nil.
func OptTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := Time(*t)
	return &v
}

// CheckLimits reports the first limit a store would refuse: a negative
// number or an unknown period.
func CheckLimits(l tenant.Limits) error {
	for _, f := range []struct {
		name string
		v    int64
	}{{"rpm", l.RPM}, {"tpm", l.TPM}, {"rpd", l.RPD}, {"budget", int64(l.Budget)}} {
		if f.v < 0 {
			return fmt.Errorf("%s is %d; want 0 (no limit) or more", f.name, f.v)
		}
	}
	switch l.Period {
	case "", tenant.Day, tenant.Week, tenant.Month, tenant.Total:
		return nil
	}
	return fmt.Errorf("period %q: want day, week, month or total", l.Period)
}

// CheckProject reports why p cannot be stored, or nil.
func CheckProject(p tenant.Project) error {
	if p.Name == "" {
		return errors.New("project has no name")
	}
	if err := CheckLimits(p.Limits); err != nil {
		return fmt.Errorf("project %q: %w", p.Name, err)
	}
	return nil
}

// CheckVirtualKey reports why k cannot be stored, or nil.
func CheckVirtualKey(k tenant.VirtualKey) error {
	switch {
	case k.ID == "":
		return errors.New("virtual key has no id")
	case k.Project == "":
		return fmt.Errorf("virtual key %q has no project", k.ID)
	case k.Hash == [32]byte{}:
		return fmt.Errorf("virtual key %q has no hash", k.ID)
	}
	if err := CheckLimits(k.Limits); err != nil {
		return fmt.Errorf("virtual key %q: %w", k.ID, err)
	}
	return nil
}

// EncodeModels returns a project's allowed models as a JSON array; none is
// "[]".
func EncodeModels(models []string) ([]byte, error) {
	if len(models) == 0 {
		return []byte("[]"), nil
	}
	b, err := json.Marshal(models)
	if err != nil {
		return nil, fmt.Errorf("encode models: %w", err)
	}
	return b, nil
}

// DecodeModels reads what EncodeModels wrote; an empty array gives nil, so
// "all models" reads back the same whichever way it was written.
func DecodeModels(b []byte) ([]string, error) {
	var models []string
	if err := json.Unmarshal(b, &models); err != nil {
		return nil, fmt.Errorf("decode models: %w", err)
	}
	if len(models) == 0 {
		return nil, nil
	}
	return models, nil
}

// HashFrom copies a stored SHA-256 into a key's hash.
func HashFrom(b []byte) ([32]byte, error) {
	var h [32]byte
	if len(b) != len(h) {
		return h, fmt.Errorf("stored key hash has %d bytes, want %d", len(b), len(h))
	}
	copy(h[:], b)
	return h, nil
}

// ProjectHasKeys is DeleteProject's refusal while keys remain; it wraps
// tenant.ErrExists.
func ProjectHasKeys(project string, n int) error {
	return fmt.Errorf("project %q still has %d virtual key(s); revoke and delete them first: %w",
		project, n, tenant.ErrExists)
}
