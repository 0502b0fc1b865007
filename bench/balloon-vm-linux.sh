#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Balloon inflate throughput with Linux's own virtio_balloon driver against
# ebb's guest driver, on ebb's device (bench/balloon-vm-linux-nest.sh
# measures): a 512 MiB guest touches 384 MiB, then `ebb balloon NAME 256M`
# is timed to the device's `actual` reaching a 256 MiB balloon, and back to
# 0; MiB/s, medians of RUNS rounds, with the VMM's RSS before and after.
# Debian's kernel with ebb's busybox initrd (tests/linux/mkinitrd.sh) and
# ebb's own guest, one after the other in one session, on KVM where it runs
# guests natively, else nested (tests/nested/kvm-run.sh: said so; absolute
# figures mean little there, the ratio does).  Writes
# build/bench/balloon-vm-linux.json.  Never fails on time.
#
#   bench/balloon-vm-linux.sh [RUNS]     (default 3)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

RUNS=${1:-3}
OUT=build/bench/balloon-vm-linux.json
[[ -x build/ebb ]] || { echo "bench/balloon-vm-linux.sh: build/ebb is missing (make)" >&2; exit 1; }
kdir=$(tests/linux/debian-kernel.sh) || { echo "bench/balloon-vm-linux.sh: no Debian kernel" >&2; exit 1; }
mkdir -p build/bench build/linux
ln -sf "$kdir/vmlinuz" build/linux/vmlinuz
tests/linux/mkinitrd.sh build/linux/initrd.cpio.gz || exit 1
raw=$(mktemp)
trap 'rm -f "$raw" "$raw.err"' EXIT

where=$(tests/nested/kvm-where.sh build/ebb)
nested=true
[[ $where == direct* ]] && nested=false
export EBB_KVM_RUN=${where%% *}
tests/nested/kvm-run.sh --timeout 1500 --env "RUNS=$RUNS" \
	--file build/ebb:build/ebb --file build/linux/vmlinuz:build/linux/vmlinuz \
	--file build/linux/initrd.cpio.gz:build/linux/initrd.cpio.gz \
	--file bench/balloon-vm-linux-nest.sh:bench/balloon-vm-linux-nest.sh \
	-- sh bench/balloon-vm-linux-nest.sh >"$raw" 2>"$raw.err"
st=$?
if [[ $st -ne 0 ]]; then
	cat "$raw.err" "$raw" | tail -n 30 >&2
	echo "bench/balloon-vm-linux.sh: the runs failed (kvm-run.sh exit $st)" >&2
	grep -q ' run ' "$raw" || exit 1
fi

# median DRIVER KEY: the median of KEY=N over DRIVER's rounds, or null
median() {
	grep "^$1 run " "$raw" | sed -n "s/.* $2=\\([0-9]*\\).*/\\1/p" | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print "null"; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
mibs() { awk -v ms="$1" 'BEGIN { if (ms == "null" || ms <= 0) print "null"; else printf "%.1f", 256 * 1000 / ms }'; }
ratio() { awk -v x="$1" -v b="$2" 'BEGIN { if (x == "null" || b == "null" || b <= 0) print "null"; else printf "%.2f", x / b }'; }

for d in ebb linux; do
	declare "${d}_in=$(mibs "$(median $d inflate_ms)")"
	declare "${d}_de=$(mibs "$(median $d deflate_ms)")"
	declare "${d}_rb=$(median $d rss_before_mib)"
	declare "${d}_ra=$(median $d rss_after_mib)"
	declare "${d}_ret=$(grep "^$d run " "$raw" | sed -n 's/.* rss_before_mib=\([0-9]*\) rss_after_mib=\([0-9]*\).*/\1 \2/p' |
		awk '{ print $1 - $2 }' | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "null" }')"
done
w=$([[ $nested == true ]] && echo "nested KVM" || echo "KVM")
{
	printf '{"bench": "balloon-vm-linux", "nested": %s, "results": [\n' "$nested"
	printf '  {"case": "inflate 256 MiB in a 512 MiB guest, Linux virtio_balloon (%s)", "metric": "throughput", "unit": "MiB/s", "value": %s, "baseline": "ebb guest driver", "baseline_value": %s, "ratio": %s},\n' \
		"$w" "$linux_in" "$ebb_in" "$(ratio "$linux_in" "$ebb_in")"
	printf '  {"case": "deflate 256 MiB in a 512 MiB guest, Linux virtio_balloon (%s)", "metric": "throughput", "unit": "MiB/s", "value": %s, "baseline": "ebb guest driver", "baseline_value": %s, "ratio": %s},\n' \
		"$w" "$linux_de" "$ebb_de" "$(ratio "$linux_de" "$ebb_de")"
	printf '  {"case": "VMM RSS returned by a 256 MiB balloon (384 MiB touched), Linux virtio_balloon (%s)", "metric": "rss_returned", "unit": "MiB", "value": %s, "baseline": "ebb guest driver", "baseline_value": %s, "ratio": %s}\n' \
		"$w" "$linux_ret" "$ebb_ret" "$(ratio "$linux_ret" "$ebb_ret")"
	printf ']}\n'
} >"$OUT"

echo "balloon: inflate/deflate 256 MiB in a 512 MiB guest on ebb's device ($w, medians of $RUNS, $(cat "$kdir/package"))"
printf '  %-34s %14s %14s %22s\n' "driver" "inflate MiB/s" "deflate MiB/s" "VMM RSS before->after"
printf '  %-34s %14s %14s %15s -> %4s\n' "ebb's guest driver" "$ebb_in" "$ebb_de" "$ebb_rb MiB" "$ebb_ra"
printf '  %-34s %14s %14s %15s -> %4s\n' "Linux virtio_balloon (Debian 6.1)" "$linux_in" "$linux_de" "$linux_rb MiB" "$linux_ra"
printf '  %-34s %14s %14s\n' "ratio Linux / ebb" "$(ratio "$linux_in" "$ebb_in")" "$(ratio "$linux_de" "$ebb_de")"
[[ $nested == true ]] && echo "  (nested: absolute times include QEMU TCG emulating the host; compare the ratio)"
echo "  (times poll every 10 ms and include an ebb balloon round trip)"
grep -E '^(ebb|linux) run ' "$raw" | sed 's/^/  raw: /'
echo "wrote $OUT"
