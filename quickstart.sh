#!/bin/sh
# SPDX-License-Identifier: MIT
# ebb's two front doors, for a fresh Debian 12 machine (as root):
#
#   ./quickstart.sh        install what is missing, build, and run the main
#                          job: a micro-VM with the embedded guest kernel,
#                          its memory shown before and after a workload
#   ./quickstart.sh test   install what is missing, build, run every test
#
# Packages are installed with apt-get only when missing.  Without /dev/kvm
# the micro-VM runs under real KVM inside the nested harness (a Debian
# kernel booted by QEMU TCG; downloaded once and cached in ~/.cache/ebb).
set -eu
cd "$(dirname "$0")"

PACKAGES="gcc make pkg-config check libsubunit-dev libjansson-dev \
qemu-system-x86 busybox-static cpio xz-utils kmod"

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
case ${1:-run} in
test)
	make -j"$jobs" all
	exec make test
	;;
run)
	make -j"$jobs" all
	# The guest's shell runs these at boot (no nested double quotes: the
	# kernel command line quotes the whole list).
	init='echo == memory at boot ==; cat /proc/buddyinfo; free; run anon 192M random; run highorder 4 256; run frag 64M; echo == memory after the workloads ==; cat /proc/buddyinfo; cat /proc/pagetypeinfo; cat /proc/vmstat; free; poweroff'
	set -- run --mem 512M --numa 2 --append "ebb.init=\"$init\""
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		exec build/ebb "$@"
	fi
	echo "quickstart: this machine has no usable /dev/kvm: running the micro-VM"
	echo "quickstart: under real KVM inside the nested harness (QEMU TCG; tests/nested/README.md)"
	exec tests/nested/kvm-run.sh --file build/ebb:build/ebb -- build/ebb "$@"
	;;
*)
	echo "usage: ./quickstart.sh [run|test]" >&2
	exit 2
	;;
esac
