#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The overcommit budget's memory cgroup with real VMs:
# tests/e2e/test_overcommit_cgroup_checks.sh through tests/nested/kvm-run.sh
# (directly with a usable /dev/kvm, else in the nested harness, whose
# busybox mounts no cgroupfs: the checks see the "only accounted" path
# first, then mount cgroup2 and check the real one).  On a host without
# /dev/kvm whose QEMU backend has the balloon, OVERCOMMIT_E2E_BACKEND=qemu
# runs the checks here (this host's own v1 or v2 hierarchy).
# Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. tests/nested/retry.sh

for b in build/ebb build/ebb-balloond; do
	if [[ ! -x $b ]]; then
		echo "FAIL overcommit-cgroup: $b is not built (run make first)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [[ ${OVERCOMMIT_E2E_BACKEND:-} == qemu ]]; then
	echo "overcommit-cgroup: on this host, VMs under ebb's QEMU backend" >&2
	CG_S=${CG_S:-20} tests/e2e/test_overcommit_cgroup_checks.sh | tee "$log"
	st=${PIPESTATUS[0]}
else
	nest_run overcommit-cgroup 3 "$log" --timeout "${OVERCOMMIT_E2E_TIMEOUT:-900}" --mem 1536 \
		--file build/ebb:build/ebb --file build/ebb-balloond:build/ebb-balloond \
		--env "CG_S=${CG_S:-20}" -- tests/e2e/test_overcommit_cgroup_checks.sh
	st=$nest_status
fi
pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
if [[ $st -ne 0 && $fail -eq 0 ]]; then
	echo "FAIL overcommit-cgroup: the checks did not finish (exit status $st)"
	fail=1
fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
