package mockopenai

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"testing"
)

type embeddingResponse struct {
	Object string `json:"object"`
	Data   []struct {
		Object    string          `json:"object"`
		Index     int             `json:"index"`
		Embedding json.RawMessage `json:"embedding"`
	} `json:"data"`
	Model string `json:"model"`
	Usage struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

func embed(t *testing.T, base, body string) embeddingResponse {
	t.Helper()
	resp, b := send(t, base, "POST", "/v1/embeddings", Key(ScenarioGood), body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", body, resp.StatusCode, b)
	}
	var out embeddingResponse
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// vectors decodes every embedding, float or base64.
func vectors(t *testing.T, r embeddingResponse) [][]float32 {
	t.Helper()
	var out [][]float32
	for _, d := range r.Data {
		var v []float32
		if d.Embedding[0] == '"' {
			var s string
			_ = json.Unmarshal(d.Embedding, &s)
			raw, err := base64.StdEncoding.DecodeString(s)
			if err != nil || len(raw)%4 != 0 {
				t.Fatalf("base64 embedding: %v (%d bytes)", err, len(raw))
			}
			for i := 0; i < len(raw); i += 4 {
				v = append(v, math.Float32frombits(binary.LittleEndian.Uint32(raw[i:])))
			}
		} else if err := json.Unmarshal(d.Embedding, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func norm(v []float32) float64 {
	var s float64
	for _, f := range v {
		s += float64(f) * float64(f)
	}
	return math.Sqrt(s)
}

func TestEmbeddings(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	tests := []struct {
		name   string
		body   string
		count  int
		dims   int
		tokens int
	}{
		{"string small", `{"model":"text-embedding-3-small","input":"The food was delicious"}`, 1, 1536, 6},
		{"strings large", `{"model":"text-embedding-3-large","input":["a","bb"]}`, 2, 3072, 2},
		{"tokens ada", `{"model":"text-embedding-ada-002","input":[1,2,3]}`, 1, 1536, 3},
		{"token arrays", `{"model":"text-embedding-3-small","input":[[1,2],[3]]}`, 2, 1536, 3},
		{"dimensions", `{"model":"text-embedding-3-large","input":"x","dimensions":256}`, 1, 256, 1},
		{"base64", `{"model":"text-embedding-3-small","input":["The food was delicious","x"],"encoding_format":"base64"}`, 2, 1536, 7},
	}
	for _, tc := range tests {
		r := embed(t, base, tc.body)
		vs := vectors(t, r)
		if r.Object != "list" || len(vs) != tc.count || r.Usage.PromptTokens != tc.tokens || r.Usage.TotalTokens != tc.tokens {
			t.Errorf("%s: object %q, %d vectors, usage %+v", tc.name, r.Object, len(vs), r.Usage)
		}
		for i, v := range vs {
			if len(v) != tc.dims || math.Abs(norm(v)-1) > 1e-5 || r.Data[i].Index != i || r.Data[i].Object != "embedding" {
				t.Errorf("%s: vector %d: %d dims, norm %v", tc.name, i, len(v), norm(v))
			}
		}
	}

	// The same input embeds to the same vector, whatever the encoding, and
	// different inputs differ.
	f := vectors(t, embed(t, base, `{"model":"text-embedding-3-small","input":["The food was delicious","x"]}`))
	b := vectors(t, embed(t, base, `{"model":"text-embedding-3-small","input":["The food was delicious","x"],"encoding_format":"base64"}`))
	for i := range f {
		for j := range f[i] {
			if f[i][j] != b[i][j] {
				t.Fatalf("vector %d differs at %d: float %v, base64 %v", i, j, f[i][j], b[i][j])
			}
		}
	}
	if f[0][0] == f[1][0] && f[0][1] == f[1][1] {
		t.Error("different inputs gave the same vector")
	}
	// A shortened vector is the native one cut and renormalised.
	full := vectors(t, embed(t, base, `{"model":"text-embedding-3-large","input":"x"}`))[0]
	short := vectors(t, embed(t, base, `{"model":"text-embedding-3-large","input":"x","dimensions":8}`))[0]
	scale := norm(full[:8])
	for i := range short {
		if math.Abs(float64(short[i])-float64(full[i])/scale) > 1e-5 {
			t.Fatalf("dimension %d: %v vs %v", i, short[i], float64(full[i])/scale)
		}
	}
}
