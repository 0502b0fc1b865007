#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run the libFuzzer targets (docs/fuzzing.md): `make fuzz`, and the CI part
# of tests/run.sh (--ci).
#
#   tests/fuzz/run.sh [-t SECONDS] [-j JOBS] [--ci] TARGET...
#
# First every input kept in tests/fuzz/regressions/TARGET/ is replayed
# (a crash fixed must stay fixed); then each target fuzzes for SECONDS,
# JOBS at a time, from its seeds (tests/fuzz/corpus/TARGET) and what
# earlier runs found (build/fuzz/corpus/TARGET, where new inputs go).
# Progress every 15 s; per target at the end: executions, libFuzzer's
# coverage (cov: edges, ft: features), corpus size, crashes.  A crash is
# kept in build/fuzz/artifacts/TARGET/ and replayed here to show what
# failed.  The last line is "N passed, N failed": one pass per target
# whose regressions and run were clean.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

secs=60
jobs=2
ci=0
targets=()
while (($#)); do
	case $1 in
	-t) secs=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	--ci) ci=1; shift ;;
	-*) echo "usage: tests/fuzz/run.sh [-t SECONDS] [-j JOBS] [--ci] TARGET..." >&2; exit 2 ;;
	*) targets+=("$1"); shift ;;
	esac
done
((${#targets[@]})) || { echo "tests/fuzz/run.sh: no targets named" >&2; exit 2; }

B=build/fuzz
pass=0
fail=0
declare -A failed

# The regressions: each kept input once; the binary exits non-zero on a crash.
for t in "${targets[@]}"; do
	if [[ ! -x $B/$t ]]; then
		echo "fuzz: $B/$t is missing (make fuzz-build)"
		failed[$t]=1
		continue
	fi
	shopt -s nullglob
	inputs=(tests/fuzz/regressions/"$t"/*)
	shopt -u nullglob
	((${#inputs[@]})) || continue
	if "$B/$t" "${inputs[@]}" >"$B/$t.regress.log" 2>&1; then
		echo "fuzz: $t: ${#inputs[@]} regression input(s) replayed clean"
	else
		echo "fuzz: $t: a regression input fails again:"
		grep -E 'runtime error|ERROR: AddressSanitizer|fuzz oracle|Running:' "$B/$t.regress.log" | tail -4 | sed 's/^/    /'
		failed[$t]=1
	fi
done

run_one() {
	local t=$1 log=$B/$t.log art=$B/artifacts/$t
	mkdir -p "$B/corpus/$t" "$art"
	# nice: the machine is shared; close_fd_mask=2: the devices' own log lines
	# (a refused chain is expected by the thousand) would drown the figures.
	nice -n 10 "$B/$t" -max_total_time="$secs" -print_final_stats=1 -close_fd_mask=2 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/" \
		"$B/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	echo $? >"$B/$t.status"
}

status_line() {
	grep -E '^#[0-9]+' "$B/$1.log" 2>/dev/null | tail -1 | \
		sed -E 's/^(#[0-9]+)[[:space:]]+[A-Z]+[[:space:]]+/\1 /; s/ (lim|MS|L):.*//'
}

echo "fuzz: ${#targets[@]} target(s), ${secs} s each, $jobs at a time"
start=$(date +%s)
running=()
queue=()
for t in "${targets[@]}"; do
	[[ -x $B/$t ]] && queue+=("$t")
done
declare -A pid_of
while ((${#queue[@]} + ${#running[@]})); do
	while ((${#running[@]} < jobs && ${#queue[@]})); do
		t=${queue[0]}
		queue=("${queue[@]:1}")
		rm -f "$B/$t.status" "$B/$t.log"
		ls "$B/artifacts/$t" 2>/dev/null >"$B/$t.before"
		run_one "$t" &
		pid_of[$t]=$!
		running+=("$t")
		echo "fuzz: $t started"
	done
	sleep 5
	now=$(($(date +%s) - start))
	still=()
	for t in "${running[@]}"; do
		if [[ -f $B/$t.status ]]; then
			wait "${pid_of[$t]}" 2>/dev/null
			echo "fuzz: $t finished: $(status_line "$t")"
		else
			still+=("$t")
			((now % 15 < 5)) && echo "fuzz: [${now}s] $t $(status_line "$t")"
		fi
	done
	running=("${still[@]}")
done

echo
printf '%-14s %12s %8s %8s %8s %8s  %s\n' target executions cov ft corpus crashes result
for t in "${targets[@]}"; do
	log=$B/$t.log
	if [[ ! -f $log ]]; then
		printf '%-14s %12s %8s %8s %8s %8s  %s\n' "$t" - - - - - "not run"
		fail=$((fail + 1))
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")
	ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$last")
	corp=$(sed -nE 's/.*corp: ([0-9]+).*/\1/p' <<<"$last")
	new=$(comm -13 "$B/$t.before" <(ls "$B/artifacts/$t" 2>/dev/null) | grep -cE '^(crash|leak|timeout|oom|slow-unit)-')
	st=$(cat "$B/$t.status" 2>/dev/null || echo 1)
	result=clean
	if ((st != 0 || new > 0)); then
		result="FAILED (status $st)"
		failed[$t]=1
	elif [[ -n ${failed[$t]:-} ]]; then
		result="FAILED (regression)"
	fi
	printf '%-14s %12s %8s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$new" "$result"
	if [[ -z ${failed[$t]:-} ]]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
	for a in $(comm -13 "$B/$t.before" <(ls "$B/artifacts/$t" 2>/dev/null)); do
		echo "    $B/artifacts/$t/$a; replay: $B/$t $B/artifacts/$t/$a"
		"$B/$t" "$B/artifacts/$t/$a" 2>&1 | grep -E 'runtime error|ERROR: |fuzz oracle|^    #[0-4] ' | head -6 | sed 's/^/      /'
	done
done
((ci)) && echo "(CI: each target ${secs} s; make fuzz FUZZ_SECONDS=600 for a real run)"
echo "$pass passed, $fail failed"
((fail == 0))
