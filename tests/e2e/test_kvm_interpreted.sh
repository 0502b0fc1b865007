#!/bin/sh
# SPDX-License-Identifier: MIT
# ebb on a KVM that interprets the guest (PVM, or EBB_KVM_FLAVOUR=interpreted
# to rehearse it on any KVM): --accel auto goes to QEMU and says why (or, with
# no QEMU, stays on KVM and warns); --accel kvm still boots the embedded guest,
# warns with the slowdown, answers the control socket, shows KVM's statistics
# moving and the flavour in ebb list, and stops cleanly.  Slow by nature: a
# small guest, generous timeouts, the time each step took printed.  POSIX sh
# (the nest's busybox runs it).  Ends with "kvm-interp: N passed, N failed".
#
#   EBB                 the ebb binary (default build/ebb)
#   KVM_INTERP_TIMEOUT  seconds for the guest to come up (default 900)

EBB=${EBB:-build/ebb}
T=${KVM_INTERP_TIMEOUT:-900}
TMP=${TMPDIR:-/tmp}/ebb-kvm-interp.$$
NAME=interp-$$
export EBB_RUNTIME_DIR="$TMP/run"
mkdir -p "$TMP"
pass=0
fail=0

ok() { echo "PASS kvm-interp: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL kvm-interp: $1: $2"; fail=$((fail + 1)); }
show() { [ -s "$1" ] && tail -n "${2:-10}" "$1" | sed 's/^/    | /'; }
now() { date +%s; }
finish() {
	if [ -n "${vm_pid:-}" ] && kill -0 "$vm_pid" 2>/dev/null; then
		kill "$vm_pid" 2>/dev/null
		sleep 2
		kill -9 "$vm_pid" 2>/dev/null
	fi
	rm -rf "$TMP"
	echo "kvm-interp: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

# 1. ebb's verdict on this KVM.
"$EBB" kvm-info --brief >"$TMP/brief" 2>&1
if grep -q '^interpreted ' "$TMP/brief"; then
	ok "kvm-info: $(cat "$TMP/brief")"
else
	bad kvm-info "want \"interpreted ...\", got: $(cat "$TMP/brief")"
	finish
fi
"$EBB" kvm-info | sed 's/^/    /'

# 2. --accel auto: QEMU where it is installed, said with the reason.
t0=$(now)
timeout "$T" "$EBB" run --name "$NAME-auto" --mem 64M --append 'ebb.init="poweroff 3"' \
	</dev/null >"$TMP/auto.out" 2>"$TMP/auto.err"
st=$?
if [ $st -eq 67 ] && head -n 1 "$TMP/auto.err" | grep -q "on QEMU (TCG), because the host's KVM is"; then
	ok "auto-qemu: first line says QEMU and why; guest poweroff 3 -> 67 in $(($(now) - t0))s"
elif [ $st -eq 67 ] && grep -q "QEMU, which would run it faster, is not there" "$TMP/auto.err"; then
	ok "auto-no-qemu: no QEMU here, so KVM with a warning; guest poweroff 3 -> 67 in $(($(now) - t0))s"
else
	bad auto "exit $st (want 67) or the first line does not say why"
	show "$TMP/auto.err"
fi
head -n 1 "$TMP/auto.err" | sed 's/^/    /'

# 3. --accel kvm: the embedded guest on this KVM, with the slowdown named.
t0=$(now)
"$EBB" run --accel kvm --name "$NAME" --mem 64M --append 'ebb.init="cat /proc/buddyinfo"' \
	</dev/null >"$TMP/console" 2>"$TMP/err" &
vm_pid=$!
i=0
while [ $i -lt "$T" ]; do
	"$EBB" ctl "$NAME" '{"execute": "query-status"}' >"$TMP/status" 2>/dev/null
	grep -q '"control_channel_ready":true' "$TMP/status" && break
	kill -0 "$vm_pid" 2>/dev/null || break
	sleep 1
	i=$((i + 1))
done
if ! grep -q '"control_channel_ready":true' "$TMP/status"; then
	bad forced-boot "the guest's control channel did not come up in ${T}s"
	show "$TMP/err"
	show "$TMP/console"
	finish
fi
ok "forced-boot: --accel kvm booted the embedded guest in $(($(now) - t0))s"
if grep -q "warning: expect the guest to run" "$TMP/err"; then
	ok "forced-warning: $(grep -o 'expect the guest to run[^;]*' "$TMP/err" | head -n 1)"
else
	bad forced-warning "no warning naming the slowdown"
	show "$TMP/err"
fi
if grep -q '"native": *false' "$TMP/status"; then
	ok "query-status: kvm.native is false"
else
	bad query-status "no \"native\": false in the kvm object"
	show "$TMP/status" 3
fi
"$EBB" list >"$TMP/list" 2>&1
if grep -q "^$NAME .*kvm" "$TMP/list" && grep "^$NAME " "$TMP/list" | grep -qi "interp"; then
	ok "list: $(grep "^$NAME " "$TMP/list")"
else
	bad list "ebb list does not show $NAME on kvm with its flavour"
	show "$TMP/list"
fi

# 4. KVM's own statistics move while the guest runs a command.
kvm_exits() {
	"$EBB" ctl "$NAME" '{"execute": "query-status"}' 2>/dev/null |
		grep -o '"kvm_exits": *[0-9]*' | grep -o '[0-9]*$'
}
e1=$(kvm_exits)
"$EBB" exec "$NAME" 'cat /proc/meminfo' >"$TMP/meminfo" 2>&1
est=$?
e2=$(kvm_exits)
if [ $est -ne 0 ] || ! grep -q MemTotal "$TMP/meminfo"; then
	bad exec "ebb exec cat /proc/meminfo: exit $est"
	show "$TMP/meminfo"
else
	ok "exec: the guest answered a command"
fi
if [ -n "$e1" ] && [ -n "$e2" ] && [ "$e2" -gt "$e1" ]; then
	ok "kvm-exits: $e1 -> $e2 across a guest command"
else
	bad kvm-exits "query-status kvm_exits '$e1' -> '$e2'"
fi
"$EBB" stat "$NAME" kvm --json >"$TMP/kvmjson" 2>&1
st=$?
if [ $st -eq 0 ] && grep -q '"insn_emulation"' "$TMP/kvmjson"; then
	ok "stat-kvm: ebb stat $NAME kvm --json has insn_emulation"
else
	bad stat-kvm "ebb stat $NAME kvm --json: exit $st, or no insn_emulation"
	show "$TMP/kvmjson"
fi
"$EBB" stat "$NAME" kvm >"$TMP/kvmtext" 2>&1 && sed -n '1,30p' "$TMP/kvmtext" | sed 's/^/    /'

# 5. It stops cleanly.
"$EBB" stop "$NAME" >/dev/null 2>&1
i=0
while kill -0 "$vm_pid" 2>/dev/null && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
if kill -0 "$vm_pid" 2>/dev/null; then
	bad stop "ebb run still running 120s after ebb stop"
else
	wait "$vm_pid"
	st=$?
	vm_pid=
	if [ $st -eq 0 ] && grep -q "Node 0, zone" "$TMP/console"; then
		ok "stop: buddyinfo printed, ebb stop -> exit 0"
	else
		bad stop "exit $st (want 0) or no buddyinfo on the console"
		show "$TMP/console"
	fi
fi
finish
