#!/usr/bin/env bash
# Times keygate's tokenizer, the Go ports (tiktoken-go, pkoukk) and npm
# tiktoken (OpenAI's Rust core as WASM) on the golden corpus, each on one
# core, in one run, and prints median MB/s side by side. Needs Node 20 and
# npm for the last; set COUNT (default 5) and CPU (default 1) to taste.
#
#   bench/tokenizers/run.sh
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-5}
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c "${CPU:-1}"); fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "go test -run '^\$' -bench 'Count\$' -cpu 1 -count $count   (bench/tokenizers)" >&2
"${pin[@]}" go test -run '^$' -bench 'Count$' -cpu 1 -count "$count" . >"$out/go.txt"
echo "go test -run '^\$' -bench 'Load' -benchmem -count $count   (internal/tokenizer)" >&2
(cd ../.. && "${pin[@]}" go test -run '^$' -bench 'Load' -benchmem -count "$count" ./internal/tokenizer/) >"$out/load.txt"
echo "node bench.mjs --no-per-file --runs $((count * 2))   (bench/tokenizers/npm)" >&2
(cd npm && npm ci --no-audit --no-fund --silent && "${pin[@]}" node bench.mjs --no-per-file --runs $((count * 2))) >"$out/npm.txt"

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
echo
echo "| encoding | keygate MB/s | tiktoken-go MB/s | pkoukk MB/s | npm tiktoken MB/s | keygate ÷ fastest Go port | keygate ÷ npm |"
echo "|---|--:|--:|--:|--:|--:|--:|"
for enc in o200k_base cl100k_base; do
	declare -A mbs=()
	for impl in keygate tiktoken-go pkoukk; do
		mbs[$impl]=$(grep "^BenchmarkCount/$enc/$impl" "$out/go.txt" | awk '{for (i=1;i<=NF;i++) if ($i=="MB/s") print $(i-1)}' | median)
	done
	mbs[npm]=$(grep "^npm-tiktoken $enc mode=per_doc" "$out/npm.txt" | sed 's/.*MB\/s=\([0-9.]*\).*/\1/')
	port=$(printf '%s\n%s\n' "${mbs[tiktoken-go]}" "${mbs[pkoukk]}" | sort -g | tail -1)
	printf '| %s | %s | %s | %s | %s | %.1f× | %.1f× |\n' "$enc" "${mbs[keygate]}" "${mbs[tiktoken-go]}" "${mbs[pkoukk]}" "${mbs[npm]}" \
		"$(echo "${mbs[keygate]} / $port" | bc -l)" "$(echo "${mbs[keygate]} / ${mbs[npm]}" | bc -l)"
done
echo
echo "Vocabulary load, keygate (internal/tokenizer BenchmarkLoad, medians):"
for enc in o200k_base cl100k_base; do
	ms=$(grep "^BenchmarkLoad/$enc" "$out/load.txt" | awk '{for (i=1;i<=NF;i++) if ($i=="ms/load") print $(i-1)}' | median)
	heap=$(grep "^BenchmarkLoad/$enc" "$out/load.txt" | awk '{for (i=1;i<=NF;i++) if ($i=="heap-B") print $(i-1)}' | median)
	printf '  %s: %s ms, %.1f MB of heap kept\n' "$enc" "$ms" "$(echo "$heap / 1000000" | bc -l)"
done
echo
echo "npm tiktoken vocabulary load:"
grep 'load_ms' "$out/npm.txt" || true
