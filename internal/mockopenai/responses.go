package mockopenai

import (
	"encoding/json"
	"net/http"
)

// responsesRequest holds the fields of POST /v1/responses the mock reads.
type responsesRequest struct {
	Model           string          `json:"model"`
	Input           json.RawMessage `json:"input"`
	Instructions    json.RawMessage `json:"instructions"`
	MaxOutputTokens *int64          `json:"max_output_tokens"`
	Stream          bool            `json:"stream"`
	Store           *bool           `json:"store"`
}

// responsesMinOutput is the Responses API's minimum max_output_tokens.
const responsesMinOutput = 16

// inputTokens estimates the tokens of a Responses input, a string or an
// array of items (messages with string or part-array content, tool outputs),
// plus instructions, which count as one more message.
func inputTokens(input, instructions json.RawMessage) (int64, bool) {
	n := int64(tokensForReply)
	if len(instructions) > 0 && string(instructions) != "null" {
		n += tokensPerMessage + textTokens(contentBytes(instructions))
	}
	if len(input) == 0 || string(input) == "null" {
		return n, true
	}
	switch input[0] {
	case '"':
		return n + tokensPerMessage + textTokens(contentBytes(input)), true
	case '[':
		var items []struct {
			Content   json.RawMessage `json:"content"`
			Output    json.RawMessage `json:"output"`
			Arguments string          `json:"arguments"`
		}
		if json.Unmarshal(input, &items) != nil {
			return 0, false
		}
		for _, it := range items {
			n += tokensPerMessage + textTokens(contentBytes(it.Content)+contentBytes(it.Output)+len(it.Arguments))
		}
		return n, true
	}
	return 0, false
}

// serveResponses answers POST /v1/responses.
func (c *call) serveResponses() {
	var req responsesRequest
	if !c.decode(&req) || !c.resolveModel(req.Model, kindChat) {
		return
	}
	prompt, ok := inputTokens(req.Input, req.Instructions)
	if !ok {
		c.badRequest("Invalid type for 'input': expected one of a string or array of input items, but got "+
			describeValue(jsonKind(req.Input))+" instead.", "input", "invalid_type")
		return
	}
	if !c.checkMin("max_output_tokens", req.MaxOutputTokens, responsesMinOutput) {
		return
	}
	if prompt > c.model.Context {
		c.badRequest("Your input exceeds the context window of this model. Please adjust your input and try again.",
			"input", "context_length_exceeded")
		return
	}
	budget := replyTokens
	if req.MaxOutputTokens != nil {
		budget = *req.MaxOutputTokens
	}
	c.stream = req.Stream
	if !c.admit(prompt + budget) {
		return
	}
	words, cut := replyLength(req.MaxOutputTokens)
	rs := &responseState{
		c:     c,
		req:   &req,
		id:    c.s.randomID("resp_", 48, hexDigits),
		msgID: c.s.randomID("msg_", 48, hexDigits),
		at:    c.s.now().Unix(),
		input: prompt,
		words: words,
		cut:   cut,
	}
	if req.Stream {
		rs.stream()
		return
	}
	body, _ := json.Marshal(rs.object(true)) // cannot fail: plain values
	c.writeJSON(http.StatusOK, append(body, '\n'), headersFull)
}

// jsonKind names the JSON type of raw in encoding/json's vocabulary.
func jsonKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "object"
	}
	switch raw[0] {
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case '[':
		return "array"
	case '{', 'n':
		return "object"
	}
	return "number"
}

// responseState is one response being produced.
type responseState struct {
	c     *call
	req   *responsesRequest
	id    string
	msgID string
	at    int64
	input int64
	words int
	cut   bool
}

// Wire shapes of the Responses API, in the field order OpenAI sends.
type (
	responseObject struct {
		ID                 string             `json:"id"`
		Object             string             `json:"object"`
		CreatedAt          int64              `json:"created_at"`
		Status             string             `json:"status"`
		Background         bool               `json:"background"`
		CompletedAt        *int64             `json:"completed_at"`
		Error              *json.RawMessage   `json:"error"`
		IncompleteDetails  *incompleteDetails `json:"incomplete_details"`
		Instructions       json.RawMessage    `json:"instructions"`
		MaxOutputTokens    *int64             `json:"max_output_tokens"`
		MaxToolCalls       *int64             `json:"max_tool_calls"`
		Model              string             `json:"model"`
		Output             []outputMessage    `json:"output"`
		ParallelToolCalls  bool               `json:"parallel_tool_calls"`
		PreviousResponseID *string            `json:"previous_response_id"`
		Reasoning          reasoning          `json:"reasoning"`
		ServiceTier        string             `json:"service_tier"`
		Store              bool               `json:"store"`
		Temperature        float64            `json:"temperature"`
		Text               textConfig         `json:"text"`
		ToolChoice         string             `json:"tool_choice"`
		Tools              []struct{}         `json:"tools"`
		TopLogprobs        int                `json:"top_logprobs"`
		TopP               float64            `json:"top_p"`
		Truncation         string             `json:"truncation"`
		Usage              *responseUsage     `json:"usage"`
		User               *string            `json:"user"`
		Metadata           struct{}           `json:"metadata"`
	}
	incompleteDetails struct {
		Reason string `json:"reason"`
	}
	reasoning struct {
		Effort  *string `json:"effort"`
		Summary *string `json:"summary"`
	}
	textConfig struct {
		Format struct {
			Type string `json:"type"`
		} `json:"format"`
		Verbosity string `json:"verbosity"`
	}
	outputMessage struct {
		ID      string       `json:"id"`
		Type    string       `json:"type"`
		Status  string       `json:"status"`
		Content []outputText `json:"content"`
		Role    string       `json:"role"`
	}
	outputText struct {
		Type        string     `json:"type"`
		Annotations []struct{} `json:"annotations"`
		Logprobs    []struct{} `json:"logprobs"`
		Text        string     `json:"text"`
	}
	responseUsage struct {
		InputTokens        int64 `json:"input_tokens"`
		InputTokensDetails struct {
			CachedTokens     int64 `json:"cached_tokens"`
			CacheWriteTokens int64 `json:"cache_write_tokens"`
		} `json:"input_tokens_details"`
		OutputTokens        int64 `json:"output_tokens"`
		OutputTokensDetails struct {
			ReasoningTokens int64 `json:"reasoning_tokens"`
		} `json:"output_tokens_details"`
		TotalTokens int64 `json:"total_tokens"`
	}
)

// status is the terminal status: incomplete when max_output_tokens cut the
// reply, completed otherwise.
func (rs *responseState) status() string {
	if rs.cut {
		return "incomplete"
	}
	return "completed"
}

func (rs *responseState) part(done bool) outputText {
	p := outputText{Type: "output_text", Annotations: []struct{}{}, Logprobs: []struct{}{}}
	if done {
		p.Text = replyText(rs.words)
	}
	return p
}

func (rs *responseState) item(done bool) outputMessage {
	m := outputMessage{ID: rs.msgID, Type: "message", Status: "in_progress", Content: []outputText{}, Role: "assistant"}
	if done {
		m.Status = rs.status()
		m.Content = []outputText{rs.part(true)}
	}
	return m
}

// object is the response object, in progress (no output, no usage) or
// finished.
func (rs *responseState) object(done bool) *responseObject {
	m := rs.c.model
	o := &responseObject{
		ID: rs.id, Object: "response", CreatedAt: rs.at, Status: "in_progress",
		Instructions: rs.req.Instructions, MaxOutputTokens: rs.req.MaxOutputTokens,
		Model: m.Snapshot, Output: []outputMessage{}, ParallelToolCalls: true,
		ServiceTier: "default", Store: rs.req.Store == nil || *rs.req.Store,
		Temperature: 1, ToolChoice: "auto", Tools: []struct{}{}, TopP: 1, Truncation: "disabled",
	}
	if len(o.Instructions) == 0 {
		o.Instructions = json.RawMessage("null")
	}
	o.Text.Format.Type = "text"
	o.Text.Verbosity = "medium"
	if m.Reasoning {
		effort := "medium"
		o.Reasoning.Effort = &effort
	}
	if !done {
		return o
	}
	o.Status = rs.status()
	if rs.cut {
		o.IncompleteDetails = &incompleteDetails{Reason: "max_output_tokens"}
	} else {
		o.CompletedAt = &rs.at
	}
	o.Output = []outputMessage{rs.item(true)}
	out := int64(rs.words)
	o.Usage = &responseUsage{InputTokens: rs.input, OutputTokens: out, TotalTokens: rs.input + out}
	return o
}

// stream sends the spec's event sequence: created, in_progress,
// output_item.added, content_part.added, output_text.delta per word,
// output_text.done, content_part.done, output_item.done, then completed (or
// incomplete). Every event carries sequence_number; there is no [DONE].
func (rs *responseState) stream() {
	c := rs.c
	sw := sseWriter{c: c}
	seq := 0
	// emit encodes the event's fields after type and sequence_number.
	emit := func(typ string, fields any) bool {
		b := append([]byte(nil), `{"type":`...)
		b = appendString(b, typ)
		b = append(b, `,"sequence_number":`...)
		b = appendInt(b, int64(seq))
		if fields != nil {
			rest, _ := json.Marshal(fields) // cannot fail: plain values
			b = append(b, ',')
			b = append(b, rest[1:]...) // drop the object's opening brace
		} else {
			b = append(b, '}')
		}
		seq++
		return sw.event(typ, b)
	}
	type wrapped struct {
		Response *responseObject `json:"response"`
	}
	type itemEvent struct {
		OutputIndex int           `json:"output_index"`
		Item        outputMessage `json:"item"`
	}
	type partEvent struct {
		ItemID       string     `json:"item_id"`
		OutputIndex  int        `json:"output_index"`
		ContentIndex int        `json:"content_index"`
		Part         outputText `json:"part"`
	}
	type textDone struct {
		ItemID       string     `json:"item_id"`
		OutputIndex  int        `json:"output_index"`
		ContentIndex int        `json:"content_index"`
		Text         string     `json:"text"`
		Logprobs     []struct{} `json:"logprobs"`
	}
	if !emit("response.created", wrapped{rs.object(false)}) ||
		!emit("response.in_progress", wrapped{rs.object(false)}) ||
		!emit("response.output_item.added", itemEvent{0, rs.item(false)}) ||
		!emit("response.content_part.added", partEvent{rs.msgID, 0, 0, rs.part(false)}) {
		return
	}
	// Deltas are the per-token hot path: built by hand around a fixed head.
	head := append([]byte(nil), `,"item_id":`...)
	head = appendString(head, rs.msgID)
	head = append(head, `,"output_index":0,"content_index":0,"delta":`...)
	var b []byte
	for i, w := range replyWords[:rs.words] {
		b = append(b[:0], `{"type":"response.output_text.delta","sequence_number":`...)
		b = appendInt(b, int64(seq))
		b = append(b, head...)
		b = appendString(b, w)
		b = append(b, `,"logprobs":[]`...)
		b = appendObfuscation(b, len(w))
		b = append(b, '}')
		seq++
		if !sw.event("response.output_text.delta", b) {
			return
		}
		if i == 1 {
			switch c.midStreamFault() {
			case ScenarioDrop:
				c.abort()
				return
			case ScenarioStreamError:
				// The captured wire form nests the error object.
				body := errServer(c.reqID).Body()
				e := append([]byte(nil), `{"type":"error","sequence_number":`...)
				e = appendInt(e, int64(seq))
				e = append(e, ',')
				sw.event("error", append(e, body[1:]...))
				return
			}
		}
	}
	if !emit("response.output_text.done", textDone{rs.msgID, 0, 0, replyText(rs.words), []struct{}{}}) ||
		!emit("response.content_part.done", partEvent{rs.msgID, 0, 0, rs.part(true)}) ||
		!emit("response.output_item.done", itemEvent{0, rs.item(true)}) {
		return
	}
	emit("response."+rs.status(), wrapped{rs.object(true)})
}
