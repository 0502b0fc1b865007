#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot benchmark: ebb's time from exec to the guest's first instruction (a
# tiny PVH guest whose first instruction writes to the console) and to the
# embedded guest's shell prompt, and the VMM's own memory (RSS minus the
# guest RAM it maps).  The peer is QEMU's microvm machine with KVM booting
# the same tiny guest, timed in the same place.  Runs through
# tests/nested/kvm-run.sh: directly with /dev/kvm, else nested (and says so:
# nested figures are only meaningful as ratios).  Prints a table and writes
# build/bench/boot.json in the bench JSON shape.  Never fails on time.
#
#   bench/boot.sh [RUNS]      (default 20)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

RUNS=${1:-20}
OUT=build/bench/boot.json
files=(build/ebb build/bench/boot-probe build/tests/e2e/guests/vmm_hello.elf)
for f in "${files[@]}"; do
	[[ -e $f ]] || { echo "bench/boot.sh: $f is missing (make bench builds it)" >&2; exit 1; }
done
mkdir -p build/bench
raw=$(mktemp)
trap 'rm -f "$raw" "$raw.err"' EXIT

args=(--timeout 900 --env "RUNS=$RUNS")
for f in "${files[@]}"; do args+=(--file "$f:$f"); done
# QEMU for the peer run (nest.sh copies its shared libraries) and its firmware.
if qemu=$(command -v qemu-system-x86_64); then
	args+=(--file "$qemu:/usr/bin/qemu-system-x86_64")
	for fw in bios-microvm.bin qboot.rom pvh.bin linuxboot_dma.bin kvmvapic.bin; do
		[[ -e /usr/share/qemu/$fw ]] && args+=(--file "/usr/share/qemu/$fw:/usr/share/qemu/$fw")
	done
fi
tests/nested/kvm-run.sh "${args[@]}" -- bench/boot-nest.sh >"$raw" 2>"$raw.err"
st=$?
nested=false
grep -q 'running in the nested harness' "$raw.err" && nested=true
if [[ $st -ne 0 ]] && ! grep -q '^median' "$raw"; then
	cat "$raw.err" "$raw" >&2
	echo "bench/boot.sh: the boot runs failed (kvm-run.sh exit $st)" >&2
	exit 1
fi

# median line of a case, then one field of it
med() { sed -n "/^== $1\$/,/^== /p" "$raw" | grep '^median' | head -n 1; }
field() { sed -n "s/.* $2=\\([-0-9.]*\\).*/\\1/p" <<<"$1"; }
ms() { awk -v us="$1" 'BEGIN { if (us == "" || us < 0) print "null"; else printf "%.3f", us / 1000 }'; }

e=$(med ebb-first-insn)
s=$(med ebb-shell)
q=$(med qemu-first-insn)
e_first=$(ms "$(field "$e" first_exit_us)")
e_marker=$(ms "$(field "$e" marker_us)")
e_exit=$(ms "$(field "$e" exit_us)")
q_marker=$(ms "$(field "$q" marker_us)")
q_exit=$(ms "$(field "$q" exit_us)")
s_prompt=$(ms "$(field "$s" marker_us)")
ovh_tiny=$(field "$e" overhead_kib)
ovh_shell=$(field "$s" overhead_kib)
guest_shell=$(field "$s" guest_kib)

ratio() { awk -v b="$1" -v x="$2" 'BEGIN { if (b == "null" || x == "null" || x <= 0) print "null"; else printf "%.2f", b / x }'; }
kib_mib() { awk -v k="$1" 'BEGIN { if (k == "" || k < 0) print "null"; else printf "%.3f", k / 1024 }'; }

where=$([[ $nested == true ]] && echo "nested KVM in QEMU TCG" || echo "KVM")
{
	printf '{"bench": "boot", "nested": %s, "results": [\n' "$nested"
	printf '  {"case": "tiny PVH guest, exec to first guest instruction (first VM exit)", "metric": "boot_first_insn", "unit": "ms", "value": %s},\n' "$e_first"
	printf '  {"case": "tiny PVH guest, exec to first console byte", "metric": "boot_first_console", "unit": "ms", "value": %s, "baseline": "qemu microvm -accel kvm", "baseline_value": %s, "ratio": %s},\n' \
		"$e_marker" "$q_marker" "$(ratio "$q_marker" "$e_marker")"
	printf '  {"case": "tiny PVH guest, exec to VMM exit (power-off)", "metric": "boot_to_exit", "unit": "ms", "value": %s, "baseline": "qemu microvm -accel kvm", "baseline_value": %s, "ratio": %s},\n' \
		"$e_exit" "$q_exit" "$(ratio "$q_exit" "$e_exit")"
	printf '  {"case": "embedded guest, 512M, 2 nodes, exec to shell prompt", "metric": "boot_shell_prompt", "unit": "ms", "value": %s},\n' "$s_prompt"
	printf '  {"case": "VMM memory overhead, tiny guest (RSS minus guest RAM)", "metric": "vmm_overhead", "unit": "MiB", "value": %s},\n' "$(kib_mib "$ovh_tiny")"
	printf '  {"case": "VMM memory overhead, embedded guest at its prompt (RSS minus guest RAM)", "metric": "vmm_overhead", "unit": "MiB", "value": %s},\n' "$(kib_mib "$ovh_shell")"
	printf '  {"case": "guest RAM touched by the embedded guest at its prompt", "metric": "guest_resident", "unit": "MiB", "value": %s}\n' "$(kib_mib "$guest_shell")"
	printf ']}\n'
} >"$OUT"

echo "boot benchmark ($where, medians; targets on real KVM: <10 ms first instruction, <2 MiB overhead)"
printf '  %-48s %10s %12s %8s\n' "case" "ebb" "qemu-microvm" "ratio"
printf '  %-48s %8s ms %12s %8s\n' "exec to first guest instruction" "$e_first" "-" "-"
printf '  %-48s %8s ms %9s ms %8s\n' "exec to first console byte" "$e_marker" "$q_marker" "$(ratio "$q_marker" "$e_marker")"
printf '  %-48s %8s ms %9s ms %8s\n' "exec to VMM exit (tiny guest)" "$e_exit" "$q_exit" "$(ratio "$q_exit" "$e_exit")"
printf '  %-48s %8s ms %12s %8s\n' "exec to shell prompt (embedded, 2 nodes)" "$s_prompt" "-" "-"
printf '  %-48s %7s KiB %12s %8s\n' "VMM overhead, tiny guest" "$ovh_tiny" "-" "-"
printf '  %-48s %7s KiB %12s %8s\n' "VMM overhead, embedded guest at prompt" "$ovh_shell" "-" "-"
[[ $nested == true ]] && echo "  (nested: absolute times mean little; compare the ratio)"
echo "wrote $OUT"
