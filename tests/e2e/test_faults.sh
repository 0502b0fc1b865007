#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Injected faults end to end with KVM (docs/fault-injection.md):
# tests/e2e/test_faults_checks.sh through tests/nested/kvm-run.sh
# (directly with a usable /dev/kvm, else in the nested harness).  Says
# which path it took; ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. tests/nested/retry.sh

EBB=build/ebb
if [[ ! -x $EBB ]]; then
	echo "FAIL faults: $EBB is not built (run make first)"
	echo "0 passed, 1 failed"
	exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
nest_run faults 3 "$log" --timeout "${FAULTS_E2E_TIMEOUT:-600}" --mem 1024 --file "$EBB:$EBB" \
	-- tests/e2e/test_faults_checks.sh
st=$nest_status
if grep -q '^kvm-run: .*running in the nested harness' "$log"; then
	echo "faults: the KVM checks ran NESTED (inside QEMU TCG)"
elif grep -q '^kvm-run: .*running directly' "$log"; then
	echo "faults: the KVM checks ran DIRECTLY on this host's /dev/kvm"
fi
pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
if ! grep -q '^faults: [0-9]* passed, [0-9]* failed' "$log"; then
	echo "FAIL faults: the checks did not finish (kvm-run.sh exit status $st)"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
