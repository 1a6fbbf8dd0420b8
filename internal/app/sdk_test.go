package app_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/tidwall/gjson"

	"github.com/keygate/keygate/internal/mockopenai"
)

// The official Go SDK, as a client of keygate in front of the mock, for every
// endpoint keygate serves.

func TestSDKModels(t *testing.T) {
	s := newStack(t, defaultModels, stackOptions{})
	c := s.sdk()
	ctx := context.Background()
	page, err := c.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
		if m.Object != "model" || m.OwnedBy != "openai" || m.Created == 0 {
			t.Errorf("model %+v", m)
		}
	}
	if got := strings.Join(ids, ","); got != "gpt-3.5-turbo-instruct,gpt-4o-mini,text-embedding-3-small" {
		t.Fatalf("ids = %s", got)
	}
	m, err := c.Models.Get(ctx, "gpt-4o-mini")
	if err != nil || m.ID != "gpt-4o-mini" {
		t.Fatalf("get: %v %+v", err, m)
	}
	_, err = c.Models.Get(ctx, "gpt-5-nope")
	var apiErr *openai.Error
	if !asAPIError(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "model_not_found" {
		t.Fatalf("unknown model: %v", err)
	}
}

func TestSDKChat(t *testing.T) {
	s := newStack(t, defaultModels, stackOptions{})
	c := s.sdk()
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 1 || resp.Choices[0].Message.Content == "" || resp.Choices[0].FinishReason != "stop" {
		t.Fatalf("choices %+v", resp.Choices)
	}
	if resp.Usage.PromptTokens == 0 || resp.Usage.TotalTokens != resp.Usage.PromptTokens+resp.Usage.CompletionTokens {
		t.Fatalf("usage %+v", resp.Usage)
	}
	// keygate rewrote nothing but the model, and sent its own key upstream.
	last := s.lastReceived(t, 1)
	if last.Key != mockopenai.Key(mockopenai.ScenarioGood) || gjson.GetBytes(last.Body, "model").String() != "gpt-4o-mini" {
		t.Fatalf("upstream saw key %q model %q", last.Key, gjson.GetBytes(last.Body, "model"))
	}
}

func TestSDKChatStream(t *testing.T) {
	tests := []struct {
		name         string
		includeUsage bool
	}{
		{"without include_usage", false},
		{"with include_usage", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t, defaultModels, stackOptions{})
			params := openai.ChatCompletionNewParams{
				Model:    "gpt-4o-mini",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
			}
			if tt.includeUsage {
				params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			}
			c := s.sdk()
			stream := c.Chat.Completions.NewStreaming(context.Background(), params)
			var acc openai.ChatCompletionAccumulator
			var chunks, usageChunks, nullUsage int
			for stream.Next() {
				ch := stream.Current()
				acc.AddChunk(ch)
				chunks++
				raw := ch.RawJSON()
				if len(ch.Choices) == 0 && gjson.Get(raw, "usage.prompt_tokens").Int() > 0 {
					usageChunks++
				}
				if strings.Contains(raw, `"usage":null`) {
					nullUsage++
				}
				if !tt.includeUsage && gjson.Get(raw, "usage").Exists() {
					t.Fatalf("client did not ask for usage but got it: %s", raw)
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			if chunks < 3 || acc.Choices[0].Message.Content == "" {
				t.Fatalf("%d chunks, content %q", chunks, acc.Choices[0].Message.Content)
			}
			if tt.includeUsage && (usageChunks != 1 || nullUsage != chunks-1 || acc.Usage.TotalTokens == 0) {
				t.Fatalf("usage chunks %d, null usage %d of %d, usage %+v", usageChunks, nullUsage, chunks, acc.Usage)
			}
			if !tt.includeUsage && usageChunks != 0 {
				t.Fatalf("usage chunk leaked")
			}
			// Either way keygate asked the upstream for usage, so it can account.
			if last := s.lastReceived(t, 1); !gjson.GetBytes(last.Body, "stream_options.include_usage").Bool() {
				t.Fatalf("keygate did not ask upstream for usage: %s", last.Body)
			}
		})
	}
}

func TestSDKCompletions(t *testing.T) {
	s := newStack(t, defaultModels, stackOptions{})
	c := s.sdk()
	resp, err := c.Completions.New(context.Background(), openai.CompletionNewParams{
		Model:  "gpt-3.5-turbo-instruct",
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("Once upon a time")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Object != "text_completion" || len(resp.Choices) != 1 || resp.Choices[0].Text == "" || resp.Usage.TotalTokens == 0 {
		t.Fatalf("%+v", resp)
	}
}

func TestSDKEmbeddings(t *testing.T) {
	s := newStack(t, defaultModels, stackOptions{})
	c := s.sdk()
	ctx := context.Background()
	input := openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"hello", "world"}}
	floats, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "text-embedding-3-small", Input: input,
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatFloat})
	if err != nil {
		t.Fatal(err)
	}
	if len(floats.Data) != 2 || len(floats.Data[0].Embedding) != 1536 || floats.Usage.PromptTokens == 0 {
		t.Fatalf("float: %d items, dim %d, usage %+v", len(floats.Data), len(floats.Data[0].Embedding), floats.Usage)
	}
	b64, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "text-embedding-3-small", Input: input,
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatBase64})
	if err != nil {
		t.Fatal(err)
	}
	// openai-go leaves a base64 embedding undecoded; its raw JSON holds the string.
	for i, d := range b64.Data {
		raw, err := base64.StdEncoding.DecodeString(gjson.Get(d.RawJSON(), "embedding").String())
		if err != nil || len(raw) != 4*1536 {
			t.Fatalf("item %d: %v, %d bytes", i, err, len(raw))
		}
		for j := range 1536 {
			got := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
			if want := float32(floats.Data[i].Embedding[j]); got != want {
				t.Fatalf("item %d dim %d: base64 %v, float %v", i, j, got, want)
			}
		}
	}
}

func TestSDKResponses(t *testing.T) {
	s := newStack(t, defaultModels, stackOptions{})
	c := s.sdk()
	ctx := context.Background()
	params := responses.ResponseNewParams{
		Model: "gpt-4o-mini",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hello")},
	}
	resp, err := c.Responses.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != "completed" || resp.OutputText() == "" || resp.Usage.TotalTokens == 0 {
		t.Fatalf("status %s text %q usage %+v", resp.Status, resp.OutputText(), resp.Usage)
	}

	stream := c.Responses.NewStreaming(ctx, params)
	var text strings.Builder
	var seq []int64
	var completed bool
	for stream.Next() {
		ev := stream.Current()
		seq = append(seq, ev.SequenceNumber)
		switch ev.Type {
		case "response.output_text.delta":
			text.WriteString(ev.Delta)
		case "response.completed":
			completed = ev.Response.Usage.TotalTokens > 0
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if !completed || text.String() != resp.OutputText() {
		t.Fatalf("completed %v, text %q want %q", completed, text.String(), resp.OutputText())
	}
	for i := 1; i < len(seq); i++ {
		if seq[i] <= seq[i-1] {
			t.Fatalf("sequence numbers not increasing: %v", seq)
		}
	}
}

func asAPIError(err error, target **openai.Error) bool {
	if err == nil {
		return false
	}
	e, ok := err.(*openai.Error)
	if !ok {
		return false
	}
	*target = e
	return true
}

// A request's cost, from the upstream's usage and the pricing catalog, shows
// in the access log and the spend metric.
func TestCostAccounted(t *testing.T) {
	s := newStack(t, defaultModels, stackOptions{})
	c := s.sdk()
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
	})
	if err != nil {
		t.Fatal(err)
	}
	// gpt-4o-mini: $0.15 / 1M prompt tokens, $0.60 / 1M completion tokens (BEHAVIOUR.md §7).
	want := (float64(resp.Usage.PromptTokens)*0.15 + float64(resp.Usage.CompletionTokens)*0.60) / 1e6
	logs := s.Logs.String()
	i := strings.LastIndex(logs, "cost_usd=")
	if i < 0 {
		t.Fatalf("no cost in the log: %s", logs)
	}
	var got float64
	if _, err := fmt.Sscan(strings.Fields(logs[i+len("cost_usd="):])[0], &got); err != nil || math.Abs(got-want) > 1e-9 {
		t.Fatalf("logged cost %v, want %v", got, want)
	}
}
