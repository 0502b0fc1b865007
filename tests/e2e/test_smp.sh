#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The embedded guest on 4 vCPUs end to end with KVM: tests/e2e/test_smp_checks.sh
# through tests/nested/kvm-run.sh (directly with a usable /dev/kvm, else in
# the nested harness; it says which).  Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. tests/nested/retry.sh

EBB=build/ebb
if [[ ! -x $EBB ]]; then
	echo "FAIL smp: $EBB is not built (run make first)"
	echo "0 passed, 1 failed"
	exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# 4 nest vCPUs for the 4 guest vCPUs: fewer lock holders descheduled under a spinner.
nest_run smp 3 "$log" --timeout "${SMP_E2E_TIMEOUT:-600}" --mem 2048 --smp 4 --file "$EBB:$EBB" \
	-- tests/e2e/test_smp_checks.sh
st=$nest_status
pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
if [[ $st -ne 0 && $fail -eq 0 ]]; then
	echo "FAIL smp: the checks did not finish (kvm-run.sh exit status $st)"
	fail=1
fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
