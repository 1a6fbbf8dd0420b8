// Package requestid gives every request an id in OpenAI's format, carried in
// the context so that each log line of the request can name it.
package requestid

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"time"
)

type ctxKey struct{}

// New returns a fresh id, "req_" and 32 lowercase hex digits like OpenAI's:
// 12 of the Unix time in milliseconds, then 20 random. Ids that rise with
// time land next to each other in the usage ledger's primary-key index,
// where random ones would each dirty a page of their own (BENCHMARKS.md,
// Ledger). Ids need to be unique, not secret, so the runtime's fast
// per-thread generator serves for the 80 random bits.
func New() string {
	var b [16]byte
	ms := uint64(time.Now().UnixMilli())
	binary.BigEndian.PutUint64(b[:8], ms<<16) // the top 48 bits: a rising prefix for 8,900 years
	binary.LittleEndian.PutUint64(b[6:14], rand.Uint64())
	binary.LittleEndian.PutUint16(b[14:], uint16(rand.Uint32()))
	var out [36]byte
	copy(out[:], "req_")
	hex.Encode(out[4:], b[:])
	return string(out[:])
}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the id in ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}
