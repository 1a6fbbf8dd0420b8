// Package openai holds OpenAI's wire contract as keygate needs it: the error
// envelope every SDK parses, the request fields the gateway reads without a full
// decode, Server-Sent Events framing, the usage object and the rate-limit header
// formats. Both the gateway and the mock upstream speak through this package, so
// the two cannot drift apart.
package openai
