// Package store keeps keygate's state: the provider credentials, with each
// key sealed under the master key (Store), and the projects, their virtual
// keys and the usage ledger (Tenants). Open picks the implementation from
// the database URL:
// SQLite (package sqlite) for one process, PostgreSQL (package postgres) for
// many replicas. Both pass the one suite in package storetest.
package store

import (
	"context"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/seal"
)

// Store keeps credentials, sealing keys with the Sealer it was opened with.
// A Store is safe for concurrent use, and several Stores (processes) may
// share one database.
type Store interface {
	// CreateCredential stores a new credential, which must have a name and a
	// key. It sets CreatedAt and UpdatedAt, stores Redacted as
	// secret.Redact(Key) in clear and the key sealed. A name already taken
	// gives credential.ErrExists. If the stored keys are sealed under
	// another master key it gives credential.ErrWrongMasterKey, so one
	// database never holds keys under two master keys.
	CreateCredential(ctx context.Context, c credential.Credential) error

	// GetCredential returns the named credential with its key opened:
	// credential.ErrNotFound if there is none, an error wrapping
	// credential.ErrWrongMasterKey if the Sealer cannot open the key.
	GetCredential(ctx context.Context, name string) (credential.Credential, error)

	// ListCredentials returns every credential sorted by name, with Redacted
	// and Verification but without opening keys (Key is zero), so it works
	// whatever the master key.
	ListCredentials(ctx context.Context) ([]credential.Credential, error)

	// UpdateCredential replaces the named credential's Vendor, APIBase,
	// Organization, Project, Proxy and Verification (nil clears it) and, if
	// c.Key is non-zero, its sealed key and Redacted. It sets UpdatedAt and
	// keeps CreatedAt. credential.ErrNotFound if there is none.
	UpdateCredential(ctx context.Context, c credential.Credential) error

	// SaveVerification records the latest verification of the named
	// credential without touching anything else (UpdatedAt included).
	// credential.ErrNotFound if there is none.
	SaveVerification(ctx context.Context, name string, v credential.Verification) error

	// DeleteCredential deletes the named credential's row, sealed key and
	// all. credential.ErrNotFound if there is none.
	DeleteCredential(ctx context.Context, name string) error

	// RotateMaster re-seals every stored key under next in one transaction
	// and returns how many it re-sealed. If the current Sealer cannot open
	// any key, nothing changes and the error wraps
	// credential.ErrWrongMasterKey. Afterwards this Store seals and opens
	// with next; other Stores on the database need reopening with it.
	RotateMaster(ctx context.Context, next *seal.Sealer) (int, error)

	// Changed returns a number that increases, in the same transaction, with
	// every change to the stored credentials (and, in later versions, the
	// rest of the configuration, but not the usage ledger), so a server can
	// poll it cheaply and reload its snapshot when it moves.
	Changed(ctx context.Context) (int64, error)

	// Close releases the database.
	Close() error
}
