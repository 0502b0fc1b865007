#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest's device drivers against QEMU's own devices (microvm, TCG, no
# KVM needed): a virtio implementation nobody here wrote.
#
#   virtio-blk   QEMU's virtio-blk-device on a raw file, found through
#                virtio_mmio.device= as ebb passes it; `blk test` writes a
#                pattern, flushes, reads it back and compares checksums,
#                and the host checks the data reached the file.
#   refusals     a legacy (version 1) transport, an empty transport slot
#                and a malformed virtio_mmio.device= are reported, and the
#                guest boots on.
#   control      the COM2 control channel (docs/CONVENTIONS.md) through a
#                QEMU pipe chardev: framed answers, malformed lines, jobs,
#                kill and the job-done event, /proc/sys/vm writes.
#
# QEMU's microvm places virtio-mmio transports at 0xfeb00000 + 512 * n,
# n = 0..7, IRQ 5 + n with acpi=off (16 + n with ACPI), and the first
# -device lands on the last one: 0xfeb00e00, IRQ 12.  Its virtio-mmio is
# legacy unless -global virtio-mmio.force-legacy=false.
#
# Prints "PASS guest-devices: ..." / "FAIL guest-devices: ...: why" per
# check, "INFO ..." for figures, and a last line "N passed, N failed".
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

GUEST=${GUEST_ELF:-build/guest/ebb-guest.elf}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${GUEST_QEMU_TIMEOUT:-180}
VIRTIO_BLK='virtio_mmio.device=512@0xfeb00e00:12'
out=$(mktemp -d "${TMPDIR:-/tmp}/ebb-guest-devices.XXXXXX")
qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
pass=0
fail=0
log=

ok() { echo "PASS guest-devices: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL guest-devices: $1: $2"
	[ -n "$log" ] && [ -s "$log" ] && sed 's/^/    | /' "$log" | tail -n 15
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

qemu_args() {	# qemu_args MEM APPEND: the common command line
	printf '%s\0' -M microvm,x-option-roms=off,rtc=off,isa-serial=on,acpi=off \
		-accel tcg -cpu max -m "$1" -display none -monitor none -no-reboot \
		-kernel "$GUEST" -append "console=ttyS0 $2" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04
}

# boot NAME MEM APPEND [QEMU ARGS...]: run to poweroff, console in $log.
boot() {
	local name=$1 mem=$2 append=$3
	shift 3
	log=$out/$name.log
	mapfile -d '' common < <(qemu_args "$mem" "$append")
	timeout "$TIMEOUT" "$QEMU" "${common[@]}" -serial stdio "$@" </dev/null \
		2>"$out/$name.err" | tr -d '\r' >"$log"
	status=${PIPESTATUS[0]}
	[ "$status" -eq 124 ] && bad "$name boots" "no poweroff within ${TIMEOUT}s"
}

if [ ! -f "$GUEST" ]; then
	echo "FAIL guest-devices: image: $GUEST is missing (make build/guest/ebb-guest.elf)"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! command -v "$QEMU" >/dev/null; then
	echo "FAIL guest-devices: qemu: $QEMU not found (apt-get install qemu-system-x86)"
	echo "0 passed, 1 failed"
	exit 1
fi

# --- virtio-blk ------------------------------------------------------------
disk=$out/swap.img
truncate -s 64M "$disk"
boot blk 256M "quiet $VIRTIO_BLK ebb.init=\"virtio; blk info; blk test 8M 2048; blk info; cat /proc/interrupts; poweroff\"" \
	-global virtio-mmio.force-legacy=false \
	-drive if=none,id=swap,file="$disk",format=raw -device virtio-blk-device,drive=swap
check "blk: device negotiated, DRIVER_OK (status 0xf)" '^virtio0: device ID 2, vendor 0x554d4551, driver virtio_blk, features 0x1[0-9a-f]{8}, status 0xf$'
check "blk: disk found with its size" '^vda: 131072 sectors \(64 MiB\)'
check "blk: 8 MiB written, read back, every page checksum-correct" '^blk: vda: 2048/2048 pages checksum-correct$'
check "blk: a request past the end is refused" '^blk: vda: read past the end refused$'
check "blk: requests counted, no errors" '^vda: reads [1-9][0-9]* \([0-9]+ sectors\), writes [1-9][0-9]* \(16384 sectors\), flushes 1, errors 0$'
check "blk: completions by interrupt" '^ +12: +[1-9][0-9]* +IO-APIC +12-edge +virtio-mmio$'
check_not "blk: no oops or device failure" 'Oops|Kernel panic|BUG:|FAILED|broken'
check_status "blk: clean poweroff" 1
# The pattern reached the host file at sector 2048 (byte 1 MiB), not before.
if [ "$(od -An -tx1 -j $((2048 * 512)) -N 16 "$disk" | tr -d ' \n')" != "00000000000000000000000000000000" ] &&
   [ "$(od -An -tx1 -N $((2048 * 512)) "$disk" | tr -d ' \n*' | tr -d 0)" = "" ]; then
	ok "blk: data landed in the host file at sector 2048 and nowhere before"
else
	bad "blk: host file" "pattern not at byte 1048576 of $disk (or data before it)"
fi
grep -E '^blk: vda: wrote' "$log" | sed 's/^/INFO guest-devices: /'

# --- what the transport refuses -------------------------------------------
boot legacy 256M "quiet $VIRTIO_BLK virtio_mmio.device=512@0xfeb00000:5 virtio_mmio.device=4K@nonsense ebb.init=\"blk; poweroff\"" \
	-drive if=none,id=swap,file="$disk",format=raw -device virtio-blk-device,drive=swap
check "legacy: version 1 transport refused with a hint" 'virtio-mmio: 0xfeb00e00: version 1 not supported .*force-legacy=false'
check "legacy: malformed virtio_mmio.device= reported" 'virtio-mmio: bad virtio_mmio.device=4K@nonsense'
check "legacy: no disk, said so" '^blk: no block devices$'
check_not "legacy: no oops" 'Oops|Kernel panic|BUG:'
check_status "legacy: boots on and powers off" 1

# --- the control channel ---------------------------------------------------
fifo=$out/ctl
mkfifo "$fifo.in" "$fifo.out"
ctl_log=$out/ctl.log
log=$out/ctl-console.log
mapfile -d '' common < <(qemu_args 1G 'quiet')
"$QEMU" "${common[@]}" -serial "file:$log" \
	-chardev "pipe,id=ctl,path=$fifo" -device isa-serial,chardev=ctl,iobase=0x2f8,irq=3 \
	</dev/null 2>"$out/ctl.err" &
qemu_pid=$!
exec 3<>"$fifo.in" 4<>"$fifo.out"

# ctl_wait PATTERN [SECONDS]: read answers into $ctl_log until one matches.
ctl_wait() {
	local line deadline=$((SECONDS + ${2:-30}))
	while ((SECONDS < deadline)); do
		IFS= read -r -t 2 line <&4 || continue
		printf '%s\n' "$line" >>"$ctl_log"
		[[ $line =~ $1 ]] && return 0
	done
	return 1
}
# ctl ID COMMAND: send a request, wait for its status line.
ctl() {
	printf '%s %s\n' "$1" "$2" >&3
	ctl_wait "^$1 = " 60
}

: >"$ctl_log"
if ctl_wait '^\* ready$' 60; then ok "control: '* ready' when the channel is up"
else bad "control: ready" "no '* ready' on COM2"; fi
log=$ctl_log
ctl 1 'echo hello world'
check "control: output framed as 'ID | line'" '^1 \| hello world$'
check "control: status line 'ID = 0'" '^1 = 0$'
ctl 2 'cat /proc/meminfo'
check "control: /proc/meminfo over the channel" '^2 \| MemTotal: +[0-9]+ kB$'
check "control: MemAvailable" '^2 \| MemAvailable: +[0-9]+ kB$'
printf 'garbage without an id\n' >&3
ctl_wait '^\? = 22$' 30 && ok "control: a line without an ID gets '? = 22'" ||
	bad "control: no id" "no '? = 22'"
printf '3\n' >&3
ctl_wait '^3 = 22$' 30 && ok "control: an ID without a command gets 'ID = 22'" ||
	bad "control: no command" "no '3 = 22'"
printf '4 echo %s\n' "$(head -c 5000 /dev/zero | tr '\0' x)" >&3
ctl_wait '^4 = 22$' 30 && ok "control: a line over 4096 bytes gets 'ID = 22'" ||
	bad "control: long line" "no '4 = 22'"
printf '5 echo \001bell\n' >&3
ctl_wait '^5 = 22$' 30 && ok "control: control characters get 'ID = 22'" ||
	bad "control: control chars" "no '5 = 22'"
ctl 6 'nosuchcommand'
check "control: unknown command's message and status 127" '^6 = 127$'
ctl 7 'echo 2048 > /proc/sys/vm/min_free_kbytes; cat /proc/sys/vm/min_free_kbytes'
check "control: echo into /proc/sys/vm, read back" '^7 \| 2048$'
ctl 8 'echo 0 > /proc/sys/vm/watermark_scale_factor'
check "control: an out-of-range tunable is refused" '^8 = 1$'
ctl 9 'run anon 768M random &'
job=$(sed -nE 's/^9 \| \[([0-9]+)\] wl\/anon$/\1/p' "$ctl_log")
if [ -n "$job" ]; then ok "control: background job started as [$job]"
else bad "control: run &" "no '9 | [N] wl/anon'"; job=0; fi
ctl 10 'jobs'
check "control: jobs lists it running" "^10 \| \[$job\] Running +anon 768M random &$"
ctl 11 "kill $job"
check "control: kill accepted" '^11 = 0$'
ctl_wait "^\* job $job done status" 60
check "control: '* job N done status 143' after kill" "^\* job $job done status 143$"
ctl 12 'kill 999'
check "control: kill of no such job fails" '^12 = 1$'
ctl 13 'echo still here'
check "control: the channel goes on after all that" '^13 \| still here$'
printf '14 poweroff\n' >&3
wait "$qemu_pid"
status=$?
qemu_pid=
check_status "control: poweroff through the channel" 1
log=$out/ctl-console.log
check_not "control: no oops on the console" 'Oops|Kernel panic|BUG:'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
