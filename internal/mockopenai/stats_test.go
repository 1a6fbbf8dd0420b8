package mockopenai

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

func TestRecordingAndStats(t *testing.T) {
	t.Parallel()
	s := New(Options{Record: 3})
	base := start(t, s)
	for i := range 5 {
		send(t, base, "POST", "/v1/chat/completions", Key(ScenarioGood), chatWith("gpt-4o-mini", fmt.Sprintf(`,"n":%d`, i+1)))
	}
	send(t, base, "POST", "/v1/embeddings", "sk-wrong", `{}`)
	send(t, base, "GET", "/v1/models", "", "")

	recs := s.Received()
	if len(recs) != 3 {
		t.Fatalf("%d recordings, want 3", len(recs))
	}
	if r := recs[0]; r.Path != "/v1/chat/completions" || string(r.Body) != chatWith("gpt-4o-mini", `,"n":5`) || r.Status != 200 ||
		r.Key != Key(ScenarioGood) || r.Method != "POST" || r.Header.Get("Authorization") == "" {
		t.Errorf("oldest recording %+v", r)
	}
	if r := recs[2]; r.Path != "/v1/models" || r.Status != 401 || r.Key != "" {
		t.Errorf("newest recording %+v", r)
	}

	st := s.Stats()
	if g := st[Key(ScenarioGood)]; g.Requests != 5 || g.ByPath["/v1/chat/completions"] != 5 || g.ByStatus[200] != 5 {
		t.Errorf("good stats %+v", g)
	}
	if w := st["sk-wrong"]; w.Requests != 1 || w.ByStatus[401] != 1 {
		t.Errorf("wrong-key stats %+v", w)
	}

	// The same over HTTP, for benchmarks in another process.
	resp, body := send(t, base, "GET", "/_mock/stats", "", "")
	var remote map[string]KeyStats
	if err := json.Unmarshal(body, &remote); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/_mock/stats: %d %s %v", resp.StatusCode, body, err)
	}
	if remote[Key(ScenarioGood)].ByStatus[200] != 5 {
		t.Errorf("remote stats %s", body)
	}
	if len(s.Received()) != 3 {
		t.Error("control requests were recorded")
	}
	resp, _ = send(t, base, "POST", "/_mock/reset", "", "")
	if resp.StatusCode != http.StatusNoContent || len(s.Stats()) != 0 || len(s.Received()) != 0 {
		t.Errorf("after reset: %d, %d stats, %d recordings", resp.StatusCode, len(s.Stats()), len(s.Received()))
	}
}

func TestModels(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	resp, body := send(t, base, "GET", "/v1/models", Key(ScenarioGood), "")
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID      string `json:"id"`
			Object  string `json:"object"`
			Created int64  `json:"created"`
			OwnedBy string `json:"owned_by"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &list); err != nil || resp.StatusCode != 200 || list.Object != "list" {
		t.Fatalf("list: %d %v %s", resp.StatusCode, err, body)
	}
	checkHeaders(t, resp.Header, headersOpenAI)
	ids := map[string]bool{}
	for _, m := range list.Data {
		if m.Object != "model" || m.Created == 0 || m.OwnedBy == "" {
			t.Errorf("model %+v", m)
		}
		ids[m.ID] = true
	}
	for _, id := range []string{"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3", "o4-mini", "gpt-5",
		"gpt-3.5-turbo", "gpt-3.5-turbo-instruct", "gpt-4", "text-embedding-3-small", "text-embedding-3-large",
		"text-embedding-ada-002", "fault-flaky", "gpt-4o-mini-2024-07-18"} {
		if !ids[id] {
			t.Errorf("catalogue lacks %s", id)
		}
	}
	resp, body = send(t, base, "GET", "/v1/models/o3", Key(ScenarioGood), "")
	if resp.StatusCode != 200 || string(body) != `{"id":"o3","object":"model","created":1744225308,"owned_by":"system","shutdown_date":null}`+"\n" {
		t.Errorf("retrieve: %d %s", resp.StatusCode, body)
	}
}
