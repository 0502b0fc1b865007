#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ebb's devices against Linux's own drivers, end to end: prepares the Debian
# kernel (build/linux/vmlinuz) and an initrd
# for the test (build/linux/initrd-devices.cpio.gz: virtio_mmio, virtio_blk,
# virtio_balloon, crc32c_generic and ext4 (6.1's ext4 loads crc32c at every
# mount) with their dependencies, /bin/memhog and /bin/devices-guest from
# tests/linux/devices-guest.sh), then runs
# tests/e2e/test_linux_devices.sh where a /dev/kvm runs guests natively:
# directly, or inside the nested harness (one nest boot, debugfs shipped to
# read the guest's disk image).  Prints the test's PASS/FAIL lines, its
# figures and "linux-devices: N passed, N failed"; exit status 0 when all
# passed.  Run from anywhere after `make` (build/ebb).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

failed() {
	echo "FAIL linux-devices: $*"
	echo "linux-devices: 0 passed, 1 failed"
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
tests/nested/kvm-run.sh --timeout "${LINUX_E2E_TIMEOUT:-900}" \
	--file build/ebb:build/ebb --file build/linux/vmlinuz:build/linux/vmlinuz \
	--file build/linux/initrd-devices.cpio.gz:build/linux/initrd-devices.cpio.gz \
	--file "$debugfs:/usr/sbin/debugfs" --env DEBUGFS=/usr/sbin/debugfs \
	-- tests/e2e/test_linux_devices.sh
