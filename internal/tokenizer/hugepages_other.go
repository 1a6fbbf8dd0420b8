//go:build !linux

package tokenizer

// allocSlots returns a zeroed table of n slots.
func allocSlots(n int) []slot { return make([]slot, n) }
