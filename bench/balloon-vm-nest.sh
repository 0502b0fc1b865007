#!/bin/sh
# SPDX-License-Identifier: MIT
# The measuring half of bench/balloon-vm.sh; runs where the VM runs (with
# /dev/kvm, inside the nested harness, or on the host for the QEMU
# backend), so POSIX sh for the nest's busybox.  RUNS times, a 1 GiB
# guest touches 640 MiB and frees it, then `ebb balloon NAME 512M` is
# timed to the guest's `actual` and to the VMM's RSS falling by 95% of
# 512 MiB, and deflating back to `actual` 0: "run N inflate_ms=..
# rss_ms=.. rss_pct=.. deflate_ms=..".  Then, in a guest with free page
# reporting, RUNS times a workload touches and frees 256 MiB, timed until
# 90% of it is back with the host: "run N report_ms=..".  Times come from
# /proc/uptime (10 ms) polled every 10 ms, and include an `ebb balloon`
# round trip per poll; on the QEMU backend `actual` is what QEMU last
# said (its BALLOON_CHANGE events, a query-balloon a second).
#
#   EBB    the ebb binary (default build/ebb)
#   ACCEL  kvm or qemu (default kvm)
#   RUNS   rounds (default 5)

EBB=${EBB:-build/ebb}
ACCEL=${ACCEL:-kvm}
RUNS=${RUNS:-5}
TMP=${TMPDIR:-/tmp}/ebb-balloon-bench.$$
NAME=balbench-$$
export EBB_RUNTIME_DIR="$TMP/run"
mkdir -p "$TMP"

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
field() { "$EBB" balloon "$NAME" --json 2>/dev/null | sed -n "s/^  \"$1\": \([0-9]*\).*/\1/p"; }
rss_kib() { sed -n 's/^Rss: *\([0-9]*\) kB/\1/p' "/proc/$rss_pid/smaps_rollup"; }
die() {
	echo "error: $*"
	[ -s "$TMP/err" ] && sed 's/^/# /' "$TMP/err"
	cleanup
	exit 1
}
cleanup() {
	if [ -n "${vm_pid:-}" ] && kill -0 "$vm_pid" 2>/dev/null; then
		"$EBB" stop "$NAME" >/dev/null 2>&1 || kill "$vm_pid"
		sleep 1
		kill -9 "$vm_pid" 2>/dev/null
	fi
	rm -rf "$TMP"
}
# Poll until `field $1` is $2, up to 120 s; the time it took in ms, or die.
wait_field() {
	t0=$1
	while [ "$(field actual_bytes)" != "$2" ]; do
		[ $(($(now_ms) - t0)) -gt 120000 ] && die "actual never reached $2"
		sleep 0.01
	done
	echo $(($(now_ms) - t0))
}

# start_vm BALLOON-OPTIONS: boot a 1 GiB guest and wait for its control channel.
start_vm() {
	"$EBB" run --accel "$ACCEL" --name "$NAME" --mem 1G --balloon="$1" \
		</dev/null >"$TMP/console" 2>"$TMP/err" &
	vm_pid=$!
	i=0
	until "$EBB" ctl "$NAME" '{"execute": "query-status"}' 2>/dev/null |
		grep -q '"control_channel_ready":true'; do
		i=$((i + 1))
		[ $i -gt 600 ] && die "the guest did not come up"
		kill -0 "$vm_pid" 2>/dev/null || die "ebb run ended"
		sleep 0.1
	done
	rss_pid=$vm_pid
	if [ "$ACCEL" = qemu ]; then
		rss_pid=$("$EBB" ctl "$NAME" '{"execute": "query-status"}' |
			sed -n 's/.*"qemu_pid": *\([0-9]*\).*/\1/p')
		[ -n "$rss_pid" ] || die "no qemu_pid in query-status"
	fi
}
stop_vm() {
	"$EBB" stop "$NAME" >/dev/null 2>&1
	wait "$vm_pid" 2>/dev/null
	vm_pid=
}

# Inflation and deflation, without reporting (it would give the memory back first).
start_vm stats=1
r=1
while [ $r -le "$RUNS" ]; do
	"$EBB" exec "$NAME" run anon 640M seq >/dev/null 2>&1 || die "run anon 640M failed"
	rss0=$(rss_kib)
	t0=$(now_ms)
	"$EBB" balloon "$NAME" 512M >/dev/null || die "ebb balloon $NAME 512M failed"
	inflate_ms=
	rss_ms=
	while [ -z "$inflate_ms" ] || [ -z "$rss_ms" ]; do
		t=$(($(now_ms) - t0))
		[ $t -gt 120000 ] && die "inflating 512 MiB took over 120 s"
		[ -z "$rss_ms" ] && [ $((rss0 - $(rss_kib))) -ge $((524288 * 95 / 100)) ] && rss_ms=$t
		[ -z "$inflate_ms" ] && [ "$(field actual_bytes)" = 536870912 ] && inflate_ms=$t
		sleep 0.01
	done
	rss_pct=$(( (rss0 - $(rss_kib)) * 100 / 524288 ))
	t0=$(now_ms)
	"$EBB" balloon "$NAME" 1G >/dev/null || die "ebb balloon $NAME 1G failed"
	until [ "$(field actual_bytes)" = 0 ]; do
		[ $(($(now_ms) - t0)) -gt 120000 ] && die "deflating took over 120 s"
		sleep 0.01
	done
	deflate_ms=$(($(now_ms) - t0))
	echo "run $r inflate_ms=$inflate_ms rss_ms=$rss_ms rss_pct=$rss_pct deflate_ms=$deflate_ms"
	r=$((r + 1))
done
stop_vm

# Free page reporting: the clock starts when a workload has touched and freed 256 MiB.
start_vm reporting
sleep 2
r=1
while [ $r -le "$RUNS" ]; do
	rss0=$(rss_kib)
	"$EBB" exec "$NAME" run anon 256M seq >/dev/null 2>&1 || die "run anon 256M failed"
	t0=$(now_ms)
	while [ $(($(rss_kib) - rss0)) -gt $((262144 / 10)) ]; do
		[ $(($(now_ms) - t0)) -gt 60000 ] && die "reporting did not give 90% back in 60 s"
		sleep 0.01
	done
	echo "run $r report_ms=$(($(now_ms) - t0))"
	r=$((r + 1))
done
cleanup
