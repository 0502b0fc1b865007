#!/bin/sh
# SPDX-License-Identifier: MIT
# ebb's KVM path, end to end, with the tiny PVH test guests and the embedded
# guest kernel.  Needs a /dev/kvm: tests/e2e/vmm.sh runs it through
# tests/nested/kvm-run.sh (directly, or inside the nested harness).  POSIX sh,
# so the nest's busybox runs it.  Prints one "PASS name" / "FAIL name: why"
# line per test; exits 0 when all passed.
#
# Paths are relative to the repository root (the same inside the nest):
#   EBB      the ebb binary (default build/ebb)
#   GUESTS   the test guests (default build/tests/e2e/guests)

EBB=${EBB:-build/ebb}
GUESTS=${GUESTS:-build/tests/e2e/guests}
TMP=${TMPDIR:-/tmp}/ebb-vmm-e2e.$$
T=${VMM_TEST_TIMEOUT:-60}
mkdir -p "$TMP"
pass=0
fail=0

ok() { echo "PASS vmm-kvm: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL vmm-kvm: $1: $2"
	for f in "$TMP/out" "$TMP/err"; do
		[ -s "$f" ] && sed 's/^/    | /' "$f" | tail -n 20
	done
	fail=$((fail + 1))
}

# run NAME ARGS...: ebb run ARGS with stdin closed; sets $st.
run() {
	timeout -k 10 "$T" "$EBB" run "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	st=$?
}

has() { grep -q -- "$2" "$TMP/$1"; }

# 1. Serial output and power-off with status 0.
run --kernel "$GUESTS/vmm_hello.elf"
if [ $st -ne 0 ]; then bad hello "exit status $st, want 0"
elif ! has out "hello from a PVH guest"; then bad hello "no \"hello\" on the console"
else ok "hello: console output, power-off status 0"; fi

# 2. A non-zero power-off status N becomes exit status 64+N.
run --kernel "$GUESTS/vmm_exit5.elf"
if [ $st -ne 69 ]; then bad exit-status "exit status $st, want 69 (64+5)"
elif ! has err "status 5"; then bad exit-status "no message naming status 5"
else ok "exit-status: guest status 5 -> ebb exits 69"; fi

# 3. Triple fault: a clear message and exit status 3.
run --kernel "$GUESTS/vmm_triple.elf"
if [ $st -ne 3 ]; then bad triple-fault "exit status $st, want 3"
elif ! has err "triple fault"; then bad triple-fault "no \"triple fault\" message"
else ok "triple-fault: clear message, exit status 3"; fi

# 4. Unknown port and MMIO accesses are logged and survived.
run --kernel "$GUESTS/vmm_badio.elf"
if [ $st -ne 0 ]; then bad unknown-io "exit status $st, want 0"
elif ! has out "survived unknown I/O"; then bad unknown-io "the guest did not carry on"
elif ! has err "unhandled port write 0x1234"; then bad unknown-io "port write not logged"
elif ! has err "unhandled port read 0x1235\|unhandled port read 0x1234"; then bad unknown-io "port read not logged"
elif ! has err "unhandled mmio write 0xd0000000"; then bad unknown-io "MMIO write not logged"
elif ! has err "unhandled mmio read 0xe0000000"; then bad unknown-io "MMIO read not logged"
else ok "unknown-io: port and MMIO accesses logged, guest carried on"; fi

# 5. start_info and the command line: defaults, NUMA layout, --append.
run --kernel "$GUESTS/vmm_cmdline.elf" --mem 512M --numa 2 --append "quiet ebb.test=1"
want="cmdline: console=ttyS0 ebb.numa=0:0-10000000,1:10000000-20000000 quiet ebb.test=1"
if [ $st -ne 0 ]; then bad numa-cmdline "exit status $st, want 0"
elif ! has out "$want"; then bad numa-cmdline "want \"$want\""
elif ! has out "memmap entries: 3"; then
	bad numa-cmdline "want 3 memory map entries (RAM, the ACPI tables at 0xe0000, RAM)"
else ok "numa-cmdline: start_info magic, ebb.numa for --numa 2, --append, ACPI's region in the map"; fi
run --kernel "$GUESTS/vmm_cmdline.elf" --mem 512M --no-acpi
if [ $st -ne 0 ]; then bad no-acpi "exit status $st, want 0"
elif ! has out "memmap entries: 1"; then bad no-acpi "want 1 memory map entry: no ACPI region"
else ok "no-acpi: --no-acpi leaves RAM in one piece, no ACPI region"; fi

# 6. RAM above the 3 GiB hole: two RAM ranges, a node across the hole.
run --kernel "$GUESTS/vmm_cmdline.elf" --mem 4G --numa 1G,3G --cmdline "console=ttyS0"
want="ebb.numa=0:0-40000000,1:40000000-c0000000,1:100000000-140000000"
if [ $st -ne 0 ]; then bad high-memory "exit status $st, want 0"
elif ! has out "$want"; then bad high-memory "want \"$want\""
elif ! has out "memmap entries: 4"; then
	bad high-memory "want 4 memory map entries (low RAM, ACPI tables, RAM to 3G, RAM from 4G)"
else ok "high-memory: 4G across the hole, 2 RAM ranges (4 map entries with ACPI), node 1 split"; fi

# 7. Several vCPUs: the APs wait for SIPI and the VM still ends cleanly.
run --kernel "$GUESTS/vmm_hello.elf" --cpus 4
if [ $st -ne 0 ]; then bad multi-vcpu "exit status $st, want 0"
elif ! has out "hello"; then bad multi-vcpu "no output"
else ok "multi-vcpu: 4 vCPUs created, boot CPU runs, clean exit"; fi

# 8. Guest RAM bound to host node 0 (mbind), and huge-page backing.
run --kernel "$GUESTS/vmm_hello.elf" --numa 2 --host-node 0
if [ $st -ne 0 ]; then bad host-node "--host-node 0: exit status $st, want 0"
else ok "host-node: guest RAM bound to host node 0"; fi
hp=/proc/sys/vm/nr_hugepages
if [ -w $hp ] && [ "$(cat $hp)" = 0 ]; then
	run --kernel "$GUESTS/vmm_hello.elf" --mem 64M --hugepages
	if [ $st -ne 1 ] || ! has err "nr_hugepages"; then
		bad hugepages-missing "exit $st, want 1 and a hint about nr_hugepages"
	else ok "hugepages-missing: none reserved -> clear error, exit 1"; fi
	echo 40 >$hp
	run --kernel "$GUESTS/vmm_hello.elf" --mem 64M --numa 2 --hugepages
	echo 0 >$hp
	if [ $st -ne 0 ] || ! has out hello; then bad hugepages "exit status $st, want 0"
	else ok "hugepages: 64M on 2 MiB pages boots"; fi
else
	bad hugepages "cannot control $hp here (not root, or pages already reserved)"
fi

# 9. The embedded guest kernel boots with two NUMA nodes and powers off.
run --mem 512M --numa 2 --append 'ebb.init="cat /proc/buddyinfo; poweroff"'
if [ $st -ne 0 ]; then bad embedded-guest "exit status $st, want 0"
elif ! has out "Node 0, zone" || ! has out "Node 1, zone"; then
	bad embedded-guest "buddyinfo does not show zones on both nodes"
elif ! has out "node 0 \[mem 0x0*-0x0*fffffff\]" || ! has out "node 1 \[mem 0x0*10000000-0x0*1fffffff\]"; then
	bad embedded-guest "the guest's nodes are not [0, 256M) and [256M, 512M)"
else ok "embedded-guest: --mem 512M --numa 2 boots, buddyinfo shows both nodes, poweroff 0"; fi

# 10. Console input: typed at the prompt, delivered with UART interrupts.
PROBE=${PROBE:-build/bench/boot-probe}
timeout -k 10 "$T" "$PROBE" --runs 1 --until "ebb# " --send 'echo typed-into-the-guest\npoweroff 7\n' \
	-- "$EBB" run >"$TMP/out" 2>"$TMP/err"
if ! grep -q "status=71 " "$TMP/out"; then bad console-input "want ebb exit status 71 after typing poweroff 7"
else ok "console-input: commands typed on stdin reach the guest shell (poweroff 7 -> 71)"; fi

# 11. A hostile virtio driver: a looping descriptor chain puts virtio-blk in
# DEVICE_NEEDS_RESET, the VM runs on, and after a reset the device serves.
run --kernel "$GUESTS/vmm_virtio.elf" --swap "$TMP/swap.img,size=1M"
if [ $st -ne 0 ]; then bad virtio-hostile "exit status $st, want 0"
elif ! has out "looping chain refused"; then bad virtio-hostile "the device did not refuse the loop"
elif ! has out "sector 0 read OK"; then bad virtio-hostile "no service after the reset"
elif ! has err "descriptor chain longer than the queue"; then bad virtio-hostile "no message naming the loop"
else ok "virtio-hostile: looping chain -> NEEDS_RESET, VM runs on, served after reset"; fi

# 12. KVM's own statistics of a running VM (KVM_GET_STATS_FD): ebb stat NAME
# kvm as JSON twice (the vCPUs' exits go up), as text (by group, a column per
# vCPU), query-status's kvm_exits, and the totals line of ebb run --stats.
export EBB_RUNTIME_DIR="$TMP/run"
NAME=kstat-$$
# The vCPUs' total of "exits" in `ebb stat NAME kvm --json` ($1), empty if none.
kvm_exits() { tr -d ' \n' <"$1" | sed 's/.*"vcpu":{//' | sed -n 's/.*"exits":{[^}]*"total":\([0-9]*\).*/\1/p'; }
mkfifo "$TMP/in"
timeout -k 10 "$T" "$EBB" run --name "$NAME" --cpus 2 --stats <"$TMP/in" >"$TMP/out" 2>"$TMP/err" &
vm=$!
exec 3>"$TMP/in"
i=0
while [ $i -lt "$T" ]; do
	"$EBB" ctl "$NAME" '{"execute": "query-status"}' >"$TMP/status" 2>/dev/null
	grep -q '"control_channel_ready":true' "$TMP/status" && break
	kill -0 $vm 2>/dev/null || break
	sleep 1
	i=$((i + 1))
done
"$EBB" stat "$NAME" kvm --json >"$TMP/kvm1" 2>&1
st1=$?
"$EBB" exec "$NAME" echo port I/O on the control channel >/dev/null
"$EBB" stat "$NAME" kvm --json >"$TMP/kvm2" 2>&1
"$EBB" stat "$NAME" kvm >"$TMP/kvmtext" 2>&1
st3=$?
"$EBB" ctl "$NAME" '{"execute": "query-status"}' >"$TMP/status" 2>&1
e1=$(kvm_exits "$TMP/kvm1")
e2=$(kvm_exits "$TMP/kvm2")
qe=$(sed -n 's/.*"kvm_exits":\([0-9]*\).*/\1/p' "$TMP/status")
"$EBB" stop "$NAME" >/dev/null 2>&1
wait $vm
st=$?
exec 3>&-
if [ $st1 -ne 0 ] || [ -z "$e1" ] || [ -z "$e2" ]; then
	bad kvm-stats-json "ebb stat $NAME kvm --json: exit $st1, exits \"$e1\" \"$e2\""
	sed 's/^/    | /' "$TMP/kvm1" | head -n 20
elif [ "$e2" -le "$e1" ]; then bad kvm-stats-json "exits did not go up: $e1 then $e2"
else ok "kvm-stats-json: the vCPUs' exits $e1, then $e2 after a guest command"; fi
missing=
for g in "exits by reason" "guest page faults" "halts and polling" "interrupt injections" \
	 "  exits " "(VM)" "vcpu1"; do
	grep -qF "$g" "$TMP/kvmtext" || missing="$missing \"$g\""
done
if [ $st3 -ne 0 ] || [ -n "$missing" ]; then
	bad kvm-stats-text "ebb stat $NAME kvm: exit $st3, lacks$missing"
	sed 's/^/    | /' "$TMP/kvmtext" | head -n 30
else ok "kvm-stats-text: by group, totals and a column per vCPU ($(grep -c '^  [a-z]' "$TMP/kvmtext") statistics)"; fi
if [ -z "$qe" ] || [ -z "$e2" ] || [ "$qe" -lt "$e2" ]; then
	bad kvm-stats-status "query-status kvm_exits \"$qe\", want at least $e2"
	sed 's/^/    | /' "$TMP/status"
else ok "kvm-stats-status: query-status has kvm_exits $qe"; fi
if [ $st -ne 0 ]; then bad kvm-stats-run "ebb run exit $st after ebb stop, want 0"
elif ! grep -q "^ebb-kvm-stats: vcpus=2 exits=[1-9][0-9]* .*insn_emulation=" "$TMP/err"; then
	bad kvm-stats-run "no ebb-kvm-stats: line with exits and insn_emulation from ebb run --stats"
else ok "kvm-stats-run: ebb run --stats prints KVM's totals ($(grep -o 'exits=[0-9]*' "$TMP/err" | head -n 1))"; fi

rm -rf "$TMP"
echo "vmm-kvm: $pass passed, $fail failed"
[ $fail -eq 0 ]
