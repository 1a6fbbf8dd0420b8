// Package mockopenai is an in-process stand-in for api.openai.com. Every test
// and benchmark of the gateway runs against it, because no machine here reaches
// the internet, so it copies OpenAI's observable behaviour as recorded in
// ../shared/openai/BEHAVIOUR.md: the error envelope and its exact messages, the
// header sets per status, SSE framing for Chat Completions, legacy Completions
// and Responses, base64 embeddings, and per-key rate-limit buckets whose
// headers and 429 messages read like the real ones.
//
// The API key chooses the behaviour ("scenario"): Key(ScenarioGood) is a
// healthy tier-1 key, Key(ScenarioRevoked) a revoked one, and so on. A model
// named "fault-<scenario>" applies a scenario whatever the key, so one key can
// exercise every fault.
//
// Every key belongs to the organization OrgID and the project Options.Project.
// A request naming another organization in OpenAI-Organization gets 401
// mismatched_organization (OtherOrgID, which exists) or invalid_organization
// (any other ID); another project in OpenAI-Project gets 401
// mismatched_project.
package mockopenai
