package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/tenant"
)

// ProjectView is a project as the API shows it.
type ProjectView struct {
	Name      string     `json:"name"`
	Models    []string   `json:"models"` // allowed aliases; [] means every model
	Limits    LimitsView `json:"limits"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// ProjectViewOf returns the public view of p.
func ProjectViewOf(p tenant.Project) ProjectView {
	models := p.Models
	if models == nil {
		models = []string{}
	}
	return ProjectView{Name: p.Name, Models: models, Limits: limitsView(p.Limits), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// projectRequest is the body of POST /api/projects.
type projectRequest struct {
	Name   string       `json:"name"`
	Models []string     `json:"models"`
	Limits *limitsInput `json:"limits"`
}

// projectPatch is the body of PATCH /api/projects/{name}: fields present
// change, absent ones stay.
type projectPatch struct {
	Models json.RawMessage `json:"models"` // null or [] allows every model
	Limits *limitsInput    `json:"limits"`
}

const projectExample = `{"name":"search","models":["gpt-4o-mini"],"limits":{"rpm":60,"budget_usd":18,"period":"month"}}`

func (a *API) listProjects(w http.ResponseWriter, r *http.Request, o *TenantOptions, c caller) {
	var ps []tenant.Project
	if c.scoped {
		p, err := o.Tenants.GetProject(r.Context(), c.project)
		switch {
		case err == nil:
			ps = append(ps, p)
		case !errors.Is(err, tenant.ErrNotFound): // deleted since the key was looked up: none to show
			a.tenantError(w, r, err, "project", c.project)
			return
		}
	} else {
		var err error
		if ps, err = o.Tenants.ListProjects(r.Context()); err != nil {
			a.tenantError(w, r, err, "project", "")
			return
		}
	}
	out := make([]ProjectView, 0, len(ps))
	for _, p := range ps {
		out = append(out, ProjectViewOf(p))
	}
	writeJSON(w, 200, map[string]any{"object": "list", "data": out})
}

func (a *API) getProject(w http.ResponseWriter, r *http.Request, o *TenantOptions, c caller) {
	name := r.PathValue("name")
	if !c.sees(name) {
		openai.WriteError(w, projectNotFound(name))
		return
	}
	p, err := o.Tenants.GetProject(r.Context(), name)
	if err != nil {
		a.tenantError(w, r, err, "project", name)
		return
	}
	writeJSON(w, 200, ProjectViewOf(p))
}

func (a *API) createProject(w http.ResponseWriter, r *http.Request, o *TenantOptions, _ caller) {
	var req projectRequest
	if e := decodeBody(w, r, &req, projectExample); e != nil {
		openai.WriteError(w, e)
		return
	}
	if !validName.MatchString(req.Name) {
		openai.WriteError(w, invalid("name", "The project name \""+req.Name+"\" is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. search-team)."))
		return
	}
	models, e := checkModels(req.Models)
	if e != nil {
		openai.WriteError(w, e)
		return
	}
	l, e := req.Limits.apply(tenant.Limits{})
	if e != nil {
		openai.WriteError(w, e)
		return
	}
	if err := o.Tenants.CreateProject(r.Context(), tenant.Project{Name: req.Name, Models: models, Limits: l}); err != nil {
		a.tenantError(w, r, err, "project", req.Name)
		return
	}
	p, err := o.Tenants.GetProject(r.Context(), req.Name)
	if err != nil {
		a.tenantError(w, r, err, "project", req.Name)
		return
	}
	writeJSON(w, 201, ProjectViewOf(p))
}

func (a *API) updateProject(w http.ResponseWriter, r *http.Request, o *TenantOptions, _ caller) {
	name := r.PathValue("name")
	var req projectPatch
	if e := decodeBody(w, r, &req, `{"models":null,"limits":{"budget_usd":25}}`); e != nil {
		openai.WriteError(w, e)
		return
	}
	p, err := o.Tenants.GetProject(r.Context(), name)
	if err != nil {
		a.tenantError(w, r, err, "project", name)
		return
	}
	if req.Models != nil {
		var models []string
		if !bytes.Equal(req.Models, []byte("null")) {
			if err := json.Unmarshal(req.Models, &models); err != nil {
				openai.WriteError(w, invalid("models", "models must be a list of model aliases, or null or [] to allow every model."))
				return
			}
		}
		var e *openai.Error
		if p.Models, e = checkModels(models); e != nil {
			openai.WriteError(w, e)
			return
		}
	}
	var e *openai.Error
	if p.Limits, e = req.Limits.apply(p.Limits); e != nil {
		openai.WriteError(w, e)
		return
	}
	if err := o.Tenants.UpdateProject(r.Context(), p); err != nil {
		a.tenantError(w, r, err, "project", name)
		return
	}
	if p, err = o.Tenants.GetProject(r.Context(), name); err != nil {
		a.tenantError(w, r, err, "project", name)
		return
	}
	writeJSON(w, 200, ProjectViewOf(p))
}

// deleteProject deletes a project without keys. With ?force=true it first
// deletes the project's keys, one by one: if it fails half way the project
// remains with fewer keys, and retrying finishes the job.
func (a *API) deleteProject(w http.ResponseWriter, r *http.Request, o *TenantOptions, _ caller) {
	name := r.PathValue("name")
	if r.URL.Query().Get("force") == "true" {
		keys, err := o.Tenants.ListVirtualKeys(r.Context(), name)
		if err != nil {
			a.tenantError(w, r, err, "project", name)
			return
		}
		for _, k := range keys {
			if err := o.Tenants.DeleteVirtualKey(r.Context(), k.ID); err != nil && !errors.Is(err, tenant.ErrNotFound) {
				a.tenantError(w, r, err, "virtual key", k.ID)
				return
			}
		}
	}
	err := o.Tenants.DeleteProject(r.Context(), name)
	if errors.Is(err, tenant.ErrExists) { // the store refuses while keys remain
		n := "some"
		if keys, lerr := o.Tenants.ListVirtualKeys(r.Context(), name); lerr == nil {
			n = strconv.Itoa(len(keys))
		}
		openai.WriteError(w, openai.New(409, openai.TypeInvalidRequest, "project_has_keys",
			"The project \""+name+"\" still has "+n+" virtual key(s), revoked or not. Delete them first (DELETE /api/vkeys/{id}), "+
				"or delete the project with its keys using ?force=true; its usage stays in the ledger either way."))
		return
	}
	if err != nil {
		a.tenantError(w, r, err, "project", name)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkModels returns the allowed aliases as stored, nil meaning every
// model, or the 400 for an empty or repeated one.
func checkModels(models []string) ([]string, *openai.Error) {
	if len(models) == 0 {
		return nil, nil
	}
	seen := make(map[string]bool, len(models))
	for _, m := range models {
		switch {
		case m == "" || len(m) > 256:
			return nil, invalid("models", "models holds an empty or overlong alias: list the model_name values the project may use, or [] for every model.")
		case seen[m]:
			return nil, invalid("models", "models lists \""+m+"\" twice: list each alias once.")
		}
		seen[m] = true
	}
	return models, nil
}
