#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Devices, the control socket and the CLI end to end on both backends:
# tests/e2e/test_devices_checks.sh with the QEMU backend on this host, then
# with KVM through tests/nested/kvm-run.sh (directly with a usable
# /dev/kvm, else in the nested harness), plus the QEMU backend's own
# checks: the automatic fallback without /dev/kvm and --accel kvm's error.
# Ends with "N passed, N failed"; nothing is skipped silently.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. tests/nested/retry.sh

EBB=build/ebb
CHECKS=tests/e2e/test_devices_checks.sh
out=$(mktemp -d "${TMPDIR:-/tmp}/ebb-devices-e2e.XXXXXX")
trap 'rm -rf "$out"' EXIT
pass=0
fail=0

count() {
	local p f
	p=$(grep -c '^PASS ' "$1")
	f=$(grep -c '^FAIL ' "$1")
	pass=$((pass + p))
	fail=$((fail + f))
}
ok() { echo "PASS $1"; pass=$((pass + 1)); }
failure() { echo "FAIL $1"; fail=$((fail + 1)); }

if [[ ! -x $EBB ]]; then
	failure "devices: $EBB is not built (run make first)"
	echo "$pass passed, $fail failed"
	exit 1
fi

echo "== devices: QEMU backend checks, on this host"
rt=$out/run
export EBB_RUNTIME_DIR=$rt
# Without KVM, ebb run picks QEMU and says so.
EBB_KVM_DEV=/nonexistent/kvm timeout 60 "$EBB" run --name auto --append 'quiet ebb.init="poweroff 3"' \
	</dev/null >"$out/auto.out" 2>"$out/auto.err"
st=$?
if [[ $st -eq 67 ]] && grep -q "running the guest under QEMU instead" "$out/auto.err"; then
	ok "qemu-backend: no /dev/kvm -> QEMU, said so; guest poweroff 3 -> exit 67"
else
	failure "qemu-backend: auto fallback: exit $st (want 67) or no message"
	sed 's/^/    | /' "$out/auto.err" | tail -5
fi
EBB_KVM_DEV=/nonexistent/kvm timeout 60 "$EBB" run --accel kvm </dev/null >"$out/kvm.out" 2>"$out/kvm.err"
st=$?
if [[ $st -eq 1 ]] && grep -q "modprobe kvm_intel or modprobe kvm_amd" "$out/kvm.err"; then
	ok "qemu-backend: --accel kvm without /dev/kvm: clear error, exit 1"
else
	failure "qemu-backend: --accel kvm without /dev/kvm: exit $st, want 1 with advice"
fi
# A name in use is refused before anything boots.
timeout 60 "$EBB" run --accel qemu --name busy </dev/null >/dev/null 2>&1 &
busy=$!
for _ in $(seq 50); do [[ -S $rt/busy.sock ]] && break; sleep 0.1; done
timeout 60 "$EBB" run --accel qemu --name busy </dev/null >/dev/null 2>"$out/busy.err"
st=$?
"$EBB" stop busy >/dev/null 2>&1
wait "$busy"
if [[ $st -eq 1 ]] && grep -q "already running" "$out/busy.err"; then
	ok "qemu-backend: a second VM with a name in use: exit 1, says why"
else
	failure "qemu-backend: duplicate name: exit $st, want 1"
fi
unset EBB_RUNTIME_DIR

ACCEL=qemu EBB=$EBB sh "$CHECKS" | tee "$out/qemu"
count "$out/qemu"
grep -q '^devices-qemu: [0-9]* passed' "$out/qemu" || failure "devices-qemu: the checks did not finish"

read -r where why < <(tests/nested/kvm-where.sh "$EBB")
if [[ $where == direct ]]; then
	how="directly ($why)"
else
	how="inside the nested harness (QEMU TCG with a nested hardware KVM: $why)"
fi
echo "== devices: KVM backend checks, run $how"
nest_run devices-kvm 3 "$out/kvm" --timeout "${DEVICES_E2E_TIMEOUT:-600}" --file "$EBB:$EBB" \
	--env ACCEL=kvm -- "$CHECKS"
count "$out/kvm"
grep -q '^devices-kvm: [0-9]* passed' "$out/kvm" ||
	failure "devices-kvm: the checks did not finish (kvm-run.sh exit status $nest_status)"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
