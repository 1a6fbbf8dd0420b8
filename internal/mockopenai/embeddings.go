package mockopenai

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// embeddingRequest holds the fields of POST /v1/embeddings the mock reads.
type embeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     *int64          `json:"dimensions"`
}

// embeddingInput is one item of input: text or token ids. Each seeds its own
// vector, so equal inputs embed equally across requests and processes.
type embeddingInput struct {
	seed   uint64
	tokens int64
}

// msgBadInput is OpenAI's answer to an input of the wrong shape or empty.
const msgBadInput = "'$.input' is invalid. Please check the API reference: " + msgDocs + "."

// parseEmbeddingInput accepts a string, []string, []int or [][]int.
func parseEmbeddingInput(raw json.RawMessage) ([]embeddingInput, bool) {
	text := func(s string) embeddingInput {
		h := fnv.New64a()
		h.Write([]byte(s))
		return embeddingInput{seed: h.Sum64(), tokens: textTokens(len(s))}
	}
	ids := func(v []int64) embeddingInput {
		h := fnv.New64a()
		var buf [8]byte
		h.Write([]byte{0}) // keeps token ids apart from text with the same bytes
		for _, id := range v {
			binary.LittleEndian.PutUint64(buf[:], uint64(id))
			h.Write(buf[:])
		}
		return embeddingInput{seed: h.Sum64(), tokens: int64(len(v))}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []embeddingInput{text(s)}, s != ""
	}
	var ss []string
	if json.Unmarshal(raw, &ss) == nil {
		out := make([]embeddingInput, len(ss))
		for i, s := range ss {
			if s == "" {
				return nil, false
			}
			out[i] = text(s)
		}
		return out, len(ss) > 0
	}
	var one []int64
	if json.Unmarshal(raw, &one) == nil {
		return []embeddingInput{ids(one)}, len(one) > 0
	}
	var many [][]int64
	if json.Unmarshal(raw, &many) == nil {
		out := make([]embeddingInput, len(many))
		for i, v := range many {
			if len(v) == 0 {
				return nil, false
			}
			out[i] = ids(v)
		}
		return out, len(many) > 0
	}
	return nil, false
}

// maxEmbeddingInputs is the documented limit on items per request.
const maxEmbeddingInputs = 2048

// serveEmbeddings answers POST /v1/embeddings.
func (c *call) serveEmbeddings() {
	var req embeddingRequest
	if !c.decode(&req) || !c.resolveModel(req.Model, kindEmbedding) {
		return
	}
	inputs, ok := parseEmbeddingInput(req.Input)
	if !ok {
		c.badRequest(msgBadInput, "", "")
		return
	}
	if len(inputs) > maxEmbeddingInputs {
		c.badRequest("Invalid 'input': array too long. Expected an array with maximum length 2048, but got an array with length "+
			strconv.Itoa(len(inputs))+" instead.", "input", "array_above_max_length")
		return
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" && req.EncodingFormat != "base64" {
		c.badRequest("Invalid value: '"+req.EncodingFormat+"'. Supported values are: 'float' and 'base64'.",
			"encoding_format", "invalid_value")
		return
	}
	dims := c.model.Dims
	if req.Dimensions != nil {
		if !strings.HasPrefix(c.model.ID, "text-embedding-3") {
			c.badRequest("This model does not support specifying dimensions.", "", "")
			return
		}
		if !c.checkMin("dimensions", req.Dimensions, 1) || !c.checkMax("dimensions", req.Dimensions, int64(dims)) {
			return
		}
		dims = int(*req.Dimensions)
	}
	var total int64
	for _, in := range inputs {
		if in.tokens > c.model.Context {
			c.badRequest("This model's maximum context length is "+strconv.FormatInt(c.model.Context, 10)+
				" tokens, however you requested "+strconv.FormatInt(in.tokens, 10)+" tokens ("+
				strconv.FormatInt(in.tokens, 10)+" in your prompt; 0 for the completion). Please reduce your prompt; or completion length.",
				"", "context_length_exceeded")
			return
		}
		total += in.tokens
	}
	c.stream = false
	if !c.admit(total) {
		return
	}
	c.writeJSON(http.StatusOK, c.embeddingJSON(inputs, dims, req.EncodingFormat == "base64", total), headersFull)
}

// embedding returns the unit vector for seed: the first dims values of a
// splitmix64 stream, normalised. Asking for fewer dimensions thus cuts the
// native vector and renormalises it, which is how OpenAI shortens
// text-embedding-3 vectors.
func embedding(seed uint64, dims int, out []float32) []float32 {
	out = out[:0]
	x := seed
	var norm float64
	for i := 0; i < dims; i++ {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
		v := float64(z>>11)/float64(1<<53)*2 - 1
		out = append(out, float32(v))
		norm += v * v
	}
	scale := 1 / math.Sqrt(norm)
	for i := range out {
		out[i] = float32(float64(out[i]) * scale)
	}
	return out
}

// embeddingJSON encodes the list response, with vectors as JSON floats or as
// base64 of little-endian float32s.
func (c *call) embeddingJSON(inputs []embeddingInput, dims int, b64 bool, tokens int64) []byte {
	per := dims * 12
	if b64 {
		per = base64.StdEncoding.EncodedLen(dims * 4)
	}
	b := make([]byte, 0, 160+len(inputs)*(per+64))
	b = append(b, `{"object":"list","data":[`...)
	vec := make([]float32, 0, dims)
	var raw []byte
	for i, in := range inputs {
		if i > 0 {
			b = append(b, ',')
		}
		vec = embedding(in.seed, dims, vec)
		b = append(b, `{"object":"embedding","index":`...)
		b = appendInt(b, int64(i))
		b = append(b, `,"embedding":`...)
		if b64 {
			raw = raw[:0]
			for _, f := range vec {
				raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(f))
			}
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, raw)
			b = append(b, '"')
		} else {
			b = append(b, '[')
			for j, f := range vec {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendFloat(b, float64(f), 'g', -1, 32)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = append(b, `],"model":`...)
	b = appendString(b, c.model.Snapshot)
	b = append(b, `,"usage":{"prompt_tokens":`...)
	b = appendInt(b, tokens)
	b = append(b, `,"total_tokens":`...)
	b = appendInt(b, tokens)
	return append(b, '}', '}', '\n')
}
