package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/keygate/keygate/internal/auth"
	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/store"
	"github.com/keygate/keygate/internal/tenant"
)

// Tenants is the part of the store the project, virtual key and usage
// routes use; store.Tenants documents each method.
type Tenants interface {
	CreateProject(ctx context.Context, p tenant.Project) error
	GetProject(ctx context.Context, name string) (tenant.Project, error)
	ListProjects(ctx context.Context) ([]tenant.Project, error)
	UpdateProject(ctx context.Context, p tenant.Project) error
	DeleteProject(ctx context.Context, name string) error
	CreateVirtualKey(ctx context.Context, k tenant.VirtualKey) error
	ListVirtualKeys(ctx context.Context, project string) ([]tenant.VirtualKey, error)
	RevokeVirtualKey(ctx context.Context, id string, at time.Time) error
	DeleteVirtualKey(ctx context.Context, id string) error
	UsageSummary(ctx context.Context, q store.UsageQuery) ([]store.UsageRow, error)
	SpentSince(ctx context.Context, project, keyID string, since time.Time) (tenant.Nanos, error)
}

// TenantOptions enables the project, virtual key and usage routes.
type TenantOptions struct {
	// Tenants is the store's projects, keys and ledger.
	Tenants Tenants
	// Lookup resolves a virtual key (kg-…) sent as a bearer token to its
	// project. It must report false for a revoked or expired key. Such a
	// caller may only read its own project, its keys and its usage; every
	// write needs the admin token. nil gives virtual keys no admin access.
	Lookup func(token string) (project string, ok bool)
	// AlertAt is the fraction of a budget at which GET /api/usage sets a
	// budget's alert (0.8 = 80%); 0 means 0.8.
	AlertAt float64
	// Now is the clock for key expiry and budget windows; nil is time.Now.
	Now func() time.Time
}

// SetTenants turns on the /api/projects, /api/vkeys and /api/usage routes,
// which until then answer 404 like any unknown URL. It may be called before
// or after Handler, and again to replace the options; a nil o.Tenants turns
// the routes off.
func (a *API) SetTenants(o TenantOptions) {
	if o.Tenants == nil {
		a.tenants.Store(nil)
		return
	}
	if o.AlertAt <= 0 {
		o.AlertAt = 0.8
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	a.tenants.Store(&o)
}

// tenantRoutes registers the tenant routes on mux. They are always
// registered and look up the options per request, so SetTenants works
// whenever it is called.
func (a *API) tenantRoutes(mux *http.ServeMux) {
	const read, write = false, true
	mux.Handle("GET /api/projects", a.tenantRoute(read, a.listProjects))
	mux.Handle("POST /api/projects", a.tenantRoute(write, a.createProject))
	mux.Handle("GET /api/projects/{name}", a.tenantRoute(read, a.getProject))
	mux.Handle("PATCH /api/projects/{name}", a.tenantRoute(write, a.updateProject))
	mux.Handle("DELETE /api/projects/{name}", a.tenantRoute(write, a.deleteProject))
	mux.Handle("GET /api/vkeys", a.tenantRoute(read, a.listKeys))
	mux.Handle("POST /api/vkeys", a.tenantRoute(write, a.createKey))
	mux.Handle("POST /api/vkeys/{id}/revoke", a.tenantRoute(write, a.revokeKey))
	mux.Handle("DELETE /api/vkeys/{id}", a.tenantRoute(write, a.deleteKey))
	mux.Handle("GET /api/usage", a.tenantRoute(read, a.usage))
}

// caller is who sent a tenant request: the admin, or a virtual key of one
// project, which may read only that project.
type caller struct {
	scoped  bool
	project string // the virtual key's project when scoped
}

// sees reports whether the caller may know that project exists.
func (c caller) sees(project string) bool { return !c.scoped || project == c.project }

// tenantHandler serves one tenant route for an authorised caller.
type tenantHandler func(w http.ResponseWriter, r *http.Request, o *TenantOptions, c caller)

func (a *API) tenantRoute(write bool, h tenantHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := a.tenants.Load()
		if o == nil {
			a.unknown(w, r)
			return
		}
		c, e := a.tenantCaller(r, o, write)
		if e != nil {
			openai.WriteError(w, e)
			return
		}
		h(w, r, o, c)
	})
}

// tenantCaller authorises r: the admin token may do everything; a virtual
// key that Lookup resolves may read its own project; anything else gets the
// admin token's 401, so an unknown key learns nothing more than a wrong
// admin token does.
func (a *API) tenantCaller(r *http.Request, o *TenantOptions, write bool) (caller, *openai.Error) {
	denied := a.token.Check(r, false)
	if denied == nil {
		return caller{}, nil
	}
	if o.Lookup == nil {
		return caller{}, denied
	}
	token := auth.BearerToken(r)
	if token == "" {
		return caller{}, denied
	}
	project, ok := o.Lookup(token)
	if !ok || project == "" { // "" would read as every project
		return caller{}, denied
	}
	if write {
		return caller{}, openai.New(403, openai.TypePermission, "admin_token_required",
			"A virtual key may only read its own project, keys and usage in the admin API; "+r.Method+" "+r.URL.Path+
				" changes keygate's configuration and needs the admin token. Send Authorization: Bearer <admin_token>, or ask the keygate admin.")
	}
	return caller{scoped: true, project: project}, nil
}

// projectNotFound is the 404 for a project that does not exist or that the
// caller may not see: the same words either way, so a project-scoped
// caller cannot tell the two apart.
func projectNotFound(name string) *openai.Error {
	return openai.New(404, openai.TypeInvalidRequest, "project_not_found",
		"No project is named \""+name+"\". GET /api/projects lists the projects you can see.")
}

func keyNotFound(id string) *openai.Error {
	return openai.New(404, openai.TypeInvalidRequest, "virtual_key_not_found",
		"No virtual key has the id \""+id+"\". GET /api/vkeys lists them; ids start with vk_.")
}

// tenantError maps the store's errors on projects and keys to statuses in
// one place. what is "project" or "virtual key", name the project's name or
// the key's id.
func (a *API) tenantError(w http.ResponseWriter, r *http.Request, err error, what, name string) {
	switch {
	case errors.Is(err, tenant.ErrNotFound) && what == "project":
		openai.WriteError(w, projectNotFound(name))
	case errors.Is(err, tenant.ErrNotFound):
		openai.WriteError(w, keyNotFound(name))
	case errors.Is(err, tenant.ErrExists) && what == "project":
		openai.WriteError(w, openai.New(409, openai.TypeInvalidRequest, "project_exists",
			"A project named \""+name+"\" already exists. Choose another name, or change that one with PATCH /api/projects/"+name+".").WithParam("name"))
	case errors.Is(err, tenant.ErrExists):
		openai.WriteError(w, openai.New(409, openai.TypeInvalidRequest, "virtual_key_exists",
			"A virtual key with the same id already exists, which should not happen with random ids. Retry the request."))
	default:
		a.log.ErrorContext(r.Context(), "admin store error", "error", err.Error())
		openai.WriteError(w, openai.New(500, openai.TypeServer, "store_error",
			"keygate could not read or write its database. The server log has the cause."))
	}
}

// invalid is a 400 about one field of the request.
func invalid(param, msg string) *openai.Error {
	return openai.New(400, openai.TypeInvalidRequest, "invalid_"+param, msg).WithParam(param)
}

// decodeBody reads one JSON object of at most 64 KiB into v, refusing
// unknown fields so that a misspelt one is not silently ignored. example
// shows a valid body in the error message.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, example string) *openai.Error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		return nil
	}
	e := openai.New(400, openai.TypeInvalidRequest, "invalid_json",
		"The body must be one JSON object like "+example+": "+err.Error())
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		e.Param = te.Field
	}
	return e
}

// limitsInput is a limits object in a request body. Absent fields leave
// the current value alone, so PATCH changes only what it names.
type limitsInput struct {
	RPM       *int64         `json:"rpm"`
	TPM       *int64         `json:"tpm"`
	RPD       *int64         `json:"rpd"`
	BudgetUSD *float64       `json:"budget_usd"`
	Period    *tenant.Period `json:"period"`
}

// maxBudgetUSD keeps a budget far inside tenant.Nanos (about 9.2e9 USD).
const maxBudgetUSD = 1e9

// apply returns l with in's fields set, or the 400 for the first bad one.
// A budget without a period counts per calendar month.
func (in *limitsInput) apply(l tenant.Limits) (tenant.Limits, *openai.Error) {
	if in == nil {
		return l, nil
	}
	for _, f := range []struct {
		name, unit string
		v          *int64
		dst        *int64
	}{
		{"rpm", "requests per minute", in.RPM, &l.RPM},
		{"tpm", "tokens per minute", in.TPM, &l.TPM},
		{"rpd", "requests per day", in.RPD, &l.RPD},
	} {
		if f.v == nil {
			continue
		}
		if *f.v < 0 {
			return l, invalid("limits."+f.name, "limits."+f.name+" is negative: use a number of "+f.unit+", or 0 for no limit.")
		}
		*f.dst = *f.v
	}
	if in.BudgetUSD != nil {
		usd := *in.BudgetUSD
		if usd < 0 || usd > maxBudgetUSD {
			return l, invalid("limits.budget_usd", "limits.budget_usd must be an amount of US dollars from 0 (no budget) to 1000000000, e.g. 18 or 2.50.")
		}
		l.Budget = tenant.FromUSD(usd)
	}
	if in.Period != nil {
		switch *in.Period {
		case "", tenant.Day, tenant.Week, tenant.Month, tenant.Total:
			l.Period = *in.Period
		default:
			return l, invalid("limits.period", "limits.period \""+string(*in.Period)+"\" is not a budget period: use day, week, month or total.")
		}
	}
	if l.Budget > 0 && l.Period == "" {
		l.Period = tenant.Month
	}
	return l, nil
}

// LimitsView is a project's or key's limits as the API shows them; 0 means
// no limit. The budget is in US dollars; it is stored exactly, in
// nano-dollars.
type LimitsView struct {
	RPM       int64         `json:"rpm"`
	TPM       int64         `json:"tpm"`
	RPD       int64         `json:"rpd"`
	BudgetUSD float64       `json:"budget_usd"`
	Period    tenant.Period `json:"period,omitempty"`
}

func limitsView(l tenant.Limits) LimitsView {
	return LimitsView{RPM: l.RPM, TPM: l.TPM, RPD: l.RPD, BudgetUSD: l.Budget.USD(), Period: l.Period}
}
