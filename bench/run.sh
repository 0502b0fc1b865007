#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: run every benchmark, print its table, collect
# build/bench/*.json.  Benchmarks report; they never fail on time, so a
# non-zero exit here means a benchmark could not run at all.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

status=0
for prog in "$@"; do
	echo "=== $prog"
	"$prog" || { echo "bench: $prog did not run to the end" >&2; status=1; }
done
for script in bench/*.sh; do
	[[ $script == bench/run.sh || $script == bench/*-nest.sh ]] && continue
	echo "=== $script"
	"$script" || { echo "bench: $script did not run to the end" >&2; status=1; }
done
echo
echo "Results: $(ls build/bench/*.json 2>/dev/null | tr '\n' ' ')"
exit $status
