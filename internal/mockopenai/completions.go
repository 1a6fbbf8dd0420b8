package mockopenai

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// completionRequest holds the fields of legacy POST /v1/completions the mock
// reads.
type completionRequest struct {
	Model         string          `json:"model"`
	Prompt        json.RawMessage `json:"prompt"`
	MaxTokens     *int64          `json:"max_tokens"`
	N             *int64          `json:"n"`
	Stream        bool            `json:"stream"`
	StreamOptions *streamOptions  `json:"stream_options"`
}

// legacyDefaultMaxTokens is the legacy endpoint's documented default.
const legacyDefaultMaxTokens = 16

// promptTokens estimates a legacy prompt, which is a string, an array of
// strings, an array of token ids, or an array of such arrays. It returns the
// number of prompts, the total tokens and the largest single prompt. An absent
// prompt is "<|endoftext|>", one token.
func promptTokens(raw json.RawMessage) (count int, total, largest int64, ok bool) {
	add := func(t int64) {
		count++
		total += t
		largest = max(largest, t)
	}
	if len(raw) == 0 || string(raw) == "null" {
		add(1)
		return count, total, largest, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		add(textTokens(len(s)))
		return count, total, largest, true
	}
	var ss []string
	if json.Unmarshal(raw, &ss) == nil {
		for _, s := range ss {
			add(textTokens(len(s)))
		}
		return count, total, largest, len(ss) > 0
	}
	var ids []int64
	if json.Unmarshal(raw, &ids) == nil {
		add(int64(len(ids)))
		return count, total, largest, len(ids) > 0
	}
	var idss [][]int64
	if json.Unmarshal(raw, &idss) == nil {
		for _, ids := range idss {
			add(int64(len(ids)))
		}
		return count, total, largest, len(idss) > 0
	}
	return 0, 0, 0, false
}

// serveCompletions answers legacy POST /v1/completions.
func (c *call) serveCompletions() {
	var req completionRequest
	if !c.decode(&req) || !c.resolveModel(req.Model, kindCompletion) {
		return
	}
	prompts, prompt, largest, ok := promptTokens(req.Prompt)
	if !ok {
		c.badRequest("'$.prompt' is invalid. Please check the API reference: "+msgDocs+".", "", "")
		return
	}
	if req.StreamOptions != nil && !req.Stream {
		c.badRequest(msgStreamOptionsWithoutStream, "stream_options", "")
		return
	}
	// The legacy endpoint allows max_tokens 0 (echo-only requests).
	if !c.checkMin("max_tokens", req.MaxTokens, 0) || !c.checkMin("n", req.N, 1) || !c.checkMax("n", req.N, 128) {
		return
	}
	maxTokens := int64(legacyDefaultMaxTokens)
	if req.MaxTokens != nil {
		maxTokens = *req.MaxTokens
	}
	if largest+maxTokens > c.model.Context {
		// The legacy wording counts the completion too.
		c.badRequest("This model's maximum context length is "+strconv.FormatInt(c.model.Context, 10)+
			" tokens, however you requested "+strconv.FormatInt(largest+maxTokens, 10)+" tokens ("+
			strconv.FormatInt(largest, 10)+" in your prompt; "+strconv.FormatInt(maxTokens, 10)+
			" for the completion). Please reduce your prompt; or completion length.", "", "context_length_exceeded")
		return
	}
	n := int64(1)
	if req.N != nil {
		n = *req.N
	}
	choices := int64(prompts) * n
	c.stream = req.Stream
	if !c.admit(prompt + maxTokens*choices) {
		return
	}
	words, cut := replyLength(&maxTokens)
	g := generation{
		id:      c.s.randomID("cmpl-", 29, alnum),
		created: c.s.now().Unix(),
		prompt:  prompt,
		words:   words,
		n:       int(choices),
		finish:  "stop",
	}
	if cut {
		g.finish = "length"
	}
	if req.Stream {
		c.streamCompletion(&g, req.StreamOptions)
		return
	}
	c.writeJSON(http.StatusOK, c.completionJSON(&g), headersFull)
}

// completionHead appends the fields every text_completion object starts with.
func (c *call) completionHead(b []byte, g *generation) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, g.id)
	b = append(b, `,"object":"text_completion","created":`...)
	b = appendInt(b, g.created)
	b = append(b, `,"model":`...)
	b = appendString(b, c.model.Snapshot)
	return append(b, `,"choices":[`...)
}

func appendCompletionChoice(b []byte, index int, text, finish string) []byte {
	b = append(b, `{"text":`...)
	b = appendString(b, text)
	b = append(b, `,"index":`...)
	b = appendInt(b, int64(index))
	b = append(b, `,"logprobs":null,"finish_reason":`...)
	if finish == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, finish)
	}
	return append(b, '}')
}

// completionJSON encodes a text_completion object.
func (c *call) completionJSON(g *generation) []byte {
	text := replyText(g.words)
	b := c.completionHead(make([]byte, 0, 384+g.n*(len(text)+80)), g)
	for i := 0; i < g.n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCompletionChoice(b, i, text, g.finish)
	}
	b = append(b, `],"usage":`...)
	b = appendLegacyUsage(b, g.prompt, g.completionTokens())
	return append(b, '}', '\n')
}

// streamCompletion streams text_completion chunks, one word each, then a
// chunk with empty text and the finish reason, the usage chunk when asked
// for, and [DONE].
func (c *call) streamCompletion(g *generation, opts *streamOptions) {
	head := c.completionHead(nil, g)
	withUsage := opts.usage()
	var b []byte
	chunk := func(index int, text, finish string) []byte {
		b = append(b[:0], head...)
		b = appendCompletionChoice(b, index, text, finish)
		b = append(b, ']')
		if withUsage {
			b = append(b, `,"usage":null`...)
		}
		return append(b, '}')
	}
	sw := sseWriter{c: c}
	sent := 0
	for _, w := range replyWords[:g.words] {
		for i := 0; i < g.n; i++ {
			if !sw.data(chunk(i, w, "")) {
				return
			}
			if sent++; sent == 2 && !c.midStream(&sw) {
				return
			}
		}
	}
	for i := 0; i < g.n; i++ {
		if !sw.data(chunk(i, "", g.finish)) {
			return
		}
	}
	if withUsage {
		b = append(b[:0], head...)
		b = append(b, `],"usage":`...)
		b = appendLegacyUsage(b, g.prompt, g.completionTokens())
		if !sw.data(append(b, '}')) {
			return
		}
	}
	sw.done()
}
