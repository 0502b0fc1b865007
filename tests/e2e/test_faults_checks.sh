#!/bin/sh
# SPDX-License-Identifier: MIT
# Injected faults end to end on KVM (tests/e2e/test_faults.sh runs this
# through tests/nested/kvm-run.sh; docs/fault-injection.md).  One VM of
# 64 MiB with a 128 MiB swap disk and a balloon, idle programs (run anon
# SIZE idle) that check every page against its pattern when killed, and
# one fault after the other; each must give a clear error, lose no page
# and leave the VM running:
#
#   swap-write   armed at start (--inject swap-write:eio:times=4) while three
#                programs (S 8M, A 40M, B 16M) outgrow RAM: the pages whose
#                write failed stay in memory; pswpout_fail counts them
#   swap-read    for good (ebb inject swap-read:eio), A killed: its check
#                meets a page that cannot come back, A gets SIGBUS, the
#                guest names the slot, the address and the task
#   swap-read    twice (times=2), B killed after C (48M) pushed it out:
#                the swap-ins are retried, all of B's pages verify
#   control      control:mute: ebb exec fails after its 3 s with "did not
#                answer ... in 3 s", the host side still answers; unmuted,
#                the next command works
#   balloon      balloon-punch:fail: the inflate completes, the device counts
#                the pages it could not give back and ebb's RSS does not
#                fall; disarmed, the next inflate frees memory again
#   swap-full    swap-full:space=4M: the host disk fills, reclaim cannot
#                swap, a 96M run is OOM-killed (only it)
#   intact       C and S, which lived through the faults, verify every page;
#                ebb stop ends the VM with status 0
#
# The console's lines end in CR LF: patterns on it are not anchored at the end.
# POSIX sh (the nest's busybox runs it).  Prints "PASS faults: ..." /
# "FAIL faults: ...: why" and "faults: N passed, N failed".
#
#   EBB      the ebb binary (default build/ebb)

EBB=${EBB:-build/ebb}
T=${FAULTS_TIMEOUT:-120}
TMP=${TMPDIR:-/tmp}/ebb-faults.$$
NAME=faults-$$
export EBB_RUNTIME_DIR="$TMP/run"
mkdir -p "$TMP"
pass=0
fail=0

ok() { echo "PASS faults: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL faults: $1: $2"; fail=$((fail + 1)); }
show() { [ -s "$1" ] && tail -n "${2:-15}" "$1" | sed 's/^/    | /'; }
check() {	# check NAME PATTERN FILE
	if grep -Eq -- "$2" "$3"; then ok "$1"; else bad "$1" "no line matching /$2/ in $(basename "$3")"; show "$3" 8; fi
}
check_not() {	# check_not NAME PATTERN FILE
	if grep -Eq -- "$2" "$3"; then bad "$1" "unexpected /$2/: $(grep -Em1 -- "$2" "$3")"; else ok "$1"; fi
}
equal() {	# equal NAME GOT WANT
	if [ "${2:-?}" = "$3" ]; then ok "$1 ($2)"; else bad "$1" "got '${2:-none}', want $3"; fi
}
positive() {	# positive NAME VALUE
	if [ "${2:-0}" -gt 0 ] 2>/dev/null; then ok "$1 ($2)"; else bad "$1" "got '${2:-none}'"; fi
}
finish() {
	if [ -n "${vm_pid:-}" ] && kill -0 "$vm_pid" 2>/dev/null; then
		kill "$vm_pid" 2>/dev/null
		sleep 1
		kill -9 "$vm_pid" 2>/dev/null
	fi
	rm -rf "$TMP"
	echo "faults: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

# How many injected failures a point made so far (ebb inject NAME).
fired() {
	"$EBB" inject "$NAME" 2>/dev/null | sed -n "s/.*\"$1\":{[^}]*\"fired\":\([0-9]*\)}.*/\1/p"
}
# One counter of the guest's /proc/vmstat.
vmstat() {
	"$EBB" exec --timeout 60 "$NAME" cat /proc/vmstat 2>/dev/null | sed -n "s/^$1 \([0-9]*\)$/\1/p"
}
# One integer field of `ebb balloon NAME --json`.
field() { "$EBB" balloon "$NAME" --json 2>/dev/null | sed -n "s/^ *\"$1\": \([0-9]*\).*/\1/p"; }
rss_kib() { sed -n 's/^Rss: *\([0-9]*\) kB/\1/p' "/proc/$vm_pid/smaps_rollup"; }
inject() {
	"$EBB" inject "$NAME" "$1" >/dev/null || bad "inject $1" "ebb inject failed"
}
# Wait until the console holds at least $2 lines matching $1; 0 if it did.
wait_console() {
	i=0
	while [ $i -lt "$T" ]; do
		[ "$(grep -Ec -- "$1" "$TMP/console")" -ge "$2" ] && return 0
		kill -0 "$vm_pid" 2>/dev/null || return 1
		sleep 1
		i=$((i + 1))
	done
	return 1
}
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
done_lines() { grep -c '^anon: done in' "$TMP/console"; }
# The seconds each step took, for keeping the whole under its budget.
t_step=$(date +%s)
step() { echo "INFO faults: $1 took $(($(date +%s) - t_step)) s"; t_step=$(date +%s); }

t_start=$(date +%s)
"$EBB" run --accel kvm --name "$NAME" --mem 64M --swap "$TMP/swap.img,size=128M" \
	--balloon --inject swap-write:eio:times=4 </dev/null >"$TMP/console" 2>"$TMP/err" &
vm_pid=$!
i=0
while [ $i -lt "$T" ]; do
	"$EBB" ctl "$NAME" '{"execute": "query-status"}' >"$TMP/status" 2>/dev/null
	grep -q '"control_channel_ready":true' "$TMP/status" && break
	kill -0 "$vm_pid" 2>/dev/null || break
	sleep 1
	i=$((i + 1))
done
if ! grep -q '"control_channel_ready":true' "$TMP/status"; then
	bad boot "the guest's control channel did not come up"
	show "$TMP/err"
	show "$TMP/console"
	finish
fi
check "boot: query-status shows the point armed by --inject" '"swap-write":\{"armed":true,"errno":"eio","prob":100,"interval":1,"times":4' "$TMP/status"

# start_idle LABEL SIZE: a background idle program; its job number in $job.
holding=0
start_idle() {
	"$EBB" exec "$NAME" run anon "$2" idle '&' >"$TMP/idle$1" 2>&1
	job=$(sed -n 's/^\[\([0-9]*\)\] wl\/anon.*/\1/p' "$TMP/idle$1")
	holding=$((holding + 1))
	wait_console '^anon: holding' $holding || bad "idle $1" "no \"anon: holding\" (job '$job')"
}
# stop_idle JOB: kill an idle program and wait for its report.
stop_idle() {
	n=$(done_lines)
	"$EBB" exec "$NAME" kill "$1" >/dev/null 2>&1
	wait_console '^anon: done in' $((n + 1)) || bad "job $1" "did not end"
}

# 1. Three programs outgrow RAM while the first 4 swap writes fail.
start_idle S 8M
jobS=$job
start_idle A 40M
jobA=$job
start_idle B 16M
jobB=$job
equal "swap-write: 4 failures injected" "$(fired swap-write)" 4
check "swap-write: the guest reports it, the pages stay" 'Write-error on swap-device .*error -5; [0-9]+ pages stay in memory' "$TMP/console"
positive "swap-write: vmstat pswpout_fail" "$(vmstat pswpout_fail)"
positive "swap-write: the rest was swapped (pswpout)" "$(vmstat pswpout)"
check "swap-write: the VMM log names the injection" 'fault injection: swap-write fails \(eio\)' "$TMP/err"

step "boot and swap-write"
# 2. Reads fail for good: A's check meets a page that cannot come back.
inject swap-read:eio
stop_idle "$jobA"
inject swap-read:off
check "swap-read (for good): the guest names the slot and address" 'Read-error on swap-device \(0:[0-9]+\) at 0x[0-9a-f]+: error -5 after 3 tries, SIGBUS' "$TMP/console"
check "swap-read (for good): the task gets SIGBUS, named" 'anon\[[0-9]+\]: bus error at [0-9a-f]+' "$TMP/console"
check "swap-read (for good): the program says so" '^anon: SIGBUS after [0-9]+ touches' "$TMP/console"
"$EBB" exec "$NAME" echo alive >"$TMP/alive" 2>&1
check "swap-read (for good): the VM goes on" '^alive$' "$TMP/alive"

step "swap-read for good"
# 3. Two failed reads, retried: C pushes B out, then B checks every page.
start_idle C 48M
jobC=$job
in0=$(vmstat pswpin_fail)
f0=$(fired swap-read)
sig0=$(grep -c 'bus error' "$TMP/console")
try0=$(grep -c 'Read-error on swap-device .* try 1 of 3' "$TMP/console")
inject swap-read:eio:times=2
stop_idle "$jobB"
check "swap-read (transient): B verifies every page" '^anon: 4096 pages verified, 0 bad' "$TMP/console"
equal "swap-read (transient): 2 more failures injected" "$(($(fired swap-read) - f0))" 2
equal "swap-read (transient): pswpin_fail +2" "$(($(vmstat pswpin_fail) - in0))" 2
positive "swap-read (transient): the guest reports the retry" "$(($(grep -c 'Read-error on swap-device .* try 1 of 3' "$TMP/console") - try0))"
equal "swap-read (transient): no signal" "$(grep -c 'bus error' "$TMP/console")" "$sig0"

step "swap-read transient"
# 4. The guest does not answer: the request times out, the VM goes on.
inject control:mute
t0=$(date +%s)
"$EBB" exec --timeout 3 "$NAME" echo muted >"$TMP/mute" 2>&1
st=$?
t1=$(date +%s)
if [ $st -eq 3 ] && [ $((t1 - t0)) -le 10 ]; then
	ok "control mute: ebb exec fails in $((t1 - t0)) s with status 3"
else
	bad "control mute" "ebb exec status $st after $((t1 - t0)) s, want 3 within 10 s"
fi
check "control mute: the error says the guest did not answer in 3 s" 'did not answer on its control channel in 3 s' "$TMP/mute"
"$EBB" ctl "$NAME" '{"execute": "query-status"}' >"$TMP/status" 2>&1
check "control mute: the host side still answers" '"state":"running"' "$TMP/status"
inject control:off
"$EBB" exec "$NAME" echo back >"$TMP/back" 2>&1
check "control mute: answered again once unmuted" '^back$' "$TMP/back"

step "control mute"
# 5. The punch-hole fails: the balloon keeps the pages, resident, and says so.
inject balloon-punch:fail
rss0=$(rss_kib)
"$EBB" balloon "$NAME" --inflate 8M >/dev/null || bad balloon "ebb balloon --inflate 8M failed"
wait_target || bad balloon "the balloon did not reach 8 MiB (actual $(field actual_bytes))"
rss1=$(rss_kib)
errs=$(field discard_error_pages)
if [ "${errs:-0}" -ge 2048 ]; then ok "balloon-punch: discard_error_pages $errs"; else bad "balloon-punch: discard_error_pages" "got '${errs:-none}', want >= 2048"; fi
if [ $((rss0 - rss1)) -lt 2048 ]; then
	ok "balloon-punch: ebb's RSS did not fall ($rss0 -> $rss1 KiB)"
else
	bad "balloon-punch: RSS" "fell $rss0 -> $rss1 KiB although nothing was given back"
fi
check "balloon-punch: the VMM log says the pages stay resident" 'balloon: cannot give node 0.* back to the host: Input/output error; [0-9]+ pages stay resident' "$TMP/err"
"$EBB" balloon "$NAME" --inflate 0 >/dev/null
wait_target || bad balloon "the balloon did not deflate"
inject balloon-punch:off
rss0=$(rss_kib)
"$EBB" balloon "$NAME" --inflate 8M >/dev/null
wait_target || bad balloon "the second inflate did not reach 8 MiB"
rss1=$(rss_kib)
if [ $((rss0 - rss1)) -ge 6144 ] && [ "$(field discard_error_pages)" = "$errs" ]; then
	ok "balloon-punch: disarmed, the next inflate frees memory ($rss0 -> $rss1 KiB)"
else
	bad "balloon-punch: disarmed" "RSS $rss0 -> $rss1 KiB, discard_error_pages $(field discard_error_pages) (was $errs)"
fi
"$EBB" balloon "$NAME" --inflate 0 >/dev/null
wait_target || bad balloon "the balloon did not deflate"

step "balloon-punch"
# 6. C lived through the read faults, the mute and the balloon.
stop_idle "$jobC"
check "intact: C verifies every page" '^anon: 12288 pages verified, 0 bad' "$TMP/console"

step "C's check"
# 7. The host disk fills after 4 MiB: no more swap, the run is OOM-killed.
inject swap-full:space=4M
"$EBB" exec --timeout 150 "$NAME" run anon 96M seq >"$TMP/full" 2>&1
inject swap-full:off
positive "swap-full: ENOSPC injected" "$(fired swap-full)"
check "swap-full: the VMM log says no space" 'fault injection: swap-full fails \(enospc\)' "$TMP/err"
check "swap-full: the run is OOM-killed" '^anon: SIGKILL after [0-9]+ touches \(chosen by the OOM killer\)' "$TMP/full"
"$EBB" exec "$NAME" echo alive >"$TMP/alive" 2>&1
check "swap-full: the VM goes on" '^alive$' "$TMP/alive"

step "swap-full"
# 8. S, swapped out under the write failures at the start, comes back whole.
stop_idle "$jobS"
check "intact: S verifies every page" '^anon: 2048 pages verified, 0 bad' "$TMP/console"
check_not "intact: no oops or panic" 'Oops|Kernel panic|BUG:|bad checksum' "$TMP/console"
step "S's check"
"$EBB" inject "$NAME" >"$TMP/table" 2>&1
check "ebb inject: the table counts every point" '"control":\{"armed":false,"errno":"etimedout",.*"fired":[1-9]' "$TMP/table"
"$EBB" stop "$NAME" >/dev/null 2>&1
wait "$vm_pid"
st=$?
vm_pid=
equal "the VM ran to the end and stopped cleanly (ebb run status)" "$st" 0
echo "INFO faults: $(($(date +%s) - t_start)) s in all"
finish
