#!/bin/sh
# SPDX-License-Identifier: MIT
# ebb-agent - the Linux guest's end of ebb's control channel, so that
# `ebb exec`, guest-exec and `ebb overcommit` drive Linux guests as they
# drive ebb's own.  tests/linux/mkinitrd.sh puts it into every initrd as
# /bin/ebb-agent, and /init starts it in the background when COM2 exists.
#
# The protocol (docs/CONVENTIONS.md): ebb writes "ID COMMAND" lines on COM2
# (/dev/ttyS1); the agent answers "ID | LINE" for each line of the
# command's output, then "ID = STATUS".  A line it cannot take gets
# "? = 22".  It says "* ready" when it listens.  Each request runs in a
# subshell of its own, so a long workload does not hold up a query; whole
# answers are written under a lock (mkdir is atomic), so two answers never
# interleave inside a line.
#
# COMMAND is a busybox shell command line, plus the embedded guest's
# workload for the experiments: `run anon SIZE [seq|random|hotcold]`
# (SIZE as 300M or 1G) runs memhog, which writes every page and checks it.
#
# Usage: ebb-agent [TTY]   (default /dev/ttyS1; exits 0 if it is absent)
tty=${1:-/dev/ttyS1}
lock=/run/ebb-agent.lock
[ -c "$tty" ] || exit 0
# Raw: no echo, no line editing, and no CR/LF mangling either way.
stty -F "$tty" raw -echo 115200 2>/dev/null || exit 0

# The embedded guest's `run anon`, on memhog.
run() {
	if [ "$1" != anon ] || [ $# -lt 2 ] || [ $# -gt 3 ]; then
		echo "run: a Linux guest has only \"run anon SIZE [seq|random|hotcold]\""
		return 2
	fi
	case $2 in
	*[Gg]) mib=$((${2%?} * 1024)) ;;
	*[Mm]) mib=${2%?} ;;
	*[Kk]) mib=$(((${2%?} + 1023) / 1024)) ;;
	*) mib=$((($2 + 1048575) / 1048576)) ;;
	esac
	memhog "$mib" 0 "${3:-seq}"
}

locked() {
	until mkdir "$lock" 2>/dev/null; do usleep 2000; done
	"$@"
	rmdir "$lock"
}

# answer ID FILE STATUS: the output's lines, then the status.
answer() {
	sed "s/^/$1 | /" "$2" >"$tty"
	echo "$1 = $3" >"$tty"
}

serve() {
	out=/tmp/ebb-agent.$1
	(eval "$2") </dev/null >"$out" 2>&1
	locked answer "$1" "$out" $(($? & 255))
	rm -f "$out"
}

rmdir "$lock" 2>/dev/null
echo "* ready" >"$tty"
while IFS= read -r line; do
	id=${line%% *}
	case $id in
	'' | *[!0-9]*) locked echo "? = 22" >"$tty"; continue ;;
	esac
	[ "$id" = "$line" ] && { locked echo "? = 22" >"$tty"; continue; }
	serve "$id" "${line#* }" &
done <"$tty"
