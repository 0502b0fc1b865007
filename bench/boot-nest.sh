#!/bin/sh
# SPDX-License-Identifier: MIT
# The measuring half of bench/boot.sh; runs where /dev/kvm is (directly, or
# inside the nested harness), so POSIX sh for the nest's busybox.  Prints
# "== CASE" headers followed by boot-probe's lines.
#   RUNS      boots per case (default 20; the embedded guest gets RUNS/4)
P=build/bench/boot-probe
EBB=build/ebb
G=build/tests/e2e/guests/vmm_hello.elf
RUNS=${RUNS:-20}
SHELL_RUNS=$((RUNS / 4))
[ "$SHELL_RUNS" -ge 3 ] || SHELL_RUNS=3

echo "== ebb-first-insn"
"$P" --runs "$RUNS" --until hello -- "$EBB" run --kernel "$G" --mem 512M --stats

echo "== ebb-shell"
"$P" --runs "$SHELL_RUNS" --until "ebb# " --send 'poweroff\n' -- \
	"$EBB" run --mem 512M --numa 2 --stats

# The peer: QEMU's microvm machine with KVM booting the same PVH image.
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "== qemu-first-insn"
	"$P" --runs "$RUNS" --until hello -- qemu-system-x86_64 -L /usr/share/qemu \
		-M microvm,x-option-roms=off,rtc=off,isa-serial=on,pit=on,pic=on \
		-accel kvm -cpu host -m 512M -smp 1 -nodefaults -no-user-config \
		-display none -serial stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$G"
fi
