#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Overcommit benchmark: the experiment of docs/balloon-policy.md (4 VMs of
# 512 MiB under a 1280 MiB budget, two idle, two ramping up in turn), run
# unconstrained (the baseline) and then under each policy, all in the same
# place in one invocation.  Per policy: time to halve an idle guest, memory
# saved (and against the baseline's), workload slowdown against the
# baseline (ramp: run 1 against run 1; busy: mean of the later runs
# against the baseline's; the worst busy VM), OOM kills, VMs lost,
# peak guest stall, the peak total RSS after settling.  Prints a table,
# writes build/bench/overcommit.json (the bench JSON shape) and keeps each
# run's summary, timeline and plots in build/bench/overcommit/POLICY/.
# Never fails on figures; exits non-zero only when the runs could not run.
#
# Where the VMs run (it says which): /dev/kvm when this host has it; else
# ebb's QEMU backend when it has a balloon (probed); else the nested KVM
# harness (tests/nested/kvm-run.sh: slow, figures only comparable to each
# other).  OVERCOMMIT_BACKEND=kvm|qemu|nested forces one.
#
#   OVERCOMMIT_S         experiment length per policy, s (default 90: about
#                        15 min for all five runs nested on 2 cores)
#   OVERCOMMIT_POLICIES  default "static mom stall ebb"
#   OVERCOMMIT_SET       "KEY=VALUE ..." knobs for every policy
#   OVERCOMMIT_NOISE     0: skip the second baseline run (default 1: the
#                        baseline again at the end; its slowdown against
#                        the first is the noise floor the others compare to)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

D=${OVERCOMMIT_S:-90}
POLICIES=${OVERCOMMIT_POLICIES:-static mom stall ebb}
OUT=build/bench/overcommit.json
KEEP=build/bench/overcommit
for b in build/ebb build/ebb-balloond; do
	[[ -x $b ]] || { echo "bench/overcommit.sh: $b is missing (run make)" >&2; exit 1; }
done
command -v jq >/dev/null || { echo "bench/overcommit.sh: needs jq" >&2; exit 1; }
mkdir -p "$KEEP"
raw=$(mktemp)
trap 'rm -f "$raw" "$raw.err"' EXIT

# Does `ebb run --accel qemu --balloon` give a VM whose balloon answers?
qemu_has_balloon() {
	local rt name=ocprobe pid ok=1

	rt=$(mktemp -d)
	EBB_RUNTIME_DIR=$rt build/ebb run --accel qemu --mem 128M --balloon=stats=1 --name $name \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 60); do
		if EBB_RUNTIME_DIR=$rt build/ebb balloon $name --json 2>/dev/null |
			jq -e 'has("actual_bytes")' >/dev/null 2>&1; then
			ok=0
			break
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.5
	done
	EBB_RUNTIME_DIR=$rt build/ebb stop $name >/dev/null 2>&1
	sleep 1
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	rm -rf "$rt"
	return $ok
}

backend=${OVERCOMMIT_BACKEND:-}
if [[ -z $backend ]]; then
	# This host's KVM only where it runs the guest natively (not PVM).
	if tests/nested/kvm-where.sh build/ebb | grep -q '^direct '; then
		backend=kvm
	elif command -v qemu-system-x86_64 >/dev/null && qemu_has_balloon; then
		backend=qemu
	else
		backend=nested
	fi
fi
case $backend in
kvm) where="KVM on this host" ;;
qemu) where="ebb's QEMU backend (TCG) on this host" ;;
nested) where="nested KVM (QEMU TCG, tests/nested/kvm-run.sh)" ;;
*) echo "bench/overcommit.sh: OVERCOMMIT_BACKEND is kvm, qemu or nested" >&2; exit 1 ;;
esac
echo "overcommit bench: $where, ${D} s per policy, baseline + $POLICIES" >&2

envs=(OVERCOMMIT_S="$D" OVERCOMMIT_POLICIES="$POLICIES" OVERCOMMIT_SET="${OVERCOMMIT_SET:-}"
      OVERCOMMIT_NOISE="${OVERCOMMIT_NOISE:-1}")
if [[ $backend == nested ]]; then
	args=(--timeout $((600 + 3 * (D + 90) * (2 + $(wc -w <<<"$POLICIES")))) --mem 2560)
	for f in build/ebb build/ebb-balloond bench/overcommit-nest.sh; do args+=(--file "$f:$f"); done
	command -v gnuplot >/dev/null && args+=(--file "$(command -v gnuplot):/usr/bin/gnuplot")
	for e in "${envs[@]}"; do args+=(--env "$e"); done
	tests/nested/kvm-run.sh "${args[@]}" -- sh bench/overcommit-nest.sh >"$raw" 2>"$raw.err"
else
	# ebb run picks KVM when /dev/kvm is usable, else its QEMU backend.
	env "${envs[@]}" sh bench/overcommit-nest.sh >"$raw" 2>"$raw.err"
fi
st=$?
if ! grep -q '^== end' "$raw"; then
	cat "$raw.err" >&2
	grep -v '^%' "$raw" | tail -n 40 >&2
	echo "bench/overcommit.sh: the runs did not finish (exit $st)" >&2
	exit 1
fi

# Split the output: per policy its stderr (# ), summary, timeline (% ) and plot script (@ ).
pols=$(sed -n 's/^== \([a-z-]*\) [0-9]*$/\1/p' "$raw")
for p in $pols; do
	dir=$KEEP/$p
	mkdir -p "$dir"
	sed -n "/^== $p /,/^== /p" "$raw" | sed '1d;$d' >"$dir/section"
	grep -v '^[#%@]' "$dir/section" >"$dir/summary.json"
	sed -n 's/^% //p' "$dir/section" >"$dir/timeline.csv"
	grep '^# ' "$dir/section" | sed 's/^# //' >"$dir/stderr"
	sed -n "s/^== $p \\([0-9]*\\)\$/\\1/p" "$raw" >"$dir/wall_s"
	if command -v gnuplot >/dev/null && grep -q '^@ ' "$dir/section"; then
		sed -n 's/^@ //p' "$dir/section" | sed "s|/[^' \"]*/$p/|$dir/|g" >"$dir/plot.gp"
		gnuplot "$dir/plot.gp" 2>/dev/null
	fi
	rm -f "$dir/section"
done

j() { jq -r "$2 // \"null\"" "$KEEP/$1/summary.json" 2>/dev/null || echo null; }
# VMs lost during the run: killed by the budget's cgroup (its OOM killer takes a VMM) or crashed.
lost() { jq -r 'if has("vms_died") then (.vms_died | length) else (.cgroup.oom_kills // 0) end' \
	"$KEEP/$1/summary.json" 2>/dev/null || echo null; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "null" || v == "") print "-"; else printf f, v }'; }
base_saved=$(j none .memory_saved_mib)
{
	printf '{"bench": "overcommit", "backend": "%s", "nested": %s, "duration_s": %s, "results": [\n' \
		"$backend" "$([[ $backend == nested ]] && echo true || echo false)" "$D"
	first=1
	for p in $POLICIES; do
		[[ -s $KEEP/$p/summary.json ]] || continue
		for m in "time_to_halve_idle_s s time_to_halve_idle" "memory_saved_mib MiB memory_saved" \
			 "slowdown_pct % workload_slowdown" "slowdown_ramp_pct % workload_slowdown_ramp" \
			 "slowdown_busy_pct % workload_slowdown_busy" "oom_kills count oom_kills" \
			 "peak_stall_pct % peak_guest_stall" "peak_rss_settled_mib MiB peak_rss_settled"; do
			read -r key unit metric <<<"$m"
			[[ $first == 1 ]] || printf ',\n'
			first=0
			printf '  {"case": "policy %s", "metric": "%s", "unit": "%s", "value": %s' \
				"$p" "$metric" "$unit" "$(j "$p" ".$key")"
			if [[ $key == memory_saved_mib ]]; then
				printf ', "baseline": "unconstrained (policy none)", "baseline_value": %s, "ratio": %s' \
					"$base_saved" "$(awk -v a="$(j "$p" ".$key")" -v b="$base_saved" \
					'BEGIN { if (b == "null" || a == "null" || b <= 0) print "null"; else printf "%.2f", a / b }')"
			fi
			printf '}'
		done
		printf ',\n  {"case": "policy %s", "metric": "vms_killed", "unit": "count", "value": %s}' \
			"$p" "$(lost "$p")"
	done
	if [[ -s $KEEP/none-again/summary.json ]]; then
		printf ',\n  {"case": "baseline run again (noise floor)", "metric": "workload_slowdown", "unit": "%%", "value": %s}' \
			"$(j none-again .slowdown_pct)"
	fi
	printf '\n]}\n'
} >"$OUT"

echo "overcommit bench ($where; 4 x 512 MiB, budget 1280 MiB, ${D} s a run;"
echo "  targets for the default policy, ebb: halve an idle guest < 10 s, slowdown < 5%, 0 OOM kills)"
printf '  %-10s %8s %9s %6s %7s %9s %4s %5s %7s %7s %-9s\n' policy "halve(s)" "saved MiB" "x base" \
	"slow %" "ramp/busy" OOMs "lost" "stall %" "RSS MiB" enforced
for p in none $POLICIES none-again; do
	[[ $p == none-again && ${OVERCOMMIT_NOISE:-1} == 0 ]] && continue
	[[ -s $KEEP/$p/summary.json ]] || { printf '  %-8s (no summary: see %s/stderr)\n' "$p" "$KEEP/$p"; continue; }
	saved=$(j "$p" .memory_saved_mib)
	printf '  %-10s %8s %9s %6s %7s %9s %4s %5s %7s %7s %-9s\n' "$p" \
		"$(fmt "$(j "$p" .time_to_halve_idle_s)" %.1f)" "$(fmt "$saved" %.0f)" \
		"$(awk -v a="$saved" -v b="$base_saved" 'BEGIN { if (b <= 0 || a == "null") print "-"; else printf "%.2f", a / b }')" \
		"$(fmt "$(j "$p" .slowdown_pct)" %.1f)" \
		"$(fmt "$(j "$p" .slowdown_ramp_pct)" %.0f)/$(fmt "$(j "$p" .slowdown_busy_pct)" %.0f)" \
		"$(j "$p" .oom_kills)" "$(lost "$p")" "$(fmt "$(j "$p" .peak_stall_pct)" %.2f)" \
		"$(fmt "$(j "$p" .peak_rss_settled_mib)" %.0f)" "$(j "$p" .enforced)"
done
[[ ${OVERCOMMIT_NOISE:-1} == 0 ]] ||
	echo "  (none-again: the baseline run once more; its slowdown is this host's noise floor)"
echo "  (halve: -1 = an idle guest never reached half its RAM; slow: the worst busy VM against the"
echo "   baseline, ramp = run 1, busy = mean of the later runs; OOMs: guest OOM kills; lost: VMs killed during the"
echo "   run, by the budget's cgroup or otherwise; RSS: peak total after settling, budget 1280)"
grep -h 'cgroup' "$KEEP"/*/stderr 2>/dev/null | sort -u | sed 's/^/  /' | head -n 3
[[ $backend == nested ]] && echo "  (nested: absolute times mean little; compare policies with each other)"
echo "wrote $OUT and $KEEP/POLICY/{summary.json,timeline.csv,*.png}"
