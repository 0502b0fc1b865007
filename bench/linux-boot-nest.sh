#!/bin/sh
# SPDX-License-Identifier: MIT
# The measuring half of bench/linux-boot.sh; runs where /dev/kvm is
# (directly, or inside the nested harness), so POSIX sh for the nest's
# busybox.  Prints "== CASE" headers followed by boot-probe's lines: the
# same Debian bzImage and busybox initrd booted to its /init ("ebb-init: up")
# and on to power-off, by ebb and by QEMU's microvm machine with KVM.
#   RUNS   boots per case (default 3)
P=build/bench/boot-probe
EBB=build/ebb
K=build/linux/vmlinuz
I=build/linux/initrd.cpio.gz
RUNS=${RUNS:-3}
APPEND='console=ttyS0 quiet ebb.init=true'

echo "== ebb"
"$P" --runs "$RUNS" --timeout 300 --until "ebb-init: up" -- \
	"$EBB" run --kernel "$K" --initrd "$I" --mem 512M --cpus 1 --cmdline "$APPEND" --stats

# The peer: QEMU's microvm with KVM, the same kernel, initrd and command line.
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "== qemu"
	"$P" --runs "$RUNS" --timeout 300 --until "ebb-init: up" -- qemu-system-x86_64 -L /usr/share/qemu \
		-M microvm,rtc=off,isa-serial=on,pit=on,pic=on \
		-accel kvm -cpu host -m 512M -smp 1 -nodefaults -no-user-config \
		-display none -serial stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$K" -initrd "$I" -append "$APPEND"
fi
