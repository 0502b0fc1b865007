#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkinitrd.sh - build a busybox initrd for Linux micro-VMs under ebb.
#
# Usage: tests/linux/mkinitrd.sh [options] OUT
#
# OUT is a gzip-compressed cpio (newc) archive holding a static busybox, the
# kernel modules asked for with everything they depend on, and an /init that:
#   - mounts devtmpfs, proc, sysfs and tmpfs (/tmp, /run);
#   - insmods the modules, dependencies first ("ebb-init: insmod NAME");
#   - starts /bin/ebb-agent (tests/linux/ebb-agent.sh), the end of ebb's
#     control channel on COM2, in the background: `ebb exec NAME CMD`,
#     guest-exec and `ebb overcommit` work as with ebb's own guest;
#   - prints the guest's uptime at init, `nproc` and `free -m`;
#   - runs the command of ebb.init="CMD; CMD" on the kernel command line, or,
#     without one, a shell on the console;
#   - powers off with the command's (or the shell's) exit status: written to
#     port 0xf4 (ebb's exit port, QEMU's isa-debug-exit; needed because a
#     kernel without ACPI cannot power off by itself), then `poweroff -f`.
# Its lines start with "ebb-init: ", so tests and benchmarks can find them.
#
# Options:
#   --deb FILE       take the modules from this Debian kernel package
#   --modules DIR    take them from DIR, a lib/modules/VERSION tree
#                    (e.g. /lib/modules/$(uname -r)); .ko, .ko.xz, .ko.zst, .ko.gz
#   (neither: the Debian kernel tests/linux/debian-kernel.sh caches, the one
#   the nested harness runs; its vmlinuz is the matching kernel)
#   -m, --module NAME  load NAME at boot; repeatable.  Default: virtio_mmio
#                    virtio_blk virtio_balloon virtio_console.  Modules built
#                    into the kernel (modules.builtin) are skipped.
#   --no-modules     load none
#   --file SRC:DEST  also put file SRC into the initrd at DEST (an absolute
#                    path, e.g. /bin/memhog); repeatable
#   -h, --help       this text
#
# Every initrd also holds /bin/memhog (tests/linux/memhog.c, built here
# statically with $CC, default cc): the Linux side of `run anon`.
#
# Needs: a static busybox (Debian: busybox-static), cpio, gzip, dpkg-deb (for
# --deb), a C compiler with a static libc (Debian: gcc, libc6-dev).  Exit
# status 0, or 1 with a message.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { printf 'mkinitrd: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}
usage() { sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

deb=
moddir=
modules=()
default_modules=(virtio_mmio virtio_blk virtio_balloon virtio_console)
no_modules=0
extra=()
out=
while [[ $# -gt 0 ]]; do
	case $1 in
	--deb) [[ $# -ge 2 ]] || die "$1 needs a file"; deb=$2; shift 2 ;;
	--modules) [[ $# -ge 2 ]] || die "$1 needs a directory"; moddir=$2; shift 2 ;;
	-m | --module) [[ $# -ge 2 ]] || die "$1 needs a name"; modules+=("$2"); shift 2 ;;
	--no-modules) no_modules=1; shift ;;
	--file)
		[[ $# -ge 2 && $2 == *:/* ]] || die "$1 needs SRC:DEST with an absolute DEST"
		[[ -f ${2%%:*} ]] || die "$1 ${2%%:*}: no such file"
		extra+=("$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) [[ -z $out ]] || die "one OUT only (see --help)"; out=$1; shift ;;
	esac
done
[[ -n $out ]] || die "no OUT given (see --help)"
[[ -z $deb || -z $moddir ]] || die "--deb or --modules, not both"
[[ ${#modules[@]} -gt 0 ]] || modules=("${default_modules[@]}")
[[ $no_modules -eq 0 ]] || modules=()

busybox=
for b in /bin/busybox /usr/bin/busybox; do
	if [[ -x $b ]] && ! ldd "$b" >/dev/null 2>&1; then busybox=$b; break; fi
done
[[ -n $busybox ]] || die "no static busybox (apt-get install busybox-static)"
command -v cpio >/dev/null || die "no cpio (apt-get install cpio)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ebb-mkinitrd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,run,root,etc/ebb,lib/modules/ebb}
"${CC:-cc}" -static -O2 -Wall -Wextra -o "$stage/bin/memhog" "$here/memhog.c" ||
	die "cannot build $here/memhog.c statically with ${CC:-cc} (apt-get install gcc libc6-dev)"
install -m 0755 "$here/ebb-agent.sh" "$stage/bin/ebb-agent"

# ------------------------------------------------------------ modules
# Decompresses a module file to stdout.
module_cat() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# The names a module depends on: its .modinfo "depends=a,b" (no kmod needed).
module_deps() {
	local d
	d=$(tr '\0' '\n' <"$1" | sed -n 's/^depends=//p' | head -n 1)
	printf '%s\n' "${d//,/ }"
}

# Module files by name (- and _ alike): `path` maps a name to a file.  From
# a tree, every module is there; from a Debian package, modules are
# unpacked into $mcache (uncompressed, NAME.ko) as the closure needs them,
# one pass over the package per level of dependencies.
declare -A path=() listed=()
builtin=
if [[ ${#modules[@]} -gt 0 && -n $moddir ]]; then
	[[ -d $moddir ]] || die "--modules $moddir: not a directory"
	while IFS= read -r -d '' f; do
		n=${f##*/}
		n=${n%%.ko*}
		path[${n//-/_}]=$f
	done < <(find "$moddir" -name '*.ko*' -print0)
	builtin=$moddir/modules.builtin
elif [[ ${#modules[@]} -gt 0 ]]; then
	if [[ -z $deb ]]; then
		kdir=$("$here/debian-kernel.sh") || die "no Debian kernel package (tests/linux/debian-kernel.sh)"
		deb=$kdir/kernel.deb
		mcache=$kdir/modules
	else
		mcache=$tmp/modules
	fi
	[[ -f $deb ]] || die "--deb $deb: no such file"
	command -v dpkg-deb >/dev/null || die "no dpkg-deb to unpack $deb"
	mkdir -p "$mcache"
	if [[ ! -s $mcache/index ]]; then
		say "indexing the modules of $(basename "$deb")"
		dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -E '/modules/[^/]+/(kernel/.*\.ko(\.[a-z]+)?|modules\.builtin)$' \
			>"$mcache/index.tmp" || die "cannot list $deb"
		mv "$mcache/index.tmp" "$mcache/index"
	fi
	while IFS= read -r f; do
		n=${f##*/}
		n=${n%%.ko*}
		listed[${n//-/_}]=$f
	done < <(grep '\.ko' "$mcache/index")
	builtin=$mcache/modules.builtin
	for n in "${!listed[@]}"; do
		[[ ! -f $mcache/$n.ko ]] || path[$n]=$mcache/$n.ko
	done
	# Unpacks the listed modules named in $@ that are not cached yet (and
	# modules.builtin, the first time).
	unpack() {
		local n f b
		local -A want=()
		for n in "$@"; do
			[[ -z ${path[$n]:-} && -n ${listed[$n]:-} ]] && want[${listed[$n]}]=1
		done
		[[ ${#want[@]} -gt 0 ]] || return 0
		say "unpacking ${#want[@]} modules from $(basename "$deb")"
		b=$(grep -m 1 'modules\.builtin$' "$mcache/index") || true
		rm -rf "$tmp/x" && mkdir -p "$tmp/x"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" "${!want[@]}" ${b:+"$b"} ||
			die "cannot unpack modules from $deb"
		[[ -z $b ]] || mv "$tmp/x/$b" "$builtin"
		for f in "${!want[@]}"; do
			n=${f##*/}
			n=${n%%.ko*}
			n=${n//-/_}
			module_cat "$tmp/x/$f" >"$mcache/$n.ko.tmp" || die "cannot decompress $f"
			mv "$mcache/$n.ko.tmp" "$mcache/$n.ko"
			path[$n]=$mcache/$n.ko
		done
	}
	level=()
	for m in "${modules[@]}"; do level+=("${m//-/_}"); done
	while [[ ${#level[@]} -gt 0 ]]; do
		unpack "${level[@]}"
		next=()
		for n in "${level[@]}"; do
			[[ -n ${path[$n]:-} ]] || continue
			for d in $(module_deps "${path[$n]}"); do
				d=${d//-/_}
				[[ -n ${path[$d]:-} ]] || next+=("$d")
			done
		done
		level=("${next[@]}")
	done
fi

declare -A state=()
order=()
# Appends module $1 to `order` after everything it depends on (depth first).
add_module() {
	local n=${1//-/_} d
	case ${state[$n]:-} in
	loaded) return 0 ;;
	busy) die "module $n depends on itself" ;;
	esac
	if [[ -z ${path[$n]:-} ]]; then
		if grep -qs -e "/$n\.ko" -e "/${n//_/-}\.ko" "$builtin"; then
			say "$1 is built into the kernel"
			state[$n]=loaded
			return 0
		fi
		die "module $1 not found (${moddir:-$deb})"
	fi
	state[$n]=busy
	module_cat "${path[$n]}" >"$stage/lib/modules/ebb/$n.ko" || die "cannot read ${path[$n]}"
	for d in $(module_deps "$stage/lib/modules/ebb/$n.ko"); do
		add_module "$d"
	done
	state[$n]=loaded
	order+=("$n")
}
for m in "${modules[@]}"; do
	add_module "$m"
done
printf '%s\n' "${order[@]}" >"$stage/etc/ebb/modules"
[[ ${#order[@]} -gt 0 ]] || : >"$stage/etc/ebb/modules"

# ------------------------------------------------------------- /init
cat >"$stage/init" <<'INIT'
#!/bin/busybox sh
# /init of an ebb Linux micro-VM (made by tests/linux/mkinitrd.sh).
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /root /sbin /usr/bin /usr/sbin
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=${TERM:-linux}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
say() { echo "ebb-init: $*"; }
say "up $(cut -d' ' -f1 /proc/uptime)s, Linux $(uname -r)"
while read -r m; do
	if insmod "/lib/modules/ebb/$m.ko" 2>/tmp/insmod.err; then
		say "insmod $m"
	else
		say "insmod $m failed: $(cat /tmp/insmod.err)"
	fi
done </etc/ebb/modules
if [ -c /dev/ttyS1 ]; then
	ebb-agent /dev/ttyS1 &
	say "agent on /dev/ttyS1 (ebb's control channel)"
fi
say "nproc $(nproc)"
free -m
# Linux keeps dotted parameters (ebb.init=) to itself: read them from /proc/cmdline.
cmd=
cl=" $(cat /proc/cmdline)"
case $cl in
*' ebb.init='*)
	cmd=${cl#*' ebb.init='}
	case $cmd in
	\"*) cmd=${cmd#\"}; cmd=${cmd%%\"*} ;;
	*) cmd=${cmd%% *} ;;
	esac
	;;
esac
cd /root
if [ -n "$cmd" ]; then
	say "running: $cmd"
	sh -c "$cmd"
	st=$?
else
	say "no ebb.init=\"...\" on the kernel command line: a shell (exit it to power off)"
	setsid cttyhack sh
	st=$?
fi
say "poweroff, status $st"
stty -F /dev/console -echo 2>/dev/null # returns once the UART has sent everything
# ebb's exit port 0xf4 (QEMU's isa-debug-exit) takes the status byte.
if [ -c /dev/port ]; then
	printf "\\$(printf %o $((st & 255)))" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
fi
poweroff -f
sleep 10
INIT
chmod 0755 "$stage/init"
cp "$busybox" "$stage/bin/busybox"
chmod 0755 "$stage/bin/busybox"
for x in ${extra[@]+"${extra[@]}"}; do
	mkdir -p "$stage/$(dirname "${x#*:}")"
	cp "${x%%:*}" "$stage/${x#*:}"
done

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$tmp/out"
mv "$tmp/out" "$out"
say "$out: $(du -k "$out" | cut -f1) KiB, busybox + ${#order[@]} modules${order[*]:+ (${order[*]})}"
