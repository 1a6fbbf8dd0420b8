package openai

import "github.com/tidwall/gjson"

// Usage is what a request consumed, in the units providers bill. Chat
// Completions, Completions and Embeddings name these prompt/completion tokens;
// the Responses API names them input/output tokens. Cached tokens are part of
// the prompt and reasoning tokens part of the completion, as OpenAI counts them.
type Usage struct {
	PromptTokens     int64
	CompletionTokens int64
	TotalTokens      int64
	CachedTokens     int64
	ReasoningTokens  int64
}

// IsZero reports whether no usage was found.
func (u Usage) IsZero() bool { return u == Usage{} }

// ParseUsage reads a usage object of either API's shape.
func ParseUsage(u gjson.Result) Usage {
	if !u.IsObject() {
		return Usage{}
	}
	var out Usage
	u.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "prompt_tokens", "input_tokens":
			out.PromptTokens = v.Int()
		case "completion_tokens", "output_tokens":
			out.CompletionTokens = v.Int()
		case "total_tokens":
			out.TotalTokens = v.Int()
		case "prompt_tokens_details", "input_tokens_details":
			out.CachedTokens = v.Get("cached_tokens").Int()
		case "completion_tokens_details", "output_tokens_details":
			out.ReasoningTokens = v.Get("reasoning_tokens").Int()
		}
		return true
	})
	if out.TotalTokens == 0 {
		out.TotalTokens = out.PromptTokens + out.CompletionTokens
	}
	return out
}
