#!/bin/sh
# SPDX-License-Identifier: MIT
# The measuring half of bench/linux-boot.sh; runs where /dev/kvm is
# (directly, or inside the nested harness), so POSIX sh for the nest's
# busybox.  Prints "== CASE" headers followed by boot-probe's lines: the
# same Debian bzImage and busybox initrd booted to its /init ("ebb-init: up")
# and on to the VMM's exit, by ebb, by QEMU's microvm machine with KVM and
# by kvmtool (lkvm, when there is one), one after the other in one session.
# Then one more boot per VMM prints the kernel command line the guest got
# ("cmdline VMM: ..."), to show what each VMM adds to the common one.
#   RUNS   boots per case (default 3)
#   LKVM   kvmtool's binary (default build/bench/lkvm, else lkvm on PATH)
P=build/bench/boot-probe
EBB=build/ebb
K=build/linux/vmlinuz
I=build/linux/initrd.cpio.gz
RUNS=${RUNS:-3}
APPEND='console=ttyS0 quiet ebb.init=true'
LKVM=${LKVM:-build/bench/lkvm}
[ -x "$LKVM" ] || LKVM=$(command -v lkvm 2>/dev/null)
QEMU=
command -v qemu-system-x86_64 >/dev/null 2>&1 && QEMU=qemu-system-x86_64

# The three VMMs; $1 is the command line.  QEMU's microvm needs acpi=on for
# Debian's kernel to find its devices (as ebb's ACPI tables give them).
# kvmtool has no ACPI for x86 (it passes noacpi itself) and no exit port:
# its guest ends with `reboot -f` (reboot=k, the keyboard controller's
# reset, which ends lkvm) where the others power off.
ebb_cmd() { "$EBB" run --kernel "$K" --initrd "$I" --mem 512M --cpus 1 --cmdline "$1" --stats; }
qemu_cmd() {
	"$QEMU" -L /usr/share/qemu \
		-M microvm,acpi=on,rtc=off,isa-serial=on,pit=on,pic=on \
		-accel kvm -cpu host -m 512M -smp 1 -nodefaults -no-user-config \
		-display none -serial stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$K" -initrd "$I" -append "$1"
}
lkvm_cmd() { HOME=${TMPDIR:-/tmp} "$LKVM" run -k "$K" -i "$I" -m 512 -c 1 --console serial -n mode=none -p "$1"; }

echo "== ebb"
"$P" --runs "$RUNS" --timeout 300 --until "ebb-init: up" -- \
	"$EBB" run --kernel "$K" --initrd "$I" --mem 512M --cpus 1 --cmdline "$APPEND" --stats
if [ -n "$QEMU" ]; then
	echo "== qemu"
	"$P" --runs "$RUNS" --timeout 300 --until "ebb-init: up" -- "$QEMU" -L /usr/share/qemu \
		-M microvm,acpi=on,rtc=off,isa-serial=on,pit=on,pic=on \
		-accel kvm -cpu host -m 512M -smp 1 -nodefaults -no-user-config \
		-display none -serial stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$K" -initrd "$I" -append "$APPEND"
fi
if [ -n "$LKVM" ]; then
	echo "== kvmtool"
	HOME=${TMPDIR:-/tmp} "$P" --runs "$RUNS" --timeout 300 --until "ebb-init: up" -- \
		"$LKVM" run -k "$K" -i "$I" -m 512 -c 1 --console serial -n mode=none \
		-p "console=ttyS0 quiet ebb.init=\"reboot -f\""
else
	echo "== kvmtool"
	echo "none: no lkvm (Debian 12 has no kvmtool package; LKVM=PATH names one)"
fi

# What each guest's /proc/cmdline says (one boot each, not timed).
CL='console=ttyS0 quiet ebb.init="cat /proc/cmdline"'
cl() { tr -d '\r' | grep -v -e '^\[' -e '^ebb-init' | grep -m 1 'console=ttyS0' | sed "s/^/cmdline $1: /"; }
ebb_cmd "$CL" </dev/null 2>/dev/null | cl ebb
[ -n "$QEMU" ] && qemu_cmd "$CL" </dev/null 2>/dev/null | cl qemu
[ -n "$LKVM" ] && lkvm_cmd 'console=ttyS0 quiet ebb.init="cat /proc/cmdline; reboot -f"' </dev/null 2>/dev/null | cl kvmtool
exit 0
