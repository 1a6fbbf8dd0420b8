// Package admin serves keygate's admin API under /api: stored provider
// credentials (add, list, verify, remove), projects, virtual keys and usage
// (once SetTenants is called), and the API's own OpenAPI document. Every
// route needs the admin token, except that a virtual key may read its own
// project, keys and usage. Errors use OpenAI's error envelope, like the rest
// of keygate, so one client library reads both.
package admin

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/keygate/keygate/internal/auth"
	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/secret"
)

// Credentials is the part of the store the admin API uses.
type Credentials interface {
	CreateCredential(ctx context.Context, c credential.Credential) error
	GetCredential(ctx context.Context, name string) (credential.Credential, error)
	ListCredentials(ctx context.Context) ([]credential.Credential, error)
	SaveVerification(ctx context.Context, name string, v credential.Verification) error
	DeleteCredential(ctx context.Context, name string) error
}

// Verifier checks a credential against its provider.
type Verifier func(ctx context.Context, c credential.Credential) credential.Verification

// API is the admin HTTP API.
type API struct {
	creds  Credentials
	verify Verifier
	// usedBy returns the model aliases whose model_list entries name a
	// credential, so that removing one in use can be refused.
	usedBy func(name string) []string
	token  *auth.AdminToken
	log    *slog.Logger
	// tenants enables the project, key and usage routes; nil until
	// SetTenants.
	tenants atomic.Pointer[TenantOptions]
}

// New returns the admin API. With a zero token every request is refused with
// a message saying how to set one: the API can add and remove provider keys,
// so it is never open.
func New(creds Credentials, verify Verifier, usedBy func(string) []string, token secret.Secret, log *slog.Logger) *API {
	return &API{creds: creds, verify: verify, usedBy: usedBy, log: log, token: auth.NewAdminToken(token)}
}

//go:embed openapi.json
var openapiDoc []byte

// Handler returns the /api routes.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openapiDoc)
	})
	mux.Handle("GET /api/credentials", a.authed(a.list))
	mux.Handle("POST /api/credentials", a.authed(a.create))
	mux.Handle("GET /api/credentials/{name}", a.authed(a.get))
	mux.Handle("DELETE /api/credentials/{name}", a.authed(a.remove))
	mux.Handle("POST /api/credentials/{name}/verify", a.authed(a.verifyOne))
	a.tenantRoutes(mux)
	mux.HandleFunc("/api/", a.unknown)
	return mux
}

// unknown answers a URL the admin API does not serve.
func (a *API) unknown(w http.ResponseWriter, r *http.Request) {
	openai.WriteError(w, openai.New(404, openai.TypeInvalidRequest, "unknown_url",
		"Unknown admin API URL: "+r.Method+" "+r.URL.Path+". GET /api/openapi.json describes the admin API."))
}

func (a *API) authed(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := a.token.Check(r, false); e != nil {
			openai.WriteError(w, e)
			return
		}
		h(w, r)
	})
}

// View is a credential as the API shows it: never the key, only its
// redacted form.
type View struct {
	Name         string                   `json:"name"`
	Vendor       string                   `json:"vendor"`
	APIBase      string                   `json:"api_base,omitempty"`
	Organization string                   `json:"organization,omitempty"`
	Project      string                   `json:"project,omitempty"`
	Proxy        string                   `json:"proxy,omitempty"`
	Key          string                   `json:"key"`
	Verification *credential.Verification `json:"verification"`
	UsedBy       []string                 `json:"used_by"`
	CreatedAt    time.Time                `json:"created_at"`
	UpdatedAt    time.Time                `json:"updated_at"`
}

// ViewOf returns the public view of c.
func ViewOf(c credential.Credential, usedBy []string) View {
	if usedBy == nil {
		usedBy = []string{}
	}
	return View{Name: c.Name, Vendor: c.Vendor, APIBase: c.APIBase, Organization: c.Organization, Project: c.Project,
		Proxy: secret.RedactURL(c.Proxy), Key: c.Redacted, Verification: c.Verification, UsedBy: usedBy,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	cs, err := a.creds.ListCredentials(r.Context())
	if err != nil {
		a.storeError(w, r, err, "")
		return
	}
	out := make([]View, 0, len(cs))
	for _, c := range cs {
		out = append(out, ViewOf(c, a.usedBy(c.Name)))
	}
	writeJSON(w, 200, map[string]any{"object": "list", "data": out})
}

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	cs, err := a.creds.ListCredentials(r.Context()) // listing never opens keys
	if err != nil {
		a.storeError(w, r, err, name)
		return
	}
	for _, c := range cs {
		if c.Name == name {
			writeJSON(w, 200, ViewOf(c, a.usedBy(name)))
			return
		}
	}
	a.storeError(w, r, credential.ErrNotFound, name)
}

// createRequest is the body of POST /api/credentials.
type createRequest struct {
	Name         string `json:"name"`
	Vendor       string `json:"vendor"`
	APIBase      string `json:"api_base"`
	Organization string `json:"organization"`
	Project      string `json:"project"`
	Proxy        string `json:"proxy"`
	Key          string `json:"key"`
	Verify       *bool  `json:"verify"` // default true
}

func (a *API) create(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		openai.WriteError(w, openai.New(400, openai.TypeInvalidRequest, "invalid_json",
			"The body must be a JSON object like {\"name\":\"openai-main\",\"vendor\":\"openai\",\"key\":\"sk-…\"}: "+err.Error()))
		return
	}
	c := credential.Credential{Name: req.Name, Vendor: req.Vendor, APIBase: req.APIBase, Organization: req.Organization,
		Project: req.Project, Proxy: req.Proxy, Key: secret.New(req.Key)}
	if e := Validate(c); e != nil {
		openai.WriteError(w, e)
		return
	}
	if req.Verify == nil || *req.Verify {
		v := a.verify(r.Context(), c)
		if v.KeyRejected() {
			e := openai.New(422, openai.TypeInvalidRequest, "verification_failed", v.Message+" Nothing was stored.")
			e.Param = "key"
			openai.WriteError(w, e)
			return
		}
		c.Verification = &v
	}
	if err := a.creds.CreateCredential(r.Context(), c); err != nil {
		a.storeError(w, r, err, c.Name)
		return
	}
	if c.Verification != nil {
		if err := a.creds.SaveVerification(r.Context(), c.Name, *c.Verification); err != nil {
			a.storeError(w, r, err, c.Name)
			return
		}
	}
	c.Redacted = secret.Redact(req.Key)
	now := time.Now().UTC()
	c.CreatedAt, c.UpdatedAt = now, now
	writeJSON(w, 201, ViewOf(c, a.usedBy(c.Name)))
}

func (a *API) remove(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if users := a.usedBy(name); len(users) > 0 && r.URL.Query().Get("force") != "true" {
		openai.WriteError(w, openai.New(409, openai.TypeInvalidRequest, "credential_in_use",
			"The credential \""+name+"\" is used by the models "+joinQuoted(users)+
				". Point those model_list entries at another credential first, or remove it anyway with ?force=true (those models will fail until fixed)."))
		return
	}
	if err := a.creds.DeleteCredential(r.Context(), name); err != nil {
		a.storeError(w, r, err, name)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) verifyOne(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	c, err := a.creds.GetCredential(r.Context(), name)
	if err != nil {
		a.storeError(w, r, err, name)
		return
	}
	v := a.verify(r.Context(), c)
	if err := a.creds.SaveVerification(r.Context(), name, v); err != nil {
		a.storeError(w, r, err, name)
		return
	}
	writeJSON(w, 200, v)
}

// storeError maps the store's errors to statuses in one place.
func (a *API) storeError(w http.ResponseWriter, r *http.Request, err error, name string) {
	switch {
	case errors.Is(err, credential.ErrNotFound):
		openai.WriteError(w, openai.New(404, openai.TypeInvalidRequest, "credential_not_found",
			"No credential is named \""+name+"\". GET /api/credentials lists them."))
	case errors.Is(err, credential.ErrExists):
		openai.WriteError(w, openai.New(409, openai.TypeInvalidRequest, "credential_exists",
			"A credential named \""+name+"\" already exists. Remove it first, or choose another name."))
	case errors.Is(err, credential.ErrWrongMasterKey):
		openai.WriteError(w, openai.New(500, openai.TypeServer, "wrong_master_key",
			"keygate's master key cannot open the stored credentials: it is not the key they were sealed with. "+
				"Restore the original KEYGATE_MASTER_KEY or key file; nothing was changed."))
	default:
		a.log.ErrorContext(r.Context(), "admin store error", "error", err.Error())
		openai.WriteError(w, openai.New(500, openai.TypeServer, "store_error",
			"keygate could not read or write its database. The server log has the cause."))
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func joinQuoted(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += "\"" + x + "\""
	}
	return out
}
