#!/bin/sh
# SPDX-License-Identifier: MIT
# The VMM's seccomp filters end to end (docs/security.md).  On this host:
# the QEMU backend's monitor filter (when QEMU is there).  Then, with KVM
# (tests/nested/kvm-run.sh: directly, or inside the nested harness), this
# same script with --kvm:
#   - every thread of a running VM (monitor, vCPUs, virtio-blk, balloon)
#     is filtered (Seccomp: 2 in /proc), and the VM stops cleanly through
#     the control socket with the filters in place;
#   - each thread kind breaking its list on purpose (the test hook
#     EBB_SECCOMP_SELFTEST=KIND[:open]) ends ebb with status 159 and a
#     message naming the call and the thread;
#   - --no-seccomp: no thread filtered, the same hook does nothing, the
#     guest runs to its end.
# POSIX sh, so the nest's busybox runs it.  Prints PASS/FAIL lines and ends
# with "N passed, N failed"; exit status 0 when all passed.
#
#   EBB      the ebb binary (default build/ebb)
#   GUESTS   the test guests (default build/tests/e2e/guests)

cd "$(dirname "$0")/../.." || exit 1
EBB=${EBB:-build/ebb}
GUESTS=${GUESTS:-build/tests/e2e/guests}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ebb-seccomp.XXXXXX")
export EBB_RUNTIME_DIR="$TMP/run"
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { echo "PASS seccomp: $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL seccomp: $1: $2"
	[ -s "$TMP/err" ] && sed 's/^/    | /' "$TMP/err" | tail -n 12
	fail=$((fail + 1))
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

# selftest NAME HOOK WANT ARGS...: ebb run ARGS with EBB_SECCOMP_SELFTEST=HOOK
# must end with 159 and say WANT (a fixed string).
selftest() {
	name=$1 hook=$2 want=$3
	shift 3
	EBB_SECCOMP_SELFTEST=$hook timeout 60 "$EBB" run "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	st=$?
	if [ $st -ne 159 ]; then bad "$name" "exit status $st, want 159 (128 + SIGSYS)"
	elif ! grep -qF -- "$want" "$TMP/err"; then bad "$name" "no message saying: $want"
	elif ! grep -qF -- "--no-seccomp" "$TMP/err"; then bad "$name" "the message does not name --no-seccomp"
	else ok "$name: status 159, \"$(grep -o 'the [^ ]* thread ([^)]*) made the system call [^,;]*' "$TMP/err")\""
	fi
}

# seccomp_of PID: each thread's "comm=Seccomp" (0 none, 2 filtered), space-separated.
seccomp_of() {
	for t in /proc/"$1"/task/*; do
		printf '%s=%s ' "$(cat "$t/comm")" "$(sed -n 's/^Seccomp:[[:space:]]*//p' "$t/status")"
	done
}

# running NAME WANT ARGS...: boot the embedded guest with ARGS, check every
# thread's seccomp mode is WANT, stop it through the socket: status 0.
running() {
	name=$1 want=$2
	shift 2
	"$EBB" run --name sc "$@" </dev/null >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	i=0
	modes=
	# The threads start at once; the monitor filters itself before its loop.
	while [ $i -lt 100 ]; do
		modes=$(seccomp_of $pid)
		case " $modes" in *vcpu1=*) ;; *) modes= ;; esac
		[ -n "$modes" ] && ! echo "$modes" | grep -q "=[^$want ]" && break
		i=$((i + 1))
		sleep 0.1
	done
	"$EBB" stop sc >/dev/null 2>&1
	wait $pid
	st=$?
	if [ -z "$modes" ]; then bad "$name" "the VM's threads did not show up (exit status $st)"
	elif echo "$modes" | grep -q "=[^$want ]"; then bad "$name" "threads not in seccomp mode $want: $modes"
	elif [ $st -ne 0 ]; then bad "$name" "exit status $st after ebb stop, want 0"
	else ok "$name: every thread in seccomp mode $want ($modes), stopped with status 0"
	fi
}

# qemu_sandbox NAME WANT ARGS...: the QEMU backend's QEMU runs in seccomp
# mode WANT (2: its own -sandbox, which ebb asks for; 0 with --no-seccomp).
qemu_sandbox() {
	name=$1 want=$2
	shift 2
	"$EBB" run --accel qemu --name scs "$@" </dev/null >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	i=0
	mode=
	while [ $i -lt 100 ] && [ -z "$mode" ]; do
		q=$(pgrep -P $pid qemu-system 2>/dev/null | head -n 1)
		[ -n "$q" ] && "$EBB" list 2>/dev/null | grep -q '^scs ' &&
			mode=$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$q/status")
		i=$((i + 1))
		sleep 0.1
	done
	"$EBB" stop scs >/dev/null 2>&1
	wait $pid
	st=$?
	if [ -z "$mode" ]; then bad "$name" "QEMU did not show up (exit status $st)"
	elif [ "$mode" != "$want" ]; then bad "$name" "QEMU in seccomp mode $mode, want $want"
	elif [ $st -ne 0 ]; then bad "$name" "exit status $st after ebb stop, want 0"
	else ok "$name: QEMU (pid $q) in seccomp mode $mode$([ "$want" = 2 ] && echo ": its -sandbox, denying obsolete calls, privilege changes, spawning and resource control"), stopped with status 0"
	fi
}

if [ "${1:-}" != --kvm ]; then
	if [ ! -x "$EBB" ]; then
		bad build "$EBB is not built (run make first)"
		finish
	fi
	echo "== seccomp: the QEMU backend, on this host"
	if command -v "${EBB_QEMU:-qemu-system-x86_64}" >/dev/null; then
		selftest qemu-monitor monitor-qemu \
			"the monitor thread (monitor-qemu allow-list) made the system call getppid (110)" \
			--accel qemu --name scq
		qemu_sandbox qemu-sandbox 2
		qemu_sandbox qemu-sandbox-off 0 --no-seccomp
	else
		bad qemu-monitor "no ${EBB_QEMU:-qemu-system-x86_64}: the QEMU backend's filter was not tested"
	fi
	echo "== seccomp: the KVM backend (tests/nested/kvm-run.sh)"
	. tests/nested/retry.sh
	nest_run seccomp-kvm 3 "$TMP/kvm" --timeout 300 --file "$EBB:$EBB" --file "$GUESTS:$GUESTS" \
		-- tests/e2e/test_seccomp.sh --kvm >"$TMP/kvm.all"
	st=$nest_status
	# The inner run's own "N passed" line is not this script's.
	grep -E '^(PASS|FAIL|NOTE) ' "$TMP/kvm.all"
	grep -vE '^(PASS|FAIL|NOTE) |^[0-9]+ passed, ' "$TMP/kvm.all" | sed 's/^/    /'
	p=$(grep -c '^PASS ' "$TMP/kvm")
	f=$(grep -c '^FAIL ' "$TMP/kvm")
	pass=$((pass + p))
	fail=$((fail + f))
	if ! grep -q '^seccomp-kvm: done' "$TMP/kvm"; then
		echo "FAIL seccomp: the KVM checks did not finish (kvm-run status $st)"
		fail=$((fail + 1))
	fi
	finish
fi

# ---- with KVM ----
if [ ! -e /dev/kvm ]; then
	bad kvm "no /dev/kvm here: the KVM checks did not run"
	finish
fi
swap="$TMP/swap.img,size=16M"

running filtered 2 --cpus 2 --swap "$swap" --balloon
running no-seccomp 0 --cpus 2 --swap "$swap" --balloon --no-seccomp

selftest vcpu vcpu "the vcpu0 thread (vcpu allow-list) made the system call getppid (110)" \
	--kernel "$GUESTS/vmm_hello.elf"
selftest worker-blk worker "the virtio-blk thread (worker allow-list) made the system call getppid (110)" \
	--kernel "$GUESTS/vmm_hello.elf" --swap "$swap"
selftest worker-balloon worker "the virtio-balloon thread (worker allow-list) made the system call getppid (110)" \
	--kernel "$GUESTS/vmm_hello.elf" --balloon
selftest monitor monitor "the monitor thread (monitor allow-list) made the system call getppid (110)" \
	--kernel "$GUESTS/vmm_hello.elf"
selftest monitor-argument monitor:open \
	"the monitor thread (monitor allow-list) made the system call openat (257) with an argument its list forbids: arg2 = 0x80001" \
	--kernel "$GUESTS/vmm_hello.elf"

# --no-seccomp: the hook finds no filter to break; the guest runs to its power-off.
EBB_SECCOMP_SELFTEST=vcpu timeout 60 "$EBB" run --no-seccomp --kernel "$GUESTS/vmm_hello.elf" \
	</dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
if [ $st -ne 0 ]; then bad no-seccomp-hook "exit status $st, want 0"
elif grep -q "seccomp" "$TMP/err"; then bad no-seccomp-hook "a seccomp message without filters"
elif ! grep -q "hello from a PVH guest" "$TMP/out"; then bad no-seccomp-hook "the guest did not run"
else ok "no-seccomp-hook: --no-seccomp with the hook set: the guest ran to power-off, status 0"
fi
echo "seccomp-kvm: done"
finish
