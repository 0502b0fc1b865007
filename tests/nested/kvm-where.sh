#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kvm-where.sh - where KVM-path tests and benchmarks should run on this host.
# Prints one line: "direct REASON" when this host's /dev/kvm runs guest code
# natively (hardware VMX/SVM), "nested REASON" otherwise: no usable /dev/kvm,
# or a KVM that interprets the guest (PVM), where the nested harness's
# hardware KVM (QEMU TCG with SVM) is faster and is what users' hosts have.
# The verdict is ebb's own (`ebb kvm-info --brief`, docs/kvm-flavours.md).
#
# Usage: tests/nested/kvm-where.sh [EBB]   (EBB: the ebb binary, default
#        build/ebb beside this script's repository)
# EBB_KVM_RUN=direct|nested forces the answer; EBB_KVM_DEV=/nonexistent
# hides the host's KVM from ebb and so from this script.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ebb=${1:-$here/../../build/ebb}
dev=${EBB_KVM_DEV:-/dev/kvm}

case ${EBB_KVM_RUN:-auto} in
direct | nested) echo "${EBB_KVM_RUN} EBB_KVM_RUN=${EBB_KVM_RUN}"; exit 0 ;;
auto) ;;
*) echo "kvm-where: EBB_KVM_RUN must be auto, direct or nested" >&2; exit 2 ;;
esac

if [[ ! -e $dev ]]; then
	echo "nested no $dev on this host"
elif [[ ! -c $dev || ! -r $dev || ! -w $dev ]]; then
	echo "nested $dev is not a read-writable device for uid $(id -u)"
elif [[ ! -x $ebb ]]; then
	# Without ebb there is no calibration: trust a hardware KVM's flags.
	if grep -qwE 'vmx|svm' /proc/cpuinfo; then
		echo "direct $dev is usable and the CPU has VMX/SVM ($ebb not built to check further)"
	else
		echo "nested $dev has no VMX/SVM behind it ($ebb not built to check further)"
	fi
else
	read -r verdict _ summary < <("$ebb" kvm-info --brief 2>/dev/null)
	case ${verdict:-} in
	native) echo "direct $dev is usable: $summary" ;;
	interpreted) echo "nested this host's KVM interprets guest code ($summary; ebb kvm-info says why)" ;;
	*) echo "nested $dev is not usable (ebb kvm-info: ${verdict:-no answer} $summary)" ;;
	esac
fi
