// Package seal encrypts provider keys at rest with AES-256-GCM under the
// master key, and reads and creates the master key itself.
//
// A sealed value is self-describing:
//
//	version (1 byte) | key id (8 bytes) | nonce (12 bytes) | ciphertext and GCM tag
//
// The key id is the first 8 bytes of SHA-256 over a fixed label and the key,
// so Open can tell "sealed under another master key" from "tampered with"
// without trying the key, and operators can compare keys by id without
// showing them. The version byte and key id are authenticated along with the
// caller's additional data.
package seal
