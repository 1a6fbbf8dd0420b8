package mockopenai

import (
	"encoding/json"
	"strconv"
)

// Hand-rolled JSON for the hot path: chunks and bodies are appended into one
// buffer in OpenAI's key order, with no reflection per chunk.

// appendString appends s as a JSON string. Strings that need no escaping,
// which is all of the mock's own ids, models and reply words, are copied
// directly; anything else goes through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // cannot fail for a string
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// appendChatUsage appends a CompletionUsage object with the details objects
// current models send (BEHAVIOUR.md §4).
func appendChatUsage(b []byte, prompt, completion int64) []byte {
	b = append(b, `{"prompt_tokens":`...)
	b = appendInt(b, prompt)
	b = append(b, `,"completion_tokens":`...)
	b = appendInt(b, completion)
	b = append(b, `,"total_tokens":`...)
	b = appendInt(b, prompt+completion)
	b = append(b, `,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`...)
	return b
}

// appendLegacyUsage appends the three-totals usage legacy completions send.
func appendLegacyUsage(b []byte, prompt, completion int64) []byte {
	b = append(b, `{"prompt_tokens":`...)
	b = appendInt(b, prompt)
	b = append(b, `,"completion_tokens":`...)
	b = appendInt(b, completion)
	b = append(b, `,"total_tokens":`...)
	b = appendInt(b, prompt+completion)
	return append(b, '}')
}

// obfuscationPad is the source of the "obfuscation" padding OpenAI adds to
// stream events (include_obfuscation, on by default). The real padding is
// random; the mock's is a deterministic slice whose length varies with the
// content, enough for a gateway to prove it relays unknown fields.
const obfuscationPad = "q9X2bL7vN4kR1tZ8mW5cY3hJ6pD0sFgA"

func appendObfuscation(b []byte, contentLen int) []byte {
	n := 4 + (contentLen*7)%12
	b = append(b, `,"obfuscation":"`...)
	b = append(b, obfuscationPad[:n]...)
	return append(b, '"')
}
