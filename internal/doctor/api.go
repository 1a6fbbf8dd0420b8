package doctor

import (
	"context"
	"fmt"
	"strings"

	"github.com/keygate/keygate/internal/credential"
	"github.com/keygate/keygate/internal/secret"
	"github.com/keygate/keygate/internal/verify"
)

// checkAPI asks for the model list without credentials: the API answers
// 401 with its JSON error (or the list, where no key is needed); a web
// page, unknown_url or a bare 404 means the base URL points elsewhere.
func checkAPI(ctx context.Context, s *state) outcome {
	c, f := verify.NewClient(s.c.Target, verify.Options{Timeout: s.timeout, Resolver: s.c.Resolver})
	if f != nil {
		return fail(f)
	}
	s.client = c
	if _, f := c.Models(ctx, verify.NoAuth); f != nil {
		return fail(f)
	}
	return pass("GET " + s.base.String() + "/models answers as the OpenAI API")
}

// checkAuth lists the models with the key alone, so that an organization
// problem is told apart in the next step.
func checkAuth(ctx context.Context, s *state) outcome {
	ids, f := s.client.Models(ctx, verify.KeyOnly)
	if f != nil {
		return fail(f)
	}
	who := "the key " + secret.Redact(s.c.Target.Key.Reveal())
	if s.c.Target.Key.IsZero() {
		who = "the server (no key)"
	}
	return pass(fmt.Sprintf("%s is accepted; %d models listed", who, len(ids)))
}

func checkOrganization(ctx context.Context, s *state) outcome {
	t := s.c.Target
	if t.Organization == "" && t.Project == "" {
		return notApplicable("no organization or project set: the key's defaults apply")
	}
	if _, f := s.client.Models(ctx, verify.KeyAndScope); f != nil {
		return fail(f)
	}
	var p []string
	if t.Organization != "" {
		p = append(p, "organization "+t.Organization)
	}
	if t.Project != "" {
		p = append(p, "project "+t.Project)
	}
	return pass(strings.Join(p, " and ") + " accepted")
}

// checkModel probes the model at no cost; the limits step judges what the
// probe read.
func checkModel(ctx context.Context, s *state) outcome {
	m := s.c.Model
	if m == "" {
		return notApplicable("no model named")
	}
	var req *credential.Requirement
	if r, ok := s.c.Requirements[m]; ok {
		req = &r
	}
	ml, f := s.client.Probe(ctx, m, req)
	s.limits, s.limitsFault = &ml, f
	if !ml.Accessible {
		return fail(f)
	}
	if f != nil && !f.ModelLevel() {
		return fail(f)
	}
	return pass(m + " is served to this key")
}

func checkLimits(_ context.Context, s *state) outcome {
	ml := s.limits
	if ml == nil {
		return notApplicable("no model named")
	}
	if s.limitsFault != nil {
		return fail(s.limitsFault)
	}
	detail := ml.Model + ": " + verify.DescribeLimits(ml)
	if ml.Requirement == nil {
		detail += "; no requirement set for it"
	} else {
		detail += "; meets the requirement"
	}
	if ml.Message != "" {
		detail += " (" + strings.TrimSuffix(strings.TrimPrefix(ml.Message, ml.Model+": "), ".") + ")"
	}
	return pass(detail)
}

func checkCompletion(ctx context.Context, s *state) outcome {
	if s.c.Model == "" {
		return notApplicable("no model named")
	}
	if f := s.client.Complete(ctx, s.c.Model); f != nil {
		return fail(f)
	}
	return pass("a one-token request to " + s.c.Model + " answered 200")
}
