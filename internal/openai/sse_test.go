package openai

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestEventReader(t *testing.T) {
	type ev struct{ raw, name, data string }
	tests := []struct {
		name  string
		input string
		want  []ev
	}{
		{"chat", "data: {\"a\":1}\n\ndata: [DONE]\n\n", []ev{{"data: {\"a\":1}\n\n", "", `{"a":1}`}, {"data: [DONE]\n\n", "", "[DONE]"}}},
		{"crlf", "data: x\r\n\r\n", []ev{{"data: x\r\n\r\n", "", "x"}}},
		{"named", "event: response.created\ndata: {}\n\n", []ev{{"event: response.created\ndata: {}\n\n", "response.created", "{}"}}},
		{"multi data", "data: a\ndata: b\n\n", []ev{{"data: a\ndata: b\n\n", "", "a\nb"}}},
		{"no space", "data:x\n\n", []ev{{"data:x\n\n", "", "x"}}},
		{"comment kept raw", ": keep-alive\n\ndata: y\n\n", []ev{{": keep-alive\n\n", "", ""}, {"data: y\n\n", "", "y"}}},
		{"leading blank lines", "\n\ndata: z\n\n\n", []ev{{"\n\ndata: z\n\n", "", "z"}, {"\n", "", ""}}},
		{"truncated", "data: x\n\ndata: part", []ev{{"data: x\n\n", "", "x"}, {"data: part", "", "part"}}},
		{"long line", "data: " + strings.Repeat("x", 100000) + "\n\n", []ev{{"data: " + strings.Repeat("x", 100000) + "\n\n", "", strings.Repeat("x", 100000)}}},
	}
	for _, tt := range tests {
		for _, slow := range []bool{false, true} {
			t.Run(tt.name, func(t *testing.T) {
				var r io.Reader = strings.NewReader(tt.input)
				if slow {
					r = iotest.OneByteReader(r)
				}
				er := NewEventReader(r)
				for i, w := range tt.want {
					got, err := er.Next()
					if err != nil {
						t.Fatalf("event %d: %v", i, err)
					}
					if string(got.Raw) != w.raw || string(got.Name) != w.name || string(got.Data) != w.data {
						t.Fatalf("event %d = %q/%q/%q, want %q/%q/%q", i, got.Raw, got.Name, got.Data, w.raw, w.name, w.data)
					}
				}
				if _, err := er.Next(); !errors.Is(err, io.EOF) {
					t.Fatalf("want EOF, got %v", err)
				}
			})
		}
	}
}

// FuzzEventReader checks that the raw bytes of the events always add up to the
// input, so a relay built on the reader forwards a stream byte for byte.
func FuzzEventReader(f *testing.F) {
	f.Add("data: {\"a\":1}\n\ndata: [DONE]\n\n")
	f.Add("event: x\r\ndata: y\r\n\r\n\n\n")
	f.Add(": c\n\ndata")
	f.Fuzz(func(t *testing.T, in string) {
		er := NewEventReader(strings.NewReader(in))
		var sb strings.Builder
		for i := 0; ; i++ {
			ev, err := er.Next()
			if err != nil {
				break
			}
			if i > len(in)+1 {
				t.Fatal("no progress")
			}
			sb.Write(ev.Raw)
		}
		if got := sb.String(); got != in {
			t.Fatalf("events do not add up to the input: in %q out %q", in, got)
		}
	})
}
