package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/tenant"
)

// Key statuses in KeyView.Status.
const (
	KeyActive  = "active"
	KeyRevoked = "revoked"
	KeyExpired = "expired"
)

// KeyView is a virtual key as the API shows it: never the key nor its
// hash, only the hint (kg-…abcd).
type KeyView struct {
	ID        string     `json:"id"`
	Project   string     `json:"project"`
	Name      string     `json:"name"`
	Hint      string     `json:"hint"`
	Limits    LimitsView `json:"limits"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	CreatedAt time.Time  `json:"created_at"`
	Status    string     `json:"status"` // KeyActive, KeyRevoked or KeyExpired at the time of the response
}

// KeyViewOf returns the public view of k at now.
func KeyViewOf(k tenant.VirtualKey, now time.Time) KeyView {
	status := KeyActive
	switch {
	case k.RevokedAt != nil:
		status = KeyRevoked
	case !k.Usable(now):
		status = KeyExpired
	}
	return KeyView{ID: k.ID, Project: k.Project, Name: k.Name, Hint: k.Hint, Limits: limitsView(k.Limits),
		ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, CreatedAt: k.CreatedAt, Status: status}
}

// keyRequest is the body of POST /api/vkeys.
type keyRequest struct {
	Project   string       `json:"project"`
	Name      string       `json:"name"`
	ExpiresAt string       `json:"expires_at"` // RFC 3339
	ExpiresIn string       `json:"expires_in"` // "30d", "2w", "12h"
	Limits    *limitsInput `json:"limits"`
}

func (a *API) listKeys(w http.ResponseWriter, r *http.Request, o *TenantOptions, c caller) {
	project := r.URL.Query().Get("project")
	if c.scoped {
		if project != "" && project != c.project {
			openai.WriteError(w, projectNotFound(project))
			return
		}
		project = c.project
	}
	keys, err := o.Tenants.ListVirtualKeys(r.Context(), project)
	if err != nil {
		a.tenantError(w, r, err, "project", project)
		return
	}
	now := o.Now()
	out := make([]KeyView, 0, len(keys))
	for _, k := range keys {
		out = append(out, KeyViewOf(k, now))
	}
	writeJSON(w, 200, map[string]any{"object": "list", "data": out})
}

func (a *API) createKey(w http.ResponseWriter, r *http.Request, o *TenantOptions, _ caller) {
	var req keyRequest
	if e := decodeBody(w, r, &req, `{"project":"search","name":"ci","expires_in":"30d","limits":{"rpm":60}}`); e != nil {
		openai.WriteError(w, e)
		return
	}
	if req.Project == "" {
		openai.WriteError(w, invalid("project", "Name the project the key belongs to, e.g. {\"project\":\"search\"}; GET /api/projects lists them."))
		return
	}
	if len(req.Name) > 64 || strings.ContainsFunc(req.Name, unicode.IsControl) {
		openai.WriteError(w, invalid("name", "The key's name is a label of at most 64 characters without control characters, e.g. \"ci\"."))
		return
	}
	now := o.Now()
	expires, e := expiry(req.ExpiresAt, req.ExpiresIn, now)
	if e != nil {
		openai.WriteError(w, e)
		return
	}
	l, e := req.Limits.apply(tenant.Limits{})
	if e != nil {
		openai.WriteError(w, e)
		return
	}
	key, k := tenant.NewKey(req.Project)
	k.Name, k.Limits, k.ExpiresAt = req.Name, l, expires
	if err := o.Tenants.CreateVirtualKey(r.Context(), k); err != nil {
		if errors.Is(err, tenant.ErrNotFound) {
			openai.WriteError(w, projectNotFound(req.Project).WithParam("project"))
			return
		}
		a.tenantError(w, r, err, "virtual key", k.ID)
		return
	}
	stored, err := findKey(r, o, req.Project, k.ID)
	if err != nil {
		a.tenantError(w, r, err, "virtual key", k.ID)
		return
	}
	writeJSON(w, 201, struct {
		KeyView
		Key string `json:"key"` // shown this once; only its hash is stored
	}{KeyViewOf(stored, now), key})
}

func (a *API) revokeKey(w http.ResponseWriter, r *http.Request, o *TenantOptions, _ caller) {
	id := r.PathValue("id")
	now := o.Now()
	if err := o.Tenants.RevokeVirtualKey(r.Context(), id, now); err != nil {
		a.tenantError(w, r, err, "virtual key", id)
		return
	}
	k, err := findKey(r, o, "", id)
	if err != nil {
		a.tenantError(w, r, err, "virtual key", id)
		return
	}
	writeJSON(w, 200, KeyViewOf(k, now))
}

func (a *API) deleteKey(w http.ResponseWriter, r *http.Request, o *TenantOptions, _ caller) {
	id := r.PathValue("id")
	if err := o.Tenants.DeleteVirtualKey(r.Context(), id); err != nil {
		a.tenantError(w, r, err, "virtual key", id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// findKey returns the stored key id of project ("" = any project), or an
// error wrapping tenant.ErrNotFound.
func findKey(r *http.Request, o *TenantOptions, project, id string) (tenant.VirtualKey, error) {
	keys, err := o.Tenants.ListVirtualKeys(r.Context(), project)
	if err != nil {
		return tenant.VirtualKey{}, err
	}
	for _, k := range keys {
		if k.ID == id {
			return k, nil
		}
	}
	return tenant.VirtualKey{}, tenant.ErrNotFound
}

// expiry returns when a new key expires (nil: never) from expires_at or
// expires_in, at most one of which may be given.
func expiry(at, in string, now time.Time) (*time.Time, *openai.Error) {
	switch {
	case at != "" && in != "":
		return nil, invalid("expires_in", "Give expires_at or expires_in, not both.")
	case at != "":
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return nil, invalid("expires_at", "expires_at \""+at+"\" is not a time: use RFC 3339, e.g. 2026-12-31T23:59:59Z, or expires_in such as 30d.")
		}
		if !t.After(now) {
			return nil, invalid("expires_at", "expires_at "+at+" is not in the future: a key that has already expired would be useless.")
		}
		t = t.UTC()
		return &t, nil
	case in != "":
		d, err := tenant.ParseSpan(in)
		if err != nil || d <= 0 {
			return nil, invalid("expires_in", "expires_in \""+in+"\" is not a span: use a positive number of days, weeks, hours or minutes such as 30d, 2w, 12h or 90m.")
		}
		t := now.Add(d).UTC()
		return &t, nil
	}
	return nil, nil
}
