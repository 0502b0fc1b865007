#!/bin/sh
# SPDX-License-Identifier: MIT
# The embedded guest on several vCPUs (docs/smp.md), on KVM: ebb's in-kernel
# LAPIC delivers the guest's INIT/SIPI, the guest starts its APs from the
# MADT.  Run by tests/e2e/test_smp.sh through tests/nested/kvm-run.sh
# (directly with a usable /dev/kvm, else in the nested harness).  POSIX sh.
#
#   online     --cpus 4: nproc 4, /sys/devices/system/cpu/online 0-3,
#              /proc/cpuinfo lists 4 processors with APIC IDs 0..3
#   one-cpu    the default (--cpus 1) stays one CPU: nproc 1, no AP started
#   swap       --cpus 4, 128M, `run anon --threads 4 40M hotcold` with swap:
#              one copy pinned to each CPU (they end on CPUs 0 1 2 3),
#              every page of the 4 address spaces verified (0 bad), pswpout
#              and pswpin > 0, /proc/zoneinfo shows each CPU's pageset,
#              (the function-call IPIs each CPU took are printed)
#   migrate    --cpus 4, 256M: two 96M anon readers/writers run in the
#              background while a 40M sequential run in the foreground
#              faults at the same time, so their pages share pageblocks;
#              when it ends it leaves holes between the readers' pages, and
#              right then, the readers still running, a full compaction
#              (/proc/sys/vm/compact_memory) moves their pages into those
#              holes: pgmigrate_success > 0 with the tasks running on other
#              CPUs (TLB shootdown IPIs taken), every page of the three runs
#              verified, no bad page; `run highorder 9 20` and a second
#              compaction follow
#   numa       --cpus 4 --numa 2: the SRAT puts CPUs 0-1 on node 0, 2-3 on
#              node 1; the guest says so
#   numa-cpus  --numa 2,cpus=0:1-3 --numa-distance 10,17,23,10: CPU 0 on
#              node 0, 1-3 on node 1, and numactl -H shows that matrix (the
#              zonelists' order comes from it)
#
# Prints "PASS smp: ..." / "FAIL smp: ...: why" per check, "INFO ..." for
# figures; exits 0 when all passed.
EBB=${EBB:-build/ebb}
TMP=${TMPDIR:-/tmp}/ebb-smp-e2e.$$
T=${SMP_TEST_TIMEOUT:-240}
mkdir -p "$TMP"
pass=0
fail=0

ok() { echo "PASS smp: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL smp: $1: $2"
	# What went wrong is usually far above the last lines: say it first.
	[ -s "$TMP/out" ] && grep -n 'verified\|bad\|BUG\|Oops\|panic\|status\|segfault\|killed' "$TMP/out" |
		head -n 40 | sed 's/^/    > /'
	[ -s "$TMP/out" ] && sed 's/^/    | /' "$TMP/out" | tail -n 30
	[ -s "$TMP/err" ] && sed 's/^/    ! /' "$TMP/err" | tail -n 10
	fail=$((fail + 1))
}
# guest ARGS... -- COMMANDS: the embedded guest runs COMMANDS (ebb.init), then powers off.
guest() {
	args=
	while [ "$1" != -- ]; do args="$args $1"; shift; done
	shift
	# shellcheck disable=SC2086 # ARGS are words on purpose
	timeout -k 10 "$T" "$EBB" run --accel kvm $args --append "ebb.init=\"$1; poweroff\"" \
		</dev/null >"$TMP/out" 2>"$TMP/err"
	st=$?
	tr -d '\r' <"$TMP/out" >"$TMP/out.n" && mv "$TMP/out.n" "$TMP/out"
}
has() { grep -q -- "$1" "$TMP/out"; }
count() { grep -c -- "$1" "$TMP/out"; }
vmstat() { awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$TMP/out"; }

# online
guest --cpus 4 --mem 256M -- "nproc; cat /sys/devices/system/cpu/online; cat /proc/cpuinfo"
if [ $st -ne 0 ]; then bad online "exit status $st, want 0"
elif ! grep -qx 4 "$TMP/out"; then bad online "nproc does not say 4"
elif ! grep -qx 0-3 "$TMP/out"; then bad online "/sys/devices/system/cpu/online is not 0-3"
elif [ "$(count '^processor')" -ne 4 ]; then bad online "$(count '^processor') processors in /proc/cpuinfo, want 4"
elif ! has "smp: brought up 4 CPUs"; then bad online "no \"brought up 4 CPUs\""
else
	ok "online: --cpus 4 brings up 4 CPUs (INIT/SIPI from the MADT), nproc 4, online 0-3"
	grep 'smp: \|^apicid' "$TMP/out" | sed 's/^/INFO smp: /'
fi

# one-cpu
guest --mem 256M -- "nproc; cat /sys/devices/system/cpu/online"
if [ $st -ne 0 ]; then bad one-cpu "exit status $st, want 0"
elif ! grep -qx 1 "$TMP/out" || ! grep -qx 0 "$TMP/out"; then bad one-cpu "nproc is not 1 / online is not 0"
elif has "smp: CPU"; then bad one-cpu "an AP was started with --cpus 1"
else ok "one-cpu: the default stays on one CPU"; fi

# swap
guest --cpus 4 --mem 128M --swap "$TMP/swap.img,size=512M" -- \
	"run anon --threads 4 40M hotcold; cat /proc/vmstat; cat /proc/zoneinfo; cat /proc/cpuinfo"
verified=$(count 'pages verified, 0 bad')
out=$(vmstat pswpout)
in=$(vmstat pswpin)
if [ $st -ne 0 ]; then bad swap "exit status $st, want 0"
elif [ "$verified" -ne 4 ]; then bad swap "$verified of 4 threads verified every page with 0 bad"
elif ! has "anon: done in .*status 0"; then bad swap "the job's status is not 0"
elif ! has "anon: 4 copies ended on CPUs 0 1 2 3"; then
	bad swap "the copies were not one per CPU: $(grep 'copies ended on' "$TMP/out")"
elif has "Bad page state"; then bad swap "a bad page was reported"
elif [ "$out" -le 0 ] || [ "$in" -le 0 ]; then bad swap "pswpout $out pswpin $in: did not swap both ways"
elif ! has "cpu: 3"; then bad swap "/proc/zoneinfo shows no pageset of CPU 3"
else
	ok "swap: 4 threads x 40M hotcold in 128M, one pinned to each of 4 CPUs, every page verified, pswpout $out pswpin $in"
	grep '^anon: touched\|anon: done' "$TMP/out" | sed 's/^/INFO smp: /'
	echo "INFO smp: function-call IPIs per CPU: $(awk '/^call ipis/ { printf "%s ", $4 }' "$TMP/out")"
fi

# migrate
guest --cpus 4 --mem 256M -- \
	"run anon --threads 2 96M random &; run anon 40M seq; echo 1 >/proc/sys/vm/compact_memory; run highorder 9 20; echo 1 >/proc/sys/vm/compact_memory; wait; cat /proc/vmstat; cat /proc/cpuinfo"
verified=$(count 'pages verified, 0 bad')
mig=$(vmstat pgmigrate_success)
stall=$(vmstat compact_stall)
calls=$(awk '/^call ipis/ { n += $4 } END { print n + 0 }' "$TMP/out")
if [ $st -ne 0 ]; then bad migrate "exit status $st, want 0"
elif [ "$verified" -ne 3 ]; then bad migrate "$verified of 3 anon runs verified every page with 0 bad"
elif has "Bad page state"; then bad migrate "a bad page was reported"
elif [ "$mig" -le 0 ]; then bad migrate "pgmigrate_success $mig: nothing migrated under the readers"
elif [ "$calls" -le 0 ]; then bad migrate "no function-call IPI was taken: no shootdown reached another CPU"
else ok "migrate: compaction migrated $mig pages ($stall stalls) under 2 running readers, $calls shootdown IPIs, every page verified"; fi

# numa
guest --cpus 4 --mem 256M --numa 2 -- "cat /proc/cpuinfo"
n0=$(awk '/^node/ { print $3 }' "$TMP/out" | tr '\n' ' ')
if [ $st -ne 0 ]; then bad numa "exit status $st, want 0"
elif [ "$n0" != "0 0 1 1 " ]; then bad numa "CPU nodes are '$n0', want '0 0 1 1 '"
else ok "numa: --numa 2 --cpus 4: CPUs 0-1 on node 0, 2-3 on node 1 (SRAT)"; fi

# numa-cpus: ebb's --numa cpus= places the vCPUs itself, --numa-distance sets the distances
guest --cpus 4 --mem 256M --numa 2,cpus=0:1-3 --numa-distance 10,17,23,10 -- \
	"cat /proc/cpuinfo; numactl -H"
n0=$(awk '/^node\t/ { print $3 }' "$TMP/out" | tr '\n' ' ')
d0=$(awk '$1 == "0:" { print $2, $3 }' "$TMP/out")
d1=$(awk '$1 == "1:" { print $2, $3 }' "$TMP/out")
if [ $st -ne 0 ]; then bad numa-cpus "exit status $st, want 0"
elif [ "$n0" != "0 1 1 1 " ]; then bad numa-cpus "CPU nodes are '$n0', want '0 1 1 1 '"
elif ! has "node 1 cpus: 1 2 3"; then bad numa-cpus "numactl -H does not put CPUs 1-3 on node 1"
elif [ "$d0" != "10 17" ] || [ "$d1" != "23 10" ]; then
	bad numa-cpus "numactl -H distances '$d0' / '$d1', want '10 17' / '23 10'"
else ok "numa-cpus: --numa 2,cpus=0:1-3 --numa-distance 10,17,23,10: CPU 0 on node 0, CPUs 1-3 on node 1 (SRAT), distances 10 17 / 23 10 in the guest"; fi

rm -rf "$TMP"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
