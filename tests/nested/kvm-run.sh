#!/usr/bin/env bash
# kvm-run.sh - run a command where it has a /dev/kvm: directly when this host
# has one that runs guest code natively (hardware VMX/SVM), otherwise inside
# the nested harness (tests/nested/nest.sh): with no usable /dev/kvm, or one
# that interprets the guest (PVM); tests/nested/kvm-where.sh decides.
# Either way it prints one line on stderr saying which path it took, and exits
# with the command's status (nest.sh adds 124 timeout, 125 nest failure).
#
# Usage: tests/nested/kvm-run.sh [nest.sh options] [--] COMMAND [ARGS...]
#   The nest.sh options (--mem --smp --numa --timeout --file --env --log
#   --verbose) are passed to nest.sh.  Run directly, --timeout and --env still
#   apply and the others are ignored: files are already where they are, and
#   the host's CPUs, memory and NUMA nodes are what they are.
#   When COMMAND is a path to a file (it contains a slash), it is shipped into
#   the nest at the same path (a relative path relative to the nest's working
#   directory), so the same command line works on both paths.
#
# EBB_KVM_RUN=nested forces the nest even on a host with /dev/kvm (to test the
# harness there); EBB_KVM_RUN=direct forces the direct path.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { printf 'kvm-run: %s\n' "$*" >&2; }

nest_opts=()
timeout_s=
envs=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--mem | --smp | --numa | --file | --log)
		[[ $# -ge 2 ]] || { say "error: $1 needs an argument"; exit 125; }
		nest_opts+=("$1" "$2"); shift 2 ;;
	--timeout)
		[[ $# -ge 2 ]] || { say "error: $1 needs an argument"; exit 125; }
		timeout_s=$2; nest_opts+=("$1" "$2"); shift 2 ;;
	--env)
		[[ $# -ge 2 ]] || { say "error: $1 needs an argument"; exit 125; }
		envs+=("$2"); nest_opts+=("$1" "$2"); shift 2 ;;
	--verbose) nest_opts+=("$1"); shift ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
	--) shift; break ;;
	-*) say "error: unknown option $1 (see --help)"; exit 125 ;;
	*) break ;;
	esac
done
[[ $# -gt 0 ]] || { say "error: no COMMAND given (see --help)"; exit 125; }

printf -v cmd_text '%q ' "$@"
cmd_text=${cmd_text% }

case ${EBB_KVM_RUN:-auto} in
auto | direct | nested) ;;
*) say "error: EBB_KVM_RUN must be auto, direct or nested, not '$EBB_KVM_RUN'"; exit 125 ;;
esac
# Directly only where this host's KVM runs guest code natively.
read -r mode why < <("$here/kvm-where.sh")

if [[ $mode == direct ]]; then
	say "$why; running directly: $cmd_text"
	run=("$@")
	[[ -z $timeout_s ]] || run=(timeout -k 5 "$timeout_s" "${run[@]}")
	[[ ${#envs[@]} -eq 0 ]] || run=(env "${envs[@]}" "${run[@]}")
	exec "${run[@]}"
fi

if [[ $1 == */* && -f $1 ]]; then
	nest_opts+=(--file "$1:$1")
fi
say "$why; running in the nested harness (tests/nested/nest.sh): $cmd_text"
exec "$here/nest.sh" "${nest_opts[@]}" -- "$@"
