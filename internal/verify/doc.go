// Package verify checks a provider API key against its provider, the way an
// admin wants to know at once: is the key typed right, does it authenticate,
// can it reach the models that use it, and are its rate limits enough for
// the configured requirements. It sends no request that costs tokens.
//
// The order of checks is: the key's format (no network), GET {base}/models
// with the organization and project headers (authentication, base URL,
// transport), then one probe per model. The probe is a deliberately invalid
// request (max_tokens -1 on /chat/completions, an empty input on
// /embeddings): OpenAI answers it 400 with the model's x-ratelimit-* headers
// and spends nothing (BEHAVIOUR.md §8, the khanon key checker's technique).
//
// # Which bucket the requests headers report
//
// OpenAI's x-ratelimit-*-requests headers report the per-day bucket when the
// model has one, else the per-minute bucket (BEHAVIOUR.md §1.1, inferred
// from captures: free gpt-3.5-turbo shows 200 = its RPD, tier-1 gpt-4o shows
// 500 = its RPM). RequestWindow tells them apart:
//
//  1. When some of the bucket is used (remaining < limit and reset > 0), the
//     reset per used request is the bucket's refill time per request:
//     86400s/limit for a day bucket, 60s/limit for a minute bucket (the
//     captures: 7m12s after one request on 200/day = 86400/200; 120ms on
//     500/min = 60/500). The two differ 1440-fold, so the rule compares the
//     observed value with their geometric mean, sqrt(86400·60)/limit.
//  2. A full bucket (reset 0s, as on a key nobody used lately) says nothing
//     about its refill rate, so the limit's value decides: ≤ 250 or exactly
//     10,000 is a day bucket (the free tier's 200 RPD; tier 1's 10,000 RPD
//     on gpt-4o-mini, gpt-3.5-turbo and gpt-4, BEHAVIOUR.md §8), anything
//     else a minute bucket. This can be wrong for a model whose RPM is one of
//     those values (gpt-4o on tier 4 has 10,000 RPM); rule 1 settles it as
//     soon as the key carries traffic.
//
// A day bucket cannot tell the RPM. A day bucket of at most 250 requests is
// the free tier's signature (the khanon checker's threshold; free accounts
// show 200) and fails verification with CauseFreeTier; a larger day bucket
// belongs to a paid tier and is not held against an RPM requirement.
package verify
