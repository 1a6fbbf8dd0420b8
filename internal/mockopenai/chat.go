package mockopenai

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// chatRequest holds the fields of POST /v1/chat/completions the mock reads.
type chatRequest struct {
	Model               string         `json:"model"`
	Messages            []chatMessage  `json:"messages"`
	MaxTokens           *int64         `json:"max_tokens"`
	MaxCompletionTokens *int64         `json:"max_completion_tokens"`
	N                   *int64         `json:"n"`
	Stream              bool           `json:"stream"`
	StreamOptions       *streamOptions `json:"stream_options"`
}

type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// streamOptions is ChatCompletionStreamOptions.
type streamOptions struct {
	IncludeUsage       bool  `json:"include_usage"`
	IncludeObfuscation *bool `json:"include_obfuscation"`
}

func (o *streamOptions) usage() bool { return o != nil && o.IncludeUsage }

// obfuscation is on unless the client turns it off, as documented.
func (o *streamOptions) obfuscation() bool {
	return o == nil || o.IncludeObfuscation == nil || *o.IncludeObfuscation
}

// chatPromptTokens estimates a conversation's prompt tokens: the text of each
// message, its framing, and the reply's priming.
func chatPromptTokens(msgs []chatMessage) int64 {
	n := int64(tokensForReply)
	for _, m := range msgs {
		n += tokensPerMessage + textTokens(contentBytes(m.Content))
	}
	return n
}

// msgStreamOptionsWithoutStream is OpenAI's refusal of stream_options on a
// non-streaming request; gateways that add include_usage blindly hit it.
const msgStreamOptionsWithoutStream = "The 'stream_options' parameter is only allowed when 'stream' is enabled."

// serveChat answers POST /v1/chat/completions.
func (c *call) serveChat() {
	var req chatRequest
	if !c.decode(&req) || !c.resolveModel(req.Model, kindChat) {
		return
	}
	switch {
	case req.Messages == nil:
		c.badRequest("Missing required parameter: 'messages'.", "messages", "missing_required_parameter")
		return
	case len(req.Messages) == 0:
		c.badRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages", "empty_array")
		return
	case req.StreamOptions != nil && !req.Stream:
		c.badRequest(msgStreamOptionsWithoutStream, "stream_options", "")
		return
	}
	if !c.checkOutputCap("max_tokens", req.MaxTokens) ||
		!c.checkOutputCap("max_completion_tokens", req.MaxCompletionTokens) ||
		!c.checkMin("n", req.N, 1) || !c.checkMax("n", req.N, 128) {
		return
	}
	prompt := chatPromptTokens(req.Messages)
	if prompt > c.model.Context {
		c.badRequest("This model's maximum context length is "+strconv.FormatInt(c.model.Context, 10)+
			" tokens. However, your messages resulted in "+strconv.FormatInt(prompt, 10)+
			" tokens. Please reduce the length of the messages.", "messages", "context_length_exceeded")
		return
	}
	limit := req.MaxCompletionTokens
	if limit == nil {
		limit = req.MaxTokens
	}
	n := int64(1)
	if req.N != nil {
		n = *req.N
	}
	budget := replyTokens
	if limit != nil {
		budget = *limit
	}
	c.stream = req.Stream
	if !c.admit(prompt + budget*n) {
		return
	}
	words, cut := replyLength(limit)
	g := generation{
		id:      c.s.randomID("chatcmpl-", 29, alnum),
		created: c.s.now().Unix(),
		prompt:  prompt,
		words:   words,
		n:       int(n),
		finish:  "stop",
	}
	if cut {
		g.finish = "length"
	}
	if req.Stream {
		c.streamChat(&g, req.StreamOptions)
		return
	}
	c.writeJSON(http.StatusOK, c.chatJSON(&g), headersFull)
}

// generation is one reply being produced.
type generation struct {
	id      string
	created int64
	prompt  int64
	words   int // reply length in words (tokens) per choice
	n       int
	finish  string
}

func (g *generation) completionTokens() int64 { return int64(g.words * g.n) }

// chatJSON encodes a chat.completion object.
func (c *call) chatJSON(g *generation) []byte {
	text := replyText(g.words)
	b := make([]byte, 0, 512+g.n*(len(text)+160))
	b = append(b, `{"id":`...)
	b = appendString(b, g.id)
	b = append(b, `,"object":"chat.completion","created":`...)
	b = appendInt(b, g.created)
	b = append(b, `,"model":`...)
	b = appendString(b, c.model.Snapshot)
	b = append(b, `,"choices":[`...)
	for i := 0; i < g.n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"index":`...)
		b = appendInt(b, int64(i))
		b = append(b, `,"message":{"role":"assistant","content":`...)
		b = appendString(b, text)
		b = append(b, `,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":`...)
		b = appendString(b, g.finish)
		b = append(b, '}')
	}
	b = append(b, ']')
	if c.scenario != ScenarioNoUsage {
		b = append(b, `,"usage":`...)
		b = appendChatUsage(b, g.prompt, g.completionTokens())
	}
	b = append(b, `,"service_tier":"default","system_fingerprint":`...)
	b = appendString(b, c.model.Fingerprint)
	return append(b, '}', '\n')
}

// chatChunks builds chat.completion.chunk events: every chunk shares one
// prefix (same id and created), so only the choice differs.
type chatChunks struct {
	prefix []byte // {"id":…,"choices":[
	usage  bool
	obf    bool
	b      []byte
}

// chunk encodes a chunk whose single choice has the given delta object and
// finish reason ("" for null).
func (cc *chatChunks) chunk(index int, delta []byte, contentLen int, finish string) []byte {
	b := append(cc.b[:0], cc.prefix...)
	b = append(b, `{"index":`...)
	b = appendInt(b, int64(index))
	b = append(b, `,"delta":`...)
	b = append(b, delta...)
	b = append(b, `,"logprobs":null,"finish_reason":`...)
	if finish == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, finish)
	}
	b = append(b, `}]`...)
	if cc.usage {
		b = append(b, `,"usage":null`...)
	}
	if cc.obf {
		b = appendObfuscation(b, contentLen)
	}
	b = append(b, '}')
	cc.b = b
	return b
}

// Deltas that never change.
var (
	deltaRole  = []byte(`{"role":"assistant","content":"","refusal":null}`)
	deltaEmpty = []byte(`{}`)
)

// streamChat sends the reply as OpenAI streams it: a role chunk per choice,
// one chunk per word, a finishing chunk with an empty delta, the usage chunk
// with empty choices when asked for, and [DONE].
func (c *call) streamChat(g *generation, opts *streamOptions) {
	cc := chatChunks{usage: opts.usage() && c.scenario != ScenarioNoUsage, obf: opts.obfuscation()}
	p := append([]byte(nil), `{"id":`...)
	p = appendString(p, g.id)
	p = append(p, `,"object":"chat.completion.chunk","created":`...)
	p = appendInt(p, g.created)
	p = append(p, `,"model":`...)
	p = appendString(p, c.model.Snapshot)
	p = append(p, `,"service_tier":"default","system_fingerprint":`...)
	p = appendString(p, c.model.Fingerprint)
	p = append(p, `,"choices":[`...)
	cc.prefix = p

	sw := sseWriter{c: c}
	for i := 0; i < g.n; i++ {
		if !sw.data(cc.chunk(i, deltaRole, 0, "")) {
			return
		}
	}
	sent := 0
	var delta []byte
	for _, w := range replyWords[:g.words] {
		for i := 0; i < g.n; i++ {
			delta = append(delta[:0], `{"content":`...)
			delta = appendString(delta, w)
			delta = append(delta, '}')
			if !sw.data(cc.chunk(i, delta, len(w), "")) {
				return
			}
			if sent++; sent == 2 && !c.midStream(&sw) {
				return
			}
		}
	}
	for i := 0; i < g.n; i++ {
		if !sw.data(cc.chunk(i, deltaEmpty, 0, g.finish)) {
			return
		}
	}
	if cc.usage {
		b := append(cc.b[:0], cc.prefix...)
		b = append(b, `],"usage":`...)
		b = appendChatUsage(b, g.prompt, g.completionTokens())
		if cc.obf {
			b = appendObfuscation(b, 0)
		}
		cc.b = append(b, '}')
		if !sw.data(cc.b) {
			return
		}
	}
	sw.done()
}

// midStream applies the drop and streamerror scenarios after a stream's
// second content chunk. It reports whether the stream goes on.
func (c *call) midStream(sw *sseWriter) bool {
	switch c.midStreamFault() {
	case ScenarioDrop:
		c.abort()
		return false
	case ScenarioStreamError:
		sw.data(errServer(c.reqID).Body())
		return false
	}
	return true
}
