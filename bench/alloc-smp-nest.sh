#!/bin/sh
# SPDX-License-Identifier: MIT
# The measuring half of bench/alloc-smp.sh; runs where /dev/kvm is
# (directly, or inside the nested harness), so POSIX sh for the nest's
# busybox.  The embedded guest on 1, 2 and 4 vCPUs runs `run pages` with
# one copy per vCPU, ring then burst; prints "== CPUS PATTERN ROUND" headers
# followed by the guest's "pages:" lines.
#   PAIRS   alloc+free pairs per copy (default 500000)
#   ROUNDS  times through the whole set (default 3), interleaved so that
#           a busy moment of the host hits every case alike
EBB=${EBB:-build/ebb}
PAIRS=${PAIRS:-500000}
ROUNDS=${ROUNDS:-3}
r=0
while [ $r -lt "$ROUNDS" ]; do
r=$((r + 1))
for cpus in 1 2 4; do
	for pattern in ring burst; do
		echo "== $cpus $pattern $r"
		"$EBB" run --mem 512M --cpus "$cpus" --append \
			"ebb.init=\"run pages --threads $cpus $PAIRS $pattern; poweroff\"" </dev/null 2>&1 |
			tr -d '\r' | grep -E '^pages:|error|panic|lockup'
	done
done
done
