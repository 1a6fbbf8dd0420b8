package mockopenai

import (
	"net/http"
	"strings"

	"github.com/keygate/keygate/internal/openai"
)

// Organization IDs the mock knows. Every mock key belongs to OrgID, the
// organization its 429 messages name. OtherOrgID exists, but no mock key is a
// member of it; any other ID does not exist.
const (
	OrgID      = "org-KeygateMockOrg00000000"
	OtherOrgID = "org-KeygateOtherOrg0000000"
)

// Messages of the organization and project checks (BEHAVIOUR.md §2.2).
const (
	msgMismatchedOrg = "OpenAI-Organization header should match organization for API key"
	// msgMismatchedProject follows the organization message's shape; no
	// capture of OpenAI's wording was found (UNVERIFIED).
	msgMismatchedProject = "OpenAI-Project header should match project for API key"
)

// scopeFault checks the OpenAI-Organization and OpenAI-Project headers
// against the key's organization (OrgID) and project (Options.Project), as
// OpenAI does right after authenticating the key. Absent headers are fine: the
// key's defaults apply.
func (c *call) scopeFault() *openai.Error {
	if org := strings.TrimSpace(c.r.Header.Get("OpenAI-Organization")); org != "" && org != OrgID {
		if org == OtherOrgID {
			return openai.New(http.StatusUnauthorized, openai.TypeInvalidRequest, "mismatched_organization", msgMismatchedOrg)
		}
		return openai.New(http.StatusUnauthorized, openai.TypeInvalidRequest, "invalid_organization", "No such organization: "+org+".")
	}
	if proj := strings.TrimSpace(c.r.Header.Get("OpenAI-Project")); proj != "" && proj != c.s.opts.Project {
		return openai.New(http.StatusUnauthorized, openai.TypeInvalidRequest, "mismatched_project", msgMismatchedProject)
	}
	return nil
}
