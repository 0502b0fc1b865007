#!/bin/sh
# SPDX-License-Identifier: MIT
# ebb on the bare host, no KVM needed: the CLI, its errors, and the clear
# message (exit status 1) when there is no /dev/kvm.  On a host that has one,
# EBB_KVM_DEV points ebb at a path that does not exist, to the same effect.
# Prints "PASS name" / "FAIL name: why" per test; exits 0 when all passed.

EBB=${EBB:-build/ebb}
GUESTS=${GUESTS:-build/tests/e2e/guests}
TMP=${TMPDIR:-/tmp}/ebb-vmm-nokvm.$$
mkdir -p "$TMP"
pass=0
fail=0

ok() { echo "PASS vmm-cli: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL vmm-cli: $1: $2"
	[ -s "$TMP/err" ] && sed 's/^/    | /' "$TMP/err" | tail -n 10
	fail=$((fail + 1))
}
ebb() {
	"$EBB" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	st=$?
}
has() { grep -q -- "$2" "$TMP/$1"; }

# Whatever this host has, EBB_KVM_DEV hides it: ebb looks for KVM there.
nokvm=/nonexistent/kvm
export EBB_KVM_DEV=$nokvm
if [ -e /dev/kvm ]; then
	where="EBB_KVM_DEV=$nokvm hides this host's /dev/kvm"
else
	where="EBB_KVM_DEV=$nokvm; this host has no /dev/kvm either"
fi

ebb run --accel kvm --kernel "$GUESTS/vmm_hello.elf"
if [ $st -ne 1 ]; then bad no-kvm "exit status $st, want 1"
elif ! has err "$nokvm does not exist"; then bad no-kvm "message does not say $nokvm is missing"
elif ! has err "modprobe kvm_intel or modprobe kvm_amd"; then bad no-kvm "message does not say what to do"
else ok "no-kvm: clear error, exit 1 ($where)"; fi

ebb run --accel kvm
if [ $st -ne 1 ] || ! has err "$nokvm"; then bad no-kvm-embedded "exit $st, want 1 with a message naming $nokvm"
else ok "no-kvm-embedded: ebb run --accel kvm of the embedded guest fails the same way"; fi

ebb kvm-info --brief
if [ $st -ne 0 ] || ! has out "^none none no KVM"; then bad kvm-info-none "want \"none none no KVM\": $(cat "$TMP/out")"
else ok "kvm-info-none: ebb kvm-info --brief says there is no KVM ($where)"; fi

ebb kvm-info --json
if [ $st -ne 0 ] || ! has out '"flavour": "none"' || ! has out "$nokvm cannot be opened"; then
	bad kvm-info-json "exit $st, want flavour none and why"
else ok "kvm-info-json: flavour none, with the reason"; fi

ebb kvm-info --bogus
if [ $st -ne 1 ] || ! has err "Usage: ebb kvm-info"; then bad kvm-info-usage "exit $st, want 1 and usage"
else ok "kvm-info-usage: an unknown option -> usage, exit 1"; fi

env -u EBB_KVM_DEV "$EBB" kvm-info </dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
if [ $st -ne 0 ] || ! has out "^KVM at /dev/kvm: " || ! has out "ebb run --accel auto: "; then
	bad kvm-info-host "ebb kvm-info on this host: exit $st"
else
	ok "kvm-info-host: this host: $(head -n 1 "$TMP/out")"
	sed 's/^/    /' "$TMP/out"
fi

ebb --help
if [ $st -ne 0 ] || ! has out "Usage: ebb"; then bad help "ebb --help: exit $st"
else ok "help: ebb --help"; fi

ebb run --help
if [ $st -ne 0 ] || ! has out "\-\-numa"; then bad run-help "ebb run --help: exit $st"
else ok "run-help: ebb run --help lists the options"; fi

ebb run --numa 0
if [ $st -ne 1 ] || ! has err "between 1 and 8"; then bad bad-numa "--numa 0: exit $st"
else ok "bad-numa: --numa 0 is a usage error"; fi

ebb run --mem 512M --numa 128M,128M
if [ $st -ne 1 ] || ! has err "does not match"; then bad numa-mismatch "exit $st"
else ok "numa-mismatch: --mem and --numa sizes must agree"; fi

ebb run --bogus
if [ $st -ne 1 ] || ! has err "unknown option"; then bad unknown-option "exit $st"
else ok "unknown-option: named in the error"; fi

ebb frobnicate
if [ $st -ne 1 ] || ! has err "unknown command"; then bad unknown-command "exit $st"
else ok "unknown-command: named in the error"; fi

for accel in kvm qemu; do
	ebb run --accel $accel --kernel "$EBB"
	if [ $st -ne 1 ] || ! has err "not an executable ELF\|PVH"; then bad bad-kernel-$accel "exit $st"
	else ok "bad-kernel-$accel: a non-PVH ELF is refused before anything starts"; fi
done

ebb run --accel bogus
if [ $st -ne 1 ] || ! has err "kvm, qemu or auto"; then bad bad-accel "exit $st"
else ok "bad-accel: --accel bogus is a usage error"; fi

ebb run --swap /x,size=1Q
if [ $st -ne 1 ] || ! has err "not a size"; then bad bad-swap "exit $st"
else ok "bad-swap: --swap FILE,size=1Q is a usage error"; fi

for c in list stat console stop exec ctl; do
	ebb help $c
	if [ $st -ne 0 ] || ! has out "Usage: ebb $c"; then bad help-$c "ebb help $c: exit $st"; continue; fi
	ebb $c --help
	if [ $st -ne 0 ] || ! has out "Usage: ebb $c"; then bad help-$c "ebb $c --help: exit $st"
	else ok "help-$c: ebb help $c, ebb $c --help"; fi
done

ebb stat
if [ $st -ne 1 ] || ! has err "Usage: ebb stat"; then bad stat-usage "ebb stat: exit $st, want 1"
else ok "stat-usage: ebb stat without a name is a usage error (1)"; fi

EBB_RUNTIME_DIR=$TMP/rt ebb stat no-such-vm buddyinfo
if [ $st -ne 2 ] || ! has err "no running VM named no-such-vm"; then bad no-such-vm "exit $st, want 2"
else ok "no-such-vm: ebb stat/stop of an unknown VM exit 2"; fi

EBB_RUNTIME_DIR=$TMP/rt ebb list
if [ $st -ne 0 ] || ! has out "NAME"; then bad list-empty "exit $st"
else ok "list-empty: ebb list with no VMs prints the header, exit 0"; fi

rm -rf "$TMP"
echo "vmm-cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
