#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The page allocator on 1, 2 and 4 vCPUs: the embedded guest runs `run
# pages` (order-0 alloc+free pairs; guest/workloads/pages.c) with one copy
# per vCPU, ring (the per-CPU lists serve it) and burst (batches through
# the zone lock), through tests/nested/kvm-run.sh: directly with a KVM
# that runs guests natively, else nested (and says so).  For each case,
# the median over ROUNDS of the copies' summed rate, its scaling against
# one vCPU, the per-CPU list hit rate and zone-lock contention per 1000
# pairs.  The hosted half (bench/alloc_smp.c) measures the same against
# glibc with threads.  Table on stdout, build/bench/alloc-smp.json.  Never
# fails on time.
#
#   bench/alloc-smp.sh [ROUNDS]      (default 3; PAIRS per copy, default 500000)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

ROUNDS=${1:-3}
OUT=build/bench/alloc-smp.json
[[ -x build/ebb ]] || { echo "bench/alloc-smp.sh: build/ebb is missing (make)" >&2; exit 1; }
mkdir -p build/bench
raw=$(mktemp)
trap 'rm -f "$raw" "$raw.err"' EXIT

tests/nested/kvm-run.sh --timeout 1800 --file build/ebb:build/ebb --env "ROUNDS=$ROUNDS" \
	--env "PAIRS=${PAIRS:-500000}" -- bench/alloc-smp-nest.sh >"$raw" 2>"$raw.err"
st=$?
nested=false
grep -q 'running in the nested harness' "$raw.err" && nested=true
if ! grep -q '^pages: .* Kpairs/s' "$raw"; then
	cat "$raw.err" "$raw" >&2
	echo "bench/alloc-smp.sh: the runs failed (kvm-run.sh exit $st)" >&2
	exit 1
fi
# Cut short (a slow host, the timeout): the rounds that finished still count, said so.
[[ $st -eq 0 ]] || echo "alloc-smp: the runs ended early (kvm-run.sh exit $st); medians of the rounds that finished"

# One line per case and round: cpus pattern total_kpairs_s hit_pct contended_per_1k copies
awk '
	/^== / { flush(); cpus = $2; pat = $3; sum = 0; n = 0; hits = 0; refills = 0; cont = 0; pairs = 0; next }
	/^pages: [0-9]+ pairs/ { sum += $(NF - 3); n++; pairs += $2; next }
	/^pages: meanwhile/ {
		# the last copy to finish saw every copy: keep the largest counts
		for (i = 1; i <= NF; i++) {
			if ($i == "hits") h = $(i + 1) + 0
			if ($i == "refills") r = $(i + 1) + 0
			if ($i == "contended") c = $(i + 1) + 0
		}
		if (h + r > hits + refills) { hits = h; refills = r }
		if (c > cont) cont = c
	}
	function flush() {
		if (n) printf "%s %s %.0f %.2f %.3f %d\n", cpus, pat, sum,
			hits + refills ? 100 * hits / (hits + refills) : 0, pairs ? 1000 * cont / pairs : 0, n
		n = 0
	}
	END { flush() }' "$raw" >"$raw.cases"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); else print "null" }'; }
col() { awk -v c="$1" -v p="$2" -v k="$3" '$1 == c && $2 == p { print $k }' "$raw.cases" | median; }

where=$([[ $nested == true ]] && echo "nested KVM in QEMU TCG" || echo "KVM")
printf 'alloc-smp: the embedded guest on %s, order-0 alloc+free pairs, one copy per vCPU; medians of %s rounds\n' "$where" "$ROUNDS"
printf '  %-6s %-6s %14s %9s %10s %16s\n' pattern vCPUs "Kpairs/s" scaling "hit rate" "zone lock/1k"
json=""
for p in ring burst; do
	base=$(col 1 "$p" 3)
	for c in 1 2 4; do
		rate=$(col "$c" "$p" 3)
		hit=$(col "$c" "$p" 4)
		cont=$(col "$c" "$p" 5)
		sc=$(awk -v r="$rate" -v b="$base" 'BEGIN { if (b + 0 > 0 && r != "null") printf "%.2f", r / b; else print "null" }')
		printf '  %-6s %-6s %14s %8sx %9s%% %16s\n' "$p" "$c" "$rate" "$sc" "$hit" "$cont"
		json+="  {\"case\": \"$p, $c vCPUs\", \"metric\": \"throughput\", \"unit\": \"Kpairs/s\", \"value\": $rate, \"baseline\": \"$p, 1 vCPU\", \"baseline_value\": $base, \"ratio\": $sc, \"pcp_hit_pct\": $hit, \"zone_lock_contended_per_1k\": $cont},"$'\n'
	done
done
printf '{"bench": "alloc-smp", "nested": %s, "rounds": %s, "results": [\n%s]}\n' "$nested" "$ROUNDS" "${json%,$'\n'}"$'\n' >"$OUT"
echo "  -> $OUT"
