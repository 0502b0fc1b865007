#!/bin/sh
# SPDX-License-Identifier: MIT
# The measuring half of bench/balloon-vm-linux.sh; runs where /dev/kvm is
# (directly, or inside the nested harness), so POSIX sh for the nest's
# busybox.  Two 512 MiB guests with --balloon=deflate-on-oom,stats=1, one
# after the other: ebb's own guest (its balloon driver) and Debian's kernel
# with ebb's busybox initrd (Linux's virtio_balloon).  RUNS rounds each: the
# guest touches 384 MiB and frees it, then `ebb balloon NAME 256M` (a
# 256 MiB balloon) is timed to the device's `actual` reaching it, and
# deflating back to 0; the VMM's RSS is read before and after.  Prints
# "DRIVER run N inflate_ms=.. deflate_ms=.. rss_before_mib=.. rss_after_mib=..".
# Times come from /proc/uptime (10 ms) polled every 10 ms and include an
# `ebb balloon` round trip per poll.
#
#   EBB  RUNS  LINUX_KERNEL  LINUX_INITRD  (defaults: build/ebb, 3,
#   build/linux/vmlinuz, build/linux/initrd.cpio.gz)

EBB=${EBB:-build/ebb}
RUNS=${RUNS:-3}
K=${LINUX_KERNEL:-build/linux/vmlinuz}
I=${LINUX_INITRD:-build/linux/initrd.cpio.gz}
TMP=${TMPDIR:-/tmp}/ebb-balloon-linux.$$
NAME=ballin-$$
export EBB_RUNTIME_DIR="$TMP/run"
mkdir -p "$TMP"
vm_pid=

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
field() { "$EBB" balloon "$NAME" --json 2>/dev/null | sed -n "s/^  \"$1\": \([0-9]*\).*/\1/p"; }
rss_mib() { awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$vm_pid/status"; }
console() { tr -d '\r' <"$TMP/console"; }
die() {
	echo "error: $*"
	console | tail -n 15 | sed 's/^/# /'
	[ -s "$TMP/err" ] && tail -n 5 "$TMP/err" | sed 's/^/# /'
	stop_vm
	rm -rf "$TMP"
	exit 1
}
stop_vm() {
	if [ -n "$vm_pid" ] && kill -0 "$vm_pid" 2>/dev/null; then
		"$EBB" stop "$NAME" >/dev/null 2>&1 || kill "$vm_pid"
		sleep 1
		kill -9 "$vm_pid" 2>/dev/null
	fi
	wait "$vm_pid" 2>/dev/null
	vm_pid=
}
# wait_actual BYTES: until actual is BYTES (120 s at most); prints the ms.
wait_actual() {
	t0=$(now_ms)
	while [ "$(field actual_bytes)" != "$1" ]; do
		[ $(($(now_ms) - t0)) -gt 120000 ] && die "actual never reached $1 (now $(field actual_bytes))"
		sleep 0.01
	done
	echo $(($(now_ms) - t0))
}
# round DRIVER N: inflate to a 256 MiB balloon and deflate, timed.
round() {
	rb=$(rss_mib)
	t0=$(now_ms)
	"$EBB" balloon "$NAME" 256M >/dev/null || die "ebb balloon $NAME 256M failed"
	in_ms=$(wait_actual 268435456) || exit 1
	ra=$(rss_mib)
	"$EBB" balloon "$NAME" 512M >/dev/null || die "ebb balloon $NAME 512M failed"
	de_ms=$(wait_actual 0) || exit 1
	echo "$1 run $2 inflate_ms=$in_ms deflate_ms=$de_ms rss_before_mib=$rb rss_after_mib=$ra"
}
# wait_mark STEP: until the Linux guest prints @@b:STEP@@ (300 s at most).
wait_mark() {
	t0=$(now_ms)
	until console | grep -q "^@@b:$1@@"; do
		kill -0 "$vm_pid" 2>/dev/null || die "ebb run ended before the guest's step $1"
		[ $(($(now_ms) - t0)) -gt 300000 ] && die "no step $1 from the guest in 300 s"
		sleep 0.1
	done
}

# ebb's own guest and driver.
"$EBB" run --name "$NAME" --mem 512M --balloon=deflate-on-oom,stats=1 \
	</dev/null >"$TMP/console" 2>"$TMP/err" &
vm_pid=$!
i=0
until "$EBB" ctl "$NAME" '{"execute": "query-status"}' 2>/dev/null | grep -q '"control_channel_ready":true'; do
	i=$((i + 1))
	[ $i -gt 1200 ] && die "ebb's guest did not come up"
	kill -0 "$vm_pid" 2>/dev/null || die "ebb run ended"
	sleep 0.1
done
r=1
while [ $r -le "$RUNS" ]; do
	"$EBB" exec "$NAME" run anon 384M seq >/dev/null 2>&1 || die "run anon 384M failed"
	round ebb $r
	r=$((r + 1))
done
stop_vm

# Debian's kernel and Linux's driver: the guest touches 384 MiB with dd's
# buffer, says so, and waits until its MemFree shows the balloon come and go.
G='m() { echo @@b:$1@@; }; mf() { awk '\''/^MemFree:/ { print int($2 / 1024) }'\'' /proc/meminfo; };'
G="$G"' r=1; while [ $r -le '"$RUNS"' ]; do dd if=/dev/zero of=/dev/null bs=384M count=1 2>/dev/null; f0=$(mf); m t$r;'
G="$G"' i=0; until [ $((f0 - $(mf))) -ge 240 ]; do sleep 0.1; i=$((i + 1)); [ $i -lt 3000 ] || exit 9; done;'
G="$G"' i=0; until [ $((f0 - $(mf))) -lt 64 ]; do sleep 0.1; i=$((i + 1)); [ $i -lt 3000 ] || exit 9; done; r=$((r + 1)); done'
: >"$TMP/console"
"$EBB" run --name "$NAME" --kernel "$K" --initrd "$I" --mem 512M --balloon=deflate-on-oom,stats=1 \
	--append "quiet ebb.init=\"$G\"" </dev/null >"$TMP/console" 2>"$TMP/err" &
vm_pid=$!
r=1
while [ $r -le "$RUNS" ]; do
	wait_mark t$r
	round linux $r
	r=$((r + 1))
done
t0=$(now_ms)
while kill -0 "$vm_pid" 2>/dev/null; do
	[ $(($(now_ms) - t0)) -gt 120000 ] && die "the Linux guest did not power off"
	sleep 0.2
done
wait "$vm_pid" || die "ebb run (Linux) exited with status $?"
vm_pid=
rm -rf "$TMP"
