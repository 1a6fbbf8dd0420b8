// Package tenant holds the domain types of who uses keygate and what they
// spent: projects, their virtual keys, and usage records. Money is an exact
// integer count of nano-dollars (USD × 10⁹), so that budgets, spend counters
// in Redis and sums over the usage ledger agree to the last unit across
// replicas; floating point would drift.
package tenant

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Nanos is an amount of US dollars in units of 10⁻⁹ USD.
type Nanos int64

// USD returns n as dollars.
func (n Nanos) USD() float64 { return float64(n) / 1e9 }

// String renders n as dollars with cents, or up to six decimals below a
// cent ("$13.00", "$0.0042", "$0.000014"), never in exponent form.
func (n Nanos) String() string {
	usd := n.USD()
	if usd != 0 && usd < 0.01 && usd > -0.01 {
		s := strings.TrimRight(strconv.FormatFloat(usd, 'f', 6, 64), "0")
		if strings.HasSuffix(s, ".") || s == "-0." {
			s = "0.000001" // a positive amount below the last decimal shown
			if usd < 0 {
				s = "-" + s
			}
		}
		return "$" + s
	}
	return "$" + strconv.FormatFloat(usd, 'f', 2, 64)
}

// FromUSD converts dollars to Nanos, rounding to the nearest unit.
func FromUSD(usd float64) Nanos {
	if usd < 0 {
		return -FromUSD(-usd)
	}
	return Nanos(usd*1e9 + 0.5)
}

// Period is the span a budget counts over. Boundaries are in UTC.
type Period string

// Budget periods.
const (
	Day   Period = "day"
	Week  Period = "week" // from Monday 00:00 UTC
	Month Period = "month"
	Total Period = "total" // never resets
)

// Limits are the rate limits and budget of a project or a virtual key. Zero
// means no limit.
type Limits struct {
	RPM    int64  `json:"rpm,omitempty"`
	TPM    int64  `json:"tpm,omitempty"`
	RPD    int64  `json:"rpd,omitempty"`
	Budget Nanos  `json:"budget_nanos,omitempty"`
	Period Period `json:"period,omitempty"`
}

// Project is a team or app sharing keygate: the models it may use and its
// limits, which apply to all its keys together.
type Project struct {
	Name      string    `json:"name"`
	Models    []string  `json:"models"` // allowed aliases; empty = all
	Limits    Limits    `json:"limits"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// VirtualKey is a key clients send instead of a provider key. Only its
// SHA-256 is stored; the key itself is shown once, at creation.
type VirtualKey struct {
	ID        string     `json:"id"`      // public identifier, "vk_…"
	Project   string     `json:"project"` // the project it belongs to
	Name      string     `json:"name,omitempty"`
	Hash      [32]byte   `json:"-"`      // SHA-256 of the key
	Hint      string     `json:"hint"`   // display form, "kg-…abcd"
	Limits    Limits     `json:"limits"` // the key's own limits, within the project's
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// Usable reports whether k may be used at now.
func (k VirtualKey) Usable(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

// Usage is one request's record in the ledger.
type Usage struct {
	RequestID        string        `json:"request_id"` // unique: a record is written once
	Time             time.Time     `json:"time"`
	Project          string        `json:"project"`
	KeyID            string        `json:"key_id"`
	Alias            string        `json:"model"`
	Deployment       string        `json:"deployment"`
	UpstreamModel    string        `json:"upstream_model"`
	PromptTokens     int64         `json:"prompt_tokens"`
	CachedTokens     int64         `json:"cached_tokens"`
	CompletionTokens int64         `json:"completion_tokens"`
	ReasoningTokens  int64         `json:"reasoning_tokens"`
	Cost             Nanos         `json:"cost_nanos"`
	Status           int           `json:"status"`
	Latency          time.Duration `json:"latency"`
	Estimated        bool          `json:"estimated"` // tokens counted by keygate, not reported by the upstream
}

// Errors the store returns, for errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

// Phrase is how a budget message names the period's current window:
// "today", "this week", "this month", "in total"; an unset period is the
// month, the default everywhere a budget is set.
func (p Period) Phrase() string {
	switch p {
	case Day:
		return "today"
	case Week:
		return "this week"
	case Total:
		return "in total"
	}
	return "this month"
}

// UsedOf says how much of a budget is spent, the way keygate says it in the
// CLI, the admin API and its 429s: "$13.00 used of $18.00 this month".
func UsedOf(used, budget Nanos, p Period) string {
	return used.String() + " used of " + budget.String() + " " + p.Phrase()
}
