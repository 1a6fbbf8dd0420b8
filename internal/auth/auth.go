// Package auth decides who may use keygate: callers of /v1 by virtual key
// (Directory, against an in-memory snapshot of the store's projects and
// keys) or the config's client_keys, and admins by the admin token.
package auth

import (
	"net"
	"net/http"
	"strings"
)

// BearerToken returns the token of an "Authorization: Bearer" header, or of
// the api-key header Azure-style clients send.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return strings.TrimSpace(r.Header.Get("Api-Key"))
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
