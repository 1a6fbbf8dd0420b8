package tokenizer

import "strings"

// modelPrefixes maps model-name prefixes to encodings. ForModel picks the
// longest matching prefix, so "gpt-4o" beats "gpt-4".
var modelPrefixes = []struct{ prefix, encoding string }{
	{"gpt-4o", "o200k_base"},
	{"gpt-4.1", "o200k_base"},
	{"gpt-4.5", "o200k_base"},
	{"gpt-5", "o200k_base"},
	{"chatgpt-4o", "o200k_base"},
	{"o1", "o200k_base"},
	{"o3", "o200k_base"},
	{"o4", "o200k_base"},
	{"gpt-4", "cl100k_base"},
	{"gpt-3.5-turbo", "cl100k_base"},
	{"gpt-35-turbo", "cl100k_base"}, // Azure's spelling
	{"text-embedding-3-", "cl100k_base"},
	{"text-embedding-ada-002", "cl100k_base"},
}

// ForModel returns the encoding of model, a name like "gpt-4o-mini" or
// "openai/gpt-4.1"; a "vendor/" prefix is ignored, and so is the "ft:" of a
// fine-tuned model ("ft:gpt-4o-mini:acme::id"). Unknown models get
// o200k_base, the encoding of current OpenAI models, with known=false.
func ForModel(model string) (enc *Encoding, known bool) {
	if k := strings.LastIndexByte(model, '/'); k >= 0 {
		model = model[k+1:]
	}
	model = strings.TrimPrefix(model, "ft:")
	best := ""
	name := "o200k_base"
	for _, p := range modelPrefixes {
		if len(p.prefix) > len(best) && strings.HasPrefix(model, p.prefix) {
			best, name = p.prefix, p.encoding
		}
	}
	enc, err := Get(name)
	if err != nil {
		// The embedded vocabularies are checked by the tests; a failure to
		// load them is a broken build, not a runtime condition.
		panic(err)
	}
	return enc, best != ""
}
