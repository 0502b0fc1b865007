#!/bin/sh
# SPDX-License-Identifier: MIT
# The measuring half of bench/overcommit.sh; runs where the VMs can run
# (with /dev/kvm, on the host with the QEMU backend's balloon, or inside
# the nested harness), so POSIX sh for the nest's busybox.  The issue's
# experiment once unconstrained (the baseline) and once per policy, each
# with the same VMs, phases and duration, and the baseline once more at
# the end (none-again); prints "== NAME SECONDS"
# followed by its stderr ("# " lines), its summary.json and its
# timeline.csv ("% " lines) and plot.gp ("@ "), then "== end".
#
#   EBB               the ebb binary (default build/ebb; ebb-balloond beside it)
#   OVERCOMMIT_S      experiment length, s (default 90)
#   OVERCOMMIT_POLICIES  policies after the baseline (default "static mom stall ebb")
#   OVERCOMMIT_SET    extra --set KEY=VALUE for every policy (e.g. ebb.lookahead=8)
#   OVERCOMMIT_NOISE  0: no second baseline run (default 1: its slowdown
#                     against the first is the noise floor)
#   OVERCOMMIT_DIR    where the runs go (default $TMPDIR/ebb-oc-bench.PID, removed)

EBB=${EBB:-build/ebb}
D=${OVERCOMMIT_S:-90}
POLICIES=${OVERCOMMIT_POLICIES:-static mom stall ebb}
DIR=${OVERCOMMIT_DIR:-${TMPDIR:-/tmp}/ebb-oc-bench.$$}
keep=${OVERCOMMIT_DIR:+yes}

# run NAME POLICY ARGS...: one experiment into $DIR/NAME
run() {
	name=$1
	pol=$2
	shift 2
	t0=$(date +%s)
	"$EBB" overcommit --vms 4 --mem 512M --budget 1280M --duration "$D" --settle $((D / 4)) \
		--policy "$pol" --out "$DIR/$name" --quiet "$@" >/dev/null 2>"$DIR/$name.err"
	echo "== $name $(($(date +%s) - t0))"
	sed 's/^/# /' "$DIR/$name.err"
	# A VM that died: its console's last lines, before the directory goes.
	for log in $(sed -n 's/.*died during the run.*see \([^)]*\)).*/\1/p' "$DIR/$name.err"); do
		echo "# --- $log"
		tail -n 40 "$log" 2>/dev/null | sed 's/^/# /'
	done
	cat "$DIR/$name/summary.json" 2>/dev/null
	echo
	sed 's/^/% /' "$DIR/$name/timeline.csv" 2>/dev/null
	sed 's/^/@ /' "$DIR/$name/plot.gp" 2>/dev/null
}

mkdir -p "$DIR" || exit 1
run none none
for p in $POLICIES; do
	# MOM ticks every 10 s in oVirt; the others every second.
	tick=
	[ "$p" = mom ] && tick="--set tick=10"
	set --
	for kv in ${OVERCOMMIT_SET:-}; do set -- "$@" --set "$kv"; done
	# shellcheck disable=SC2086
	run "$p" "$p" --baseline "$DIR/none/summary.json" $tick "$@"
done
# The baseline once more against itself: the slowdown it shows is the noise
# floor of this host (CPU contention, the nest), what a policy's must exceed.
[ "${OVERCOMMIT_NOISE:-1}" = 0 ] || run none-again none --baseline "$DIR/none/summary.json"
echo "== end"
[ -n "$keep" ] || rm -rf "$DIR"
