#!/bin/sh
# SPDX-License-Identifier: MIT
# ebb's two front doors, for a fresh Debian 12 machine (as root):
#
#   ./quickstart.sh        install what is missing, build, and run the main
#                          job: a micro-VM with the embedded guest kernel,
#                          its memory shown before and after a workload
#   ./quickstart.sh linux  the second main job: Debian's own kernel (fetched
#                          once, cached) with ebb's busybox initrd, 2 vCPUs on
#                          2 NUMA nodes; the guest shows its memory, the host
#                          inflates the balloon by half and shows ebb's RSS
#                          drop (tests/linux/demo.sh; under real KVM: this
#                          host's, else inside the nested harness)
#   ./quickstart.sh test   install what is missing, build, run every test
#   ./quickstart.sh nested the main job under real KVM even without /dev/kvm:
#                          inside the nested harness (a Debian kernel booted
#                          by QEMU TCG; downloaded once, cached in ~/.cache/ebb)
#
# Packages are installed with apt-get only when missing.  Without /dev/kvm,
# or with a KVM that would interpret the guest (PVM), ebb itself runs the
# micro-VM under QEMU (TCG) and says why (docs/kvm-flavours.md).
set -eu
cd "$(dirname "$0")"

PACKAGES="gcc make pkg-config check libsubunit-dev libjansson-dev \
qemu-system-x86 busybox-static cpio xz-utils kmod \
libvirt-dev libvirt-daemon gnuplot-nox acpica-tools"
# The test command also builds the fuzz targets (clang's libFuzzer, tests/fuzz/).
[ "${1:-run}" = test ] && PACKAGES="$PACKAGES clang-14 libclang-rt-14-dev"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "quickstart: installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "quickstart: run as root (apt-get needs it), or install:$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
mode=${1:-run}
case $mode in
test)
	make -j"$jobs" all
	exec make test
	;;
run | nested)
	make -j"$jobs" all
	# The guest's shell runs these at boot (no nested double quotes: the
	# kernel command line quotes the whole list).
	init='echo == memory at boot ==; cat /proc/buddyinfo; free; run anon 192M random; run highorder 4 256; run frag 64M; run slab 20000 2; echo == memory after the workloads ==; cat /proc/buddyinfo; cat /proc/pagetypeinfo; cat /proc/vmstat; free; poweroff'
	set -- run --mem 512M --numa 2 --append "ebb.init=\"$init\""
	# ebb picks the backend itself (KVM where it runs the guest natively,
	# else QEMU) and its first line says which and why.
	if [ "$mode" = run ] || tests/nested/kvm-where.sh build/ebb | grep -q '^direct '; then
		exec build/ebb "$@"
	fi
	echo "quickstart: running the micro-VM under real KVM inside the nested harness"
	echo "quickstart: (QEMU TCG with a nested KVM; tests/nested/README.md)"
	exec tests/nested/kvm-run.sh --file build/ebb:build/ebb -- build/ebb "$@"
	;;
linux)
	make -j"$jobs" all
	kdir=$(tests/linux/debian-kernel.sh)	# Debian's kernel package, cached
	mkdir -p build/linux
	ln -sf "$kdir/vmlinuz" build/linux/vmlinuz
	tests/linux/mkinitrd.sh build/linux/initrd.cpio.gz
	# Linux needs KVM that runs it natively: this host's, else the nest's.
	if tests/nested/kvm-where.sh build/ebb | grep -q '^direct '; then
		exec sh tests/linux/demo.sh
	fi
	echo "quickstart: no KVM here that runs guests natively ($(tests/nested/kvm-where.sh build/ebb | cut -d' ' -f2-));"
	echo "quickstart: running the Linux demo under real KVM inside the nested harness"
	echo "quickstart: (QEMU TCG with a nested KVM; tests/nested/README.md; nested boots are slow)"
	export EBB_KVM_RUN=nested
	exec tests/nested/kvm-run.sh --timeout 1200 \
		--file build/ebb:build/ebb --file build/linux/vmlinuz:build/linux/vmlinuz \
		--file build/linux/initrd.cpio.gz:build/linux/initrd.cpio.gz \
		--file tests/linux/demo.sh:tests/linux/demo.sh -- sh tests/linux/demo.sh
	;;
*)
	echo "usage: ./quickstart.sh [run|linux|test|nested]" >&2
	exit 2
	;;
esac
