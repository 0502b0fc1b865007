#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The embedded guest on several vCPUs under ebb's QEMU backend (-smp N),
# on this host (TCG, no KVM needed).  With more than one vCPU ebb boots its
# guest on microvm with ACPI (the MADT names the APs) and puts the virtio
# devices on the command line itself (vmm/qemu.c), so:
#   online     --cpus 2: nproc 2, both CPUs brought up, the swap disk and
#              the balloon found at the transports microvm gave them
#   balloon    --cpus 2, 256M, swap: `run anon --threads 2 100M hotcold`
#              (a copy pinned to each CPU) while the balloon inflates to leave the
#              guest 128M, less than the two copies hold: the guest swaps,
#              every page of both copies is verified (0 bad), and the
#              balloon gets to 90 MiB or more
#   numa       --numa 2 --numa-distance 15: the guest's numactl -H has two
#              nodes and the distances ebb passed (ebb.distance=: microvm
#              has no SRAT/SLIT, so the command line carries them)
# Prints PASS/FAIL lines and "N passed, N failed" last.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

EBB=${EBB:-build/ebb}
T=${SMP_QEMU_TIMEOUT:-600}
TMP=$(mktemp -d)
export EBB_RUNTIME_DIR=$TMP/run
NAME=smpq
pass=0
fail=0
vm_pid=
ok() { echo "PASS smp-qemu: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL smp-qemu: $1: $2"
	[[ -s $TMP/out ]] && tr -d '\r' <"$TMP/out" | tail -n 25 | sed 's/^/    | /'
	[[ -s $TMP/err ]] && tail -n 10 "$TMP/err" | sed 's/^/    ! /'
	fail=$((fail + 1))
}
cleanup() {
	[[ -n $vm_pid ]] && kill "$vm_pid" 2>/dev/null && wait "$vm_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

if [[ ! -x $EBB ]] || ! command -v "${EBB_QEMU:-qemu-system-x86_64}" >/dev/null; then
	echo "FAIL smp-qemu: needs $EBB (make) and ${EBB_QEMU:-qemu-system-x86_64} (apt-get install qemu-system-x86)"
	echo "0 passed, 1 failed"
	exit 1
fi

# online
timeout "$T" "$EBB" run --accel qemu --cpus 2 --mem 256M --balloon --swap "$TMP/swap,size=32M" \
	--append 'ebb.init="nproc; poweroff"' </dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
out=$(tr -d '\r' <"$TMP/out")
if [[ $st -ne 0 ]]; then
	bad online "ebb run exited $st"
elif ! grep -qx 2 <<<"$out" || ! grep -q 'smp: brought up 2 CPUs' <<<"$out"; then
	bad online "nproc is not 2, or no \"brought up 2 CPUs\""
elif [[ $(grep -c 'virtio: virtio[0-9]: virtio_\(blk\|balloon\) driver' <<<"$out") -ne 2 ]]; then
	bad online "the guest did not find both virtio devices"
else
	ok "online: QEMU -smp 2 with ACPI: nproc 2; devices at $(grep -o 'virtio-mmio: 0x[0-9a-f]* (512 bytes) IRQ [0-9]*' <<<"$out" | sed 's/virtio-mmio: //; s/ (512 bytes)//' | paste -sd, -)"
fi

# numa
timeout "$T" "$EBB" run --accel qemu --cpus 2 --mem 256M --numa 2 --numa-distance 15 \
	--append 'ebb.init="numactl -H; poweroff"' </dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
out=$(tr -d '\r' <"$TMP/out")
d0=$(awk '$1 == "0:" { print $2, $3 }' <<<"$out")
d1=$(awk '$1 == "1:" { print $2, $3 }' <<<"$out")
if [[ $st -ne 0 ]]; then
	bad numa "ebb run exited $st"
elif ! grep -q '^available: 2 nodes (0-1)' <<<"$out"; then
	bad numa "numactl -H does not say 2 nodes"
elif [[ $d0 != "10 15" || $d1 != "15 10" ]]; then
	bad numa "distances '$d0' / '$d1', want '10 15' / '15 10'"
else
	ok "numa: --numa 2 --numa-distance 15: 2 nodes, distances 10 15 / 15 10 in the guest"
fi

# balloon inflating while both CPUs allocate, with swap
"$EBB" run --accel qemu --name "$NAME" --cpus 2 --mem 256M --balloon --swap "$TMP/swap2,size=256M" \
	</dev/null >"$TMP/out" 2>"$TMP/err" &
vm_pid=$!
up=0
for _ in $(seq 1 240); do
	"$EBB" exec --timeout 10 "$NAME" nproc >/dev/null 2>&1 && { up=1; break; }
	kill -0 "$vm_pid" 2>/dev/null || break
	sleep 0.5
done
if [[ $up -eq 0 ]]; then
	bad balloon "the VM's control channel never answered"
else
	"$EBB" exec --timeout "$T" "$NAME" run anon --threads 2 100M hotcold >"$TMP/anon" 2>&1 &
	anon_pid=$!
	sleep 0.3
	"$EBB" balloon "$NAME" 128M >"$TMP/bal" 2>&1 || echo "ebb balloon failed: $(cat "$TMP/bal")" >>"$TMP/anon"
	wait "$anon_pid"
	ast=$?
	actual_now() { "$EBB" balloon "$NAME" --json 2>/dev/null | sed -n 's/^ *"actual_bytes": \([0-9]*\).*/\1/p' | head -n 1; }
	for _ in $(seq 1 120); do
		actual=$(actual_now)
		[[ ${actual:-0} -ge $((90 << 20)) ]] && break
		sleep 0.5
	done
	verified=$(grep -c 'pages verified, 0 bad' "$TMP/anon")
	pswpout=$(sed -n 's/.*pswpout \([0-9]*\).*/\1/p' "$TMP/anon" | sort -n | tail -n 1)
	if [[ $ast -eq 0 && $verified -eq 2 && ${actual:-0} -ge $((90 << 20)) && ${pswpout:-0} -gt 0 ]] &&
		grep -q 'anon: 2 copies ended on CPUs 0 1' "$TMP/anon"; then
		ok "balloon: both copies of run anon 100M hotcold (one on each CPU) verified every page (swapped out ${pswpout} pages) while the balloon inflated to $((actual >> 20)) MiB"
	else
		bad balloon "ebb exec status $ast, $verified of 2 copies verified, balloon at $((${actual:-0} >> 20)) MiB (want >= 90), pswpout ${pswpout:-none}"
		sed 's/^/    > /' "$TMP/anon" | tail -n 30
	fi
	"$EBB" stop "$NAME" >/dev/null 2>&1
	wait "$vm_pid" 2>/dev/null
	vm_pid=
fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
