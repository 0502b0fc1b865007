#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The VMM's end-to-end tests: the CLI and no-KVM checks on this host
# (tests/e2e/test_vmm_nokvm.sh), then the KVM tests (tests/e2e/test_vmm_kvm.sh)
# through tests/nested/kvm-run.sh: directly when this host's /dev/kvm runs
# guest code natively, otherwise inside the nested harness, in one nest boot.
# On a host whose KVM interprets the guest (PVM), a smoke test runs on that
# KVM too (tests/e2e/test_kvm_interpreted.sh).  Prints a
# PASS/FAIL line per test, says how the KVM tests ran, and ends with
# "N passed, N failed".  Nothing is skipped silently: KVM tests that could not
# run are failures.  Exit status 0 when everything passed.
#
# Run from anywhere; build first (make, or make test-kvm which does both).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. tests/nested/retry.sh

EBB=build/ebb
GUESTS=build/tests/e2e/guests
KVM_RUN=tests/nested/kvm-run.sh
out=$(mktemp -d "${TMPDIR:-/tmp}/ebb-vmm-e2e.XXXXXX")
trap 'rm -rf "$out"' EXIT
pass=0
fail=0

count() {	# count FILE: add its PASS / FAIL lines to the totals
	local p f
	p=$(grep -c '^PASS ' "$1")
	f=$(grep -c '^FAIL ' "$1")
	pass=$((pass + p))
	fail=$((fail + f))
}
failure() {
	echo "FAIL $1"
	fail=$((fail + 1))
}

missing=()
PROBE=build/bench/boot-probe
for f in "$EBB" "$PROBE" "$GUESTS"/vmm_{hello,exit5,triple,badio,cmdline,virtio}.elf; do
	[[ -e $f ]] || missing+=("$f")
done
if [[ ${#missing[@]} -gt 0 ]]; then
	failure "vmm: not built: ${missing[*]} (run make first)"
	echo "$pass passed, $fail failed"
	exit 1
fi

echo "== vmm: CLI and no-KVM tests, on this host"
EBB=$EBB GUESTS=$GUESTS tests/e2e/test_vmm_nokvm.sh | tee "$out/nokvm"
count "$out/nokvm"

echo "== vmm: this host's KVM, as ebb sees it (ebb kvm-info)"
"$EBB" kvm-info | sed 's/^/    /'
read -r where why < <(tests/nested/kvm-where.sh "$EBB")
if [[ $where == direct ]]; then
	how="directly ($why)"
else
	how="inside the nested harness (QEMU TCG with a nested hardware KVM: $why)"
fi

# A KVM that interprets the guest is not where the KVM tests run, but ebb
# must still work on it when forced: a short smoke test on it, said so.
read -r verdict _ < <("$EBB" kvm-info --brief)
if [[ $verdict == interpreted ]]; then
	echo "== vmm: smoke test on this host's own interpreting KVM (--accel kvm; slow by nature)"
	EBB=$EBB tests/e2e/test_kvm_interpreted.sh | tee "$out/interp"
	count "$out/interp"
fi

echo "== vmm: KVM tests, run $how"
if [[ ! -x $KVM_RUN ]]; then
	failure "vmm-kvm: $KVM_RUN is missing: the KVM tests did not run"
else
	nest_run vmm-kvm 3 "$out/kvm" --timeout "${VMM_E2E_TIMEOUT:-600}" \
		--file "$EBB:$EBB" --file "$GUESTS:$GUESTS" --file "$PROBE:$PROBE" \
		-- tests/e2e/test_vmm_kvm.sh
	count "$out/kvm"
	if ! grep -q '^vmm-kvm: [0-9]* passed, [0-9]* failed' "$out/kvm"; then
		failure "vmm-kvm: the KVM tests did not finish (kvm-run.sh exit status $nest_status)"
	fi
	if grep -q '^kvm-run: .*running in the nested harness' "$out/kvm"; then
		echo "vmm: the KVM tests ran NESTED (inside QEMU TCG)"
	elif grep -q '^kvm-run: .*running directly' "$out/kvm"; then
		echo "vmm: the KVM tests ran DIRECTLY on this host's /dev/kvm"
	fi
fi

echo "== vmm: KVM flavour tests, run $how"
nest_run kvm-flavour 3 "$out/flavour" --timeout "${VMM_E2E_TIMEOUT:-600}" \
	--file "$EBB:$EBB" --file "$GUESTS:$GUESTS" \
	--file tests/e2e/test_kvm_interpreted.sh:tests/e2e/test_kvm_interpreted.sh \
	-- tests/e2e/test_kvm_flavour.sh
count "$out/flavour"
grep -q '^kvm-flavour: [0-9]* passed, [0-9]* failed' "$out/flavour" ||
	failure "kvm-flavour: the KVM flavour tests did not finish (kvm-run.sh exit status $nest_status)"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
