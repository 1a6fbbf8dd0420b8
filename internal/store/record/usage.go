package record

import (
	"fmt"
	"strings"
	"time"

	"github.com/keygate/keygate/internal/tenant"
)

// Groupings of a usage summary, for UsageQuery.By.
const (
	ByModel   = "model"   // the alias the client asked for
	ByKey     = "key"     // the virtual key's id
	ByDay     = "day"     // the UTC date, "2006-01-02"
	ByProject = "project" // the project's name
)

// UsageQuery selects and groups usage records. Zero fields do not filter.
type UsageQuery struct {
	// Project keeps only this project's records. Whoever serves a project
	// its own usage sets it: no other filter or grouping then reaches
	// another project's rows.
	Project string
	// KeyID keeps only this virtual key's records.
	KeyID string
	// Since keeps records at or after it; Until keeps records before it.
	Since, Until time.Time
	// By is how rows are grouped: ByModel, ByKey, ByDay or ByProject; ""
	// gives one row, with Group "", totalling every selected record.
	By string
}

// Check reports an unknown grouping.
func (q UsageQuery) Check() error {
	switch q.By {
	case "", ByModel, ByKey, ByDay, ByProject:
		return nil
	}
	return fmt.Errorf("usage summary by %q: want model, key, day or project", q.By)
}

// UsageRow totals the usage records of one group.
type UsageRow struct {
	Group            string       `json:"group"` // the alias, key id, UTC date or project; "" for a total
	Requests         int64        `json:"requests"`
	PromptTokens     int64        `json:"prompt_tokens"`
	CompletionTokens int64        `json:"completion_tokens"`
	Cost             tenant.Nanos `json:"cost_nanos"`
}

// CleanUsage returns u as the stores keep it: times in UTC to the
// microsecond, and text fields made valid UTF-8 without NUL bytes.
// PostgreSQL refuses those bytes, and one such record (a model name a client
// made up, say) would otherwise fail its whole batch on every retry.
func CleanUsage(u tenant.Usage) tenant.Usage {
	u.Time = Time(u.Time)
	for _, s := range []*string{&u.RequestID, &u.Project, &u.KeyID, &u.Alias, &u.Deployment, &u.UpstreamModel} {
		*s = cleanText(*s)
	}
	return u
}

// CheckUsage reports why a batch cannot be stored: a record without a
// request id, which is what makes a retried batch safe.
func CheckUsage(us []tenant.Usage) error {
	for i, u := range us {
		if u.RequestID == "" {
			return fmt.Errorf("usage record %d of %d has no request id", i+1, len(us))
		}
	}
	return nil
}

// cleanText replaces invalid UTF-8 and NUL bytes with U+FFFD.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	return s
}
