package gateway

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/keygate/keygate/internal/auth"
	"github.com/keygate/keygate/internal/openai"
	"github.com/keygate/keygate/internal/suggest"
)

type modelObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

func (g *Gateway) model(alias string) modelObject {
	owner := "keygate"
	if ds := g.router.Load().Deployments(alias); len(ds) > 0 {
		owner = ds[0].Vendor
	}
	return modelObject{ID: alias, Object: "model", Created: g.created, OwnedBy: owner}
}

// listModels lists the aliases the caller may use, as OpenAI lists the
// models a key can access.
func (g *Gateway) listModels(w http.ResponseWriter, _ *http.Request, c auth.Caller) {
	aliases := g.visible(c)
	data := make([]modelObject, 0, len(aliases))
	for _, a := range aliases {
		data = append(data, g.model(a))
	}
	writeJSON(w, struct {
		Object string        `json:"object"`
		Data   []modelObject `json:"data"`
	}{"list", data})
}

func (g *Gateway) getModel(w http.ResponseWriter, r *http.Request, c auth.Caller) {
	id := r.PathValue("id")
	if g.router.Load().Deployments(id) == nil || !c.Allows(id) {
		openai.WriteError(w, g.unknownModel(id, c))
		return
	}
	writeJSON(w, g.model(id))
}

// visible returns the aliases the caller may use, so that a project's key
// never learns the names of models only other projects may use.
func (g *Gateway) visible(c auth.Caller) []string {
	all := g.router.Load().Aliases()
	if c.Project == nil || len(c.Project.Models) == 0 {
		return all
	}
	var out []string
	for _, a := range all {
		if c.Allows(a) {
			out = append(out, a)
		}
	}
	return out
}

// unknownModel is OpenAI's model_not_found, with the fix: the names that
// work for the caller.
func (g *Gateway) unknownModel(name string, c auth.Caller) *openai.Error {
	aliases := g.visible(c)
	msg := "The model `" + name + "` does not exist or you do not have access to it. "
	if len(aliases) == 0 {
		msg += "This keygate has no models configured yet: an admin must add a model_list to its config (see `keygate config check`)."
	} else {
		shown := aliases
		if len(shown) > 20 {
			shown = shown[:20]
		}
		msg += "Use one of the models this keygate serves: " + strings.Join(shown, ", ")
		if len(aliases) > len(shown) {
			msg += ", … (GET /v1/models lists all)"
		}
		msg += "."
		if near := suggest.Closest(name, aliases); near != "" {
			msg += " Did you mean `" + near + "`?"
		}
	}
	return openai.New(404, openai.TypeInvalidRequest, "model_not_found", msg).WithParam("model")
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
