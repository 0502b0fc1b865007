#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ebb's devices against Linux's own drivers, end to end: prepares the Debian
# kernel (build/linux/vmlinuz) and an initrd
# for the test (build/linux/initrd-devices.cpio.gz: virtio_mmio, virtio_blk,
# virtio_balloon, crc32c_generic and ext4 (6.1's ext4 loads crc32c at every
# mount) with their dependencies, /bin/memhog and /bin/devices-guest from
# tests/linux/devices-guest.sh), then runs
# tests/e2e/test_linux_devices.sh and tests/e2e/test_linux_control.sh (ebb
# exec, balloond and overcommit on Linux guests) where a /dev/kvm runs guests natively:
# directly, or inside the nested harness (a nest boot each, debugfs and
# gnuplot shipped).  Prints the test's PASS/FAIL lines, its
# figures and, last, "N passed, N failed" over both; exit status 0 when
# all passed.  Run from anywhere after `make` (build/ebb).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. tests/nested/retry.sh

failed() {
	echo "FAIL linux-devices: $*"
	echo "0 passed, 1 failed"
	exit 1
}

[[ -x build/ebb ]] || failed "build/ebb is not built (run make first)"
debugfs=$(command -v debugfs || echo /sbin/debugfs)
[[ -x $debugfs ]] || failed "no debugfs to read the guest's disk (apt-get install e2fsprogs)"
kdir=$(tests/linux/debian-kernel.sh) || failed "no Debian kernel (tests/linux/debian-kernel.sh)"
mkdir -p build/linux
ln -sf "$kdir/vmlinuz" build/linux/vmlinuz
tests/linux/mkinitrd.sh -m virtio_mmio -m virtio_blk -m virtio_balloon -m crc32c_generic -m ext4 \
	--file tests/linux/devices-guest.sh:/bin/devices-guest \
	build/linux/initrd-devices.cpio.gz || failed "tests/linux/mkinitrd.sh failed"
# Each part in a nest of its own (LINUX_E2E_PARTS picks, default both),
# run again at most twice if the nest itself fails (tests/nested/retry.sh).
parts=${LINUX_E2E_PARTS:-devices control}
files=(--file build/ebb:build/ebb --file build/ebb-balloond:build/ebb-balloond
	--file build/linux/vmlinuz:build/linux/vmlinuz
	--file build/linux/initrd-devices.cpio.gz:build/linux/initrd-devices.cpio.gz
	--file "$debugfs:/usr/sbin/debugfs")
command -v gnuplot >/dev/null && files+=(--file "$(command -v gnuplot):/usr/bin/gnuplot")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=0 fail=0
for p in $parts; do
	[[ -f tests/e2e/test_linux_$p.sh ]] || failed "LINUX_E2E_PARTS: no tests/e2e/test_linux_$p.sh"
	nest_run "linux-devices: $p" 3 "$log" --timeout "${LINUX_E2E_TIMEOUT:-900}" "${files[@]}" \
		--env DEBUGFS=/usr/sbin/debugfs -- "tests/e2e/test_linux_$p.sh"
	st=$nest_status
	# The part's own sum, when it got that far: a VM it ran again (a
	# guest triple fault, said in a NOTE line) leaves FAIL lines that
	# no longer count.
	sum=$(grep -E '^linux-[a-z]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [[ -n $sum ]]; then
		read -r p_pass p_fail < <(sed -E 's/^[^:]*: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/' <<<"$sum")
	else
		p_pass=$(grep -c '^PASS ' "$log")
		p_fail=$(grep -c '^FAIL ' "$log")
	fi
	if [[ $st -ne 0 && $p_fail -eq 0 ]]; then
		echo "FAIL linux-devices: $p: the tests did not finish (kvm-run.sh exit status $st)"
		p_fail=1
	fi
	pass=$((pass + p_pass)) fail=$((fail + p_fail))
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
