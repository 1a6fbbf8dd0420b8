package mockopenai

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
)

// TestOfficialSDK drives the mock with github.com/openai/openai-go/v3, the
// client keygate's users run, proving the mock speaks what the SDK expects.
func TestOfficialSDK(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	client := openai.NewClient(
		option.WithBaseURL(base+"/v1/"),
		option.WithAPIKey(Key(ScenarioGood)),
		option.WithMaxRetries(0),
	)
	ctx := context.Background()
	msgs := []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("Say hello")}

	t.Run("chat JSON", func(t *testing.T) {
		var raw *http.Response
		c, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model: "gpt-4o-mini", Messages: msgs, N: openai.Int(2),
		}, option.WithResponseInto(&raw))
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Choices) != 2 || c.Choices[1].Message.Content != replyText(len(replyWords)) || c.Choices[0].FinishReason != "stop" ||
			c.Usage.CompletionTokens != 20 || c.Usage.TotalTokens != c.Usage.PromptTokens+20 || c.Model != "gpt-4o-mini-2024-07-18" ||
			!c.Usage.CompletionTokensDetails.JSON.ReasoningTokens.Valid() || c.ServiceTier != "default" {
			t.Errorf("completion %s", c.RawJSON())
		}
		if raw.Header.Get("X-Ratelimit-Remaining-Requests") == "" {
			t.Error("no rate-limit headers")
		}
	})

	t.Run("chat stream with include_usage", func(t *testing.T) {
		stream := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
			Model: "gpt-4o", Messages: msgs,
			StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
		})
		var acc openai.ChatCompletionAccumulator
		chunks := 0
		for stream.Next() {
			acc.AddChunk(stream.Current())
			chunks++
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if chunks != len(replyWords)+3 || acc.Choices[0].Message.Content != replyText(len(replyWords)) ||
			acc.Choices[0].FinishReason != "stop" || acc.Usage.CompletionTokens != int64(len(replyWords)) || acc.Usage.PromptTokens == 0 {
			t.Errorf("%d chunks, accumulated %+v", chunks, acc.ChatCompletion)
		}
	})

	t.Run("chat stream error", func(t *testing.T) {
		stream := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{Model: "fault-streamerror", Messages: msgs})
		for stream.Next() {
		}
		if stream.Err() == nil {
			t.Error("in-stream error not raised")
		}
	})

	t.Run("embeddings base64", func(t *testing.T) {
		r, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{
			Model:          openai.EmbeddingModelTextEmbedding3Small,
			Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"hello", "world"}},
			EncodingFormat: openai.EmbeddingNewParamsEncodingFormatBase64,
			Dimensions:     openai.Int(512),
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Data) != 2 || r.Usage.PromptTokens != 4 {
			t.Fatalf("embeddings %s", r.RawJSON())
		}
		for _, d := range r.Data {
			var n float64
			for _, f := range d.Embedding {
				n += f * f
			}
			if len(d.Embedding) != 512 || math.Abs(math.Sqrt(n)-1) > 1e-5 {
				t.Errorf("embedding %d: %d dims, norm %v", d.Index, len(d.Embedding), math.Sqrt(n))
			}
		}
	})

	t.Run("responses stream", func(t *testing.T) {
		stream := client.Responses.NewStreaming(ctx, responses.ResponseNewParams{
			Model:        "gpt-4.1-mini",
			Instructions: openai.String("Be brief."),
			Input:        responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hello")},
		})
		var text string
		var completed *responses.Response
		last := int64(-1)
		for stream.Next() {
			ev := stream.Current()
			if ev.SequenceNumber <= last {
				t.Errorf("sequence %d after %d", ev.SequenceNumber, last)
			}
			last = ev.SequenceNumber
			switch e := ev.AsAny().(type) {
			case responses.ResponseTextDeltaEvent:
				text += e.Delta
			case responses.ResponseCompletedEvent:
				completed = &e.Response
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if completed == nil || completed.OutputText() != text || text != replyText(len(replyWords)) ||
			completed.Usage.OutputTokens != int64(len(replyWords)) || completed.Status != "completed" {
			t.Errorf("text %q, completed %+v", text, completed)
		}
	})

	t.Run("errors", func(t *testing.T) {
		bad := openai.NewClient(option.WithBaseURL(base+"/v1/"), option.WithAPIKey(Key(ScenarioRateLimited)), option.WithMaxRetries(0))
		_, err := bad.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "gpt-4o-mini", Messages: msgs})
		var apiErr *openai.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Type != "requests" || apiErr.Code != "rate_limit_exceeded" {
			t.Errorf("rate-limit error %v", err)
		}
		_, err = client.Models.Get(ctx, "gpt-9")
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "model_not_found" {
			t.Errorf("model error %v", err)
		}
	})
}
