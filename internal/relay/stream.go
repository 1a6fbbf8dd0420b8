package relay

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/openai"
)

// Kind tells a stream relay which framing and terminal events to expect.
type Kind int

const (
	// ChatStream is Chat Completions or legacy Completions: data-only events
	// ending with data: [DONE]; usage arrives in a chunk with empty choices.
	ChatStream Kind = iota
	// ResponsesStream is the Responses API: named events with a
	// sequence_number, ending at a terminal event with no [DONE]; usage is in
	// response.completed (or .incomplete, .failed).
	ResponsesStream
)

// StreamOptions configures Stream.
type StreamOptions struct {
	Kind Kind
	// HideUsage drops the include_usage chunk and the "usage":null members the
	// gateway caused by asking the upstream for usage the client did not ask for.
	HideUsage bool
}

// Stream forwards the events of body to w one at a time, flushing each, and
// returns the usage it saw. If the upstream ends before its final event, the
// client is sent an error event in the stream's own framing, so that SDKs raise
// an error instead of treating a cut answer as complete. The caller has written
// the status and headers.
func Stream(w flusher, body io.Reader, opts StreamOptions) (res Result, err error) {
	// Events are kept, as raw bytes, until the usage arrives: an upstream
	// that never sends it leaves keygate to count the completion from them.
	// Every stream does this, so the buffers are recycled.
	kb := keptBuffers.Get().(*[]byte)
	kept := (*kb)[:0]
	defer func() {
		if res.Usage.IsZero() {
			res.Text = streamText(kept, opts.Kind)
		}
		if cap(kept) <= 256<<10 { // let the odd huge stream's buffer go
			*kb = kept[:0]
			keptBuffers.Put(kb)
		}
	}()
	er := openai.NewEventReader(body)
	for {
		ev, err := er.Next()
		if err != nil {
			if errors.Is(err, io.EOF) && res.Complete {
				return res, nil
			}
			return res, cutShort(w, &res, opts.Kind, err)
		}
		out := ev.Raw
		if res.Usage.IsZero() && len(kept)+len(ev.Raw) <= maxKept {
			kept = append(kept, ev.Raw...)
		}
		switch opts.Kind {
		case ChatStream:
			if openai.IsDone(ev.Data) {
				res.Complete = true
			} else if bytes.Contains(ev.Data, []byte(`"usage":{`)) || bytes.Contains(ev.Data, []byte(`"usage": {`)) {
				u := gjson.GetBytes(ev.Data, "usage")
				if u.IsObject() {
					res.Usage = openai.ParseUsage(u)
					if opts.HideUsage && len(gjson.GetBytes(ev.Data, "choices").Array()) == 0 {
						continue
					}
				}
			} else if opts.HideUsage {
				out = stripNullUsage(out)
			}
		case ResponsesStream:
			switch string(ev.Name) {
			case "response.completed", "response.incomplete", "response.failed":
				res.Usage = openai.ParseUsage(gjson.GetBytes(ev.Data, "response.usage"))
				res.Complete = true
			case "error":
				res.Complete = true
			}
		}
		if _, err := w.Write(out); err != nil {
			return res, err
		}
		res.Bytes += int64(len(out))
		if err := w.Flush(); err != nil {
			return res, err
		}
	}
}

// maxKept bounds the events kept for counting a stream without usage.
const maxKept = 4 << 20

var keptBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// streamText gathers the generated text of kept events: chat and legacy
// completion deltas, tool call argument deltas, and Responses text deltas.
func streamText(kept []byte, kind Kind) string {
	if len(kept) == 0 {
		return ""
	}
	var b strings.Builder
	er := openai.NewEventReader(bytes.NewReader(kept))
	for {
		ev, err := er.Next()
		if err != nil {
			return b.String()
		}
		switch kind {
		case ChatStream:
			if openai.IsDone(ev.Data) {
				continue
			}
			for _, c := range gjson.GetBytes(ev.Data, "choices").Array() {
				b.WriteString(c.Get("delta.content").String())
				b.WriteString(c.Get("text").String())
				for _, tc := range c.Get("delta.tool_calls").Array() {
					b.WriteString(tc.Get("function.name").String())
					b.WriteString(tc.Get("function.arguments").String())
				}
			}
		case ResponsesStream:
			switch string(ev.Name) {
			case "response.output_text.delta", "response.function_call_arguments.delta":
				b.WriteString(gjson.GetBytes(ev.Data, "delta").String())
			}
		}
	}
}

// ErrCutShort reports an upstream stream that ended before its final event.
var ErrCutShort = errors.New("upstream stream ended before its final event")

func cutShort(w flusher, res *Result, kind Kind, cause error) error {
	code := "upstream_stream_interrupted"
	msg := "The upstream provider closed the stream before it finished, so this answer is incomplete. " +
		"Retry the request; if it keeps happening, run `keygate doctor` to check the upstream connection."
	var te interface{ Timeout() bool }
	if errors.As(cause, &te) && te.Timeout() {
		code = "upstream_timeout"
		msg = "The upstream provider stopped sending before the answer was complete: nothing arrived within this model's timeout. " +
			"Retry; if the model legitimately pauses this long, raise request_timeout for it in keygate's config."
	}
	e := openai.New(502, openai.TypeUpstream, code, msg)
	var ev []byte
	if kind == ResponsesStream {
		ev = append(ev, "event: error\ndata: "...)
		ev = append(ev, `{"type":"error","code":`...)
		ev = openai.AppendJSONString(ev, code)
		ev = append(ev, `,"message":`...)
		ev = openai.AppendJSONString(ev, msg)
		ev = append(ev, `,"param":null,"sequence_number":0}`...)
		ev = append(ev, "\n\n"...)
	} else {
		ev = append(ev, "data: "...)
		ev = append(ev, e.Body()...)
		ev = append(ev, "\n\n"...)
	}
	if _, err := w.Write(ev); err == nil {
		_ = w.Flush()
	}
	if errors.Is(cause, io.EOF) {
		return ErrCutShort
	}
	return errors.Join(ErrCutShort, cause)
}

// stripNullUsage removes the "usage":null member OpenAI adds to every chunk
// once include_usage is on. Inside valid JSON the byte sequence "usage":null
// with unescaped quotes can only be a member, never part of a string.
func stripNullUsage(raw []byte) []byte {
	for _, pat := range [][]byte{[]byte(`"usage":null`), []byte(`"usage": null`)} {
		i := bytes.Index(raw, pat)
		if i < 0 {
			continue
		}
		start, end := i, i+len(pat)
		// Take the comma on one side with it.
		j := start - 1
		for j >= 0 && (raw[j] == ' ') {
			j--
		}
		if j >= 0 && raw[j] == ',' {
			start = j
		} else {
			k := end
			for k < len(raw) && raw[k] == ' ' {
				k++
			}
			if k < len(raw) && raw[k] == ',' {
				end = k + 1
			}
		}
		// In place: raw is the reader's buffer and is not read again.
		n := copy(raw[start:], raw[end:])
		return raw[:start+n]
	}
	return raw
}
