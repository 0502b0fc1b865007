#!/bin/sh
# SPDX-License-Identifier: MIT
# The balloon end to end, on either backend: ACCEL=kvm (needs a /dev/kvm:
# tests/e2e/test_balloon.sh runs it through tests/nested/kvm-run.sh) or
# ACCEL=qemu (ebb's driver against QEMU's own virtio-balloon, over QMP:
# tests/e2e/test_balloon_qemu.sh).  The RSS that must fall is the process
# that holds guest RAM: ebb for KVM, its QEMU child (query-status
# qemu_pid) for QEMU.
# A 512 MiB guest touches 400 MiB and frees it; `ebb balloon NAME 256M`
# must reach its target and that RSS fall by at least 95% of the 256 MiB
# ballooned; /proc/balloon shows the inflation; deflating gives it back.
# Then, with deflate-on-oom, a workload that needs the ballooned memory
# completes with no OOM kill; with reporting, 200 MiB a workload freed is
# back with the host within 1 s.  Last, a guest with swap, an idle 192 MiB
# program and a full reclaimable cache: inflating by 256 MiB shrinks the
# cache before anything is swapped, and once the balloon is deflated every
# page of the idle program is checksum-correct.  POSIX sh (the nest's
# busybox runs it).  Prints "PASS name" / "FAIL name: why" and
# "balloon-ACCEL: N passed, N failed".
#
#   EBB      the ebb binary (default build/ebb)
#   ACCEL    kvm (default) or qemu

EBB=${EBB:-build/ebb}
ACCEL=${ACCEL:-kvm}
T=${BALLOON_TIMEOUT:-180}
TMP=${TMPDIR:-/tmp}/ebb-balloon.$$
NAME=bal-$$
export EBB_RUNTIME_DIR="$TMP/run"
mkdir -p "$TMP"
pass=0
fail=0

ok() { echo "PASS balloon-$ACCEL: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL balloon-$ACCEL: $1: $2"; fail=$((fail + 1)); }
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
	echo "balloon-$ACCEL: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
# One integer field of `ebb balloon NAME --json`, at the top level or in
# one of its objects (device, stats).
field() { "$EBB" balloon "$NAME" --json 2>/dev/null | sed -n "s/^ *\"$1\": \([0-9]*\).*/\1/p"; }
# The process whose RSS is guest RAM: ebb itself, or the QEMU it runs.
rss_kib() { sed -n 's/^Rss: *\([0-9]*\) kB/\1/p' "/proc/$ram_pid/smaps_rollup"; }
# One line of /proc/balloon's accounting ("  from_shrinkers 123" -> 123).
proc_field() { sed -n "s/^ *$1 \([0-9]*\)$/\1/p" "$2" | head -n 1; }
# pswpout in a saved /proc/vmstat, or "?" (and why) if the guest did not answer.
pswpout_in() {
	v=$(sed -n 's/^pswpout \([0-9]*\)$/\1/p' "$1")
	[ -n "$v" ] || { echo "    | $1: $(head -c 200 "$1")" >&2; show "$TMP/console" 8 >&2; v="?"; }
	echo "$v"
}
# The pswpout difference between two saved /proc/vmstat files, or "?".
pswpout_delta() {
	a=$(pswpout_in "$1")
	b=$(pswpout_in "$2")
	if [ "$a" = "?" ] || [ "$b" = "?" ]; then echo "?"; else echo $((b - a)); fi
}

# start_vm BALLOON_OPTS [ebb run options...]
start_vm() {
	opts=$1
	shift
	"$EBB" run --accel "$ACCEL" --name "$NAME" --mem 512M --balloon="$opts" "$@" \
		</dev/null >"$TMP/console" 2>"$TMP/err" &
	vm_pid=$!
	i=0
	while [ $i -lt "$T" ]; do
		"$EBB" ctl "$NAME" '{"execute": "query-status"}' >"$TMP/status" 2>/dev/null
		if grep -q '"control_channel_ready":true' "$TMP/status"; then
			ram_pid=$vm_pid
			if [ "$ACCEL" = qemu ]; then
				ram_pid=$(sed -n 's/.*"qemu_pid":\([0-9]*\).*/\1/p' "$TMP/status")
			fi
			return 0
		fi
		kill -0 "$vm_pid" 2>/dev/null || break
		sleep 1
		i=$((i + 1))
	done
	bad "boot ($opts)" "the guest's control channel did not come up"
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
"$EBB" exec --timeout 300 "$NAME" run anon 400M seq >"$TMP/anon" 2>&1 || { bad anon "run anon 400M failed"; show "$TMP/anon"; }
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
sleep 3
"$EBB" balloon "$NAME" >"$TMP/bal" 2>&1
# QEMU passes on only the statistics it knows: ebb's inflation tags stay behind.
if [ "$ACCEL" = qemu ]; then want="total-memory *[1-9][0-9]{8}"; else want="infl-bytes *268435456"; fi
if [ "$(field stats_updates)" -gt 0 ] 2>/dev/null && grep -Eq "$want" "$TMP/bal"; then
	ok "stats: the host sees the guest's stats ($(field stats_updates) updates; ${want%% *})"
else
	bad stats "no stats, or not $want"
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
"$EBB" exec --timeout 300 "$NAME" run anon 300M seq >"$TMP/anon" 2>&1
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
# reporting=ORDER reaches the guest's driver (page_reporting.page_reporting_order=).
start_vm reporting=8
sleep 2
"$EBB" exec "$NAME" cat /proc/balloon >"$TMP/proc" 2>&1
if grep -q "^report_order 8$" "$TMP/proc"; then
	ok "reporting=8: the guest's driver reports blocks of order 8"
else
	bad reporting-order "/proc/balloon: $(grep report_order "$TMP/proc")"
fi
rss0=$(rss_kib)
"$EBB" exec --timeout 300 "$NAME" run anon 200M seq >"$TMP/anon" 2>&1
sleep 1
rss1=$(rss_kib)
if [ $((rss1 - rss0)) -le $((204800 / 10)) ]; then
	ok "reporting: 1 s after freeing 200 MiB, $(( (204800 - (rss1 - rss0)) * 100 / 204800 ))% of it is back with the host"
else
	bad reporting "RSS still $(( (rss1 - rss0) / 1024 )) MiB above where it was ($rss0 -> $rss1 KiB)"
	show "$TMP/anon" 3
fi
stop_vm

# 4. Caches before swap, and the idle program's pages intact.  A 512 MiB
# guest with a swap disk: an idle program holds 192 MiB, the name cache
# (run slab) fills ~100 MiB, so a 256 MiB balloon needs memory beyond what
# is free.  The balloon's accounting must show the shrinkers gave it before
# swap did: shrinker-freed pages, and no swap-out while reclaimable cache
# was left (pswpout 0, or the cache down to a tenth).  Then 312 MiB of
# balloon, more than free memory and the cache hold: now swap must give
# the rest, and only with the cache gone.  Deflated again, the idle
# program is told to finish: every page it wrote, swapped ones included,
# must verify.
start_vm stats=1 --swap "$TMP/swap,size=256M"
# (The guest's /proc reads get 180 s here: right after a large inflation a
# busy nest was seen to take over 60 s to answer one.)
"$EBB" exec "$NAME" run anon 192M idle '&' >"$TMP/idle" 2>&1
job=$(sed -n 's/^\[\([0-9]*\)\] wl\/anon.*/\1/p' "$TMP/idle")
i=0
while [ $i -lt "$T" ] && ! grep -q "anon: holding" "$TMP/console"; do
	sleep 1
	i=$((i + 1))
done
"$EBB" exec --timeout 300 "$NAME" run slab 500000 0 >"$TMP/slab" 2>&1
slab0=$(sed -n 's/.*reclaimable slab \([0-9]*\) KiB.*/\1/p' "$TMP/slab")
"$EBB" exec --timeout 180 "$NAME" cat /proc/vmstat >"$TMP/vmstat0" 2>&1
t0=$(date +%s)
"$EBB" balloon "$NAME" 256M || bad cache-first "ebb balloon $NAME 256M failed"
wait_target || bad cache-first "actual $(field actual_bytes) never reached $(field target_bytes)"
secs=$(( $(date +%s) - t0 ))
"$EBB" exec --timeout 180 "$NAME" cat /proc/balloon >"$TMP/proc" 2>&1
"$EBB" exec --timeout 180 "$NAME" cat /proc/vmstat >"$TMP/vmstat1" 2>&1
"$EBB" exec --timeout 180 "$NAME" cat /proc/meminfo >"$TMP/meminfo" 2>&1
shrunk=$(proc_field from_shrinkers "$TMP/proc")
swapped=$(proc_field swapped_out "$TMP/proc")
slab1=$(sed -n 's/^SReclaimable: *\([0-9]*\) kB/\1/p' "$TMP/meminfo")
pswpout=$(pswpout_delta "$TMP/vmstat0" "$TMP/vmstat1")
desc="cache ${slab0:-?} KiB -> ${slab1:-?} KiB, shrinkers gave ${shrunk:-?} pages, swapped ${swapped:-?} (pswpout +$pswpout) in ${secs}s"
if [ -z "$job" ] || [ -z "$slab0" ] || [ "$slab0" -lt 65536 ]; then
	bad cache-first "set-up: idle job '${job}', cache ${slab0:-?} KiB (want >= 64 MiB)"
	show "$TMP/idle" 3
	show "$TMP/slab" 3
elif [ "$pswpout" != "?" ] && [ "${shrunk:-0}" -gt 0 ] &&
	{ [ "$pswpout" -eq 0 ] || [ "${slab1:-$slab0}" -le $((slab0 / 10)) ]; }; then
	ok "cache-first: $desc"
else
	bad cache-first "$desc"
	show "$TMP/proc" 20
fi
"$EBB" balloon "$NAME" 200M || bad swap-last "ebb balloon $NAME 200M failed"
wait_target || bad swap-last "actual $(field actual_bytes) never reached $(field target_bytes)"
"$EBB" exec --timeout 180 "$NAME" cat /proc/balloon >"$TMP/proc" 2>&1
"$EBB" exec --timeout 180 "$NAME" cat /proc/vmstat >"$TMP/vmstat2" 2>&1
"$EBB" exec --timeout 180 "$NAME" cat /proc/meminfo >"$TMP/meminfo" 2>&1
slab2=$(sed -n 's/^SReclaimable: *\([0-9]*\) kB/\1/p' "$TMP/meminfo")
pswpout=$(pswpout_delta "$TMP/vmstat0" "$TMP/vmstat2")
desc="312 MiB ballooned: cache ${slab0:-?} KiB -> ${slab2:-?} KiB, pswpout +$pswpout, this inflation: shrinkers $(proc_field from_shrinkers "$TMP/proc"), swapped $(proc_field swapped_out "$TMP/proc") pages"
if [ -n "$slab2" ] && [ -n "$slab0" ] && [ "$slab2" -le $((slab0 / 10)) ]; then
	ok "swap-last: $desc"
else
	bad swap-last "$desc"
	show "$TMP/proc" 20
fi
"$EBB" balloon "$NAME" 512M || bad idle-intact "ebb balloon $NAME 512M failed"
wait_target || bad idle-intact "the balloon did not deflate (actual $(field actual_bytes))"
"$EBB" exec "$NAME" kill "$job" >/dev/null 2>&1
"$EBB" exec --timeout 300 "$NAME" wait >/dev/null 2>&1
if grep -q "anon: 49152 pages verified, 0 bad" "$TMP/console" &&
	grep -q "anon: done in .*status 0" "$TMP/console"; then
	ok "idle-intact: deflated, all 49152 pages of the idle program verified ($(sed -n 's/^anon: verify: \([0-9]*\) major.*/\1/p' "$TMP/console" | tail -n 1) swapped in as they were checked)"
else
	bad idle-intact "the idle program's pages did not all verify"
	grep "^anon:" "$TMP/console" | tail -n 12 | sed 's/^/    | /'
fi
finish
