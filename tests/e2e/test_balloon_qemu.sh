#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The balloon end to end on the QEMU backend, on this host: ebb's guest
# driver against QEMU's own virtio-balloon-device, steered over QMP
# (tests/e2e/test_balloon_checks.sh with ACCEL=qemu; TCG, so it takes a
# few minutes).  Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

EBB=build/ebb
if [[ ! -x $EBB ]]; then
	echo "FAIL balloon-qemu: $EBB is not built (run make first)"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! command -v "${EBB_QEMU:-qemu-system-x86_64}" >/dev/null; then
	echo "FAIL balloon-qemu: no ${EBB_QEMU:-qemu-system-x86_64} (apt-get install qemu-system-x86)"
	echo "0 passed, 1 failed"
	exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ACCEL=qemu EBB=$EBB sh tests/e2e/test_balloon_checks.sh | tee "$log"
st=${PIPESTATUS[0]}
pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
if ! grep -q '^balloon-qemu: [0-9]* passed' "$log"; then
	echo "FAIL balloon-qemu: the checks did not finish (exit status $st)"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
