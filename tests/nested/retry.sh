# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# Sourced (POSIX sh) by the tests that run a command through
# tests/nested/kvm-run.sh, from the repository root.
#
# A run whose nest itself failed says nothing about ebb: kvm_amd under QEMU
# TCG's emulated SVM has crashed the nest's kernel, let it die, and frozen it
# (nest.sh names each and exits 125), once in some tens of runs.  Such a run
# is done again in a fresh nest, and the NOTE line says why; any other
# failure counts, and so does a nest failure on the last try.
#
# nest_run NAME TRIES LOG [kvm-run.sh options] -- COMMAND [ARGS...]
#	Runs kvm-run.sh at most TRIES times, its stdout and stderr onto stdout
#	as they come and into LOG, which keeps the last try.  Sets
#	nest_status to kvm-run.sh's status of the last try.
#	If NEST_RETRY_ALSO names a shell function, it is called with LOG after a
#	try the nest did not spoil; when it prints a reason and returns 0 (a
#	guest triple fault in the nest, say), that try is run again too.

# Prints why the try in $1 (status $nest_status) was the nest's failure, or
# returns 1.
nest_spoiled() {
	[ "$nest_status" -eq 125 ] || return 1
	_ns_line=$(grep -m1 -E "^nest: the nest('s kernel crashed| died| hung) " "$1") || return 1
	echo "${_ns_line#nest: }"
}

nest_run() {
	_nr_name=$1 _nr_tries=$2 _nr_log=$3 _nr_try=1
	shift 3
	while :; do
		{
			tests/nested/kvm-run.sh "$@" 2>&1
			echo $? >"$_nr_log.status"
		} | tee "$_nr_log"
		nest_status=$(cat "$_nr_log.status")
		rm -f "$_nr_log.status"
		[ "$_nr_try" -lt "$_nr_tries" ] || return 0
		if ! _nr_why=$(nest_spoiled "$_nr_log"); then
			[ -n "${NEST_RETRY_ALSO:-}" ] || return 0
			_nr_why=$("$NEST_RETRY_ALSO" "$_nr_log") || return 0
		fi
		_nr_try=$((_nr_try + 1))
		echo "NOTE $_nr_name: $_nr_why; running it again in a fresh nest (try $_nr_try of $_nr_tries)"
	done
}
