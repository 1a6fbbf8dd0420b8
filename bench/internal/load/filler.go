package load

import (
	"math/rand/v2"
	"strings"
)

// fillerWords is the vocabulary of Filler, the most frequent first: the
// common words English prose is mostly made of, then the longer, rarer and
// technical ones a tokenizer splits into several tokens, and a few numbers
// and identifiers. Plain ASCII letters, digits, '-' and '.' only.
var fillerWords = strings.Fields(`
the of and to a in is that for it as with was on be by this are or at from
not but have an they which one you were all we can her has there been if more
when will would who so no their what about each other than then them these
some could into time only also may its new after any first many over such
most very even how our well where just those because while both through
between should before under same since around however another without again
request requests response gateway proxy upstream client key keys token tokens
model models budget project limit limits latency streaming stream server
database ledger deployment deployments retry retries timeout error errors
usage cost prompt completion message messages header headers connection
configuration authentication authorization idempotency reconciliation
throughput misconfigured rotation credentials encryption observability
provisioning throttling backpressure serialization deserialization
concurrency interoperability compatibility availability degradation
quarterly invoice spreadsheet customer onboarding engineering incident
postmortem kubernetes terraform dashboard alerting histogram percentile
fortnight meanwhile nevertheless notwithstanding straightforward
acknowledged unfortunately approximately particularly independently
2024 2025 429 503 128k 4096 v1 p99 gpt-4o-mini us-east-1 OAuth JSON HTTP
Friday Monday September London Tokyo Alice Bob Mallory
`)

// Filler returns n bytes of deterministic English-like text: sentences of 5
// to 24 words drawn from fillerWords with a fixed seed, common words more
// often than rare ones, each sentence capitalised and ended with a full stop,
// with the odd comma. It is not one word repeated, so a tokenizer does the
// work real prose asks of it, and it is the same on every call. It holds no
// character JSON escapes.
func Filler(n int) string { return FillerVariant(n, 0) }

// FillerVariant is Filler drawn with another seed: variant 0 is Filler, and
// each other variant is a different text of the same words and length. The
// bench sends novel prompts as variants, since a tokenizer that meets the same
// text again and again runs faster than on new text (its branches are
// predicted), and a server's traffic is new text.
func FillerVariant(n int, variant uint64) string {
	if n <= 0 {
		return ""
	}
	r := rand.New(rand.NewPCG(20261123, 4096+variant))
	var b strings.Builder
	b.Grow(n + 64)
	for b.Len() < n {
		words := 5 + r.IntN(20)
		for i := range words {
			// Squaring a uniform draw favours the front of the list, as word
			// frequencies in prose favour the common words.
			u := r.Float64()
			w := fillerWords[int(u*u*float64(len(fillerWords)))]
			if i == 0 && w[0] >= 'a' && w[0] <= 'z' {
				b.WriteByte(w[0] - 'a' + 'A')
				w = w[1:]
			}
			b.WriteString(w)
			switch {
			case i == words-1:
				b.WriteString(". ")
			case r.IntN(9) == 0:
				b.WriteString(", ")
			default:
				b.WriteByte(' ')
			}
		}
	}
	s := []byte(b.String()[:n])
	if s[n-1] == ' ' {
		s[n-1] = '.'
	}
	return string(s)
}
