#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Linux boot benchmark: Debian's bzImage with a busybox initrd
# (tests/linux/mkinitrd.sh), from exec of the VMM to the initrd's /init
# ("ebb-init: up") and to power-off, under ebb and under QEMU's microvm
# machine with KVM: same kernel, initrd, command line (quiet), 512 MiB, one
# vCPU, timed in the same place.  Runs through tests/nested/kvm-run.sh:
# directly with a native /dev/kvm, else nested (and says so: nested figures
# are only meaningful as ratios).  Prints a table and writes
# build/bench/linux-boot.json in the bench JSON shape.  Never fails on time.
#
#   bench/linux-boot.sh [RUNS]      (default 3)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

RUNS=${1:-3}
OUT=build/bench/linux-boot.json
for f in build/ebb build/bench/boot-probe; do
	[[ -e $f ]] || { echo "bench/linux-boot.sh: $f is missing (make bench builds it)" >&2; exit 1; }
done
kdir=$(tests/linux/debian-kernel.sh) || { echo "bench/linux-boot.sh: no Debian kernel" >&2; exit 1; }
mkdir -p build/bench build/linux
ln -sf "$kdir/vmlinuz" build/linux/vmlinuz
tests/linux/mkinitrd.sh build/linux/initrd.cpio.gz || exit 1
raw=$(mktemp)
trap 'rm -f "$raw" "$raw.err"' EXIT

args=(--timeout 1800 --env "RUNS=$RUNS")
for f in build/ebb build/bench/boot-probe build/linux/vmlinuz build/linux/initrd.cpio.gz; do
	args+=(--file "$f:$f")
done
# QEMU for the peer run (nest.sh copies its shared libraries) and its firmware.
if qemu=$(command -v qemu-system-x86_64); then
	args+=(--file "$qemu:/usr/bin/qemu-system-x86_64")
	for fw in bios-microvm.bin qboot.rom linuxboot_dma.bin kvmvapic.bin; do
		[[ -e /usr/share/qemu/$fw ]] && args+=(--file "/usr/share/qemu/$fw:/usr/share/qemu/$fw")
	done
fi
# kvmtool (nest.sh ships a dynamic lkvm's libraries too).
lkvm=${LKVM:-}
[[ -z $lkvm && -x build/bench/lkvm ]] && lkvm=build/bench/lkvm
[[ -z $lkvm ]] && lkvm=$(command -v lkvm)
[[ -n $lkvm ]] && args+=(--file "$lkvm:build/bench/lkvm" --env LKVM=build/bench/lkvm)
tests/nested/kvm-run.sh "${args[@]}" -- bench/linux-boot-nest.sh >"$raw" 2>"$raw.err"
st=$?
nested=false
grep -q 'running in the nested harness' "$raw.err" && nested=true
if [[ $st -ne 0 ]] && ! grep -q '^median' "$raw"; then
	cat "$raw.err" "$raw" >&2
	echo "bench/linux-boot.sh: the boot runs failed (kvm-run.sh exit $st)" >&2
	exit 1
fi

# median line of a case, then one field of it
med() { sed -n "/^== $1\$/,/^== /p" "$raw" | grep '^median' | head -n 1; }
field() { sed -n "s/.* $2=\\([-0-9.]*\\).*/\\1/p" <<<"$1"; }
ms() { awk -v us="$1" 'BEGIN { if (us == "" || us < 0) print "null"; else printf "%.0f", us / 1000 }'; }
ratio() { awk -v b="$1" -v x="$2" 'BEGIN { if (b == "null" || x == "null" || x <= 0) print "null"; else printf "%.2f", b / x }'; }

e=$(med ebb)
q=$(med qemu)
k=$(med kvmtool)
e_init=$(ms "$(field "$e" marker_us)")
e_exit=$(ms "$(field "$e" exit_us)")
q_init=$(ms "$(field "$q" marker_us)")
q_exit=$(ms "$(field "$q" exit_us)")
k_init=$(ms "$(field "$k" marker_us)")
k_exit=$(ms "$(field "$k" exit_us)")
row() {	# case metric ebb baseline baseline_value
	printf '  {"case": "Debian bzImage + busybox initrd, 512M, 1 vCPU, %s", "metric": "%s", "unit": "ms", "value": %s, "baseline": "%s", "baseline_value": %s, "ratio": %s}' \
		"$1" "$2" "$3" "$4" "$5" "$(ratio "$5" "$3")"
}
{
	printf '{"bench": "linux-boot", "nested": %s, "results": [\n' "$nested"
	row "exec to /init" boot_to_init "$e_init" "qemu microvm -accel kvm" "$q_init"; echo ,
	row "exec to VMM exit (power-off)" boot_to_exit "$e_exit" "qemu microvm -accel kvm" "$q_exit"; echo ,
	row "exec to /init (vs kvmtool)" boot_to_init "$e_init" "kvmtool (lkvm run)" "$k_init"; echo ,
	row "exec to VMM exit (vs kvmtool; its guest: reboot -f)" boot_to_exit "$e_exit" "kvmtool (lkvm run)" "$k_exit"; echo
	printf ']}\n'
} >"$OUT"

where=$([[ $nested == true ]] && echo "nested KVM in QEMU TCG" || echo "KVM")
echo "Linux boot benchmark ($where, medians of $RUNS, $(cat "$kdir/package"))"
printf '  %-32s %9s %13s %7s %9s %7s\n' "case" "ebb" "qemu-microvm" "ratio" "kvmtool" "ratio"
printf '  %-32s %6s ms %10s ms %7s %6s ms %7s\n' "exec to /init (ebb-init: up)" "$e_init" "$q_init" "$(ratio "$q_init" "$e_init")" "$k_init" "$(ratio "$k_init" "$e_init")"
printf '  %-32s %6s ms %10s ms %7s %6s ms %7s\n' "exec to VMM exit" "$e_exit" "$q_exit" "$(ratio "$q_exit" "$e_exit")" "$k_exit" "$(ratio "$k_exit" "$e_exit")"
echo "  (ratio: the peer's time / ebb's; kvmtool's guest ends with reboot -f: it has no ACPI power-off nor exit port)"
[[ $nested == true ]] && echo "  (nested: absolute times mean little; compare the ratio)"
grep -q '^none:' "$raw" && grep '^none:' "$raw" | sed 's/^none: /  kvmtool: /'
grep -E '^cmdline ' "$raw" | sed 's/^/  /'
grep -E '^(== |run=)' "$raw" | sed 's/^/  raw: /' | head -n 40
echo "wrote $OUT"
