#!/bin/sh
# SPDX-License-Identifier: MIT
# Devices and control end to end, for one backend: ACCEL=kvm (needs a
# /dev/kvm: tests/e2e/test_devices_e2e.sh runs it through
# tests/nested/kvm-run.sh) or ACCEL=qemu (the QEMU backend, on any host).
# One VM with a swap disk is started with its console on a fifo, then:
# ebb list, ebb stat (text byte-for-byte against the guest shell, --json),
# garbage and unknown requests on the control socket (error reply, the VM
# goes on), guest-exec, workload start/stop, the swap workload, ebb stop.
# POSIX sh (the nest's busybox runs it).  Prints "PASS name" / "FAIL name:
# why" per check and ends with "devices-ACCEL: N passed, N failed".
#
#   EBB      the ebb binary (default build/ebb)
#   ACCEL    kvm or qemu (default kvm)

EBB=${EBB:-build/ebb}
ACCEL=${ACCEL:-kvm}
T=${DEVICES_TIMEOUT:-180}
TMP=${TMPDIR:-/tmp}/ebb-devices.$$
NAME=dev-$ACCEL-$$
export EBB_RUNTIME_DIR="$TMP/run"
mkdir -p "$TMP"
pass=0
fail=0

ok() { echo "PASS devices-$ACCEL: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL devices-$ACCEL: $1: $2"
	fail=$((fail + 1))
}
show() { [ -s "$1" ] && tail -n "${2:-15}" "$1" | sed 's/^/    | /'; }
finish() {
	exec 3>&- 2>/dev/null
	if [ -n "${vm_pid:-}" ] && kill -0 "$vm_pid" 2>/dev/null; then
		kill "$vm_pid" 2>/dev/null
		sleep 1
		kill -9 "$vm_pid" 2>/dev/null
	fi
	rm -rf "$TMP"
	echo "devices-$ACCEL: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
ebb() { "$EBB" "$@"; }

# The guest console gets what we write to fd 3; ebb run keeps reading it.
mkfifo "$TMP/in" || { bad setup "mkfifo failed"; finish; }
"$EBB" run --accel "$ACCEL" --name "$NAME" --mem 128M --swap "$TMP/swap.img,size=256M" \
	<"$TMP/in" >"$TMP/console" 2>"$TMP/err" &
vm_pid=$!
exec 3>"$TMP/in"

# 1. The control channel comes up (the guest says "* ready" on COM2).
i=0
while [ $i -lt "$T" ]; do
	ebb ctl "$NAME" '{"execute": "query-status"}' >"$TMP/status" 2>/dev/null
	grep -q '"control_channel_ready":true' "$TMP/status" && break
	kill -0 "$vm_pid" 2>/dev/null || break
	sleep 1
	i=$((i + 1))
done
if ! grep -q '"control_channel_ready":true' "$TMP/status"; then
	bad control-ready "no \"* ready\" from the guest's control channel in ${T}s"
	show "$TMP/status" 3
	show "$TMP/err"
	show "$TMP/console"
	finish
fi
ok "control-ready: the guest's control channel is up after ${i}s"

# 2. ebb list shows it with its backend; the user was told which backend runs.
if ebb list >"$TMP/list" && grep -q "^$NAME  *$ACCEL " "$TMP/list"; then
	ok "list: $NAME on $ACCEL"
else
	bad list "ebb list does not show $NAME with backend $ACCEL"
	show "$TMP/list"
fi
if [ "$ACCEL" = qemu ]; then
	if grep -q "under QEMU" "$TMP/err"; then ok "backend-named: ebb said it runs under QEMU"
	else bad backend-named "ebb did not say it runs under QEMU"; show "$TMP/err"; fi
elif grep -q "KVM_IOEVENTFD" "$TMP/err"; then
	bad ioeventfd "virtio notifications fell back to MMIO exits"; show "$TMP/err"
else
	ok "ioeventfd: virtio-blk notifications go through KVM's ioeventfd"
fi

# 3. ebb stat NAME buddyinfo prints exactly what the guest shell prints.
ebb stat "$NAME" buddyinfo >"$TMP/stat1"
st=$?
lines=$(wc -l <"$TMP/console")
echo 'cat /proc/buddyinfo' >&3
i=0
while [ $i -lt 100 ]; do
	tail -n +"$((lines + 1))" "$TMP/console" | tr -d '\r' >"$TMP/tail"
	# The command's output lies between its echoed line and the next prompt.
	sed -n '/^ebb# cat \/proc\/buddyinfo$/,/^ebb# /p' "$TMP/tail" | sed '1d;$d' >"$TMP/shell"
	[ "$(sed -n '/^ebb# cat \/proc\/buddyinfo$/,/^ebb# /p' "$TMP/tail" | grep -c '^ebb# ')" -ge 2 ] && break
	sleep 0.2
	i=$((i + 1))
done
ebb stat "$NAME" buddyinfo >"$TMP/stat2"
if [ $st -ne 0 ]; then bad stat-buddyinfo "ebb stat exited $st"
elif [ ! -s "$TMP/shell" ]; then bad stat-buddyinfo "the guest shell printed no buddyinfo"; show "$TMP/tail"
elif cmp -s "$TMP/stat1" "$TMP/shell" || cmp -s "$TMP/stat2" "$TMP/shell"; then
	ok "stat-buddyinfo: ebb stat matches the guest shell byte for byte ($(wc -l <"$TMP/shell") lines)"
else
	bad stat-buddyinfo "ebb stat differs from the guest shell"
	diff "$TMP/stat1" "$TMP/shell" | head -10 | sed 's/^/    | /'
fi

# 4. --json: structured views.
if ebb stat "$NAME" buddyinfo --json >"$TMP/json" && grep -q '"zone": "DMA' "$TMP/json"; then
	ok "stat-json: buddyinfo as JSON"
else bad stat-json "no zone in ebb stat --json"; show "$TMP/json"; fi
if ebb stat "$NAME" --json >"$TMP/json" && grep -q '"nr_free_pages"' "$TMP/json" &&
   grep -q '"protection"' "$TMP/json"; then
	ok "query-memory: buddyinfo, vmstat, zoneinfo, meminfo as JSON"
else bad query-memory "vmstat/zoneinfo missing from ebb stat --json"; show "$TMP/json"; fi

# 4b. KVM's own statistics: by group under KVM; under QEMU (TCG) there is no
# KVM, which ebb stat says (exit 3), and ebb top shows no exit rate.
ebb stat "$NAME" kvm >"$TMP/kvm" 2>&1
st=$?
ebb ctl "$NAME" '{"execute": "query-status"}' >"$TMP/kstatus" 2>&1
if [ "$ACCEL" = qemu ]; then
	if [ $st -eq 3 ] && grep -q "runs under QEMU (TCG), not KVM: there are no KVM statistics" "$TMP/kvm" &&
	   ! grep -q '"kvm_exits"' "$TMP/kstatus"; then
		ok "stat-kvm: under QEMU, a clear error (exit 3) and no kvm_exits in query-status"
	else bad stat-kvm "exit $st, want 3 and \"no KVM statistics\""; show "$TMP/kvm"; fi
	timeout 3 "$EBB" top --interval 1 >"$TMP/top" 2>&1
	row=$(grep "^$NAME " "$TMP/top" | tail -n 1)
	if [ "${row##* }" = "-" ] && grep -q 'EXITS/s' "$TMP/top"; then
		ok "top-exits: ebb top's EXITS/s is - for a VM under QEMU"
	else bad top-exits "want EXITS/s - for $NAME"; show "$TMP/top" 4; fi
elif [ $st -eq 0 ] && grep -q "exits by reason" "$TMP/kvm" && grep -q '"kvm_exits":[1-9]' "$TMP/kstatus"; then
	ok "stat-kvm: KVM's statistics by group; query-status has kvm_exits"
else bad stat-kvm "exit $st, or no \"exits by reason\", or no kvm_exits"; show "$TMP/kvm"; show "$TMP/kstatus" 3; fi

# 5. Garbage and unknown requests get an error; the VM goes on.
ebb ctl "$NAME" 'this is not json' >"$TMP/g1"; g1=$?
ebb ctl "$NAME" '{"execute": "frobnicate"}' >"$TMP/g2"; g2=$?
ebb ctl "$NAME" '{"execute": "query-memory", "arguments": {"view": 7}}' >"$TMP/g3"; g3=$?
ebb ctl "$NAME" '{"execute": "query-status"}' >"$TMP/g4"; g4=$?
if [ $g1 -eq 3 ] && grep -q '"error"' "$TMP/g1" && [ $g2 -eq 3 ] && grep -q CommandNotFound "$TMP/g2" &&
   [ $g3 -eq 3 ] && [ $g4 -eq 0 ] && grep -q '"state":"running"' "$TMP/g4" && kill -0 "$vm_pid"; then
	ok "garbage: errors for garbage, unknown and malformed requests; the VM goes on"
else
	bad garbage "exit statuses $g1 $g2 $g3 $g4 (want 3 3 3 0)"
	cat "$TMP/g1" "$TMP/g2" "$TMP/g3" "$TMP/g4" | sed 's/^/    | /'
fi

# 6. ebb console: attach, type a command, see its output, detach at end of input.
(echo 'echo console-attached-ok'; sleep 3) | ebb console "$NAME" >"$TMP/attach" 2>&1
st=$?
if [ $st -eq 0 ] && grep -q '^console-attached-ok' "$TMP/attach" && kill -0 "$vm_pid"; then
	ok "console: attached, ran a command, detached; the VM runs on"
else bad console "exit $st"; show "$TMP/attach"; fi

# 7. guest-exec.
if [ "$(ebb exec "$NAME" echo hello from the guest)" = "hello from the guest" ] &&
   [ "$(ebb exec --timeout 5 "$NAME" echo with a timeout)" = "with a timeout" ]; then
	ok "guest-exec: echo through the control channel (with and without --timeout)"
else bad guest-exec "no echo back"; fi

# 8. Workloads start and stop through the control channel.
ebb ctl "$NAME" '{"execute": "workload-start", "arguments": {"workload": "frag 16M"}}' >"$TMP/w1"
job=$(sed -n 's/.*"job":\([0-9][0-9]*\).*/\1/p' "$TMP/w1")
if [ -z "$job" ]; then bad workload "workload-start gave no job number"; show "$TMP/w1"
else
	ebb ctl "$NAME" "{\"execute\": \"workload-stop\", \"arguments\": {\"job\": $job}}" >"$TMP/w2"
	if grep -q '"return"' "$TMP/w2"; then ok "workload: started job $job, stopped it"
	else bad workload "workload-stop $job failed"; show "$TMP/w2"; fi
fi

# 9. The swap disk itself: the guest's write-read-verify over virtio-blk
# (ebb's device under KVM, QEMU's own under QEMU), seen in the host file.
ebb exec "$NAME" blk test 4M 2048 >"$TMP/blk" 2>&1
st=$?
if [ $st -eq 0 ] && grep -q 'checksum-correct' "$TMP/blk" &&
   [ -n "$(od -An -N16 -j $((2048 * 512)) "$TMP/swap.img" | tr -d ' 0\n')" ]; then
	ok "blk: $(grep -o '[0-9]*/[0-9]* pages checksum-correct' "$TMP/blk"), data in the host file"
else
	bad blk "blk test 4M on vda: exit $st"
	show "$TMP/blk"
fi

# 10. The swap disk: a workload larger than RAM swaps out and comes back intact.
ebb stat "$NAME" meminfo >"$TMP/meminfo" 2>&1
swap_kb=$(sed -n 's/^SwapTotal: *\([0-9]*\) kB/\1/p' "$TMP/meminfo")
if [ -z "$swap_kb" ] || [ "$swap_kb" -eq 0 ]; then
	bad swap "cannot pass yet: the guest has no swap on its virtio-blk disk (SwapTotal ${swap_kb:-absent}); it needs the guest's virtio-blk driver to find vda and guestmm's swap to use it"
	ebb exec "$NAME" virtio 2>&1 | sed 's/^/    | /'
else
	ebb exec --timeout 900 "$NAME" run anon 192M random >"$TMP/anon" 2>&1
	st=$?
	out=$(ebb stat "$NAME" vmstat | sed -n 's/^pswpout //p')
	if [ $st -ne 0 ]; then bad swap "run anon 192M random failed (exit $st)"; show "$TMP/anon"
	elif grep -qi 'mismatch\|corrupt\|bad checksum' "$TMP/anon"; then bad swap "pages came back wrong"; show "$TMP/anon"
	elif [ "${out:-0}" -eq 0 ]; then bad swap "no pswpout after 192M on 128M RAM"; show "$TMP/anon"
	elif ! grep -qi 'checksum\|verified\|intact' "$TMP/anon"; then
		bad swap "cannot pass yet: pswpout $out, but run anon does not report verifying page contents (no checksum line)"
		show "$TMP/anon" 5
	else ok "swap: 192M workload on 128M RAM, pswpout $out, pages verified"; fi
fi

# 11. ebb stop ends the VM cleanly: ebb run exits 0 and the socket is gone.
ebb stop "$NAME"
st=$?
i=0
while kill -0 "$vm_pid" 2>/dev/null && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
wait "$vm_pid"
rst=$?
vm_pid=
if [ $st -ne 0 ]; then bad stop "ebb stop exited $st"
elif [ $rst -ne 0 ]; then bad stop "ebb run exited $rst after ebb stop, want 0"; show "$TMP/err"
elif [ -e "$EBB_RUNTIME_DIR/$NAME.sock" ]; then bad stop "the control socket is still there"
else ok "stop: ebb stop -> ebb run exit 0, socket removed"; fi
ebb stat "$NAME" buddyinfo >/dev/null 2>&1
st=$?
if [ $st -eq 2 ]; then ok "gone: ebb stat of a stopped VM exits 2"
else bad gone "ebb stat of a stopped VM exited $st, want 2"; fi

finish
