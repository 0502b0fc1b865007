#!/bin/sh
# SPDX-License-Identifier: MIT
# The Linux demo of `./quickstart.sh linux`: Debian's own kernel with ebb's
# busybox initrd (tests/linux/mkinitrd.sh), 512 MiB over two NUMA nodes,
# two vCPUs and a virtio-balloon driven by Linux's virtio_balloon module.
# The guest shows nproc and free -m and touches 400 MiB with memhog; the host then
# inflates the balloon by half (ebb balloon NAME 256M) and shows ebb's RSS
# before and after; the guest shows free -m again, the host deflates, the
# guest powers off.  Prints a commented transcript ("#" lines are comments,
# "host$" the host's commands, "guest|" the guest's console).
#
# Runs where /dev/kvm runs guests natively: directly, or inside the nested
# harness (./quickstart.sh linux chooses), so POSIX sh for the nest's
# busybox.  There is no ebb agent in a Linux guest: the guest's side is a
# command on its kernel command line (ebb.init="..."), which prints
# @@demo:STEP@@ markers on the console and watches /proc/meminfo for the
# balloon; this side watches the console for the markers and drives
# `ebb balloon`.  Every wait is bounded: on a failure it prints what failed
# and the console's tail, stops the VM, and exits 1.
#
# Paths are relative to the repository root (the same inside the nest):
#   EBB            the ebb binary (default build/ebb)
#   LINUX_KERNEL   the bzImage (default build/linux/vmlinuz)
#   LINUX_INITRD   the initrd (default build/linux/initrd.cpio.gz)
#   DEMO_TIMEOUT   seconds for each wait (default 300; boots nested are slow)

EBB=${EBB:-build/ebb}
K=${LINUX_KERNEL:-build/linux/vmlinuz}
I=${LINUX_INITRD:-build/linux/initrd.cpio.gz}
T=${DEMO_TIMEOUT:-300}
NAME=linux-demo
TMP=${TMPDIR:-/tmp}/ebb-linux-demo.$$
export EBB_RUNTIME_DIR="$TMP/run"
mkdir -p "$TMP" || exit 1
: >"$TMP/console"
vm_pid=

say() { echo "$*"; }
cleanup() {
	if [ -n "$vm_pid" ] && kill -0 "$vm_pid" 2>/dev/null; then
		"$EBB" stop "$NAME" >/dev/null 2>&1 || kill "$vm_pid" 2>/dev/null
		sleep 1
		kill -9 "$vm_pid" 2>/dev/null
	fi
	rm -rf "$TMP"
}
die() {
	echo "demo: error: $*" >&2
	echo "demo: the guest console's last lines:" >&2
	tr -d '\r' <"$TMP/console" | tail -n 30 | sed 's/^/  | /' >&2
	if [ -s "$TMP/err" ]; then
		echo "demo: ebb run's messages:" >&2
		tail -n 15 "$TMP/err" | sed 's/^/  | /' >&2
	fi
	cleanup
	exit 1
}
trap 'die "interrupted"' INT TERM

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
# The console as text (the UART's CRs dropped).
console() { tr -d '\r' <"$TMP/console"; }
# wait_mark STEP: until the guest prints @@demo:STEP@@, up to $T s.
wait_mark() {
	t0=$(now_ms)
	until console | grep -q "^@@demo:$1@@"; do
		kill -0 "$vm_pid" 2>/dev/null || { wait "$vm_pid"; die "ebb run ended (status $?) before the guest's step \"$1\""; }
		[ $(($(now_ms) - t0)) -gt $((T * 1000)) ] && die "no \"$1\" from the guest in $T s"
		sleep 0.2
	done
}
# show FROM TO: the guest's console from marker FROM (or the start) to marker TO.
show() {
	console | awk -v from="@@demo:$1@@" -v to="@@demo:$2@@" '
		index($0, to) == 1 { exit }
		on && !/^@@demo:/ && !/^ebb-init: running:/ { print "guest| " $0 }
		from == "@@demo:@@" || index($0, from) == 1 { on = 1 }'
}
json() { "$EBB" balloon "$NAME" --json 2>/dev/null; }
field() { json | sed -n "s/^  \"$1\": \([0-9]*\).*/\1/p"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$vm_pid/status"; }
mib() { echo $(($1 / 1024)); }
# wait_actual BYTES: until the balloon's actual size is BYTES; prints the ms.
wait_actual() {
	t0=$(now_ms)
	while [ "$(field actual_bytes)" != "$1" ]; do
		[ $(($(now_ms) - t0)) -gt $((T * 1000)) ] && die "the balloon's actual size never reached $1 bytes (now $(field actual_bytes))"
		sleep 0.01
	done
	echo $(($(now_ms) - t0))
}

for f in "$EBB" "$K" "$I"; do
	[ -f "$f" ] || die "$f is missing (./quickstart.sh linux prepares it)"
done

# The guest's side, on its kernel command line (no double quotes inside):
# markers, nproc, free, 400 MiB touched by memhog (it writes every page,
# checks it and frees it: nearly all of the guest's free RAM becomes
# resident in ebb, so the balloon's pages are ones the host holds), then it waits until MemFree has dropped by the
# balloon (240 MiB or more) and shows free -m; then until it is back.
G='m() { echo @@demo:$1@@; }; c() { echo + $*; }; mf() { awk '\''/^MemFree:/ { print int($2 / 1024) }'\'' /proc/meminfo; };'
G="$G"' m up; c uname -r; uname -r; c nproc; nproc; c ls /sys/devices/system/node; ls /sys/devices/system/node | grep node;'
G="$G"' c free -m; free -m; c memhog 400;'
G="$G"' memhog 400; f0=$(mf); m touched;'
G="$G"' i=0; until [ $((f0 - $(mf))) -ge 240 ]; do sleep 0.2; i=$((i + 1)); [ $i -lt 3000 ] || exit 9; done; sleep 1;'
G="$G"' c free -m; free -m; c grep ^Mem /proc/meminfo; grep ^Mem /proc/meminfo; m inflated;'
G="$G"' i=0; until [ $((f0 - $(mf))) -lt 64 ]; do sleep 0.2; i=$((i + 1)); [ $i -lt 3000 ] || exit 9; done; sleep 1;'
G="$G"' c free -m; free -m; m deflated'
case $G in *'"'*) die "internal: a double quote in the guest's command" ;; esac

say "# ebb: Debian's kernel with ebb's busybox initrd, 512 MiB on two NUMA nodes,"
say "# two vCPUs, a virtio-balloon driven by Linux's own virtio_balloon module."
say "host\$ $EBB run --name $NAME --kernel $K --initrd $I \\"
say "      --mem 512M --cpus 2 --numa 2 --balloon=deflate-on-oom,stats=1 --append 'quiet ebb.init=\"...\"'"
t_start=$(now_ms)
"$EBB" run --name "$NAME" --kernel "$K" --initrd "$I" --mem 512M --cpus 2 --numa 2 \
	--balloon=deflate-on-oom,stats=1 --append "quiet ebb.init=\"$G\"" \
	</dev/null >"$TMP/console" 2>"$TMP/err" &
vm_pid=$!

wait_mark up
say "# $(head -n 1 "$TMP/err")"
say "# The kernel reached the initrd's /init $(awk -v ms=$(($(now_ms) - t_start)) 'BEGIN { printf "%.1f", ms / 1000 }') s after ebb started; it loads the"
say "# distribution's virtio modules (ACPI's DSDT announces ebb's virtio-mmio devices):"
console | grep -E '^ebb-init: (up|insmod)' | sed 's/^/guest| /'
wait_mark touched
say "# In the guest: the kernel, CPUs, NUMA nodes and memory; then memhog touches 400 MiB"
say "# (the pages are freed again but stay resident in ebb's memory):"
show up touched | sed 's/^guest| + /guest# /'

rss0=$(rss_kib)
res0=$(field guest_resident_bytes)
say ""
say "# On the host: ebb's RSS (VmRSS of the ebb run process, pid $vm_pid) holds the guest's touched RAM."
say "host\$ grep VmRSS /proc/$vm_pid/status"
say "VmRSS:  $rss0 kB   ($(mib "$rss0") MiB; guest RAM resident: $((res0 / 1048576)) MiB)"
say "host\$ $EBB balloon $NAME 256M     # the guest should have 256 MiB: a 256 MiB balloon"
"$EBB" balloon "$NAME" 256M >/dev/null 2>"$TMP/bal.err" || { cat "$TMP/bal.err" >&2; die "ebb balloon $NAME 256M failed"; }
ms=$(wait_actual 268435456) || exit 1
sleep 0.5
rss1=$(rss_kib)
res1=$(field guest_resident_bytes)
say "# Linux's driver inflated it to 256 MiB in $ms ms ($(awk -v ms="$ms" 'BEGIN { if (ms > 0) printf "%.0f", 256000 / ms; else print "-" }') MiB/s, polled every 10 ms);"
say "# ebb gave each page back to the host (MADV_DONTNEED) as the driver handed it over:"
say "host\$ grep VmRSS /proc/$vm_pid/status"
say "VmRSS:  $rss1 kB   ($(mib "$rss1") MiB; guest RAM resident: $((res1 / 1048576)) MiB)"
say "# RSS: $(mib "$rss0") MiB -> $(mib "$rss1") MiB, $(mib $((rss0 - rss1))) MiB returned to the host"
wait_mark inflated
say ""
say "# In the guest: the balloon's 256 MiB are gone from its free memory.  With"
say "# deflate-on-oom Linux keeps them in MemTotal and counts them as used (it"
say "# may take them back under memory pressure); without it, MemTotal shrinks."
show touched inflated | sed 's/^guest| + /guest# /'
say "host\$ $EBB balloon $NAME --json     # (some of it: the device and Linux's statistics)"
json | grep -E '"(target_bytes|actual_bytes|guest_resident_bytes|inflated_pages|discards|stats_updates|free-memory|total-memory|available-memory|major-faults|minor-faults)"' |
	sed 's/^ */  /'
rss2=$(rss_kib)

say ""
say "host\$ $EBB balloon $NAME 512M     # deflate: the guest gets all its RAM back"
"$EBB" balloon "$NAME" 512M >/dev/null 2>"$TMP/bal.err" || { cat "$TMP/bal.err" >&2; die "ebb balloon $NAME 512M failed"; }
ms=$(wait_actual 0) || exit 1
say "# deflated to 0 in $ms ms"
wait_mark deflated
show inflated deflated | sed 's/^guest| + /guest# /'
say "# The guest powers off (ACPI S5; its status through ebb's exit port):"
t0=$(now_ms)
while kill -0 "$vm_pid" 2>/dev/null; do
	[ $(($(now_ms) - t0)) -gt $((T * 1000)) ] && die "the guest did not power off in $T s"
	sleep 0.2
done
wait "$vm_pid"
st=$?
console | grep '^ebb-init: poweroff' | sed 's/^/guest| /'
vm_pid=
[ $st -eq 0 ] || die "ebb run exited with status $st, want 0"
say "# ebb run exited with status 0.  Summary: ebb's RSS $(mib "$rss0") MiB with 400 MiB touched,"
say "# $(mib "$rss1") MiB with the balloon at 256 MiB ($(mib "$rss2") MiB when the guest showed free)."
rm -rf "$TMP"
exit 0
