#!/bin/sh
# SPDX-License-Identifier: MIT
# The overcommit experiment end to end on the KVM backend (needs /dev/kvm:
# tests/e2e/test_overcommit.sh runs it through tests/nested/kvm-run.sh).
# 4 VMs of 512 MiB under a 1280 MiB budget, two idle and two that ramp up
# in turn, policy ebb: no guest is OOM-killed, the total RSS of the VMs
# stays within the budget in every tick after the controller settled
# (timeline.csv, read row by row, not only the summary's peak), the idle
# guests are halved, and summary.json, timeline.csv and the plots exist.
# POSIX sh.  Prints "PASS ..." / "FAIL ...: why".
#
#   EBB               the ebb binary (default build/ebb; ebb-balloond beside it)
#   OVERCOMMIT_S      experiment length in seconds (default 60)

EBB=${EBB:-build/ebb}
D=${OVERCOMMIT_S:-60}
OUT=${TMPDIR:-/tmp}/ebb-overcommit.$$
BUDGET=1280
pass=0
fail=0
ok() { echo "PASS overcommit: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL overcommit: $1: $2"; fail=$((fail + 1)); }
num() { sed -n "s/^  \"$1\": \(-*[0-9.]*\).*/\1/p" "$OUT/summary.json"; }

"$EBB" overcommit --vms 4 --mem 512M --budget ${BUDGET}M --policy ebb --duration "$D" \
	--settle $((D / 4)) --out "$OUT" --quiet 2>&1 | tail -n 5
# A VM that died of a guest triple fault, said (test_overcommit.sh runs the experiment again once).
for f in "$OUT"/*.log; do
	[ -f "$f" ] && grep -q 'guest triple fault' "$f" &&
		echo "INFO overcommit: $(basename "$f" .log): guest triple fault: $(grep -o 'ebb: guest triple fault.*' "$f" | head -n 1)"
done
if [ -s "$OUT/summary.json" ]; then
	ok "summary written"
	sed 's/^/    | /' "$OUT/summary.json" | head -n 40
else
	bad "summary" "no $OUT/summary.json"
	for f in "$OUT"/*.log; do [ -f "$f" ] && tail -n 5 "$f" | sed 's/^/    | /'; done
	echo "overcommit: $pass passed, $fail failed"
	exit 1
fi
ooms=$(num oom_kills)
[ "$ooms" = 0 ] && ok "no guest OOM-killed" || bad "OOM kills" "$ooms"
# The budget: a memory cgroup where the host has one, else only accounted (and why).
enforced=$(sed -n 's/^  "enforced": "\(.*\)",*$/\1/p' "$OUT/summary.json")
if [ "$enforced" = cgroup ]; then
	cgooms=$(sed -n 's/^    "oom_kills": \(-*[0-9]*\).*/\1/p' "$OUT/summary.json")
	[ "$cgooms" = 0 ] || [ "$cgooms" = -1 ] && ok "budget enforced by a memory cgroup, no VM OOM-killed in it" ||
		bad "cgroup OOM kills" "$cgooms VM processes killed by the budget's cgroup"
else
	echo "    (budget only accounted: $(sed -n 's/^  "cgroup_error": "\(.*\)",*$/\1/p' "$OUT/summary.json"))"
fi
# Every tick after settling: total_rss_mib (column 4) within the budget.
over=$(awk -F, -v s=$((D / 4)) -v b=$BUDGET 'NR > 1 && $1 >= s && $4 > b { n++; m = $4 > m ? $4 : m }
	END { print n + 0, m + 0 }' "$OUT/timeline.csv")
rows=$(awk 'END { print NR - 1 }' "$OUT/timeline.csv")
if [ "$rows" -ge $((D / 2)) ] && [ "${over% *}" = 0 ]; then
	ok "total RSS within ${BUDGET} MiB in every tick after $((D / 4)) s ($rows ticks)"
else
	bad "RSS over budget" "$over (ticks over, peak MiB) of $rows ticks"
fi
half=$(num time_to_halve_idle_s)
case $half in
-*|"") bad "idle guests halved" "time_to_halve_idle_s=$half"
	# What each VM was told and held, every 5 s, and how each VM ended: the why of a miss.
	awk -F, 'NR == 1 { for (i = 5; i <= NF; i += 8) { n = $i; sub(/_target_mib$/, "", n); name[i] = n }
		printf "    | %6s", "t_s"; for (i = 5; i <= NF; i += 8) printf " %-24s", name[i] " tgt/act/rss/free"; print ""; next }
		NR % 5 == 2 { printf "    | %6.1f", $1; for (i = 5; i <= NF; i += 8) printf " %5.0f/%5.0f/%5.0f/%5.0f   ", $i, $(i+1), $(i+2), $(i+3); print "" }' \
		"$OUT/timeline.csv"
	for f in "$OUT"/*.log; do
		[ -f "$f" ] && { echo "    | $(basename "$f"):"; tail -n 8 "$f" | sed 's/^/    |   /'; }
	done ;;
*) ok "idle guests halved in $half s" ;;
esac
if [ -s "$OUT/memory.png" ] && [ -s "$OUT/stall.png" ]; then
	ok "plots memory.png and stall.png"
elif command -v gnuplot >/dev/null; then
	bad "plots" "gnuplot made none"
else
	ok "plots skipped: no gnuplot here (plot.gp written: $( [ -s "$OUT/plot.gp" ] && echo yes || echo no))"
fi
rm -rf "$OUT"
echo "overcommit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
