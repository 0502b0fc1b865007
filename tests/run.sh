#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test runner behind `make test`, `make test-unit` and `make test-kvm`.
#
#   tests/run.sh unit   the Check unit suites, plain and under ASan/UBSan
#   tests/run.sh kvm    the KVM end-to-end tests (directly with /dev/kvm,
#                       else in the nested harness: never skipped silently)
#   tests/run.sh all    both, plus the guest kernel and its drivers under
#                       QEMU (TCG), the balloon on the QEMU backend and
#                       the fuzz targets briefly (tests/fuzz/ci.sh)
#
# Every part prints its own results; the last line sums them up as
# "N passed, N failed".  Exit status 0 only if nothing failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

mode=${1:-all}
# Check's per-test timeouts: the runner sets its own (tests/unit/main.c)
# unless CK_DEFAULT_TIMEOUT / CK_TIMEOUT_MULTIPLIER are set here.
total_pass=0
total_fail=0
failed_parts=()

# Check's summary: "100%: Checks: 42, Failures: 0, Errors: 0"
run_check() {
	local name=$1 bin=$2 log
	log=$(mktemp)
	echo "=== $name ($bin)"
	"$bin" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line checks failures errors
	line=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -1)
	rm -f "$log"
	if [[ -z $line ]]; then
		echo "=== $name: no Check summary (runner crashed?)"
		total_fail=$((total_fail + 1))
		failed_parts+=("$name")
		return
	fi
	checks=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
	failures=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
	errors=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
	total_pass=$((total_pass + checks - failures - errors))
	total_fail=$((total_fail + failures + errors))
	if ((rc != 0 || failures + errors > 0)); then
		failed_parts+=("$name")
	fi
}

# Scripts that end with "N passed, N failed".
run_script() {
	local name=$1
	shift
	local log
	log=$(mktemp)
	echo "=== $name ($*)"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	rm -f "$log"
	if [[ -z $line ]]; then
		echo "=== $name: no result line (exit status $rc)"
		total_fail=$((total_fail + 1))
		failed_parts+=("$name")
		return
	fi
	p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if ((rc != 0 || f > 0)); then
		failed_parts+=("$name")
	fi
}

# Say once what this host offers: the parts below name where they ran.
if [[ $mode != unit && -x build/ebb ]]; then
	echo "=== this host's KVM (ebb kvm-info): $(build/ebb kvm-info --brief 2>&1)"
	echo "=== KVM-path tests run: $(tests/nested/kvm-where.sh build/ebb)"
fi

case $mode in
unit | all)
	run_check "unit tests" build/tests/unit
	run_check "unit tests under ASan/UBSan" build/tests/unit-san
	;;&
kvm | all)
	run_script "VMM end-to-end (KVM path)" tests/e2e/vmm.sh
	run_script "devices and control end-to-end (QEMU backend, KVM nested)" tests/e2e/test_devices_e2e.sh
	run_script "balloon end-to-end (KVM nested)" tests/e2e/test_balloon.sh
	run_script "injected faults: swap I/O, swap full, balloon punch-hole, a silent guest (KVM nested)" \
		tests/e2e/test_faults.sh
	run_script "overcommit end-to-end (KVM nested)" tests/e2e/test_overcommit.sh
	run_script "overcommit budget cgroup end-to-end (KVM nested)" tests/e2e/test_overcommit_cgroup.sh
	run_script "Linux guests: Debian's bzImage and vmlinux with an initrd (KVM nested)" tests/e2e/linux.sh
	run_script "Linux guests' own drivers on ebb's devices; ebb exec, balloond, overcommit on Linux (KVM nested)" \
		tests/e2e/linux-devices.sh
	run_script "seccomp filters: each thread kind, --no-seccomp (QEMU backend here, KVM nested)" \
		tests/e2e/test_seccomp.sh
	run_script "the embedded guest on 4 vCPUs: bring-up, swap and migration on every CPU (KVM nested)" \
		tests/e2e/test_smp.sh
	;;&
all)
	run_script "guest kernel under QEMU microvm" tests/e2e/guest_qemu.sh
	run_script "guest drivers against QEMU's devices" tests/e2e/test_guest_devices.sh
	run_script "guest swapping to QEMU's virtio-blk" tests/e2e/test_guest_swap.sh
	run_script "balloon end-to-end (QEMU backend)" tests/e2e/test_balloon_qemu.sh
	run_script "the guest on 2 vCPUs under the QEMU backend (-smp 2, ACPI): balloon under load on both CPUs" \
		tests/e2e/test_smp_qemu.sh
	run_script "control socket: modes, peer check, oversized requests (QEMU backend)" \
		tests/e2e/test_control_socket.sh
	OVERCOMMIT_E2E_BACKEND=qemu run_script "overcommit end-to-end (QEMU backend, this host's cgroup)" \
		tests/e2e/test_overcommit.sh
	OVERCOMMIT_E2E_BACKEND=qemu run_script "overcommit budget cgroup (QEMU backend, this host's cgroup)" \
		tests/e2e/test_overcommit_cgroup.sh
	run_script "fuzz targets: regressions replayed, then 20 s each (libFuzzer, clang)" tests/fuzz/ci.sh
	;;
unit | kvm) ;;
*)
	echo "usage: tests/run.sh unit|kvm|all" >&2
	exit 2
	;;
esac

echo
if ((${#failed_parts[@]})); then
	echo "FAILED: ${failed_parts[*]}"
fi
echo "$total_pass passed, $total_fail failed"
((total_fail == 0 && ${#failed_parts[@]} == 0))
