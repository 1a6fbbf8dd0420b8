package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

// day0 is a fixed time the usage tests build around.
var day0 = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// total returns the one row of an ungrouped summary.
func total(t *testing.T, st store.Tenants, q store.UsageQuery) store.UsageRow {
	t.Helper()
	q.By = ""
	rows := mustSummary(t, st, q)
	switch len(rows) {
	case 0:
		return store.UsageRow{}
	case 1:
		return rows[0]
	}
	t.Fatalf("ungrouped summary has %d rows: %+v", len(rows), rows)
	return store.UsageRow{}
}

func testUsageInsert(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	mustInsert(t, st) // an empty batch is fine
	// More rows than SQLite takes in one statement.
	const n = 2500
	us := make([]tenant.Usage, n)
	for i := range us {
		us[i] = usageAt(fmt.Sprintf("req-%05d", i), "p", "vk", "m", day0.Add(time.Duration(i)*time.Second), tenant.Nanos(i))
	}
	mustInsert(t, st, us...)
	want := store.UsageRow{Requests: n, PromptTokens: 100 * n, CompletionTokens: 50 * n, Cost: n * (n - 1) / 2}
	if got := total(t, st, store.UsageQuery{}); got != want {
		t.Errorf("total = %+v, want %+v", got, want)
	}
}

func testUsageDuplicates(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	batch := []tenant.Usage{
		usageAt("a", "p", "vk", "m", day0, 10),
		usageAt("b", "p", "vk", "m", day0, 20),
	}
	mustInsert(t, st, batch...)
	// A retried batch, with one new record and the old ones changed: only
	// the new one counts, and the old ones keep their first values.
	retry := append([]tenant.Usage(nil), batch...)
	retry[0].Cost, retry[1].Cost = 1000, 2000
	retry = append(retry, usageAt("c", "p", "vk", "m", day0, 30))
	mustInsert(t, st, retry...)
	// Duplicates within one batch count once.
	mustInsert(t, st, usageAt("d", "p", "vk", "m", day0, 40), usageAt("d", "p", "vk", "m", day0, 40))
	if got, want := total(t, st, store.UsageQuery{Project: "p"}), (store.UsageRow{Requests: 4, PromptTokens: 400, CompletionTokens: 200, Cost: 100}); got != want {
		t.Errorf("total = %+v, want %+v", got, want)
	}
	if got := mustSpent(t, st, "p", "", time.Time{}); got != 100 {
		t.Errorf("SpentSince = %d, want 100", got)
	}
}

func testUsageBadBatch(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	err := st.InsertUsage(context.Background(), []tenant.Usage{
		usageAt("ok", "p", "vk", "m", day0, 10),
		usageAt("", "p", "vk", "m", day0, 20),
	})
	if err == nil {
		t.Fatal("InsertUsage took a record without a request id")
	}
	if got := total(t, st, store.UsageQuery{}); got.Requests != 0 {
		t.Errorf("a refused batch stored %d records; want all or none", got.Requests)
	}
}

// seedUsage stores records of two projects across three days and returns
// them.
func seedUsage(t *testing.T, st store.Tenants) []tenant.Usage {
	t.Helper()
	east := time.FixedZone("E", 9*3600)
	us := []tenant.Usage{
		usageAt("1", "alpha", "vk_a1", "gpt-4o", day0.Add(1*time.Hour), 100),
		usageAt("2", "alpha", "vk_a1", "gpt-4o-mini", day0.Add(2*time.Hour), 10),
		usageAt("3", "alpha", "vk_a2", "gpt-4o", day0.Add(25*time.Hour), 200),
		// 08:30 on June 3 in UTC+9 is June 2, 23:30 UTC.
		usageAt("4", "alpha", "vk_a2", "gpt-4o-mini", time.Date(2025, 6, 3, 8, 30, 0, 0, east), 20),
		usageAt("5", "beta", "vk_b1", "gpt-4o", day0.Add(3*time.Hour), 1000),
		usageAt("6", "beta", "vk_b1", "o3", day0.Add(49*time.Hour), 3000),
	}
	us[1].PromptTokens, us[1].CompletionTokens = 7, 3
	mustInsert(t, st, us...)
	return us
}

func testUsageSummary(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	seedUsage(t, st)
	row := func(g string, n, prompt, completion int64, cost tenant.Nanos) store.UsageRow {
		return store.UsageRow{Group: g, Requests: n, PromptTokens: prompt, CompletionTokens: completion, Cost: cost}
	}
	for _, tc := range []struct {
		q    store.UsageQuery
		want []store.UsageRow
	}{
		{store.UsageQuery{Project: "alpha", By: store.ByModel}, []store.UsageRow{
			row("gpt-4o", 2, 200, 100, 300), row("gpt-4o-mini", 2, 107, 53, 30)}},
		{store.UsageQuery{Project: "alpha", By: store.ByKey}, []store.UsageRow{
			row("vk_a1", 2, 107, 53, 110), row("vk_a2", 2, 200, 100, 220)}},
		{store.UsageQuery{Project: "alpha", By: store.ByDay}, []store.UsageRow{
			row("2025-06-01", 2, 107, 53, 110), row("2025-06-02", 2, 200, 100, 220)}},
		{store.UsageQuery{By: store.ByProject}, []store.UsageRow{
			row("alpha", 4, 307, 153, 330), row("beta", 2, 200, 100, 4000)}},
		{store.UsageQuery{By: store.ByDay}, []store.UsageRow{
			row("2025-06-01", 3, 207, 103, 1110), row("2025-06-02", 2, 200, 100, 220), row("2025-06-03", 1, 100, 50, 3000)}},
		{store.UsageQuery{KeyID: "vk_b1", By: store.ByModel}, []store.UsageRow{
			row("gpt-4o", 1, 100, 50, 1000), row("o3", 1, 100, 50, 3000)}},
		{store.UsageQuery{}, []store.UsageRow{row("", 6, 507, 253, 4330)}},
		{store.UsageQuery{Project: "nope", By: store.ByModel}, nil},
	} {
		if got := mustSummary(t, st, tc.q); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("UsageSummary(%+v) =\n%+v\nwant\n%+v", tc.q, got, tc.want)
		}
	}
	if _, err := st.UsageSummary(context.Background(), store.UsageQuery{By: "model; DROP TABLE usage"}); err == nil {
		t.Error("UsageSummary took an unknown grouping")
	}
}

func testUsageWindow(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	seedUsage(t, st)
	q := store.UsageQuery{Project: "alpha"}
	for _, tc := range []struct {
		since, until time.Time
		n            int64
		cost         tenant.Nanos
	}{
		{day0.Add(time.Hour), time.Time{}, 4, 330},                                // Since is inclusive
		{day0.Add(time.Hour + time.Microsecond), time.Time{}, 3, 230},             // …to the microsecond
		{time.Time{}, day0.Add(2 * time.Hour), 1, 100},                            // Until is exclusive
		{day0.Add(2 * time.Hour), day0.Add(26 * time.Hour), 2, 210},               // both
		{day0.In(time.FixedZone("W", -5*3600)), day0.Add(24 * time.Hour), 2, 110}, // any zone
	} {
		q.Since, q.Until = tc.since, tc.until
		if got := total(t, st, q); got.Requests != tc.n || got.Cost != tc.cost {
			t.Errorf("since %v until %v: %d requests costing %d, want %d costing %d",
				tc.since, tc.until, got.Requests, got.Cost, tc.n, tc.cost)
		}
	}
}

func testUsageIsolation(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	seedUsage(t, st)
	// With Project set, no other filter or grouping reaches another
	// project's rows.
	for _, by := range []string{"", store.ByModel, store.ByKey, store.ByDay, store.ByProject} {
		for _, key := range []string{"", "vk_b1", "vk_a1"} {
			q := store.UsageQuery{Project: "alpha", KeyID: key, By: by}
			for _, r := range mustSummary(t, st, q) {
				if r.Cost >= 1000 || r.Group == "beta" || r.Group == "vk_b1" || r.Group == "o3" {
					t.Errorf("UsageSummary(%+v) shows beta's usage: %+v", q, r)
				}
			}
		}
	}
	if got := mustSummary(t, st, store.UsageQuery{Project: "alpha", By: store.ByProject}); len(got) != 1 || got[0].Group != "alpha" {
		t.Errorf("alpha by project = %+v", got)
	}
	if got := mustSpent(t, st, "alpha", "vk_b1", time.Time{}); got != 0 {
		t.Errorf("SpentSince(alpha, beta's key) = %d, want 0", got)
	}
}

func testUsageText(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	// Bytes PostgreSQL refuses in text: stored replaced, not failing the batch.
	bad := usageAt("bad", "p", "vk", "gpt\xff-\x00x", day0, 1)
	mustInsert(t, st, bad, usageAt("good", "p", "vk", "m", day0, 2))
	got := mustSummary(t, st, store.UsageQuery{Project: "p", By: store.ByModel})
	if len(got) != 2 || got[0].Group != "gpt\uFFFD-\uFFFDx" || got[1].Group != "m" {
		t.Errorf("by model = %+v", got)
	}
}

func testSpentSince(t *testing.T, db DB) {
	st := open(t, db, newSealer(t))
	// Amounts a float64 cannot add exactly: 2⁵³ + 1 and friends.
	const big = tenant.Nanos(1 << 53)
	mustInsert(t, st,
		usageAt("1", "p", "k1", "m", day0, big),
		usageAt("2", "p", "k1", "m", day0.Add(time.Hour), 1),
		usageAt("3", "p", "k2", "m", day0.Add(2*time.Hour), 1),
		usageAt("4", "p", "k2", "m", day0.Add(3*time.Hour), big+3),
		usageAt("5", "q", "k3", "m", day0, 1<<40),
	)
	for _, tc := range []struct {
		project, key string
		since        time.Time
		want         tenant.Nanos
	}{
		{"p", "", time.Time{}, 2*big + 5},
		{"p", "k1", time.Time{}, big + 1},
		{"p", "k2", day0.Add(2 * time.Hour), big + 4},
		{"p", "", day0.Add(time.Hour), big + 5},
		{"p", "", day0.Add(4 * time.Hour), 0},
		{"q", "", time.Time{}, 1 << 40},
		{"", "", time.Time{}, 2*big + 5 + 1<<40},
		{"nope", "", time.Time{}, 0},
	} {
		if got := mustSpent(t, st, tc.project, tc.key, tc.since); got != tc.want {
			t.Errorf("SpentSince(%q, %q, %v) = %d, want %d", tc.project, tc.key, tc.since, got, tc.want)
		}
	}
}
