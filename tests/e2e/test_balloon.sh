#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The balloon end to end with KVM: tests/e2e/test_balloon_checks.sh
# through tests/nested/kvm-run.sh (directly with a usable /dev/kvm, else
# in the nested harness).  Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. tests/nested/retry.sh

EBB=build/ebb
if [[ ! -x $EBB ]]; then
	echo "FAIL balloon: $EBB is not built (run make first)"
	echo "0 passed, 1 failed"
	exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
nest_run balloon 3 "$log" --timeout "${BALLOON_E2E_TIMEOUT:-900}" --mem 2048 --file "$EBB:$EBB" \
	-- tests/e2e/test_balloon_checks.sh
st=$nest_status
pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
if [[ $st -ne 0 && $fail -eq 0 ]]; then
	echo "FAIL balloon: the checks did not finish (kvm-run.sh exit status $st)"
	fail=1
fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
