package store

import (
	"context"
	"time"

	"github.com/keygate/keygate/internal/store/postgres"
	"github.com/keygate/keygate/internal/store/record"
	"github.com/keygate/keygate/internal/store/sqlite"
	"github.com/keygate/keygate/internal/tenant"
)

// Tenants keeps projects, their virtual keys and the usage ledger. Writes to
// projects and keys bump the change counter (Store.Changed) in their own
// transaction, so running servers reload their snapshot; usage inserts do
// not, since they happen on every request. A Tenants is safe for concurrent
// use, and several (processes) may share one database.
//
// Errors wrap tenant.ErrNotFound and tenant.ErrExists where said; any other
// error is the database's or a refused value's.
type Tenants interface {
	// CreateProject stores a new project. It sets CreatedAt and UpdatedAt.
	// A name already taken gives tenant.ErrExists; an empty name, a negative
	// limit or an unknown period is refused.
	CreateProject(ctx context.Context, p tenant.Project) error

	// GetProject returns the named project, or tenant.ErrNotFound. Models
	// is nil when every model is allowed.
	GetProject(ctx context.Context, name string) (tenant.Project, error)

	// ListProjects returns every project sorted by name (byte order).
	ListProjects(ctx context.Context) ([]tenant.Project, error)

	// UpdateProject replaces the named project's Models and Limits and sets
	// UpdatedAt, keeping CreatedAt. tenant.ErrNotFound if there is none.
	UpdateProject(ctx context.Context, p tenant.Project) error

	// DeleteProject deletes the named project. While it has virtual keys,
	// revoked or not, it refuses with an error wrapping tenant.ErrExists
	// that says so: delete them first (DeleteVirtualKey). The project's
	// usage records stay in the ledger. tenant.ErrNotFound if there is none.
	DeleteProject(ctx context.Context, name string) error

	// CreateVirtualKey stores a new key of an existing project. It sets
	// CreatedAt and keeps ExpiresAt and RevokedAt as given (UTC, to the
	// microsecond). An id or hash already stored gives tenant.ErrExists; a
	// project that does not exist gives tenant.ErrNotFound.
	CreateVirtualKey(ctx context.Context, k tenant.VirtualKey) error

	// ListVirtualKeys returns the keys of project, or of every project for
	// "", sorted by project, then creation, with revoked and expired keys
	// included and Hash set. A project that does not exist gives
	// tenant.ErrNotFound.
	ListVirtualKeys(ctx context.Context, project string) ([]tenant.VirtualKey, error)

	// GetVirtualKeyByHash returns the key whose SHA-256 is hash, revoked or
	// expired ones too (see VirtualKey.Usable), or tenant.ErrNotFound.
	GetVirtualKeyByHash(ctx context.Context, hash [32]byte) (tenant.VirtualKey, error)

	// RevokeVirtualKey marks the key revoked at at (now, if at is zero). A
	// key already revoked keeps its first revocation time, and nothing
	// changes. tenant.ErrNotFound if there is no such key.
	RevokeVirtualKey(ctx context.Context, id string, at time.Time) error

	// DeleteVirtualKey deletes the key's row; its usage records stay.
	// tenant.ErrNotFound if there is none.
	DeleteVirtualKey(ctx context.Context, id string) error

	// InsertUsage appends records to the ledger in one transaction: all or
	// none. A record whose RequestID is already stored (in the ledger or
	// earlier in the batch) is skipped, so a batch retried after an error
	// that hid a commit never counts twice. Every record needs a RequestID.
	// Text that PostgreSQL would refuse (invalid UTF-8, NUL) is stored with
	// U+FFFD in its place, in both stores, so no record poisons a batch.
	// Latency is kept in whole milliseconds.
	InsertUsage(ctx context.Context, us []tenant.Usage) error

	// UsageSummary totals the selected records per group, sorted by group
	// (byte order). See UsageQuery for the filters, which are exact.
	UsageSummary(ctx context.Context, q UsageQuery) ([]UsageRow, error)

	// SpentSince returns the exact sum of the cost of project's records at
	// or after since; keyID, if not "", keeps only that key's. project ""
	// sums over every project.
	SpentSince(ctx context.Context, project, keyID string, since time.Time) (tenant.Nanos, error)
}

// UsageQuery selects and groups usage records for Tenants.UsageSummary.
type UsageQuery = record.UsageQuery

// UsageRow totals one group of a Tenants.UsageSummary.
type UsageRow = record.UsageRow

// Groupings for UsageQuery.By.
const (
	ByModel   = record.ByModel
	ByKey     = record.ByKey
	ByDay     = record.ByDay
	ByProject = record.ByProject
)

// DB is a whole store on one database: credentials and tenants.
type DB interface {
	Store
	Tenants
}

// Both implementations are whole stores.
var (
	_ DB = (*sqlite.DB)(nil)
	_ DB = (*postgres.DB)(nil)
)
