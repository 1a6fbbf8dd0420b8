package openai

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"
)

func TestErrorEnvelope(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"nulls", New(400, TypeInvalidRequest, "", "you must provide a model parameter"),
			`{"error":{"message":"you must provide a model parameter","type":"invalid_request_error","param":null,"code":null}}`},
		{"all set, html-ish characters kept", New(400, TypeInvalidRequest, "integer_below_min_value", `Expected a value >= 1 & "<2"`).WithParam("max_tokens"),
			`{"error":{"message":"Expected a value >= 1 & \"<2\"","type":"invalid_request_error","param":"max_tokens","code":"integer_below_min_value"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(tt.err.Body()); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			var v map[string]map[string]any
			if err := json.Unmarshal(tt.err.Body(), &v); err != nil || len(v["error"]) != 4 {
				t.Fatalf("not a four-key envelope: %v %v", err, v)
			}
		})
	}
}

func TestWriteErrorHeaders(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, New(429, TypeRequests, "rate_limit_exceeded", "slow down").WithRetryAfter(1500*time.Millisecond).NoRetry())
	h := w.Result().Header
	if w.Code != 429 || h.Get("Retry-After") != "2" || h.Get("Retry-After-Ms") != "1500" || h.Get("X-Should-Retry") != "false" ||
		h.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%d %v", w.Code, h)
	}
}
