package load

import "bytes"

// sseCheck watches a Server-Sent Events body go by, a read at a time, without
// keeping it: it remembers only the last bytes (to see the closing
// "data: [DONE]") and whether a usage object appeared.
type sseCheck struct {
	tail     []byte
	sawUsage bool
}

// tailSize is enough for "data: [DONE]" and the whitespace around it.
const tailSize = 64

var (
	doneEvent   = []byte("data: [DONE]")
	usageMarker = []byte(`"prompt_tokens"`) // only in a real usage object, never in "usage":null
)

// feed accounts for the next read of the body.
func (c *sseCheck) feed(p []byte) {
	if !c.sawUsage {
		// Look in p, and across the boundary with the previous read.
		if bytes.Contains(p, usageMarker) {
			c.sawUsage = true
		} else if len(c.tail) > 0 {
			var joint [2 * 16]byte
			head := p[:min(len(p), len(usageMarker)-1)]
			prev := c.tail[max(0, len(c.tail)-(len(usageMarker)-1)):]
			j := append(append(joint[:0], prev...), head...)
			c.sawUsage = bytes.Contains(j, usageMarker)
		}
	}
	if len(p) >= tailSize {
		c.tail = append(c.tail[:0], p[len(p)-tailSize:]...)
		return
	}
	c.tail = append(c.tail, p...)
	if over := len(c.tail) - tailSize; over > 0 {
		c.tail = append(c.tail[:0], c.tail[over:]...)
	}
}

// done reports whether the body ended with the "data: [DONE]" event.
func (c *sseCheck) done() bool {
	return bytes.HasSuffix(bytes.TrimSpace(c.tail), doneEvent)
}
