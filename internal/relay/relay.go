// Package relay copies an upstream's answer to the client as it arrives and
// reads the usage on the way, without holding a response back: a JSON body is
// written through while a bounded copy is kept for its usage object, and a
// stream is forwarded one Server-Sent Event at a time, flushed at once.
package relay

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/openai"
)

// maxUsageScan bounds the copy of a JSON body kept to find its usage. Chat and
// Responses bodies are far smaller; a larger body (a big embeddings batch) has
// its usage read from its tail, where OpenAI puts it.
const maxUsageScan = 1 << 20

// Result says what a relay saw.
type Result struct {
	Usage openai.Usage
	Bytes int64 // bytes written to the client
	// Complete is false when the upstream's answer ended early (a stream cut
	// before its final event); the client was told with an error event.
	Complete bool
	// Text is the generated text the client received (message content, tool
	// call arguments), kept only when the upstream reported no usage, so
	// that the caller can count the completion itself.
	Text string
}

// jsonBuffers recycles the copy buffer and the kept copy of JSON bodies: a
// fresh 32 KiB per request would be most of the gateway's garbage.
var jsonBuffers = sync.Pool{New: func() any { return &jsonBuffer{copy: make([]byte, 32<<10)} }}

type jsonBuffer struct {
	copy []byte
	keep bytes.Buffer
}

// JSON copies body to w and returns the usage found in it. The caller has
// already written the status and headers.
func JSON(w io.Writer, body io.Reader) (Result, error) {
	var res Result
	jb := jsonBuffers.Get().(*jsonBuffer)
	defer func() {
		if jb.keep.Cap() <= 64<<10 { // let the odd huge body's buffer go
			jb.keep.Reset()
			jsonBuffers.Put(jb)
		}
	}()
	buf, keep := jb.copy, &jb.keep
	var tail []byte
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if _, werr := w.Write(chunk); werr != nil {
				return res, werr
			}
			res.Bytes += int64(n)
			if tail == nil && keep.Len()+n <= maxUsageScan {
				keep.Write(chunk)
			} else {
				tail = appendTail(tail, keep.Bytes(), chunk)
				keep.Reset()
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return res, rerr
		}
	}
	res.Complete = true
	if tail == nil {
		res.Usage = openai.ParseUsage(gjson.GetBytes(keep.Bytes(), "usage"))
		if res.Usage.IsZero() {
			res.Text = bodyText(keep.Bytes())
		}
		return res, nil
	}
	res.Usage = usageFromTail(tail)
	return res, nil
}

const tailSize = 8 << 10

// appendTail keeps the last tailSize bytes of everything seen so far.
func appendTail(tail, more, chunk []byte) []byte {
	tail = append(tail, more...)
	tail = append(tail, chunk...)
	if len(tail) > tailSize {
		tail = append(tail[:0], tail[len(tail)-tailSize:]...)
	}
	return tail
}

// usageFromTail finds the last "usage" object in the end of a large body.
func usageFromTail(tail []byte) openai.Usage {
	i := bytes.LastIndex(tail, []byte(`"usage"`))
	if i < 0 {
		return openai.Usage{}
	}
	v := gjson.ParseBytes(append([]byte("{"), tail[i:]...)).Get("usage")
	return openai.ParseUsage(v)
}

// flusher is what a streaming relay needs of the client connection.
type flusher interface {
	io.Writer
	Flush() error
}

// ResponseFlusher adapts an http.ResponseWriter for Stream.
func ResponseFlusher(w http.ResponseWriter) flusher {
	return rwFlusher{w, http.NewResponseController(w)}
}

type rwFlusher struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (f rwFlusher) Flush() error { return f.rc.Flush() }

// bodyText gathers the generated text of a JSON answer: chat messages and
// their tool calls, legacy completions, and Responses output.
func bodyText(body []byte) string {
	var b strings.Builder
	for _, c := range gjson.GetBytes(body, "choices").Array() {
		b.WriteString(c.Get("message.content").String())
		b.WriteString(c.Get("text").String())
		for _, tc := range c.Get("message.tool_calls").Array() {
			b.WriteString(tc.Get("function.name").String())
			b.WriteString(tc.Get("function.arguments").String())
		}
	}
	for _, o := range gjson.GetBytes(body, "output").Array() {
		for _, part := range o.Get("content").Array() {
			b.WriteString(part.Get("text").String())
		}
		b.WriteString(o.Get("arguments").String())
	}
	return b.String()
}
