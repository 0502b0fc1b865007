#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a kernel's operations cost on this host's KVM, beside the same
# loops under ebb's QEMU backend (docs/virtualization-costs.md): ALU
# loop, cli/sti, pushf/popf, rdtsc, CR3 read and write, invlpg, iretq,
# #PF round trip, PTE write, first touch, port-I/O and MMIO exits, hlt
# with a LAPIC one-shot, a timer tick while looping, clearing a page
# three ways; with the KVM statistics that moved per op.
# KVM directly where /dev/kvm is usable (any flavour: on PVM this table
# is what users need), else in the nested harness (tests/nested/kvm-run.sh;
# said so: absolute figures mean little there, ratios between ops do).
# QEMU always, on this host.  Prints a table and writes
# build/bench/vcost.json; never fails on time.
#
#   bench/vcost.sh [TARGET_US]     guest time per timed run (default 20000)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

TARGET_US=${1:-20000}
VCOST=build/bench/vcost
GUEST=build/bench/vcost-guest.elf
for f in "$VCOST" "$GUEST" build/ebb; do
	[[ -x $f || -r $f ]] || { echo "bench/vcost.sh: $f is missing (make bench builds it)" >&2; exit 1; }
done
mkdir -p build/bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Where kvm-run.sh will run it (its own rule), for the report.
case ${EBB_KVM_RUN:-auto} in
nested) nested=true ;;
direct) nested=false ;;
*) if [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]; then nested=false; else nested=true; fi ;;
esac

# Records go to a file, progress to the terminal: the runner's stderr,
# and in the nest whatever its console shows that is not a record.
echo "vcost: KVM ($([[ $nested == true ]] && echo "nested harness" || echo "/dev/kvm on this host"))"
tests/nested/kvm-run.sh --timeout 300 --file "$GUEST:$GUEST" -- \
	"$VCOST" kvm --target-us "$TARGET_US" "$GUEST" |
	tee "$tmp/kvm" | grep --line-buffered -v '^vcost-'
kvm_st=${PIPESTATUS[0]}
[[ $kvm_st -eq 0 ]] || echo "bench/vcost.sh: the KVM runs ended with status $kvm_st" >&2

echo "vcost: QEMU (build/ebb run --accel qemu)"
"$VCOST" qemu --target-us "$TARGET_US" "$GUEST" >"$tmp/qemu"
qemu_st=$?
[[ $qemu_st -eq 0 ]] || echo "bench/vcost.sh: the QEMU runs ended with status $qemu_st" >&2

nflag=()
[[ $nested == true ]] && nflag=(--nested)
"$VCOST" report "${nflag[@]}" --json build/bench/vcost.json "$tmp/kvm" "$tmp/qemu"
rep_st=$?
# Figures from both sides, or it did not run.
[[ $kvm_st -eq 0 && $qemu_st -eq 0 && $rep_st -eq 0 ]]
