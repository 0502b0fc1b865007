#!/bin/sh
# SPDX-License-Identifier: MIT
# ebb on a KVM that runs guests natively (hardware, or the nested harness's
# SVM): its verdict, the first line of ebb run, the flavour in query-status
# and ebb list, an emulation failure explained by the guest instruction, and
# the interpreting-KVM path rehearsed with EBB_KVM_FLAVOUR=interpreted
# (tests/e2e/test_kvm_interpreted.sh).  tests/e2e/vmm.sh runs it through
# tests/nested/kvm-run.sh.  POSIX sh.  Ends with "kvm-flavour: N passed, N failed".
#
#   EBB      the ebb binary (default build/ebb)
#   GUESTS   the test guests (default build/tests/e2e/guests)

EBB=${EBB:-build/ebb}
GUESTS=${GUESTS:-build/tests/e2e/guests}
T=${VMM_TEST_TIMEOUT:-120}
TMP=${TMPDIR:-/tmp}/ebb-kvm-flavour.$$
NAME=flavour-$$
export EBB_RUNTIME_DIR="$TMP/run"
mkdir -p "$TMP"
pass=0
fail=0

ok() { echo "PASS kvm-flavour: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL kvm-flavour: $1: $2"; fail=$((fail + 1)); }
show() { [ -s "$1" ] && tail -n "${2:-10}" "$1" | sed 's/^/    | /'; }
run() {
	timeout -k 10 "$T" "$EBB" run "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	st=$?
}

# 1. The verdict: this KVM runs guests natively, measured.
"$EBB" kvm-info >"$TMP/info" 2>&1
sed 's/^/    /' "$TMP/info"
"$EBB" kvm-info --brief >"$TMP/brief" 2>&1
if grep -q '^native hardware hardware (\(SVM\|VMX\)' "$TMP/brief" &&
	grep -q 'calibration: [0-9]* iterations' "$TMP/info"; then
	ok "kvm-info: $(cat "$TMP/brief"), calibrated"
else
	bad kvm-info "want a calibrated native hardware KVM: $(cat "$TMP/brief")"
fi

# 2. The first line of ebb run names the backend and the flavour.
run --kernel "$GUESTS/vmm_hello.elf"
first=$(head -n 1 "$TMP/err")
if [ $st -eq 0 ] && echo "$first" | grep -q 'on KVM, hardware (\(SVM\|VMX\)'; then
	ok "first-line: $first"
else
	bad first-line "exit $st; first line: $first"
fi

# 3. KVM gives up on an instruction: ebb names it and its bytes.
run --kernel "$GUESTS/vmm_emulfail.elf"
if [ $st -eq 4 ] && grep -q "could not emulate the guest instruction" "$TMP/err" &&
	grep -q "x87 floating point (dd) \[dd 05 00 00 00 d0 " "$TMP/err"; then
	ok "emulation-failure: $(grep -o 'could not emulate[^.]*' "$TMP/err")"
elif [ $st -eq 73 ]; then
	ok "emulation-failure: this KVM emulated the x87 load from MMIO (guest exit 9): nothing to explain"
else
	bad emulation-failure "exit $st, want 4 with the instruction named"
	show "$TMP/err"
fi

# 4. query-status and ebb list carry the flavour.
"$EBB" run --name "$NAME" --mem 64M </dev/null >"$TMP/console" 2>"$TMP/err" &
vm_pid=$!
i=0
while [ $i -lt "$T" ]; do
	"$EBB" ctl "$NAME" '{"execute": "query-status"}' >"$TMP/status" 2>/dev/null
	grep -q '"control_channel_ready":true' "$TMP/status" && break
	kill -0 "$vm_pid" 2>/dev/null || break
	sleep 1
	i=$((i + 1))
done
tr -d ' \n' <"$TMP/status" >"$TMP/status1"
if grep -q '"kvm":{"flavour":"hardware"' "$TMP/status1" && grep -q '"native":true' "$TMP/status1"; then
	ok "query-status: kvm.flavour hardware, native"
else
	bad query-status "no kvm object with flavour hardware"
	show "$TMP/status" 3
fi
"$EBB" list >"$TMP/list" 2>&1
if grep -q "^$NAME  *kvm  *hardware " "$TMP/list"; then
	ok "list: $(grep "^$NAME " "$TMP/list" | tr -s ' ')"
else
	bad list "ebb list does not show $NAME on kvm, hardware"
	show "$TMP/list"
fi
"$EBB" stop "$NAME" >/dev/null 2>&1
wait "$vm_pid"
st=$?
[ $st -eq 0 ] || bad stop "ebb run exited $st after ebb stop"

# 5. The interpreting-KVM path, rehearsed on this KVM.
EBB_KVM_FLAVOUR=interpreted EBB=$EBB KVM_INTERP_TIMEOUT=$T sh tests/e2e/test_kvm_interpreted.sh \
	>"$TMP/interp" 2>&1
sed -n '/^\(PASS\|FAIL\) /p; /^    /p' "$TMP/interp"
p=$(grep -c '^PASS ' "$TMP/interp")
f=$(grep -c '^FAIL ' "$TMP/interp")
pass=$((pass + p))
fail=$((fail + f))
grep -q '^kvm-interp: [0-9]* passed' "$TMP/interp" || bad rehearsal "test_kvm_interpreted.sh did not finish"

rm -rf "$TMP"
echo "kvm-flavour: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
