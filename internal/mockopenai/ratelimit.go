package mockopenai

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/keygate/keygate/internal/openai"
)

// bucket is a continuously refilled token bucket, the model that reproduces
// OpenAI's headers: it holds at most capacity units and regains capacity units
// per window, smoothly. One request on a 500 RPM bucket leaves 499 remaining
// and a reset of 120ms (60s/500), exactly as captured.
type bucket struct {
	capacity float64
	rate     float64 // units regained per nanosecond
	level    float64
	last     int64 // clock reading (ns) of the last refill
}

func newBucket(capacity int64, window time.Duration, now int64) bucket {
	return bucket{
		capacity: float64(capacity),
		rate:     float64(capacity) / float64(window),
		level:    float64(capacity),
		last:     now,
	}
}

// refill credits the units regained since the last call.
func (b *bucket) refill(now int64) {
	if now > b.last {
		b.level = math.Min(b.capacity, b.level+float64(now-b.last)*b.rate)
		b.last = now
	}
}

// remaining is what x-ratelimit-remaining-* reports: whole units left.
func (b *bucket) remaining() int64 { return int64(math.Floor(b.level)) }

// resetIn is what x-ratelimit-reset-* reports: the time until the bucket is
// full again, not the time until the next request is allowed.
func (b *bucket) resetIn() time.Duration {
	return time.Duration(math.Round((b.capacity - b.level) / b.rate))
}

// waitFor is the time until n units are available, the "Please try again in"
// value of a 429.
func (b *bucket) waitFor(n float64) time.Duration {
	if b.level >= n {
		return 0
	}
	return time.Duration(math.Ceil((n - b.level) / b.rate))
}

// rateSnapshot is what the six x-ratelimit-* headers report.
type rateSnapshot struct {
	limitReq, remainingReq int64
	resetReq               time.Duration
	limitTok, remainingTok int64
	resetTok               time.Duration
}

// apply writes the six headers. Direct map assignment skips Set's
// canonicalisation; the constants are already canonical.
func (rs *rateSnapshot) apply(h http.Header) {
	h[openai.HeaderLimitRequests] = []string{strconv.FormatInt(rs.limitReq, 10)}
	h[openai.HeaderLimitTokens] = []string{strconv.FormatInt(rs.limitTok, 10)}
	h[openai.HeaderRemainingRequests] = []string{strconv.FormatInt(rs.remainingReq, 10)}
	h[openai.HeaderRemainingTokens] = []string{strconv.FormatInt(rs.remainingTok, 10)}
	h[openai.HeaderResetRequests] = []string{openai.FormatReset(rs.resetReq)}
	h[openai.HeaderResetTokens] = []string{openai.FormatReset(rs.resetTok)}
}

// unlimitedSnapshot is what the unlimited scenario reports on every response:
// limits far beyond any benchmark, never consumed.
var unlimitedSnapshot = rateSnapshot{
	limitReq: 100_000_000, remainingReq: 100_000_000,
	limitTok: 10_000_000_000, remainingTok: 10_000_000_000,
}

// refusal describes why a request was not admitted, in the terms of OpenAI's
// 429 message.
type refusal struct {
	tokens    bool // the tokens dimension, else requests
	perDay    bool
	tooLarge  bool // a single request above the whole TPM limit
	limit     int64
	used      int64
	requested int64
	wait      time.Duration
}

// limiterState is one key's buckets for one model family. Its own mutex keeps
// contention per key and model, so the unrelated keys of a benchmark never
// serialise on each other.
type limiterState struct {
	mu            sync.Mutex
	lim           limits
	rpm, rpd, tpm bucket
}

func newLimiterState(lim limits, now int64) *limiterState {
	st := &limiterState{lim: lim}
	st.rpm = newBucket(lim.RPM, time.Minute, now)
	if lim.RPD > 0 {
		st.rpd = newBucket(lim.RPD, 24*time.Hour, now)
	}
	st.tpm = newBucket(lim.TPM, time.Minute, now)
	return st
}

// snapshotLocked reports the buckets. The requests headers report the RPD
// bucket when the model has one, as every capture shows (free gpt-3.5-turbo
// says limit 200, not 3).
func (st *limiterState) snapshotLocked() rateSnapshot {
	req := &st.rpm
	if st.lim.RPD > 0 {
		req = &st.rpd
	}
	return rateSnapshot{
		limitReq: int64(req.capacity), remainingReq: req.remaining(), resetReq: req.resetIn(),
		limitTok: int64(st.tpm.capacity), remainingTok: st.tpm.remaining(), resetTok: st.tpm.resetIn(),
	}
}

func (st *limiterState) refillLocked(now int64) {
	st.rpm.refill(now)
	if st.lim.RPD > 0 {
		st.rpd.refill(now)
	}
	st.tpm.refill(now)
}

// peek reports the buckets without consuming, for validation errors, which
// carry the headers but cost nothing (the khanon key checker relies on it).
func (st *limiterState) peek(now int64) rateSnapshot {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.refillLocked(now)
	return st.snapshotLocked()
}

// admit takes one request and tokens tokens from the buckets, or refuses
// without taking anything. Requests are checked before tokens, and of two
// exhausted request buckets the one with the longer wait is reported.
func (st *limiterState) admit(now, tokens int64) (rateSnapshot, *refusal) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.refillLocked(now)
	rf := st.requestRefusalLocked()
	if rf == nil {
		switch t := float64(tokens); {
		case t > st.tpm.capacity:
			rf = &refusal{tokens: true, tooLarge: true, limit: int64(st.tpm.capacity), requested: tokens}
		case st.tpm.level < t:
			rf = &refusal{tokens: true, limit: int64(st.tpm.capacity),
				used: int64(st.tpm.capacity) - st.tpm.remaining(), requested: tokens, wait: st.tpm.waitFor(t)}
		}
	}
	if rf == nil {
		st.rpm.level--
		if st.lim.RPD > 0 {
			st.rpd.level--
		}
		st.tpm.level -= float64(tokens)
	}
	return st.snapshotLocked(), rf
}

// requestRefusalLocked reports the refusal due when a request bucket is
// empty, else nil. Of two empty buckets the one with the longer wait is
// reported.
func (st *limiterState) requestRefusalLocked() *refusal {
	var rf *refusal
	for _, b := range []struct {
		b      *bucket
		perDay bool
	}{{&st.rpm, false}, {&st.rpd, true}} {
		if b.b.capacity == 0 || b.b.level >= 1 {
			continue
		}
		if w := b.b.waitFor(1); rf == nil || w > rf.wait {
			rf = &refusal{perDay: b.perDay, limit: int64(b.b.capacity),
				used: int64(b.b.capacity) - b.b.remaining(), requested: 1, wait: w}
		}
	}
	return rf
}

// limiter holds every key's buckets.
type limiter struct {
	states sync.Map // bucketKey → *limiterState
}

type bucketKey struct{ key, family string }

// state returns the buckets of key for a model family, creating them full.
func (l *limiter) state(key, family string, lim limits, now int64) *limiterState {
	k := bucketKey{key, family}
	if st, ok := l.states.Load(k); ok {
		return st.(*limiterState)
	}
	st, _ := l.states.LoadOrStore(k, newLimiterState(lim, now))
	return st.(*limiterState)
}

func (l *limiter) reset() { l.states.Clear() }

// Pieces of OpenAI's 429 wording (BEHAVIOUR.md §2.2).
const (
	mockOrgID      = OrgID
	msgVisitLimits = " Visit https://platform.openai.com/account/rate-limits to learn more."
	msgAddPayment  = " You can increase your rate limit by adding a payment method to your account at https://platform.openai.com/account/billing."
)

// error renders rf as the 429 OpenAI sends: type "requests" or "tokens", code
// rate_limit_exceeded, and a retry-after for the real wait. A request too
// large for the TPM limit can never pass, so it gets no retry-after.
func (rf *refusal) error(family string, free bool) *openai.Error {
	typ, dim := openai.TypeRequests, "requests per min (RPM)"
	switch {
	case rf.tokens:
		typ, dim = openai.TypeTokens, "tokens per min (TPM)"
	case rf.perDay:
		dim = "requests per day (RPD)"
	}
	var msg string
	if rf.tooLarge {
		msg = "Request too large for " + family + " in organization " + mockOrgID + " on " + dim +
			": Limit " + strconv.FormatInt(rf.limit, 10) + ", Requested " + strconv.FormatInt(rf.requested, 10) +
			". The input or output tokens must be reduced in order to run successfully." + msgVisitLimits
	} else {
		msg = "Rate limit reached for " + family + " in organization " + mockOrgID + " on " + dim +
			": Limit " + strconv.FormatInt(rf.limit, 10) + ", Used " + strconv.FormatInt(rf.used, 10) +
			", Requested " + strconv.FormatInt(rf.requested, 10) + ". Please try again in " +
			openai.FormatReset(rf.wait) + "." + msgVisitLimits
	}
	if free {
		msg += msgAddPayment
	}
	e := openai.New(http.StatusTooManyRequests, typ, "rate_limit_exceeded", msg)
	if !rf.tooLarge {
		e.WithRetryAfter(rf.wait)
	}
	return e
}

// forcedWait is the delay the ratelimited and tokenlimited scenarios report,
// matching the captured "Please try again in 20s".
const forcedWait = 20 * time.Second

// forcedRefusal is the 429 of the ratelimited and tokenlimited scenarios: the
// named dimension is exhausted, the other untouched.
func forcedRefusal(lim limits, tokensDim bool, tokens int64) (rateSnapshot, *refusal) {
	reqLimit := lim.RPM
	if lim.RPD > 0 {
		reqLimit = lim.RPD
	}
	rs := rateSnapshot{limitReq: reqLimit, remainingReq: reqLimit, limitTok: lim.TPM, remainingTok: lim.TPM}
	if tokensDim {
		rs.remainingTok, rs.resetTok = 0, forcedWait
		return rs, &refusal{tokens: true, limit: lim.TPM, used: lim.TPM, requested: tokens, wait: forcedWait}
	}
	rs.remainingReq, rs.resetReq = 0, forcedWait
	return rs, &refusal{limit: lim.RPM, used: lim.RPM, requested: 1, wait: forcedWait}
}
