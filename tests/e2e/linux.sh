#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Linux micro-VMs end to end: prepares the Debian kernel (bzImage and, when
# the nested harness has extracted it, the vmlinux of the same package) and
# a busybox initrd under build/linux/, then runs tests/e2e/test_linux_boot.sh
# where a /dev/kvm runs guests natively: directly, or inside the nested
# harness (tests/nested/kvm-run.sh, one nest boot).  Prints the test's
# PASS/FAIL lines, its timings and "linux-boot: N passed, N failed"; exit
# status 0 when all passed.
#
# Run from anywhere after `make` (build/ebb).  The first run downloads the
# kernel package (about 70 MB, cached: tests/linux/debian-kernel.sh).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. tests/nested/retry.sh

failed() {
	echo "FAIL linux-boot: $*"
	echo "linux-boot: 0 passed, 1 failed"
	echo "0 passed, 1 failed"
	exit 1
}

[[ -x build/ebb ]] || failed "build/ebb is not built (run make first)"
kdir=$(tests/linux/debian-kernel.sh) || failed "no Debian kernel (tests/linux/debian-kernel.sh)"
mkdir -p build/linux
ln -sf "$kdir/vmlinuz" build/linux/vmlinuz
tests/linux/mkinitrd.sh build/linux/initrd.cpio.gz || failed "tests/linux/mkinitrd.sh failed"
files=(--file build/ebb:build/ebb --file build/linux/vmlinuz:build/linux/vmlinuz
	--file build/linux/initrd.cpio.gz:build/linux/initrd.cpio.gz)
# The same package's vmlinux, as the nest extracted it (it boots that one by PVH).
vmlinux=${EBB_CACHE_DIR:-$HOME/.cache/ebb}/nested/kernel/${kdir##*/}/vmlinux
rm -f build/linux/vmlinux
if [[ -f $vmlinux ]]; then
	ln -sf "$vmlinux" build/linux/vmlinux
	files+=(--file build/linux/vmlinux:build/linux/vmlinux)
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
nest_run linux-boot 3 "$out" --timeout "${LINUX_E2E_TIMEOUT:-1200}" "${files[@]}" -- tests/e2e/test_linux_boot.sh
st=$nest_status
# tests/run.sh sums the plain "N passed, N failed" line.
p=$(grep -c '^PASS ' "$out")
f=$(grep -c '^FAIL ' "$out")
grep -q '^linux-boot: [0-9]* passed' "$out" || f=$((f + 1))
echo "$p passed, $f failed"
[[ $st -eq 0 && $f -eq 0 ]]
