package mockopenai

import "net/http"

// sseWriter writes one Server-Sent Events stream: each event is a single
// Write followed by a flush, so the client sees it at once, and events after
// the first wait Options.ChunkDelay. It stops as soon as the client goes away.
type sseWriter struct {
	c       *call
	buf     []byte
	started bool
	sent    int
}

// start sends the stream's status and headers (the full success set).
func (sw *sseWriter) start() {
	sw.started = true
	sw.c.writeHeaders(headersFull)
	sw.c.w.Header()["Content-Type"] = hdrSSE
	sw.c.w.WriteHeader(http.StatusOK)
	sw.c.w.Flush()
}

// data sends "data: <payload>\n\n". It reports false when the client has
// gone, so the producer stops.
func (sw *sseWriter) data(payload []byte) bool {
	return sw.send("", payload)
}

// event sends "event: <name>\ndata: <payload>\n\n", the Responses framing.
func (sw *sseWriter) event(name string, payload []byte) bool {
	return sw.send(name, payload)
}

func (sw *sseWriter) send(name string, payload []byte) bool {
	if !sw.started {
		sw.start()
	}
	if sw.sent > 0 && !sw.c.sleep(sw.c.s.opts.ChunkDelay) {
		return false
	}
	if sw.c.r.Context().Err() != nil {
		return false
	}
	b := sw.buf[:0]
	if name != "" {
		b = append(b, "event: "...)
		b = append(b, name...)
		b = append(b, '\n')
	}
	b = append(b, "data: "...)
	b = append(b, payload...)
	b = append(b, '\n', '\n')
	sw.buf = b
	sw.sent++
	if _, err := sw.c.w.Write(b); err != nil {
		return false
	}
	sw.c.w.Flush()
	return true
}

// done sends the Chat and Completions terminator.
func (sw *sseWriter) done() bool { return sw.data([]byte("[DONE]")) }
