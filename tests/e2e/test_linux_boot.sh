#!/bin/sh
# SPDX-License-Identifier: MIT
# Linux micro-VMs under ebb, end to end: a distribution's bzImage and its
# vmlinux (PVH) boot with a busybox initrd (tests/linux/mkinitrd.sh) to its
# /init, which loads the virtio modules, prints nproc and free -m, runs the
# command of ebb.init= and powers off with its status.  Needs a /dev/kvm:
# tests/e2e/linux.sh runs it through tests/nested/kvm-run.sh (directly, or
# inside the nested harness).  POSIX sh, so the nest's busybox runs it.
# Prints one "PASS linux-boot: ..." / "FAIL linux-boot: ...: why" line per
# test, timing lines, and "linux-boot: N passed, N failed"; exits 0 when
# all passed.
#
# Paths are relative to the repository root (the same inside the nest):
#   EBB            the ebb binary (default build/ebb)
#   LINUX_KERNEL   the bzImage (default build/linux/vmlinuz)
#   LINUX_INITRD   the initrd (default build/linux/initrd.cpio.gz)
#   LINUX_VMLINUX  the same kernel as a PVH ELF (optional; default
#                  build/linux/vmlinux when it exists)

EBB=${EBB:-build/ebb}
K=${LINUX_KERNEL:-build/linux/vmlinuz}
I=${LINUX_INITRD:-build/linux/initrd.cpio.gz}
V=${LINUX_VMLINUX:-build/linux/vmlinux}
T=${LINUX_TEST_TIMEOUT:-300}
TMP=${TMPDIR:-/tmp}/ebb-linux-e2e.$$
mkdir -p "$TMP"
pass=0
fail=0

ok() { echo "PASS linux-boot: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL linux-boot: $1: $2"
	for f in "$TMP/out" "$TMP/err"; do
		[ -s "$f" ] && sed 's/^/    | /' "$f" | tail -n 25
	done
	fail=$((fail + 1))
}

up() { cut -d' ' -f1 /proc/uptime; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# run ARGS...: ebb run ARGS, stdin closed; sets $st and $t_run (seconds).
run() {
	t0=$(up)
	timeout -k 10 "$T" "$EBB" run "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	st=$?
	t_run=$(secs "$t0" "$(up)")
}

has() { grep -q -- "$2" "$TMP/$1"; }

# The guest's uptime at /init, from its "ebb-init: up 1.23s" line.
init_uptime() { sed -n 's/.*ebb-init: up \([0-9.]*\)s.*/\1/p' "$TMP/out" | head -n 1; }

for f in "$EBB" "$K" "$I"; do
	if [ ! -f "$f" ]; then
		echo "FAIL linux-boot: setup: $f is missing (tests/e2e/linux.sh prepares it)"
		echo "linux-boot: 0 passed, 1 failed"
		exit 1
	fi
done

# 1. The bzImage with the initrd: boot log, init, modules, nproc, free, the
#    command, power-off status 0.
run --kernel "$K" --initrd "$I" --mem 512M --cpus 1 \
	--append 'ebb.init="echo linux-boot-ok; cat /proc/cmdline"'
total=$(awk '/^Mem:/ { print $2; exit }' "$TMP/out")
if [ $st -ne 0 ]; then bad bzimage "exit status $st, want 0"
elif ! has out "Linux version"; then bad bzimage "no \"Linux version\" on the console: the kernel did not start"
elif ! has out "ebb-init: up"; then bad bzimage "the kernel did not reach the initrd's /init"
elif has out "insmod .* failed"; then bad bzimage "a module failed to load"
elif ! has out "ebb-init: insmod virtio_mmio"; then bad bzimage "virtio_mmio was not loaded"
elif ! has out "ebb-init: nproc 1"; then bad bzimage "nproc is not 1"
elif [ -z "$total" ] || [ "$total" -lt 400 ] || [ "$total" -gt 512 ]; then
	bad bzimage "free -m says ${total:-nothing} MiB total, want 400-512 of --mem 512M"
elif ! has out "^linux-boot-ok"; then bad bzimage "the ebb.init command did not run"
elif ! grep -q '^console=ttyS0.* ebb.init="echo linux-boot-ok; cat /proc/cmdline"' "$TMP/out"; then
	bad bzimage "/proc/cmdline is not the command line ebb built"
elif ! has out "ebb-init: poweroff, status 0"; then bad bzimage "no power-off line"
else
	ok "bzimage: Debian's bzImage + initrd: /init, virtio modules, nproc 1, free ${total} MiB, command, poweroff 0"
	echo "linux-boot: bzimage boot log, first and last lines:"
	grep -m 3 '^\[' "$TMP/out" | sed 's/^/    | /'
	echo "    | ..."
	tail -n 8 "$TMP/out" | sed 's/^/    | /'
	echo "linux-boot: timing bzimage (boot log on the console): guest uptime at /init $(init_uptime) s, ebb run to exit $t_run s"
fi

# 2. The same kernel as a PVH ELF (vmlinux): the initrd through start_info's
#    module list; the command's status becomes ebb's (64 + 3).
if [ -f "$V" ]; then
	run --kernel "$V" --initrd "$I" --mem 512M --append 'quiet ebb.init="echo pvh-initrd-ok; exit 3"'
	if [ $st -ne 67 ]; then bad pvh "exit status $st, want 67 (the command's 3 + 64)"
	elif ! has out "ebb-init: up"; then bad pvh "the kernel did not reach the initrd's /init (module list)"
	elif ! has out "^pvh-initrd-ok"; then bad pvh "the ebb.init command did not run"
	else
		ok "pvh: vmlinux (PVH entry) + initrd via start_info's module list; status 3 -> ebb exits 67"
		echo "linux-boot: timing pvh (quiet): guest uptime at /init $(init_uptime) s, ebb run to exit $t_run s"
	fi
else
	echo "linux-boot: no $V: the PVH vmlinux case did not run"
fi

# 3. Quiet bzImage boot, for a figure without the console's cost; the
#    command's non-zero status.
run --kernel "$K" --initrd "$I" --mem 512M --append 'quiet ebb.init="exit 5"'
if [ $st -ne 69 ]; then bad bzimage-status "exit status $st, want 69 (the command's 5 + 64)"
elif ! has out "ebb-init: poweroff, status 5"; then bad bzimage-status "no power-off line with status 5"
else
	ok "bzimage-status: status 5 -> ebb exits 69"
	echo "linux-boot: timing bzimage (quiet): guest uptime at /init $(init_uptime) s, ebb run to exit $t_run s"
fi

# 4. ebb's own guest takes the initrd as a PVH module too, and ignores it.
run --mem 256M --initrd "$I" --append 'ebb.init="poweroff"'
if [ $st -ne 0 ]; then bad embedded "exit status $st, want 0"
else ok "embedded: ebb's guest boots with --initrd (a module it ignores), poweroff 0"; fi

# 5. What is not a kernel, and an initrd that does not fit: clear errors, exit 1.
run --kernel "$I" --mem 512M
if [ $st -ne 1 ]; then bad not-a-kernel "exit status $st, want 1"
elif ! has err "not an ELF with a PVH note nor a bzImage"; then bad not-a-kernel "no clear message"
else ok "not-a-kernel: a cpio as --kernel is refused, exit 1"; fi
dd if=/dev/zero of="$TMP/big" bs=1048576 seek=63 count=1 2>/dev/null
run --kernel "$K" --initrd "$TMP/big" --mem 96M
if [ $st -ne 1 ]; then bad initrd-too-big "exit status $st, want 1"
elif ! has err "the initrd (64 MiB) does not fit"; then bad initrd-too-big "no clear message"
elif ! has err "or more"; then bad initrd-too-big "the message does not say how much RAM it needs"
else ok "initrd-too-big: a 64 MiB initrd beside the kernel in 96 MiB is refused: $(grep -o '\-\-mem [0-9]*M or more' "$TMP/err")"; fi

rm -rf "$TMP"
echo "linux-boot: $pass passed, $fail failed"
[ $fail -eq 0 ]
