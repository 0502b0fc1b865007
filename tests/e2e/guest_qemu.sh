#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest kernel on its own: boots build/guest/ebb-guest.elf under QEMU's
# microvm machine (TCG, no KVM needed) through PVH, the way ebb will boot it,
# and checks what comes out of the serial console and the exit status.
#
# QEMU's isa-debug-exit device at 0xf4 makes QEMU exit with (N << 1) | 1
# when the guest powers off with status N (docs/CONVENTIONS.md): 1 is a
# clean poweroff, 5 an unhandled exception (status 2).
#
# Prints "PASS guest-qemu: ..." / "FAIL guest-qemu: ...: why" per check,
# "INFO ..." for measured figures, and a last line "N passed, N failed".
# Exit status 0 when everything passed.  Run from anywhere after
# `make build/guest/ebb-guest.elf`.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

GUEST=${GUEST_ELF:-build/guest/ebb-guest.elf}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${GUEST_QEMU_TIMEOUT:-180}
out=$(mktemp -d "${TMPDIR:-/tmp}/ebb-guest-qemu.XXXXXX")
trap 'rm -rf "$out"' EXIT
pass=0
fail=0
log=

ok() { echo "PASS guest-qemu: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL guest-qemu: $1: $2"
	[ -n "$log" ] && [ -s "$log" ] && sed 's/^[0-9.]* /    | /' "$log" | tail -n 15
	fail=$((fail + 1))
}
check() {	# check NAME PATTERN: the last boot's console has a line matching PATTERN
	if grep -Eq -- "$2" "$log"; then ok "$1"; else bad "$1" "no line matching /$2/"; fi
}
check_not() {	# check_not NAME PATTERN
	if grep -Eq -- "$2" "$log"; then bad "$1" "unexpected /$2/"; else ok "$1"; fi
}
check_status() {	# check_status NAME WANT
	if [ "$status" -eq "$2" ]; then ok "$1 (QEMU exit $status)"
	else bad "$1" "QEMU exit status $status, want $2"; fi
}

# boot NAME MEM APPEND [INPUT]: run the guest; each console line is stored
# with the host time it arrived (seconds since the epoch) so the boot can
# be timed.  INPUT, if given, is typed on the serial console, after a
# newline: QEMU may already hand the first byte to the UART before its
# machine reset, which then drops it.  The serial
# port is plain stdio, not -nographic's monitor mux: the mux drops what it
# still buffers when its input reaches end-of-file.
boot() {
	local name=$1 mem=$2 append=$3 input=${4-}
	log=$out/$name.log
	start=$EPOCHREALTIME
	printf '%b' "${input:+\n$input}" | timeout "$TIMEOUT" "$QEMU" \
		-M microvm,x-option-roms=off,rtc=off,isa-serial=on -accel tcg -cpu max \
		-m "$mem" -display none -serial stdio -monitor none -no-reboot -kernel "$GUEST" \
		-append "console=ttyS0 $append" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 2>"$out/$name.err" |
	while IFS= read -r line; do
		printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"
	done >"$log"
	status=${PIPESTATUS[1]}
	if [ "$status" -eq 124 ]; then
		bad "$name boots" "no poweroff within ${TIMEOUT}s"
	fi
}
ms_since_start() {	# ms_since_start PATTERN: when the first matching line arrived
	local t
	t=$(grep -Em1 -- "$1" "$log" | cut -d' ' -f1)
	[ -n "$t" ] && awk -v a="$start" -v b="$t" 'BEGIN { printf "%.0f", (b - a) * 1000 }'
}

if [ ! -f "$GUEST" ]; then
	echo "FAIL guest-qemu: image: $GUEST is missing (make build/guest/ebb-guest.elf)"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! command -v "$QEMU" >/dev/null; then
	echo "FAIL guest-qemu: qemu: $QEMU not found (apt-get install qemu-system-x86)"
	echo "0 passed, 1 failed"
	exit 1
fi

# The image: a 64-bit ELF with the PVH entry note (Xen, type 18).
if readelf -hn "$GUEST" 2>/dev/null | grep -q 'ELF64' &&
   readelf -n "$GUEST" | grep -Eq 'Xen +0x00000004.*(0x00000012|PHYS32_ENTRY)'; then
	ok "image: ELF64 with XEN_ELFNOTE_PHYS32_ENTRY"
else
	bad "image" "no ELF64 PVH note in $GUEST"
fi

# The main run, as docs and CI use it.
boot main 512M 'ebb.init="cat /proc/buddyinfo; run anon 64M seq; poweroff"'
check "main: banner" '^[0-9.]+ \[ *[0-9.]+\] ebb-guest version'
check "main: memory map from start_info" 'BIOS-e820: \[mem 0x0000000000100000-0x[0-9a-f]+\] usable'
check "main: guestmm initialised" '\] mm: [0-9]+ pages RAM, [0-9]+ managed'
check "main: init commands echoed at the prompt" '^[0-9.]+ ebb# cat /proc/buddyinfo$'
check "main: buddyinfo node 0 zone DMA" '^[0-9.]+ Node 0, zone +DMA( +[0-9]+){11} *$'
check "main: buddyinfo node 0 zone DMA32" '^[0-9.]+ Node 0, zone +DMA32( +[0-9]+){11} *$'
check "main: anon touched 2 x 64M" 'anon: touched 128 MiB in [0-9]+ ms: [0-9]+ MiB/s'
check "main: anon faults" 'anon: faults: 16384 minor \(first touch\), 0 major \(swap-in\)$'
check "main: anon pages verified" 'anon: 16384 pages verified, 0 bad$'
check "main: anon fast-path latency percentiles" 'anon: alloc latency fast path: n=[0-9]+ mean=[0-9]+ns p50=[0-9]+ns p90=[0-9]+ns p99=[0-9]+ns p99.9=[0-9]+ns max=[0-9]+ns'
check "main: anon slow-path line" 'anon: alloc latency slow path: n=[0-9]+'
check "main: anon ends and reports" 'anon: done in [0-9]+ ms, status 0'
check "main: poweroff" 'reboot: Power down'
check_not "main: no oops or panic" 'Oops|Kernel panic|BUG:|WARNING'
check_status "main: clean exit status 0" 1
first=$(ms_since_start '\] ebb-guest version')
prompt=$(ms_since_start '^[0-9.]+ ebb# ')
kprompt=$(grep -Eo 'shell: prompt after [0-9]+ ms' "$log" | grep -Eo '[0-9]+' | head -1)
echo "INFO guest-qemu: boot (QEMU microvm, TCG, 512M): first output ${first:-?} ms after exec, prompt ${prompt:-?} ms after exec${kprompt:+ (guest clock: ${kprompt} ms)}"

# Two NUMA nodes, as ebb passes them on the command line.
boot numa 512M 'quiet ebb.numa=0:0-10000000,1:10000000-20000000 ebb.distance=10,20,20,10 ebb.init="cat /proc/buddyinfo; poweroff"'
check "numa: node 0 DMA" '^[0-9.]+ Node 0, zone +DMA( +[0-9]+){11} *$'
check "numa: node 0 DMA32" '^[0-9.]+ Node 0, zone +DMA32( +[0-9]+){11} *$'
check "numa: node 1 DMA32" '^[0-9.]+ Node 1, zone +DMA32( +[0-9]+){11} *$'
check_status "numa: clean exit" 1

# A layout that makes no sense is reported and replaced by one node.
boot badnuma 256M 'ebb.numa=0:10000000-0,x ebb.init="cat /proc/buddyinfo; poweroff"'
check "bad numa: reported" 'NUMA: bad layout'
check "bad numa: falls back to one node" '^[0-9.]+ Node 0, zone +DMA32'
check_status "bad numa: still boots and exits cleanly" 1

# The console's input (IRQ 4 through the IOAPIC), typed as a person would.
boot input 256M 'quiet' 'uptime\nfree\necho m > /proc/sysrq-trigger\npoweroff 7\n'
check "input: uptime" '^[0-9.]+  up [0-9]+:[0-9]{2}:[0-9]{2}'
check "input: free" '^[0-9.]+ Mem: +[0-9]+ +[0-9]+ +[0-9]+'
check "input: sysrq m shows Mem-Info" '\] Node 0 DMA32: .*= [0-9]+kB$'
check_status "input: poweroff 7 gives status 7" 15

# An unhandled exception is reported and ends the machine with status 2.
boot crash 256M 'quiet ebb.init="echo c > /proc/sysrq-trigger"'
check "crash: page fault report" 'BUG: unable to handle page fault for address: 0000000000000000'
check "crash: registers" 'RIP: 0008:0x[0-9a-f]{16}'
check_status "crash: exit status 2" 5

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
