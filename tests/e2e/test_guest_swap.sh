#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest kernel swapping for real: QEMU microvm (TCG, no KVM needed)
# with QEMU's own virtio-blk as the swap disk vda.
#
#   swap      a 128 MiB guest runs `run anon 256M hotcold`: its task
#             touches its own address space, page faults go to guestmm,
#             kswapd swaps to vda, swap-ins come back through the #PF
#             handler; every page is checked against its pattern.
#             kswapd/kcompactd in ps, /proc/swaps, SwapFree falls while
#             it runs, vmstat, /proc/pressure/memory, extfrag_index.
#   together  two workloads whose sum exceeds RAM, in two address spaces
#             (CR3 switched on every context switch), both intact; then
#             bad accesses (segfaults) are reported and the guest goes on.
#   oom       no swap disk: the OOM killer kills the workload (SIGKILL,
#             status 137), the next one runs.
#   oom2      no swap disk, two 96M workloads in 128M: exactly one is
#             killed (SIGKILL, 137), the other verifies every page.
#
# Prints "PASS guest-swap: ..." / "FAIL guest-swap: ...: why" per check,
# "INFO ..." for figures, and a last line "N passed, N failed".
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

GUEST=${GUEST_ELF:-build/guest/ebb-guest.elf}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${GUEST_QEMU_TIMEOUT:-600}
# QEMU's microvm puts the first -device on its last transport (docs/CONVENTIONS.md).
VIRTIO_BLK='virtio_mmio.device=512@0xfeb00e00:12'
out=$(mktemp -d "${TMPDIR:-/tmp}/ebb-guest-swap.XXXXXX")
trap 'rm -rf "$out"' EXIT
pass=0
fail=0
log=

ok() { echo "PASS guest-swap: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL guest-swap: $1: $2"
	[ -n "$log" ] && [ -s "$log" ] && sed 's/^/    | /' "$log" | tail -n 25
	fail=$((fail + 1))
}
check() {	# check NAME PATTERN [FILE]
	if grep -Eq -- "$2" "${3:-$log}"; then ok "$1"; else bad "$1" "no line matching /$2/"; fi
}
check_not() {
	if grep -Eq -- "$2" "${3:-$log}"; then bad "$1" "unexpected /$2/"; else ok "$1"; fi
}
check_status() {
	if [ "$status" -eq "$2" ]; then ok "$1 (QEMU exit $status)"
	else bad "$1" "QEMU exit status $status, want $2"; fi
}
positive() {	# positive NAME VALUE
	if [ "${2:-0}" -gt 0 ] 2>/dev/null; then ok "$1 ($2)"; else bad "$1" "got '${2:-none}'"; fi
}

# boot NAME MEM APPEND [QEMU ARGS...]: run to poweroff, console in $log.
boot() {
	local name=$1 mem=$2 append=$3
	shift 3
	log=$out/$name.log
	timeout "$TIMEOUT" "$QEMU" -M microvm,x-option-roms=off,rtc=off,isa-serial=on,acpi=off \
		-accel tcg -cpu max -m "$mem" -display none -monitor none -no-reboot \
		-kernel "$GUEST" -append "console=ttyS0 $append" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio "$@" </dev/null \
		2>"$out/$name.err" | tr -d '\r' >"$log"
	status=${PIPESTATUS[0]}
	[ "$status" -eq 124 ] && bad "$name boots" "no poweroff within ${TIMEOUT}s"
}
swap_disk() {	# swap_disk FILE SIZE: QEMU arguments for a virtio-blk swap disk
	truncate -s "$2" "$1"
	printf '%s\0' -global virtio-mmio.force-legacy=false \
		-drive "if=none,id=swap,file=$1,format=raw" -device virtio-blk-device,drive=swap
}

for need in "$GUEST" "$(command -v "$QEMU")"; do
	if [ ! -e "$need" ]; then
		echo "FAIL guest-swap: ${need:-$QEMU} is missing (make; apt-get install qemu-system-x86)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

# --- swap: 256 MiB of anonymous memory in a 128 MiB guest -------------------
mapfile -d '' disk < <(swap_disk "$out/swap.img" 512M)
boot swap 128M "quiet $VIRTIO_BLK ebb.init=\"cat /proc/swaps; ps; cat /proc/sys/vm/swappiness; cat /proc/meminfo; run anon 256M hotcold &; sleep 4; cat /proc/meminfo; sleep 10; cat /proc/meminfo; wait; cat /proc/vmstat; cat /proc/pressure/memory; cat /sys/kernel/debug/extfrag/extfrag_index; free; dmesg; poweroff\"" \
	"${disk[@]}"
check "swap: swapon on vda at boot (dmesg)" '\] Adding 524288k swap on swap area 0\.'
check "swap: /proc/swaps lists the area" '^swap0[[:space:]]+partition[[:space:]]+524288[[:space:]]+0[[:space:]]+-2$'
check "swap: kswapd0 runs (ps)" '^ +[0-9]+ [RS] .* kswapd0$'
check "swap: kcompactd0 runs (ps)" '^ +[0-9]+ [RS] .* kcompactd0$'
check "swap: vm.swappiness 60" '^60$'
# Sampled twice while it runs (4 s and 14 s in): a loaded machine may not
# have the workload past RAM yet at the first look.
mapfile -t swapfree < <(sed -n 's/^SwapFree: *\([0-9]*\) kB$/\1/p' "$log")
during=$(printf '%s\n' "${swapfree[@]:1}" | sort -n | head -1)
if [ "${swapfree[0]:-}" = 524288 ] && [ "${during:-524288}" -lt 524288 ]; then
	ok "swap: meminfo SwapFree falls while the workload runs (${swapfree[0]} -> $during kB)"
else
	bad "swap: meminfo SwapFree" "got '${swapfree[*]:-}', want 524288 then less"
fi
check "swap: SwapTotal" '^SwapTotal: +524288 kB$'
check "swap: anon 256M hotcold: every page verified" '^anon: 65536 pages verified, 0 bad$'
check "swap: anon ends with status 0" '^anon: done in [0-9]+ ms, status 0$'
positive "swap: anon's pswpout > 0" "$(sed -n 's/^anon: swap: pswpin [0-9]* pswpout \([0-9]*\)$/\1/p' "$log")"
positive "swap: anon's pswpin > 0" "$(sed -n 's/^anon: swap: pswpin \([0-9]*\) pswpout [0-9]*$/\1/p' "$log")"
positive "swap: major faults (verify pass)" "$(sed -n 's/^anon: verify: \([0-9]*\) major faults.*/\1/p' "$log")"
check "swap: swap-in latency percentiles" '^anon: swap-in latency: n=[1-9][0-9]* mean=[0-9]+ns p50=[0-9]+ns p90=[0-9]+ns p99=[0-9]+ns'
check "swap: memory stall reported" '^anon: memory stall [0-9]+ ms \([0-9]+\.[0-9]% of [0-9]+ ms\), PSI some total \+[0-9]+ us$'
check "swap: no OOM kill" '^oom_kill 0$'
positive "swap: vmstat pgsteal_kswapd > 0" "$(sed -n 's/^pgsteal_kswapd \([0-9]*\)$/\1/p' "$log")"
check "swap: /proc/pressure/memory some" '^some avg10=[0-9]+\.[0-9]{2} avg60=[0-9]+\.[0-9]{2} avg300=[0-9]+\.[0-9]{2} total=[1-9][0-9]*$'
check "swap: /proc/pressure/memory full" '^full avg10=[0-9]+\.[0-9]{2} avg60=[0-9]+\.[0-9]{2} avg300=[0-9]+\.[0-9]{2} total=[0-9]+$'
check "swap: extfrag_index" '^Node 0, zone +DMA32( +-?[0-9]+\.[0-9]{3})+ *$'
check "swap: free shows the swap area" '^Swap: +524288 +[0-9]+ +[0-9]+$'
check_not "swap: no oops, bad checksum or I/O error" 'Oops|Kernel panic|BUG:|bad checksum|error on swap|SIG(KILL|SEGV|BUS)'
check_status "swap: clean poweroff" 1
for f in 'touched' 'faults' 'swap' 'alloc latency slow path' 'swap-in latency' 'memory stall'; do
	grep -m1 "^anon: $f" "$log" | sed 's/^/INFO guest-swap: /'
done

# --- together: two address spaces, then bad accesses -----------------------
mapfile -d '' disk < <(swap_disk "$out/swap2.img" 512M)
boot together 128M "quiet $VIRTIO_BLK ebb.init=\"run anon 96M random &; run anon 96M seq; wait; run badaccess write; run badaccess readonly; run badaccess read; run anon 8M seq; poweroff\"" \
	"${disk[@]}"
n=$(grep -c '^anon: 24576 pages verified, 0 bad$' "$log")
if [ "$n" -eq 2 ]; then ok "together: both 96M workloads verified every page"
else bad "together: two workloads" "$n of 2 report '24576 pages verified, 0 bad'"; fi
positive "together: they swapped (pswpout of both)" \
	"$(sed -n 's/^anon: swap: pswpin [0-9]* pswpout \([0-9]*\)$/\1/p' "$log" | awk '{ s += $1 } END { print s + 0 }')"
check "together: write outside any region: segfault report" 'wl/badaccess\[[0-9]+\]: segfault at 8000001000 ip [0-9a-f]{16} sp [0-9a-f]{16} error 2$'
check "together: write to a read-only region: protection fault report" 'wl/badaccess\[[0-9]+\]: segfault at 8000002000 ip [0-9a-f]{16} sp [0-9a-f]{16} error 3$'
check "together: read outside any region" 'wl/badaccess\[[0-9]+\]: segfault at 8000001000 ip [0-9a-f]{16} sp [0-9a-f]{16} error 0$'
n=$(grep -c '^badaccess: done in [0-9]* ms, status 139$' "$log")
if [ "$n" -eq 3 ]; then ok "together: each bad access ends its workload with status 139"
else bad "together: badaccess status" "$n of 3 ended with status 139"; fi
check "together: the guest goes on (a workload after them)" '^anon: 2048 pages verified, 0 bad$'
check_not "together: no oops" 'Oops|Kernel panic|BUG:|bad checksum'
check_status "together: clean poweroff" 1

# --- oom: no swap, the OOM killer takes the workload ------------------------
boot oom 128M 'quiet ebb.init="run anon 256M seq; cat /proc/vmstat; run anon 16M seq; poweroff"'
check "oom: the workload gets SIGKILL from the OOM killer" '^anon: SIGKILL after [0-9]+ touches \(chosen by the OOM killer\)$'
check "oom: ... and ends with status 137" '^anon: done in [0-9]+ ms, status 137$'
check "oom: oom_kill 1" '^oom_kill 1$'
check "oom: the next workload runs" '^anon: 4096 pages verified, 0 bad$'
check_not "oom: no oops" 'Oops|Kernel panic|BUG:'
check_status "oom: clean poweroff" 1

# --- oom2: no swap, two 96M workloads: one is killed, the other completes ---
boot oom2 128M 'quiet ebb.init="run anon 96M random &; run anon 96M seq; wait; cat /proc/vmstat; poweroff"'
n=$(grep -c '^anon: SIGKILL after [0-9]* touches (chosen by the OOM killer)$' "$log")
if [ "$n" -eq 1 ]; then ok "oom2: one of the two gets SIGKILL from the OOM killer"
else bad "oom2: OOM kills" "$n of 2 report SIGKILL from the OOM killer, want 1"; fi
check "oom2: ... and ends with status 137" '^anon: done in [0-9]+ ms, status 137$'
check "oom2: the other verifies every page" '^anon: 24576 pages verified, 0 bad$'
check "oom2: ... and ends with status 0" '^anon: done in [0-9]+ ms, status 0$'
check "oom2: oom_kill 1" '^oom_kill 1$'
check_not "oom2: no oops" 'Oops|Kernel panic|BUG:'
check_status "oom2: clean poweroff" 1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
