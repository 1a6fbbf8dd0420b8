package main

import (
	"fmt"

	"github.com/keygate/keygate/bench/internal/load"
	"github.com/keygate/keygate/internal/tokencount"
	"github.com/keygate/keygate/internal/tokenizer"
)

// request describes the chat completion the load generator sends, for the
// report: what keygate-count counts on every request.
type request struct {
	bytes    int    // JSON body, non-streaming
	tokens   int64  // prompt tokens, as keygate counts them
	encoding string // the encoding keygate counts them with
}

// describeRequest builds the non-streaming body the load generator will send
// and counts its prompt as keygate does (internal/gateway: the encoding of the
// deployment's model, tokencount.Prompt).
func describeRequest(o options) (request, error) {
	body, err := load.ChatBody(o.model, false, o.promptBytes)
	if err != nil {
		return request{}, err
	}
	enc, _ := tokenizer.ForModel(o.model)
	n, err := tokencount.Prompt(tokencount.Chat, body, enc)
	if err != nil {
		return request{}, fmt.Errorf("count the request's prompt: %w", err)
	}
	return request{bytes: len(body), tokens: n, encoding: enc.Name()}, nil
}
