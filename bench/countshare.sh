#!/usr/bin/env bash
# Profiles keygate under load to find what share of its CPU goes to counting
# prompt tokens: the bench harness gives keygate-count ÷ keygate as a ratio
# of two noisy runs, this gives the counting's own share within one run.
#
# For each keygate binary given (default: one built from this tree), it starts
# the mock upstream and keygate with a tpm limit (so every prompt is counted),
# offers novel 4 KB chat requests (bench/loadgen -novel) at RATE req/s, and
# samples keygate with perf for 8 seconds. It prints the share of samples
# under tokencount.PromptValid (parsing the body and counting) and under
# tokenizer.(*Encoding).Count, and keygate's CPU per request.
#
#   bench/countshare.sh [KEYGATE_BINARY...]     (needs perf; RATE=1500)
#
# To compare with an earlier commit: git worktree add /tmp/old COMMIT &&
# (cd /tmp/old && go build -o /tmp/keygate-old ./cmd/keygate), then pass
# /tmp/keygate-old and a binary of this tree.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
[ -z "${KEEP:-}" ] || echo "keeping $work" >&2
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
go build -o "$work/loadgen" ./bench/loadgen
bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
	go build -o "$work/keygate" ./cmd/keygate
	bins=("$work/keygate")
fi
rate=${RATE:-1500}
mockport=40797
"${bins[0]}" mock-openai --listen 127.0.0.1:$mockport --latency 2ms --chunk-delay 5ms >"$work/mock.log" 2>&1 &
port=40800
for bin in "${bins[@]}"; do
	port=$((port + 1))
	d="$work/$port"
	mkdir -p "$d"
	cat >"$d/keygate.yaml" <<YAML
client_keys: [kg-bench-key]
model_list:
  - model_name: gpt-4o-mini
    model: openai/gpt-4o-mini
    api_key: sk-mock-unlimited
    api_base: http://127.0.0.1:$mockport/v1
    tpm: 1000000000000
YAML
	(cd "$d" && exec "$bin" serve --config keygate.yaml --listen 127.0.0.1:$port >keygate.log 2>&1) &
	kp=$!
	sleep 1.5
	"$work/loadgen" -url http://127.0.0.1:$port/v1 -key kg-bench-key -rate "$rate" -duration 14s \
		-prompt-bytes 4096 -novel -conns 256 >"$d/loadgen.json" &
	lp=$!
	sleep 3 # warm up
	t0=$(awk '{print $14 + $15}' /proc/$kp/stat)
	perf record -e cpu-clock -F 1999 -g -p $kp -o "$d/perf.data" -- sleep 8 >/dev/null 2>&1
	t1=$(awk '{print $14 + $15}' /proc/$kp/stat)
	wait $lp
	kill $kp
	share() { perf report -i "$d/perf.data" --children --sort symbol 2>/dev/null | grep -v '^#' | grep -F "$1 " | head -1 | awk '{print $1}'; }
	tick=$(getconf CLK_TCK)
	printf '%s: PromptValid %s, Encoding.Count %s of keygate CPU; keygate CPU %s ms/s at %s req/s offered\n' \
		"$bin" "$(share tokencount.PromptValid)" "$(share 'tokenizer.(*Encoding).Count')" \
		"$(( (t1 - t0) * 1000 / tick / 8 ))" "$rate"
done
