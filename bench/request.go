package main

import (
	"fmt"
	"slices"

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
// deployment's model, tokencount.Prompt). For -novel, whose bodies differ in
// their padding, tokens is the median of theirs.
func describeRequest(o options) (request, error) {
	bodies := make([][]byte, 1)
	var err error
	if o.novel {
		bodies, _, err = load.NovelChatBodies(o.model, false, o.promptBytes)
	} else {
		bodies[0], err = load.ChatBody(o.model, false, o.promptBytes)
	}
	if err != nil {
		return request{}, err
	}
	enc, _ := tokenizer.ForModel(o.model)
	counts := make([]int64, len(bodies))
	for k, body := range bodies {
		if counts[k], err = tokencount.Prompt(tokencount.Chat, body, enc); err != nil {
			return request{}, fmt.Errorf("count the request's prompt: %w", err)
		}
	}
	slices.Sort(counts)
	return request{bytes: len(bodies[0]), tokens: counts[len(counts)/2], encoding: enc.Name()}, nil
}
