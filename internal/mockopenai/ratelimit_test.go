package mockopenai

import (
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keygate/keygate/internal/openai"
)

func TestBucketArithmetic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		capacity  int64
		window    time.Duration
		take      int
		elapsed   time.Duration // after taking
		remaining int64
		reset     string
	}{
		{"500 RPM, one request", 500, time.Minute, 1, 0, 499, "120ms"},
		{"3000 RPM embeddings", 3000, time.Minute, 1, 0, 2999, "20ms"},
		{"free 200 RPD", 200, 24 * time.Hour, 1, 0, 199, "7m12s"},
		{"tier-1 10000 RPD, 7 requests", 10_000, 24 * time.Hour, 7, 0, 9993, "1m0.48s"},
		{"tier-1 10000 RPD, 7 requests then 5.591s", 10_000, 24 * time.Hour, 7, 5591 * time.Millisecond, 9993, "54.889s"},
		{"refilled completely", 500, time.Minute, 10, 2 * time.Second, 500, "0s"},
		{"partly refilled floors", 3, time.Minute, 3, 30 * time.Second, 1, "30s"},
	}
	for _, tc := range tests {
		b := newBucket(tc.capacity, tc.window, 0)
		for range tc.take {
			b.level--
		}
		b.refill(int64(tc.elapsed))
		if got := b.remaining(); got != tc.remaining {
			t.Errorf("%s: remaining %d, want %d", tc.name, got, tc.remaining)
		}
		if got := openai.FormatReset(b.resetIn()); got != tc.reset {
			t.Errorf("%s: reset %q, want %q", tc.name, got, tc.reset)
		}
	}
}

func TestLimiterStateRefusals(t *testing.T) {
	t.Parallel()
	st := newLimiterState(limits{RPM: 3, RPD: 5, TPM: 1000}, 0)
	now := int64(0)
	// Three requests exhaust the RPM bucket; the fourth must wait 20s.
	for i := range 3 {
		if _, rf := st.admit(now, 10); rf != nil {
			t.Fatalf("request %d refused: %+v", i, rf)
		}
	}
	rs, rf := st.admit(now, 10)
	if rf == nil || rf.tokens || rf.perDay || rf.wait != 20*time.Second || rf.used != 3 || rf.limit != 3 {
		t.Fatalf("4th request: %+v", rf)
	}
	// The requests headers report the RPD bucket (limit 5, 2 left).
	if rs.limitReq != 5 || rs.remainingReq != 2 || rs.limitTok != 1000 || rs.remainingTok != 970 {
		t.Errorf("snapshot %+v", rs)
	}
	// A minute later RPM is full again but RPD allows only two more.
	now += int64(time.Minute)
	for i := range 2 {
		if _, rf := st.admit(now, 10); rf != nil {
			t.Fatalf("request %d after a minute refused: %+v", i, rf)
		}
	}
	_, rf = st.admit(now, 10)
	if rf == nil || !rf.perDay || rf.limit != 5 || rf.used != 5 {
		t.Fatalf("RPD refusal: %+v", rf)
	}
	e := rf.error("gpt-4o-mini", true)
	if e.Type != openai.TypeRequests || !strings.Contains(e.Message, "on requests per day (RPD): Limit 5, Used 5, Requested 1. Please try again in ") ||
		!strings.HasSuffix(e.Message, msgAddPayment) {
		t.Errorf("RPD message %q", e.Message)
	}

	// Tokens: a request above the bucket's level waits; one above capacity is too large.
	st = newLimiterState(limits{RPM: 100, TPM: 1000}, 0)
	if _, rf := st.admit(0, 900); rf != nil {
		t.Fatal(rf)
	}
	_, rf = st.admit(0, 385)
	if rf == nil || !rf.tokens || rf.used != 900 || rf.requested != 385 || openai.FormatReset(rf.wait) != "17.1s" {
		t.Fatalf("TPM refusal %+v", rf)
	}
	e = rf.error("gpt-4o", false)
	want := "Rate limit reached for gpt-4o in organization " + mockOrgID + " on tokens per min (TPM): Limit 1000, Used 900, Requested 385. Please try again in 17.1s. Visit https://platform.openai.com/account/rate-limits to learn more."
	if e.Message != want || e.Type != "tokens" || e.Code != "rate_limit_exceeded" || e.RetryAfter != 17100*time.Millisecond {
		t.Errorf("TPM error %+v\nwant message %q", e, want)
	}
	_, rf = st.admit(int64(time.Hour), 1001)
	if rf == nil || !rf.tooLarge {
		t.Fatalf("too large: %+v", rf)
	}
	if e := rf.error("gpt-4o", false); e.RetryAfter != 0 || e.Message != "Request too large for gpt-4o in organization "+mockOrgID+
		" on tokens per min (TPM): Limit 1000, Requested 1001. The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more." {
		t.Errorf("too-large error %+v", e)
	}
}

// clocked returns a server whose clock the test moves.
func clocked() (*Server, *atomic.Int64) {
	var clock atomic.Int64
	clock.Store(fixedClock.UnixNano())
	s := New(Options{})
	s.now = func() time.Time { return time.Unix(0, clock.Load()) }
	return s, &clock
}

func TestRateLimitsOverHTTP(t *testing.T) {
	t.Parallel()
	s, clock := clocked()
	base := start(t, s)
	free := Key(ScenarioFree)
	body := chatWith("gpt-3.5-turbo", `,"max_tokens":100`)
	for i := range 3 {
		resp, b := send(t, base, "POST", "/v1/chat/completions", free, body)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, b)
		}
		if i == 0 {
			h := resp.Header
			if h.Get(openai.HeaderLimitRequests) != "200" || h.Get(openai.HeaderRemainingRequests) != "199" ||
				h.Get(openai.HeaderResetRequests) != "7m12s" || h.Get(openai.HeaderLimitTokens) != "40000" ||
				h.Get(openai.HeaderRemainingTokens) != "39891" {
				t.Errorf("free headers %v", h)
			}
		}
	}
	resp, b := send(t, base, "POST", "/v1/chat/completions", free, body)
	typ, code, _, msg := checkEnvelope(t, b)
	if resp.StatusCode != 429 || typ != "requests" || code != "rate_limit_exceeded" || resp.Header.Get("Retry-After") != "20" ||
		!strings.Contains(msg, "on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.") ||
		!strings.HasSuffix(msg, msgAddPayment) {
		t.Fatalf("4th free request: %d %s %v", resp.StatusCode, b, resp.Header)
	}
	checkHeaders(t, resp.Header, headersFull)
	// Validation errors report the buckets but do not consume them.
	resp, _ = send(t, base, "POST", "/v1/chat/completions", free, chatWith("gpt-3.5-turbo", `,"max_tokens":-1`))
	if resp.StatusCode != 400 || resp.Header.Get(openai.HeaderRemainingRequests) != "197" {
		t.Errorf("400 headers %v", resp.Header)
	}
	clock.Add(int64(20 * time.Second))
	if resp, b := send(t, base, "POST", "/v1/chat/completions", free, body); resp.StatusCode != 200 {
		t.Fatalf("after 20s: %d %s", resp.StatusCode, b)
	}

	// Tier-1 gpt-4o: 30,000 TPM; max_tokens counts at admission (16,000 +
	// 9 prompt tokens).
	good := "sk-mock-good-tpm"
	big := chatWith("gpt-4o", `,"max_tokens":16000`)
	resp, b = send(t, base, "POST", "/v1/chat/completions", good, big)
	if resp.StatusCode != 200 || resp.Header.Get(openai.HeaderRemainingTokens) != "13991" ||
		resp.Header.Get(openai.HeaderResetTokens) != "32.018s" || resp.Header.Get(openai.HeaderLimitRequests) != "500" ||
		resp.Header.Get(openai.HeaderResetRequests) != "120ms" {
		t.Fatalf("gpt-4o: %d %s %v", resp.StatusCode, b, resp.Header)
	}
	resp, b = send(t, base, "POST", "/v1/chat/completions", good, big)
	typ, _, _, msg = checkEnvelope(t, b)
	if resp.StatusCode != 429 || typ != "tokens" || resp.Header.Get(openai.HeaderRemainingTokens) != "13991" ||
		!strings.Contains(msg, "Limit 30000, Used 16009, Requested 16009. Please try again in 4.036s.") || strings.Contains(msg, "payment") {
		t.Fatalf("TPM 429: %d %s", resp.StatusCode, b)
	}
	if resp.Header.Get("Retry-After") != "5" || resp.Header.Get("Retry-After-Ms") != "4036" {
		t.Errorf("retry headers %v", resp.Header)
	}
	// Keys have separate buckets.
	if resp, _ := send(t, base, "POST", "/v1/chat/completions", "sk-mock-good-other", big); resp.StatusCode != 200 {
		t.Errorf("another key was limited: %d", resp.StatusCode)
	}
	// Reset forgets every bucket.
	s.Reset()
	if resp, _ := send(t, base, "POST", "/v1/chat/completions", good, big); resp.StatusCode != 200 {
		t.Errorf("after Reset: %d", resp.StatusCode)
	}
}

func TestUnlimitedNeverLimits(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	for i := range 50 {
		resp, b := send(t, base, "POST", "/v1/chat/completions", Key(ScenarioUnlimited), chatWith("gpt-4", `,"max_tokens":8000`))
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, b)
		}
		if got := resp.Header.Get(openai.HeaderLimitRequests); got != strconv.FormatInt(unlimitedSnapshot.limitReq, 10) {
			t.Fatalf("limit header %q", got)
		}
	}
}

func TestFlakyAlternates(t *testing.T) {
	t.Parallel()
	base := start(t, New(Options{}))
	var got []int
	for range 6 {
		resp, _ := send(t, base, "POST", "/v1/chat/completions", Key(ScenarioFlaky), chatBody)
		got = append(got, resp.StatusCode)
	}
	// A second key alternates on its own, starting with a failure.
	resp, _ := send(t, base, "POST", "/v1/chat/completions", "sk-mock-flaky-2", chatBody)
	got = append(got, resp.StatusCode)
	want := []int{500, 200, 500, 200, 500, 200, 500}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses %v, want %v", got, want)
		}
	}
}
