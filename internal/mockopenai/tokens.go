package mockopenai

import "encoding/json"

// Token estimates stand in for a tokenizer: about four bytes of text per
// token, plus the per-message framing chat models add. They only need to be
// deterministic and roughly right, for usage, context and TPM checks.
const (
	tokensPerMessage = 3 // role and separators around each message
	tokensForReply   = 3 // priming of the assistant's reply
)

// textTokens estimates the tokens of n bytes of text: ceil(n/4).
func textTokens(n int) int64 { return int64(n+3) / 4 }

// contentBytes returns the length of a message's text content, which is a
// string or an array of parts; only text parts count.
func contentBytes(raw json.RawMessage) int {
	if len(raw) == 0 {
		return 0
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return len(s)
		}
	case '[':
		var parts []struct {
			Text string `json:"text"`
		}
		if json.Unmarshal(raw, &parts) == nil {
			n := 0
			for _, p := range parts {
				n += len(p.Text)
			}
			return n
		}
	}
	return 0
}

// replyWords is the mock's answer, one token per element, so a stream sends
// one element per chunk and max_tokens cuts it at an element boundary.
var replyWords = []string{"Hello", "!", " This", " is", " a", " mock", " reply", " from", " keygate", "."}

// replyTokens is the length of a full reply, also the TPM charge for the
// output when a request sets no max_tokens.
var replyTokens = int64(len(replyWords))

// replyTexts[n] is the first n words joined, built once.
var replyTexts = func() []string {
	out := make([]string, len(replyWords)+1)
	for i, w := range replyWords {
		out[i+1] = out[i] + w
	}
	return out
}()

// replyText returns the first n words joined.
func replyText(n int) string { return replyTexts[n] }

// replyLength returns how many words a reply limited to max tokens holds and
// whether the limit cut it short.
func replyLength(max *int64) (int, bool) {
	if max != nil && *max < replyTokens {
		return int(*max), true
	}
	return len(replyWords), false
}
