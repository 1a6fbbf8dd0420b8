package openai

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Event is one Server-Sent Event as it came off the wire.
type Event struct {
	// Raw is the event's bytes, every line and the blank line that ends it,
	// exactly as received, so a relay can forward it untouched. It is valid
	// until the next call to Next.
	Raw []byte
	// Name is the value of the event: field (Responses API streams), or nil.
	Name []byte
	// Data is the value of the data: field; several data lines are joined
	// with "\n" as the SSE specification says.
	Data []byte
}

// EventReader reads Server-Sent Events one at a time. Lines may end in "\n" or
// "\r\n". A line longer than the reader's buffer is still read whole. The Raw
// bytes of the events it returns always concatenate to its input.
type EventReader struct {
	r    *bufio.Reader
	raw  []byte
	data []byte
}

// NewEventReader returns a reader of the events in r.
func NewEventReader(r io.Reader) *EventReader {
	return &EventReader{r: bufio.NewReaderSize(r, 32<<10)}
}

// Next returns the next event. At the end of the input it returns io.EOF; an
// input that stops inside an event returns that partial event first (with its
// Raw not ending in a blank line) and then the error.
func (er *EventReader) Next() (Event, error) {
	er.raw = er.raw[:0]
	er.data = er.data[:0]
	var ev Event
	dataLines, fields := 0, 0
	for {
		line, err := er.readLine()
		if err != nil {
			if len(er.raw) > 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
				// Keep what we have; the caller sees the error on the next call.
				er.finish(&ev, dataLines)
				return ev, nil
			}
			return Event{}, err
		}
		content := bytes.TrimRight(line, "\r\n")
		if len(content) == 0 {
			if fields == 0 {
				// Blank lines before an event carry nothing, but stay in Raw so
				// that the events always add up to the input byte for byte.
				continue
			}
			er.finish(&ev, dataLines)
			return ev, nil
		}
		fields++
		field, value := content, []byte(nil)
		if i := bytes.IndexByte(content, ':'); i >= 0 {
			field, value = content[:i], content[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "data":
			if dataLines > 0 {
				er.data = append(er.data, '\n')
			}
			er.data = append(er.data, value...)
			dataLines++
		case "event":
			ev.Name = value
		}
	}
}

func (er *EventReader) finish(ev *Event, dataLines int) {
	ev.Raw = er.raw
	if dataLines > 0 {
		ev.Data = er.data
	}
	// Name points into raw, which stays valid until the next call.
}

// readLine appends the next line (with its terminator) to er.raw and returns it.
func (er *EventReader) readLine() ([]byte, error) {
	start := len(er.raw)
	for {
		chunk, err := er.r.ReadSlice('\n')
		er.raw = append(er.raw, chunk...)
		if err == nil {
			return er.raw[start:], nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(er.raw) > start {
			// A last line without its newline: return it, and EOF next time.
			return er.raw[start:], nil
		}
		return nil, err
	}
}

// IsDone reports whether data is the [DONE] sentinel that ends Chat Completions
// and Completions streams.
func IsDone(data []byte) bool { return bytes.Equal(bytes.TrimSpace(data), []byte("[DONE]")) }
