#!/bin/sh
# SPDX-License-Identifier: MIT
# The budget's memory cgroup with real VMs (tests/e2e/test_overcommit_cgroup.sh
# runs this where VMs with balloons can run: in the nested harness, or on
# a host with /dev/kvm or ebb's QEMU backend's balloon).  POSIX sh for the
# nest's busybox.  Prints "PASS ..." / "FAIL ...: why".
#
#  1. Where no cgroup can be made (no cgroupfs mounted, or --cgroup at a
#     directory that is no cgroup): ebb overcommit says why on stderr,
#     runs with the budget only accounted, and the summary says so
#     (enforced "accounted", cgroup_error).
#  2. With a memory cgroup (the host's v1 or v2 hierarchy; in the nest,
#     where busybox mounts none, cgroup2 is mounted here and +memory
#     enabled): while the experiment runs, its cgroup exists, its limit
#     file holds the budget and every VM process (ebb run, and QEMU under
#     the QEMU backend) is in it; the summary says "cgroup" with its peak;
#     at the end the cgroup is gone.
#
#   EBB            the ebb binary (default build/ebb; ebb-balloond beside it)
#   CG_S           experiment length, s (default 20)

EBB=${EBB:-build/ebb}
D=${CG_S:-20}
OUT=${TMPDIR:-/tmp}/ebb-oc-cgroup.$$
BUDGET_MIB=640
pass=0
fail=0
ok() { echo "PASS overcommit-cgroup: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL overcommit-cgroup: $1: $2"; fail=$((fail + 1)); }
str() { sed -n "s/^  \"$1\": \"\(.*\)\",*$/\1/p" "$2/summary.json"; }
oc() { "$EBB" overcommit --vms 2 --mem 256M --budget ${BUDGET_MIB}M --policy ebb \
	--duration "$D" --vm idle:64M --vm busy:96M@2+10 --quiet "$@"; }

mkdir -p "$OUT"

# 1. No cgroup: as it is (the nest's busybox mounts no cgroupfs), else a
#    directory that is no cgroup stands in for a host without one.
mkdir -p "$OUT/notcg"
if [ -e /sys/fs/cgroup/cgroup.controllers ] || [ -e /sys/fs/cgroup/memory/cgroup.procs ]; then
	oc --cgroup "$OUT/notcg" --out "$OUT/acc" >"$OUT/acc.out" 2>"$OUT/acc.err"
else
	oc --out "$OUT/acc" >"$OUT/acc.out" 2>"$OUT/acc.err"
fi
msg=$(grep 'no memory cgroup' "$OUT/acc.err")
if [ -n "$msg" ] && echo "$msg" | grep -q 'only accounted'; then
	ok "no cgroup: said why: ${msg#ebb overcommit: }"
else
	bad "no cgroup" "no message on stderr ($(tail -n 3 "$OUT/acc.err" | tr '\n' ' '))"
fi
if [ "$(str enforced "$OUT/acc")" = accounted ] && [ -n "$(str cgroup_error "$OUT/acc")" ]; then
	ok "no cgroup: summary enforced=accounted, cgroup_error set"
else
	bad "no cgroup: summary" "enforced=$(str enforced "$OUT/acc") cgroup_error=$(str cgroup_error "$OUT/acc")"
	tail -n 15 "$OUT/acc.err" | sed 's/^/    | /'
fi
[ -z "$(ls -A "$OUT/notcg")" ] && ok "no cgroup: nothing left behind in --cgroup" ||
	bad "no cgroup: left behind" "$(ls "$OUT/notcg")"

# 2. A real cgroup.  The nest's busybox mounts no cgroupfs: mount cgroup2.
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
	root=/sys/fs/cgroup
	lim=memory.max
elif [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	root=/sys/fs/cgroup/memory
	lim=memory.limit_in_bytes
else
	mkdir -p /sys/fs/cgroup 2>/dev/null
	if mount -t cgroup2 none /sys/fs/cgroup 2>"$OUT/mount.err"; then
		echo "    (no cgroupfs was mounted: mounted cgroup2 at /sys/fs/cgroup)"
	else
		echo "    (no cgroupfs and cgroup2 cannot be mounted: $(cat "$OUT/mount.err"))"
	fi
	root=/sys/fs/cgroup
	lim=memory.max
fi
if [ "$root" = /sys/fs/cgroup ] && [ -e $root/cgroup.subtree_control ] &&
	! grep -qw memory $root/cgroup.subtree_control; then
	echo +memory >$root/cgroup.subtree_control 2>/dev/null
fi
if [ ! -e "$root/cgroup.procs" ]; then
	bad "cgroup" "no cgroup hierarchy at $root"
	echo "overcommit-cgroup: $pass passed, $fail failed"
	exit 1
fi
echo "    (cgroup hierarchy: $root, $lim)"
# Not through oc(): $! must be the runner itself (ebb execs ebb-balloond in place).
"$EBB" overcommit --vms 2 --mem 256M --budget ${BUDGET_MIB}M --policy ebb --duration "$D" \
	--vm idle:64M --vm busy:96M@2+10 --quiet --out "$OUT/cg" >"$OUT/cg.out" 2>"$OUT/cg.err" &
pid=$!
cg=$root/ebb-overcommit-$pid
seen=no
# Look while the VMs run: the limit, then every ebb process in cgroup.procs.
i=0
while [ $i -lt $((D + 300)) ] && kill -0 $pid 2>/dev/null; do
	if [ -d "$cg" ] && [ "$(wc -l <"$cg/cgroup.procs")" -ge 2 ] &&
		grep -q 'VMs up' "$OUT/cg.err"; then
		seen=yes
		break
	fi
	sleep 1
	i=$((i + 1))
done
if [ $seen = yes ]; then
	want=$((BUDGET_MIB * 1048576))
	got=$(cat "$cg/$lim")
	[ "$got" = "$want" ] && ok "cgroup $cg: $lim = $got (the budget)" ||
		bad "cgroup limit" "$lim=$got, want $want"
	# Every process of the experiment but the runner itself is in it.
	vms=0
	missing=
	for p in $(ls /proc | grep '^[0-9][0-9]*$'); do
		[ "$p" = "$pid" ] && continue
		ppid=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$p/status 2>/dev/null)
		[ "$ppid" = "$pid" ] || continue
		comm=$(cat /proc/$p/comm 2>/dev/null)
		[ "$comm" = ebb ] || continue
		vms=$((vms + 1))
		grep -qx "$p" "$cg/cgroup.procs" || missing="$missing $p"
		for c in $(grep -l "^PPid:[[:space:]]*$p\$" /proc/[0-9]*/status 2>/dev/null); do
			c=${c#/proc/}
			c=${c%/status}
			grep -qx "$c" "$cg/cgroup.procs" || missing="$missing $c($(cat /proc/$c/comm))"
		done
	done
	if [ $vms -eq 2 ] && [ -z "$missing" ]; then
		ok "both VMs' processes are in the cgroup ($(wc -l <"$cg/cgroup.procs") processes)"
	else
		bad "VM processes" "$vms ebb VMs found, not in the cgroup:$missing"
	fi
else
	bad "cgroup" "$cg never held the VMs ($(grep -h 'cgroup' "$OUT/cg.err"))"
fi
wait $pid
st=$?
grep 'cgroup' "$OUT/cg.err" | sed 's/^/    | /'
[ $st -eq 0 ] && [ "$(str enforced "$OUT/cg")" = cgroup ] &&
	ok "summary: enforced=cgroup, peak $(sed -n 's/^ *"peak_mib": \([0-9.-]*\).*/\1/p' "$OUT/cg/summary.json" | cut -c1-6) MiB" ||
	bad "summary" "exit $st, enforced=$(str enforced "$OUT/cg")"
[ ! -e "$cg" ] && ok "cgroup removed at the end" || bad "cgroup left behind" "$cg"
rm -rf "$OUT"
echo "overcommit-cgroup: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
