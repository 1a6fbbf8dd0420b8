package mockopenai

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/keygate/keygate/internal/openai"
)

// The steps every generation endpoint shares, in the order OpenAI applies
// them: parse, resolve the model, validate, admit against rate limits, then
// the scenario's fault. Each step writes the error response itself and
// reports false when the request is finished.

// decode parses the body into v, answering OpenAI's 400 for a body that is
// not JSON or has a field of the wrong type.
func (c *call) decode(v any) bool {
	err := json.Unmarshal(c.body, v)
	if err == nil {
		return true
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		c.badRequest("Invalid type for '"+te.Field+"': expected "+describeType(te.Type)+
			", but got "+describeValue(te.Value)+" instead.", te.Field, "invalid_type")
		return false
	}
	c.badRequest(msgBadJSON, "", "")
	return false
}

func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

func describeValue(v string) string {
	switch {
	case strings.HasPrefix(v, "number"):
		if strings.ContainsAny(v[len("number"):], ".eE") {
			return "a decimal"
		}
		return "an integer"
	case v == "string":
		return "a string"
	case v == "bool":
		return "a boolean"
	case v == "array":
		return "an array"
	}
	return "an object"
}

// badRequest sends a 400 invalid_request_error. Validation errors carry the
// rate-limit headers but consume nothing, exactly as key checkers rely on.
// The ratelimited and tokenlimited scenarios answer every request 429, a
// deliberately invalid one included: a real key that is being throttled
// gets 429 on the khanon key checker's invalid probe too, which is why that
// checker retries it ("trial keys … we can often hit them just by checking
// the key").
func (c *call) badRequest(msg, param, code string) {
	if c.refusedEarly() {
		return
	}
	if c.rate == nil {
		c.peekRate()
	}
	c.fail(openai.New(http.StatusBadRequest, openai.TypeInvalidRequest, code, msg).WithParam(param), headersFull)
}

// refusedEarly answers the forced 429 of the ratelimited and tokenlimited
// scenarios and reports true. Before the model is known there is no bucket
// family to name, so validation answers first.
func (c *call) refusedEarly() bool {
	if c.model == nil || (c.scenario != ScenarioRateLimited && c.scenario != ScenarioTokenLimited) {
		return false
	}
	rs, rf := forcedRefusal(c.limitsFor(c.model), c.scenario == ScenarioTokenLimited, 0)
	c.rate = &rs
	c.fail(rf.error(c.model.limitsKey, c.keyScenario == ScenarioFree), headersFull)
	return true
}

// limitsFor returns the key's tier limits for m.
func (c *call) limitsFor(m *model) limits {
	if c.keyScenario == ScenarioFree {
		return m.Free
	}
	return m.Tier1
}

// peekRate fills c.rate from the buckets without consuming. Before the model
// is known it reports a default family, as a validation error must still
// carry headers.
func (c *call) peekRate() {
	if c.keyScenario == ScenarioUnlimited {
		c.rate = &unlimitedSnapshot
		return
	}
	family, lim := "default", tier1Default
	if c.keyScenario == ScenarioFree {
		lim = freeChat
	}
	if c.model != nil {
		family, lim = c.model.limitsKey, c.limitsFor(c.model)
	}
	now := c.s.now().UnixNano()
	rs := c.s.limits.state(c.key, family, lim, now).peek(now)
	c.rate = &rs
}

// resolveModel looks up id for an endpoint serving kind. A fault-* model
// switches the scenario, and its account-level faults apply at once.
func (c *call) resolveModel(id string, kind endpointKind) bool {
	if id == "" {
		c.badRequest(msgNoModel, "", "")
		return false
	}
	m, ok := c.s.models.lookup(id)
	if !ok {
		c.fail(errModelNotFound(id), headersMinimal)
		return false
	}
	c.model = m
	if m.Fault != "" {
		c.scenario = m.Fault
		if e, hs := c.accountFault(m.Fault); e != nil {
			c.fail(e, hs)
			return false
		}
	}
	if m.Kind != kind {
		c.fail(wrongEndpoint(kind, m), headersMinimal)
		return false
	}
	return true
}

// wrongEndpoint is OpenAI's refusal of a model on the wrong endpoint family.
func wrongEndpoint(kind endpointKind, m *model) *openai.Error {
	var msg string
	switch kind {
	case kindChat:
		msg = "This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?"
	case kindCompletion:
		msg = "This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?"
		if m.Kind == kindEmbedding {
			msg = "This is not a completions model and thus not supported in the v1/completions endpoint."
		}
	case kindEmbedding:
		msg = "This is not an embedding model and thus not supported in the v1/embeddings endpoint."
	}
	return openai.New(http.StatusNotFound, openai.TypeInvalidRequest, "", msg).WithParam("model")
}

// checkMin validates an integer parameter's minimum.
func (c *call) checkMin(name string, v *int64, min int64) bool {
	if v == nil || *v >= min {
		return true
	}
	c.badRequest("Invalid '"+name+"': integer below minimum value. Expected a value >= "+
		strconv.FormatInt(min, 10)+", but got "+strconv.FormatInt(*v, 10)+" instead.", name, "integer_below_min_value")
	return false
}

// checkMax validates an integer parameter's maximum.
func (c *call) checkMax(name string, v *int64, max int64) bool {
	if v == nil || *v <= max {
		return true
	}
	c.badRequest("Invalid '"+name+"': integer above maximum value. Expected a value <= "+
		strconv.FormatInt(max, 10)+", but got "+strconv.FormatInt(*v, 10)+" instead.", name, "integer_above_max_value")
	return false
}

// checkOutputCap validates max_tokens or max_completion_tokens against the
// model: reasoning models refuse max_tokens, the value must be at least 1,
// and at most the model's output cap (that error has code null).
func (c *call) checkOutputCap(name string, v *int64) bool {
	if v == nil {
		return true
	}
	if name == "max_tokens" && c.model.Reasoning {
		c.badRequest("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
			name, "unsupported_parameter")
		return false
	}
	if !c.checkMin(name, v, 1) {
		return false
	}
	if *v > c.model.MaxOutput {
		n := strconv.FormatInt(*v, 10)
		c.badRequest(name+" is too large: "+n+". This model supports at most "+
			strconv.FormatInt(c.model.MaxOutput, 10)+" completion tokens, whereas you provided "+n+".", name, "")
		return false
	}
	return true
}

// admit charges the request to the key's buckets (one request, tokens
// tokens) and applies the scenario's faults that come after admission. It
// sets c.rate for the response headers.
func (c *call) admit(tokens int64) bool {
	m := c.model
	lim := c.limitsFor(m)
	free := c.keyScenario == ScenarioFree
	switch {
	case c.scenario == ScenarioRateLimited || c.scenario == ScenarioTokenLimited:
		rs, rf := forcedRefusal(lim, c.scenario == ScenarioTokenLimited, tokens)
		c.rate = &rs
		c.fail(rf.error(m.limitsKey, free), headersFull)
		return false
	case c.keyScenario == ScenarioUnlimited:
		c.rate = &unlimitedSnapshot
	default:
		now := c.s.now().UnixNano()
		rs, rf := c.s.limits.state(c.key, m.limitsKey, lim, now).admit(now, tokens)
		c.rate = &rs
		if rf != nil {
			c.fail(rf.error(m.limitsKey, free), headersFull)
			return false
		}
	}
	switch c.scenario {
	case ScenarioOverloaded:
		c.fail(errOverloaded(), headersOpenAI)
		return false
	case ScenarioFlaky:
		if c.s.flakyFails(c.key) {
			c.fail(errServer(c.reqID), headersOpenAI)
			return false
		}
	case ScenarioSlow:
		return c.sleep(c.s.opts.SlowLatency)
	case ScenarioDrop:
		if !c.stream {
			c.abort()
			return false
		}
	}
	return true
}

// midStreamFault reports what a stream does after its second content chunk:
// abort the connection (drop) or send an in-stream error (streamerror).
func (c *call) midStreamFault() string {
	if c.scenario == ScenarioDrop || c.scenario == ScenarioStreamError {
		return c.scenario
	}
	return ""
}
