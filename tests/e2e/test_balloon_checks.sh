#!/bin/sh
# SPDX-License-Identifier: MIT
# The balloon end to end on the KVM backend (needs a /dev/kvm:
# tests/e2e/test_balloon.sh runs it through tests/nested/kvm-run.sh).
# A 512 MiB guest touches 400 MiB and frees it; `ebb balloon NAME 256M`
# must reach its target and the VMM's RSS fall by at least 95% of the
# 256 MiB ballooned; /proc/balloon shows the inflation; deflating gives it
# back.  Then, with deflate-on-oom, a workload that needs the ballooned
# memory completes with no OOM kill; with reporting, 200 MiB a workload
# freed is back with the host within 1 s.  POSIX sh (the nest's busybox runs
# it).  Prints "PASS name" / "FAIL name: why" and "balloon: N passed, N failed".
#
#   EBB      the ebb binary (default build/ebb)

EBB=${EBB:-build/ebb}
T=${BALLOON_TIMEOUT:-180}
TMP=${TMPDIR:-/tmp}/ebb-balloon.$$
NAME=bal-$$
export EBB_RUNTIME_DIR="$TMP/run"
mkdir -p "$TMP"
pass=0
fail=0

ok() { echo "PASS balloon: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL balloon: $1: $2"; fail=$((fail + 1)); }
show() { [ -s "$1" ] && tail -n "${2:-15}" "$1" | sed 's/^/    | /'; }
stop_vm() {
	if [ -n "${vm_pid:-}" ] && kill -0 "$vm_pid" 2>/dev/null; then
		"$EBB" stop "$NAME" >/dev/null 2>&1 || kill "$vm_pid" 2>/dev/null
		sleep 1
		kill -9 "$vm_pid" 2>/dev/null
	fi
	vm_pid=
}
finish() {
	stop_vm
	rm -rf "$TMP"
	echo "balloon: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
# One field of `ebb balloon NAME --json` (a top-level integer).
field() { "$EBB" balloon "$NAME" --json 2>/dev/null | sed -n "s/^  \"$1\": \([0-9]*\).*/\1/p"; }
rss_kib() { sed -n 's/^Rss: *\([0-9]*\) kB/\1/p' "/proc/$vm_pid/smaps_rollup"; }

start_vm() {
	"$EBB" run --accel kvm --name "$NAME" --mem 512M --balloon="$1" \
		</dev/null >"$TMP/console" 2>"$TMP/err" &
	vm_pid=$!
	i=0
	while [ $i -lt "$T" ]; do
		"$EBB" ctl "$NAME" '{"execute": "query-status"}' >"$TMP/status" 2>/dev/null
		grep -q '"control_channel_ready":true' "$TMP/status" && return 0
		kill -0 "$vm_pid" 2>/dev/null || break
		sleep 1
		i=$((i + 1))
	done
	bad "boot ($1)" "the guest's control channel did not come up"
	show "$TMP/err"
	show "$TMP/console"
	finish
}

# Wait until the guest reports actual == target; 0 if it did.
wait_target() {
	i=0
	while [ $i -lt "$T" ]; do
		t=$(field target_bytes)
		a=$(field actual_bytes)
		[ -n "$t" ] && [ "$t" = "$a" ] && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# 1. Inflate by 256 MiB of memory the guest had touched: the host gets it back.
start_vm stats=1
"$EBB" exec "$NAME" run anon 400M seq >"$TMP/anon" 2>&1 || { bad anon "run anon 400M failed"; show "$TMP/anon"; }
rss0=$(rss_kib)
t0=$(date +%s)
"$EBB" balloon "$NAME" 256M || bad inflate "ebb balloon $NAME 256M failed"
if wait_target; then
	ok "inflate: actual reached 256 MiB in $(( $(date +%s) - t0 ))s"
else
	bad inflate "actual $(field actual_bytes) never reached $(field target_bytes)"
fi
rss1=$(rss_kib)
drop=$((rss0 - rss1))
if [ "$drop" -ge $((262144 * 95 / 100)) ]; then
	ok "rss: the VMM's RSS fell by $((drop / 1024)) MiB (>= 95% of 256 MiB)"
else
	bad rss "the VMM's RSS fell by ${drop} KiB only ($rss0 -> $rss1 KiB)"
fi
"$EBB" exec "$NAME" cat /proc/balloon >"$TMP/proc" 2>&1
if grep -q "^actual 65536" "$TMP/proc" && grep -q "^  pages 65536" "$TMP/proc"; then
	ok "proc: /proc/balloon shows 65536 pages and the inflation's accounting"
else
	bad proc "/proc/balloon does not show the inflation"
	show "$TMP/proc"
fi
sleep 2
if [ "$(field stats_updates)" != 0 ] && "$EBB" balloon "$NAME" | grep -q "infl-bytes *268435456"; then
	ok "stats: the host sees the guest's stats, the inflation among them"
else
	bad stats "no stats, or infl-bytes is not 256 MiB"
	"$EBB" balloon "$NAME" >"$TMP/bal" 2>&1
	show "$TMP/bal" 40
fi
"$EBB" balloon "$NAME" 512M || bad deflate "ebb balloon $NAME 512M failed"
if wait_target && [ "$(field actual_bytes)" = 0 ]; then
	ok "deflate: the balloon is empty again"
else
	bad deflate "actual is $(field actual_bytes), want 0"
fi
stop_vm

# 2. Deflate-on-OOM: a workload needing the balloon's memory runs to the end.
start_vm deflate-on-oom
"$EBB" balloon "$NAME" 128M
wait_target || bad oom-setup "the balloon did not reach 384 MiB"
"$EBB" exec "$NAME" run anon 300M seq >"$TMP/anon" 2>&1
"$EBB" exec "$NAME" cat /proc/vmstat >"$TMP/vmstat" 2>&1
if grep -q "pages verified, 0 bad" "$TMP/anon" && grep -q "done in .*status 0" "$TMP/anon" &&
	grep -q "^oom_kill 0" "$TMP/vmstat" && ! grep -q "^balloon_deflate 0" "$TMP/vmstat"; then
	ok "deflate-on-oom: run anon 300M completed in a 128M guest, the balloon gave way, no OOM kill"
else
	bad deflate-on-oom "the workload failed or the OOM killer ran"
	show "$TMP/anon"
	grep -E "^(oom_kill|balloon)" "$TMP/vmstat" | sed 's/^/    | /'
fi
stop_vm

# 3. Free page reporting: 200 MiB a workload touched and freed go back within 1 s.
start_vm reporting
sleep 2
rss0=$(rss_kib)
"$EBB" exec "$NAME" run anon 200M seq >"$TMP/anon" 2>&1
sleep 1
rss1=$(rss_kib)
if [ $((rss1 - rss0)) -le $((204800 / 10)) ]; then
	ok "reporting: 1 s after freeing 200 MiB, $(( (204800 - (rss1 - rss0)) * 100 / 204800 ))% of it is back with the host"
else
	bad reporting "RSS still $(( (rss1 - rss0) / 1024 )) MiB above where it was ($rss0 -> $rss1 KiB)"
	show "$TMP/anon" 3
fi
finish
