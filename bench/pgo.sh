#!/usr/bin/env bash
# Refreshes cmd/keygate/default.pgo, the CPU profile that `go build` and
# `go install` of ./cmd/keygate use for profile-guided optimization (PGO:
# hot calls inlined, hot interface calls devirtualized).
#
# The profile is keygate's own, under the bench harness's load: chat
# completions with 4 KB prompts, JSON and streamed, through keygate as
# shipped and through keygate with a tpm limit (so that it counts every
# prompt's tokens), each serve run writing --cpuprofile; the two profiles
# are merged. Refresh it after changing the request path: a stale profile
# only loses some of the gain, it never breaks a build.
#
#   bench/pgo.sh      (about 3 minutes; needs nothing but Go)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go run ./bench -prompt-bytes 4096 -novel -targets keygate,keygate-count -scenarios json,stream \
	-rounds 2 -duration 10s -workdir "$work" -keep -keygate-flags "--cpuprofile cpu.pprof" >/dev/null
go tool pprof -proto "$work/cpu.pprof" "$work/keygate-count/cpu.pprof" >"$work/merged.pgo" 2>/dev/null
mv "$work/merged.pgo" cmd/keygate/default.pgo
echo "wrote cmd/keygate/default.pgo ($(wc -c <cmd/keygate/default.pgo) bytes)"
