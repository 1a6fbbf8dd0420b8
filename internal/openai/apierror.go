package openai

import (
	"net/http"
	"strconv"
	"time"
)

// Error types OpenAI sends in error.type. Rate-limit refusals carry the limited
// dimension ("requests" or "tokens") as their type, not a generic name.
const (
	TypeInvalidRequest     = "invalid_request_error"
	TypeAuthentication     = "authentication_error"
	TypePermission         = "permission_error"
	TypeNotFound           = "not_found_error"
	TypeRequests           = "requests"
	TypeTokens             = "tokens"
	TypeInsufficientQuota  = "insufficient_quota"
	TypeBillingNotActive   = "billing_not_active"
	TypeServer             = "server_error"
	TypeServiceUnavailable = "service_unavailable_error"
	TypeRequestForbidden   = "request_forbidden"
	TypeTimeout            = "timeout_error"
	TypeUpstream           = "upstream_error"
)

// Error is OpenAI's error object plus what the HTTP layer needs to send it. The
// four JSON fields are always present on the wire, with null where a value is
// absent, exactly as api.openai.com sends them.
type Error struct {
	Status  int
	Message string
	Type    string
	Param   string // "" is sent as null
	Code    string // "" is sent as null

	// RetryAfter, when positive, is sent as retry-after (whole seconds, at least
	// 1) and retry-after-ms so that every official SDK backs off correctly.
	RetryAfter time.Duration
	// ShouldRetry, when set, is sent as x-should-retry, which every official SDK
	// obeys ahead of the status code: false stops pointless retries of faults a
	// retry cannot fix.
	ShouldRetry *bool
	// Header holds further headers to send with the error (x-ratelimit-*).
	Header http.Header
}

// New returns an Error with the given status, type, code and message.
func New(status int, typ, code, message string) *Error {
	return &Error{Status: status, Type: typ, Code: code, Message: message}
}

// WithParam sets error.param and returns e.
func (e *Error) WithParam(p string) *Error { e.Param = p; return e }

// WithRetryAfter sets the retry delay and returns e.
func (e *Error) WithRetryAfter(d time.Duration) *Error { e.RetryAfter = d; return e }

// NoRetry marks e as one a retry cannot fix (x-should-retry: false) and returns e.
func (e *Error) NoRetry() *Error { f := false; e.ShouldRetry = &f; return e }

// Retry marks e as transient (x-should-retry: true) and returns e.
func (e *Error) Retry() *Error { t := true; e.ShouldRetry = &t; return e }

func (e *Error) Error() string {
	if e.Code != "" {
		return strconv.Itoa(e.Status) + " " + e.Code + ": " + e.Message
	}
	return strconv.Itoa(e.Status) + " " + e.Type + ": " + e.Message
}

// MarshalJSON renders the envelope {"error":{message,type,param,code}}, with
// characters such as < > & left as they are, as OpenAI sends them
// (encoding/json would escape them to \u003c and the like).
func (e *Error) MarshalJSON() ([]byte, error) { return e.Body(), nil }

// Body returns the JSON envelope alone, as sent inside an SSE data line.
func (e *Error) Body() []byte {
	b := make([]byte, 0, len(e.Message)+96)
	b = append(b, `{"error":{"message":`...)
	b = AppendJSONString(b, e.Message)
	b = append(b, `,"type":`...)
	b = AppendJSONString(b, e.Type)
	b = append(b, `,"param":`...)
	b = appendNullable(b, e.Param)
	b = append(b, `,"code":`...)
	b = appendNullable(b, e.Code)
	return append(b, "}}"...)
}

func appendNullable(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return AppendJSONString(b, s)
}

// WriteError sends e as OpenAI does: JSON envelope, charset in the content
// type, and the retry headers the SDKs read.
func WriteError(w http.ResponseWriter, e *Error) {
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	if e.RetryAfter > 0 {
		secs := int64((e.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
		h.Set("Retry-After-Ms", strconv.FormatInt(e.RetryAfter.Milliseconds(), 10))
	}
	if e.ShouldRetry != nil {
		h.Set("X-Should-Retry", strconv.FormatBool(*e.ShouldRetry))
	}
	h.Del("Content-Length")
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(e.Body(), '\n'))
}
