// Package tokencount estimates the prompt tokens of an OpenAI request body
// before it is sent: what the provider will report as usage.prompt_tokens
// (usage.input_tokens for the Responses API). It reads the JSON with
// fastjson and counts text with any Counter, normally a *tokenizer.Encoding.
//
// OpenAI does not publish how a request is rendered into tokens, so the counts
// follow the best public recipes, each checked against usage recorded from the
// real API (testdata/fixtures, with their sources):
//
//   - Messages: OpenAI's cookbook, "How to count tokens with tiktoken"
//     (openai/openai-cookbook, examples/How_to_count_tokens_with_tiktoken.ipynb,
//     num_tokens_from_messages): 3 tokens per message plus its role and
//     content, 1 more per name, and 3 to prime the reply.
//   - Function and tool definitions: hmarr/openai-chat-tokens (src/functions.ts,
//     src/index.ts), which renders them as the TypeScript-like
//     "namespace functions { … }" block OpenAI puts in the system message,
//     plus 9 tokens, minus 4 when the request has a system message of its own,
//     whose content then gains a trailing newline. The legacy function_call
//     parameter adds 1 ("none") or the name's tokens + 4 (hmarr/openai-chat-tokens
//     issue #9).
//   - Tool calls in assistant messages: each costs 4 + tokens("function") +
//     2 × tokens(name) + tokens(arguments), as in chrisdinn/tokens (counter.go);
//     an assistant message with both text and tool calls costs 3 more (fitted to
//     that project's recorded gpt-4-turbo count). Legacy function_call messages
//     follow hmarr: name + arguments + 3; "function" role messages 2 less.
//   - Images: OpenAI's vision guide ("Calculating costs"): with detail "low" a
//     fixed base, otherwise base + tiles × per-tile after scaling to fit 2048²
//     and then to 768 on the short side (never up); or, for the patch-billed
//     models, 32-pixel patches capped at 1536 times a per-model multiplier.
//     Sizes are read from the headers of data: URLs (PNG, JPEG, GIF, WebP);
//     for a remote URL the size is unknown and the largest image the detail
//     level allows is assumed, so a budget is never under-reserved.
//   - Completions prompts and embeddings inputs: the text's tokens, or the
//     length of a token array; no overhead.
//   - Responses API: the same rendering as chat. instructions count as a
//     system message, input items as messages, function_call items as
//     assistant tool calls and function_call_output items as tool messages.
//
// Known gaps, measured by the fixtures: with o200k models (gpt-4o, gpt-4.1)
// a function whose parameters have no description counts 1 token more than
// the API bills. Not counted at all: audio and file parts, reasoning items,
// built-in tools (web search, file search, …), response_format schemas and
// tool_choice; the API may bill a few tokens for each.
package tokencount
