#!/bin/sh
# SPDX-License-Identifier: MIT
# The control socket's guards end to end (docs/security.md), on this host:
# the control server is the same whichever backend runs the guest, so a VM
# on the QEMU backend (TCG, no KVM needed) serves it.
#   - the runtime directory is 0700 and the socket 0600;
#   - a runtime directory its group or others may write is refused, with a
#     message, before anything starts;
#   - a request line over 64 KiB gets a JSON error, its connection is
#     closed, and the VM goes on serving;
#   - a peer of another uid (run as root: setpriv to uid 65534, with the
#     modes loosened so the socket is reachable) is refused with a JSON
#     error and a logged reason;
#   - ebb stop ends the VM with status 0.
# Prints PASS/FAIL lines and ends with "N passed, N failed".
#
#   EBB   the ebb binary (default build/ebb)

cd "$(dirname "$0")/../.." || exit 1
EBB=${EBB:-build/ebb}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ebb-ctlsock.XXXXXX")
RUN="$TMP/run"
export EBB_RUNTIME_DIR="$RUN"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
pass=0
fail=0

ok() { echo "PASS control-socket: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL control-socket: $1: $2"
	for f in "$TMP/err" "$TMP/ctl"; do
		[ -s "$f" ] && sed 's/^/    | /' "$f" | tail -n 8
	done
	fail=$((fail + 1))
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

if [ ! -x "$EBB" ]; then
	bad build "$EBB is not built (run make first)"
	finish
fi
if ! command -v "${EBB_QEMU:-qemu-system-x86_64}" >/dev/null; then
	bad qemu "no ${EBB_QEMU:-qemu-system-x86_64} (apt-get install qemu-system-x86): nothing ran"
	finish
fi

# 1. A runtime directory others may write in is refused before anything starts.
mkdir -m 0777 "$RUN"
chmod 0777 "$RUN"
timeout 30 "$EBB" run --accel qemu --name cs </dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
if [ $st -ne 1 ]; then bad loose-dir "exit status $st, want 1"
elif ! grep -q "is writable by its group or others (mode 0777)" "$TMP/err"; then
	bad loose-dir "no message naming the directory's mode"
elif [ -e "$RUN/cs.sock" ]; then bad loose-dir "a socket was made anyway"
else ok "loose-dir: a 0777 runtime directory is refused (exit 1, the mode named)"
fi
rmdir "$RUN"

# 2. The VM's socket: 0600 in a 0700 directory.
"$EBB" run --accel qemu --name cs </dev/null >"$TMP/out" 2>"$TMP/err" &
pid=$!
i=0
while [ $i -lt 100 ] && ! "$EBB" ctl cs '{"execute":"query-status"}' >"$TMP/ctl" 2>&1; do
	i=$((i + 1))
	sleep 0.1
done
dmode=$(stat -c %a "$RUN" 2>/dev/null)
smode=$(stat -c %a "$RUN/cs.sock" 2>/dev/null)
if [ "$dmode" = 700 ] && [ "$smode" = 600 ]; then
	ok "modes: runtime directory 0$dmode, socket 0$smode"
else
	bad modes "runtime directory ${dmode:-missing}, socket ${smode:-missing}; want 700 and 600"
fi

# 3. One line over the limit: an error, the connection closed, the VM goes on.
big=$(head -c 70000 /dev/zero | tr '\0' x)
"$EBB" ctl cs "$big" >"$TMP/ctl" 2>&1
st=$?
if [ $st -ne 3 ]; then bad oversize "ebb ctl exit status $st, want 3 (an error reply)"
elif ! grep -q '"error".*longer than 65536 bytes.*closing the connection' "$TMP/ctl"; then
	bad oversize "the reply does not name the limit"
elif ! grep -q "a request longer than 65536 bytes; closing that connection" "$TMP/err"; then
	bad oversize "ebb did not log it"
elif ! "$EBB" ctl cs '{"execute":"query-status"}' >"$TMP/ctl" 2>&1; then
	bad oversize "the VM stopped answering afterwards"
else ok "oversize: a 70000-byte line: JSON error naming 65536, connection closed, the VM still answers"
fi

# 4. Another uid, even with the modes loosened, is refused by the peer check.
if [ "$(id -u)" -ne 0 ]; then
	echo "control-socket: not root: no other uid to connect as; the peer check was not run here" \
		"(tests/unit/test_control_socket.c covers it when run as root)"
elif ! command -v setpriv >/dev/null; then
	bad peer "no setpriv (util-linux) to connect as another uid"
else
	chmod 0711 "$TMP" "$RUN"
	chmod 0666 "$RUN/cs.sock"
	setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$EBB" ctl cs '{"execute":"query-status"}' >"$TMP/ctl" 2>&1
	st=$?
	chmod 0700 "$RUN"
	chmod 0600 "$RUN/cs.sock"
	if [ $st -ne 3 ]; then bad peer "ebb ctl as uid 65534: exit status $st, want 3 (an error reply)"
	elif ! grep -q '"error".*uid 65534 .* may not control VM cs' "$TMP/ctl"; then
		bad peer "the reply does not say who was refused"
	elif ! grep -q "refused a connection: uid 65534" "$TMP/err"; then bad peer "ebb did not log the refusal"
	elif ! "$EBB" ctl cs '{"execute":"query-status"}' >"$TMP/ctl" 2>&1; then
		bad peer "the VM stopped answering its own user"
	else ok "peer: uid 65534 refused (JSON error, logged), ebb's own uid still served"
	fi
fi

# 5. The VM goes on to a clean stop.
"$EBB" stop cs >/dev/null 2>&1
wait "$pid"
st=$?
pid=
if [ $st -ne 0 ]; then bad stop "exit status $st after ebb stop, want 0"
else ok "stop: the VM ended with status 0"
fi
finish
