// Package storetest is the one test suite every store.DB implementation
// (credentials and tenants) runs, against a real database:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.DB { … a fresh database … })
//	}
package storetest

import (
	"testing"

	"github.com/keygate/keygate/internal/seal"
	"github.com/keygate/keygate/internal/store"
)

// DB is one fresh, empty database that an implementation makes for one test.
type DB struct {
	// Open opens a new handle on this database that seals with s, as another
	// process would. The suite closes every handle it opens.
	Open func(t *testing.T, s *seal.Sealer) store.DB

	// Exec runs one SQL statement without parameters directly on the
	// database, as someone with raw access might; the suite uses it to
	// tamper with rows in ways the Store API cannot.
	Exec func(t *testing.T, query string)

	// TryExec is Exec returning the statement's error, with foreign keys
	// enforced, to show that the schema itself refuses a statement.
	TryExec func(t *testing.T, query string) error

	// Dump returns every byte the database keeps at rest (files, or a
	// pg_dump of the schema), for the search for plaintext keys.
	Dump func(t *testing.T) []byte
}

// Run runs the suite. newDB is called once per subtest, which may run in
// parallel with the others.
func Run(t *testing.T, newDB func(t *testing.T) DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db DB)
	}{
		{"CreateGet", testCreateGet},
		{"CreateErrors", testCreateErrors},
		{"NotFound", testNotFound},
		{"Update", testUpdate},
		{"UpdateKey", testUpdateKey},
		{"Verification", testVerification},
		{"List", testList},
		{"Delete", testDelete},
		{"WrongMasterKey", testWrongMasterKey},
		{"RotateMaster", testRotateMaster},
		{"RotateMasterAborts", testRotateMasterAborts},
		{"RotateMasterEmpty", testRotateMasterEmpty},
		{"Changed", testChanged},
		{"ConcurrentCreate", testConcurrentCreate},
		{"TwoHandles", testTwoHandles},
		{"NoPlaintextKey", testNoPlaintextKey},

		{"ProjectCRUD", testProjectCRUD},
		{"ProjectErrors", testProjectErrors},
		{"ProjectDeleteWithKeys", testProjectDeleteWithKeys},
		{"KeyCreateGet", testKeyCreateGet},
		{"KeyList", testKeyList},
		{"KeyErrors", testKeyErrors},
		{"KeyRevoke", testKeyRevoke},
		{"TenantsChanged", testTenantsChanged},
		{"UsageInsert", testUsageInsert},
		{"UsageDuplicates", testUsageDuplicates},
		{"UsageBadBatch", testUsageBadBatch},
		{"UsageSummary", testUsageSummary},
		{"UsageWindow", testUsageWindow},
		{"UsageIsolation", testUsageIsolation},
		{"UsageText", testUsageText},
		{"SpentSince", testSpentSince},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newDB(t))
		})
	}
}
