#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The balloon in a running micro-VM (bench/balloon-vm-nest.sh measures):
# inflate and deflate 512 MiB timed to the guest's `actual`, command to
# the VMM's RSS falling by 95% of it, and free page reporting's latency
# from a workload freeing 256 MiB to 90% of it back with the host.
# On KVM where /dev/kvm is usable; else nested (tests/nested/kvm-run.sh:
# said so, absolute figures mean little there) and on ebb's QEMU backend,
# whose balloon is QEMU's own device.  The baseline is the driver and
# device in one process (build/bench/balloon.json, from build/bench/balloon
# earlier in the same `make bench`): the ratio is what the VM's transport
# and the host's discards cost.  Medians of RUNS rounds; writes
# build/bench/balloon-vm.json.  Never fails on time.
#
#   bench/balloon-vm.sh [RUNS]     (default 5)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

RUNS=${1:-5}
OUT=build/bench/balloon-vm.json
LOOPBACK=build/bench/balloon.json
[[ -x build/ebb ]] || { echo "bench/balloon-vm.sh: build/ebb is missing (make)" >&2; exit 1; }
mkdir -p build/bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# backend -> raw lines in $tmp/BACKEND
measure() {
	case $1 in
	kvm) ACCEL=kvm RUNS=$RUNS sh bench/balloon-vm-nest.sh ;;
	qemu) ACCEL=qemu RUNS=$RUNS sh bench/balloon-vm-nest.sh ;;
	nested) tests/nested/kvm-run.sh --timeout 1200 --mem 2048 --env "RUNS=$RUNS" --env ACCEL=kvm \
			--file build/ebb:build/ebb --file bench/balloon-vm-nest.sh:bench/balloon-vm-nest.sh \
			-- sh bench/balloon-vm-nest.sh 2>/dev/null ;;
	esac >"$tmp/$1"
	grep '^error' "$tmp/$1" >&2
}

# This host's KVM only where it runs the guest natively (not PVM).
if tests/nested/kvm-where.sh build/ebb | grep -q '^direct '; then
	backends=(kvm)
else
	backends=(nested)
	command -v qemu-system-x86_64 >/dev/null && backends+=(qemu)
fi

# median FILE KEY: the median of KEY=N over the runs, or null
median() {
	sed -n "s/.* $2=\\([0-9]*\\).*/\\1/p" "$1" | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print "null"; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
mibs() { awk -v ms="$1" 'BEGIN { if (ms == "null" || ms <= 0) print "null"; else printf "%.1f", 512 * 1000 / ms }'; }
ratio() { awk -v x="$1" -v b="$2" 'BEGIN { if (x == "null" || b == "null" || b <= 0) print "null"; else printf "%.3f", x / b }'; }
# loopback VALUE of the first result whose case starts with PREFIX
loopback() {
	[[ -r $LOOPBACK ]] || { echo null; return; }
	awk -v p="\"case\": \"$1" 'index($0, p) { hit = 1 } hit && /"value"/ { gsub(/[^0-9.]/, "", $2); print $2; exit }' \
		"$LOOPBACK" | grep . || echo null
}
lb_in=$(loopback "inflate 256 MiB (loopback)")
lb_de=$(loopback "deflate 256 MiB (loopback)")
lb_rep=$(loopback "report 90%")

results=()
echo "balloon in a VM (medians of $RUNS; baseline: driver and device in one process)"
printf '  %-8s %-40s %10s %10s %8s\n' where case value loopback ratio
for b in "${backends[@]}"; do
	measure "$b"
	in_ms=$(median "$tmp/$b" inflate_ms)
	rss_ms=$(median "$tmp/$b" rss_ms)
	rss_pct=$(median "$tmp/$b" rss_pct)
	de_ms=$(median "$tmp/$b" deflate_ms)
	rep_ms=$(median "$tmp/$b" report_ms)
	in_t=$(mibs "$in_ms")
	de_t=$(mibs "$de_ms")
	case $b in
	kvm) where="KVM" ;;
	nested) where="nested KVM (QEMU TCG)" ;;
	qemu) where="QEMU backend (TCG, QEMU's balloon device)" ;;
	esac
	row() {	# case metric unit value [baseline_value]
		local r=$(ratio "$4" "${5:-null}")
		results+=("{\"case\": \"$1 ($where)\", \"metric\": \"$2\", \"unit\": \"$3\", \"value\": $4${5:+, \"baseline\": \"loopback\", \"baseline_value\": $5, \"ratio\": $r}}")
		printf '  %-8s %-40s %10s %10s %8s\n' "$b" "$1 [$3]" "$4" "${5:--}" "${5:+$r}"
	}
	row "inflate 512 MiB" throughput MiB/s "$in_t" "$lb_in"
	row "command to RSS down 95% of 512 MiB" latency ms "$rss_ms"
	row "RSS returned after inflating 512 MiB" rss_returned % "$rss_pct"
	row "deflate 512 MiB" throughput MiB/s "$de_t" "$lb_de"
	row "report 90% of 256 MiB freed" latency ms "$rep_ms" "$lb_rep"
done
nested=false
[[ " ${backends[*]} " == *" nested "* ]] && nested=true
{
	printf '{"bench": "balloon-vm", "nested": %s, "results": [\n' "$nested"
	for i in "${!results[@]}"; do
		printf '  %s%s\n' "${results[$i]}" "$([[ $i -lt $((${#results[@]} - 1)) ]] && echo ,)"
	done
	printf ']}\n'
} >"$OUT"
[[ $nested == true ]] && echo "  (nested: times include QEMU TCG emulating the host; the KVM target, inflate >= 4 GiB/s, needs real KVM)"
echo "  (times poll every 10 ms and include an ebb balloon round trip; QEMU's actual is at most a second old)"
echo "wrote $OUT"
