package mockopenai

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
)

// endpointKind says which endpoint family serves a model; OpenAI refuses a
// chat model on /v1/completions and the reverse.
type endpointKind uint8

const (
	kindChat endpointKind = iota
	kindCompletion
	kindEmbedding
)

// limits are one model's rate limits on one tier. Zero means no such bucket.
type limits struct {
	RPM, RPD, TPM int64
}

// model is one catalogue entry.
type model struct {
	ID string
	// Snapshot is the id responses report: OpenAI answers "gpt-4o-mini" with
	// "gpt-4o-mini-2024-07-18", so a gateway must not expect an echo.
	Snapshot    string
	Kind        endpointKind
	Context     int64 // maximum prompt tokens
	MaxOutput   int64 // maximum max_tokens
	Reasoning   bool  // o-series and gpt-5 refuse max_tokens
	Dims        int   // embedding dimension
	Fingerprint string
	Created     int64
	OwnedBy     string
	Tier1, Free limits
	// Fault is the scenario a fault-* model forces; "" for real models.
	Fault string
	// limitsKey names the rate-limit bucket family; fault-* models share
	// gpt-4o-mini's, as OpenAI shares buckets across a model's snapshots.
	limitsKey string
}

var (
	tier1Default = limits{RPM: 500, TPM: 200_000}
	freeChat     = limits{RPM: 3, RPD: 200, TPM: 40_000}
	freeEmbed    = limits{RPM: 3_000, RPD: 200, TPM: 1_000_000}
	tier1Embed   = limits{RPM: 3_000, TPM: 1_000_000}
)

// baseModels is the catalogue. Context and output caps follow BEHAVIOUR.md §7;
// tier-1 limits follow §8 (unlisted models get 500 RPM / 200,000 TPM). The
// created dates and owners are those the real /v1/models reports.
var baseModels = []model{
	{ID: "gpt-4o", Snapshot: "gpt-4o-2024-08-06", Context: 128_000, MaxOutput: 16_384, Fingerprint: "fp_07871e2ad8", Created: 1715367049, OwnedBy: "system", Tier1: limits{RPM: 500, TPM: 30_000}},
	{ID: "gpt-4o-mini", Snapshot: "gpt-4o-mini-2024-07-18", Context: 128_000, MaxOutput: 16_384, Fingerprint: "fp_44709d6fcb", Created: 1721172741, OwnedBy: "system", Tier1: limits{RPM: 500, RPD: 10_000, TPM: 200_000}},
	{ID: "gpt-4.1", Snapshot: "gpt-4.1-2025-04-14", Context: 1_047_576, MaxOutput: 32_768, Fingerprint: "fp_b3f1157249", Created: 1744316542, OwnedBy: "system", Tier1: limits{RPM: 500, TPM: 30_000}},
	{ID: "gpt-4.1-mini", Snapshot: "gpt-4.1-mini-2025-04-14", Context: 1_047_576, MaxOutput: 32_768, Fingerprint: "fp_6f2eabb9a5", Created: 1744318173, OwnedBy: "system"},
	{ID: "gpt-4.1-nano", Snapshot: "gpt-4.1-nano-2025-04-14", Context: 1_047_576, MaxOutput: 32_768, Fingerprint: "fp_38343a2f8f", Created: 1744321707, OwnedBy: "system"},
	{ID: "o3", Snapshot: "o3-2025-04-16", Context: 200_000, MaxOutput: 100_000, Reasoning: true, Created: 1744225308, OwnedBy: "system", Tier1: limits{RPM: 500, TPM: 30_000}},
	{ID: "o4-mini", Snapshot: "o4-mini-2025-04-16", Context: 200_000, MaxOutput: 100_000, Reasoning: true, Created: 1744225351, OwnedBy: "system"},
	{ID: "gpt-5", Snapshot: "gpt-5-2025-08-07", Context: 400_000, MaxOutput: 128_000, Reasoning: true, Created: 1754425777, OwnedBy: "system", Tier1: limits{RPM: 500, TPM: 500_000}},
	{ID: "gpt-5-mini", Snapshot: "gpt-5-mini-2025-08-07", Context: 400_000, MaxOutput: 128_000, Reasoning: true, Created: 1754425867, OwnedBy: "system"},
	{ID: "gpt-5-nano", Snapshot: "gpt-5-nano-2025-08-07", Context: 400_000, MaxOutput: 128_000, Reasoning: true, Created: 1754426384, OwnedBy: "system"},
	{ID: "gpt-3.5-turbo", Snapshot: "gpt-3.5-turbo-0125", Context: 16_385, MaxOutput: 4_096, Created: 1677610602, OwnedBy: "openai", Tier1: limits{RPM: 3_500, RPD: 10_000, TPM: 200_000}, Free: freeChat},
	{ID: "gpt-4", Snapshot: "gpt-4-0613", Context: 8_192, MaxOutput: 8_192, Created: 1687882411, OwnedBy: "openai", Tier1: limits{RPM: 500, RPD: 10_000, TPM: 10_000}},
	{ID: "gpt-3.5-turbo-instruct", Kind: kindCompletion, Context: 4_096, MaxOutput: 4_096, Created: 1692901427, OwnedBy: "system", Tier1: limits{RPM: 3_500, TPM: 90_000}},
	{ID: "davinci-002", Kind: kindCompletion, Context: 16_384, MaxOutput: 16_384, Created: 1692634301, OwnedBy: "system"},
	{ID: "babbage-002", Kind: kindCompletion, Context: 16_384, MaxOutput: 16_384, Created: 1692634615, OwnedBy: "system"},
	{ID: "text-embedding-3-small", Kind: kindEmbedding, Context: 8_192, Dims: 1536, Created: 1705948997, OwnedBy: "system", Tier1: tier1Embed, Free: freeEmbed},
	{ID: "text-embedding-3-large", Kind: kindEmbedding, Context: 8_192, Dims: 3072, Created: 1705953180, OwnedBy: "system", Tier1: tier1Embed, Free: freeEmbed},
	{ID: "text-embedding-ada-002", Kind: kindEmbedding, Context: 8_192, Dims: 1536, Created: 1671217299, OwnedBy: "openai-internal", Tier1: tier1Embed, Free: freeEmbed},
}

// catalogue holds every servable model id: the base models, their dated
// snapshots, and one fault-<scenario> model per scenario.
type catalogue struct {
	byID map[string]*model
	list []*model // in listing order
	// listJSON is GET /v1/models, encoded once.
	listJSON []byte
}

func newCatalogue() *catalogue {
	c := &catalogue{byID: map[string]*model{}}
	add := func(m model) {
		if m.Snapshot == "" {
			m.Snapshot = m.ID
		}
		if m.Fingerprint == "" && m.Kind == kindChat {
			// A stable per-model fingerprint in OpenAI's fp_<10 hex> shape.
			h := fnv.New64a()
			h.Write([]byte(m.ID))
			m.Fingerprint = fmt.Sprintf("fp_%010x", h.Sum64()>>24)
		}
		if m.Tier1 == (limits{}) {
			m.Tier1 = tier1Default
		}
		if m.Free == (limits{}) {
			m.Free = freeChat
		}
		if m.limitsKey == "" {
			m.limitsKey = m.ID
		}
		c.byID[m.ID] = &m
		c.list = append(c.list, &m)
	}
	var miniBase model
	for _, m := range baseModels {
		add(m)
		if m.Snapshot != "" && m.Snapshot != m.ID {
			snap := m
			snap.ID, snap.limitsKey = m.Snapshot, m.ID
			add(snap)
		}
		if m.ID == "gpt-4o-mini" {
			miniBase = m
		}
	}
	for _, sc := range scenarioNames {
		f := miniBase
		f.ID, f.Snapshot, f.Fault, f.limitsKey = "fault-"+sc, "fault-"+sc, sc, "gpt-4o-mini"
		f.OwnedBy = "keygate-mock"
		add(f)
	}
	type wireModel struct {
		ID           string  `json:"id"`
		Object       string  `json:"object"`
		Created      int64   `json:"created"`
		OwnedBy      string  `json:"owned_by"`
		ShutdownDate *string `json:"shutdown_date"`
	}
	data := make([]wireModel, 0, len(c.list))
	for _, m := range c.list {
		data = append(data, wireModel{m.ID, "model", m.Created, m.OwnedBy, nil})
	}
	c.listJSON, _ = json.Marshal(struct {
		Object string      `json:"object"`
		Data   []wireModel `json:"data"`
	}{"list", data}) // cannot fail: plain values
	c.listJSON = append(c.listJSON, '\n')
	return c
}

// lookup finds a model by the id a client sent.
func (c *catalogue) lookup(id string) (*model, bool) {
	m, ok := c.byID[id]
	return m, ok
}

// modelJSON encodes one model object as GET /v1/models/{id} returns it.
func modelJSON(m *model) []byte {
	b, _ := json.Marshal(struct {
		ID           string  `json:"id"`
		Object       string  `json:"object"`
		Created      int64   `json:"created"`
		OwnedBy      string  `json:"owned_by"`
		ShutdownDate *string `json:"shutdown_date"`
	}{m.ID, "model", m.Created, m.OwnedBy, nil}) // cannot fail: plain values
	return append(b, '\n')
}

// serveModels answers GET /v1/models and GET /v1/models/{id}. They sit behind
// authentication like every /v1 route but consume no rate limit.
func (c *call) serveModels() {
	id := strings.Trim(strings.TrimPrefix(c.r.URL.Path, "/v1/models"), "/")
	if id == "" {
		c.writeJSON(http.StatusOK, c.s.models.listJSON, headersOpenAI)
		return
	}
	m, ok := c.s.models.lookup(id)
	if !ok {
		c.fail(errModelNotFound(id), headersMinimal)
		return
	}
	c.writeJSON(http.StatusOK, modelJSON(m), headersOpenAI)
}
