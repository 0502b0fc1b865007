#!/usr/bin/env bash
# nest.sh - run a command inside a throw-away VM that has a working /dev/kvm.
#
# The VM is QEMU TCG (-cpu max emulates AMD SVM with nested paging) booting a
# Debian kernel that loads kvm_amd, so the project's real KVM path can run on
# hosts and CI machines without /dev/kvm.  See tests/nested/README.md.
#
# Usage: tests/nested/nest.sh [options] [--] COMMAND [ARGS...]
#   --mem MB            guest RAM of the nest (default 2048)
#   --smp N             vCPUs of the nest (default 2)
#   --numa N            give the nest N NUMA nodes (RAM split evenly, vCPUs in
#                       contiguous ranges), e.g. to test mbind to a host node
#   --timeout SEC       whole run, boot included (default 600, or $EBB_NEST_TIMEOUT)
#   --file SRC[:DEST]   make SRC (file or directory) available at DEST inside
#                       (default /bin/<basename>; a relative DEST is relative to
#                       /root, the command's working directory); repeatable.
#                       Shared libraries of ELF files are copied in too.
#   --env NAME=VALUE    set an environment variable for COMMAND; repeatable
#   --log FILE          keep the full serial console log in FILE
#   --verbose           also copy the full console to stderr as it arrives
#   -h, --help          this text
#
# Exit status: COMMAND's own exit status; 124 the timeout expired; 125 the
# nest failed (usage, set-up, boot, module load, no /dev/kvm, or the nest
# died before COMMAND finished).
#
# Environment: EBB_CACHE_DIR (cache root, default ~/.cache/ebb),
# EBB_NEST_TIMEOUT, EBB_NEST_KERNEL_PKG (kernel package instead of the one
# linux-image-amd64 depends on), EBB_NEST_KERNEL_DEB (a local kernel .deb to
# use instead of downloading), EBB_NEST_BOOT (pvh | bzimage, default pvh when
# the kernel supports it), EBB_NEST_APPEND (extra kernel command line),
# EBB_NEST_CPU (QEMU -cpu model, default max).
set -eEuo pipefail
# Any unexpected failure of the harness itself is a nest failure (125), never
# a status that could pass for COMMAND's.
# (125 from a subshell has been reported there already.)
# shellcheck disable=SC2317 # run from the ERR trap
on_err() {
	[[ $1 -eq 125 ]] || printf 'nest: error: unexpected failure (status %s) at line %s of %s\n' "$1" "$2" "${BASH_SOURCE[0]}" >&2
	exit 125
}
trap 'on_err $? $LINENO' ERR

readonly EXIT_TIMEOUT=124
readonly EXIT_NEST=125
readonly MODULES=(virt/lib/irqbypass drivers/crypto/ccp/ccp arch/x86/kvm/kvm arch/x86/kvm/kvm-amd)

T0=$EPOCHREALTIME

say() { printf 'nest: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit "$EXIT_NEST"
}
usage() { sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

# Seconds (with two decimals) between two $EPOCHREALTIME stamps.
elapsed() {
	local a=${1//[.,]/} b=${2//[.,]/}
	local d=$(((10#$b - 10#$a) / 10000))
	printf '%d.%02d' $((d / 100)) $((d % 100))
}

# ---------------------------------------------------------------- options
mem=2048
smp=2
numa=1
timeout_s=${EBB_NEST_TIMEOUT:-600}
log_file=
verbose=0
files=()
envs=()

need_arg() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs an argument (see --help)"; }
while [[ $# -gt 0 ]]; do
	case $1 in
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--smp) need_arg "$@"; smp=$2; shift 2 ;;
	--numa) need_arg "$@"; numa=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
	--file) need_arg "$@"; files+=("$2"); shift 2 ;;
	--env) need_arg "$@"; envs+=("$2"); shift 2 ;;
	--log) need_arg "$@"; log_file=$2; shift 2 ;;
	--verbose) verbose=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
done
[[ $# -gt 0 ]] || die "no COMMAND given (see --help)"
[[ $mem =~ ^[0-9]+$ && $mem -ge 256 ]] || die "--mem wants MiB, at least 256, not '$mem'"
[[ $smp =~ ^[0-9]+$ && $smp -ge 1 ]] || die "--smp wants a positive number, not '$smp'"
[[ $numa =~ ^[0-9]+$ && $numa -ge 1 && $numa -le 8 && $((mem / numa)) -ge 128 ]] ||
	die "--numa wants 1 to 8 nodes of at least 128 MiB each, not '$numa'"
[[ $timeout_s =~ ^[0-9]+$ && $timeout_s -ge 1 ]] || die "--timeout wants seconds, not '$timeout_s'"
for e in "${envs[@]}"; do
	[[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env wants NAME=VALUE, not '$e'"
done

cache=${EBB_CACHE_DIR:-${HOME:-/tmp}/.cache/ebb}/nested
mkdir -p "$cache"

# ------------------------------------------------------------ dependencies
as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n "$@"
	else
		say "warning: not root and no sudo, cannot run: $*"
		return 1
	fi
}

apt_log=$cache/apt.log
apt_updated=0
apt_update() {
	[[ $apt_updated -eq 0 ]] || return 0
	apt_updated=1
	say "apt-get update"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$apt_log" 2>&1 ||
		say "warning: apt-get update failed (see $apt_log)"
}

apt_install() {
	say "installing missing packages: $*"
	local inst=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@")
	if ! as_root "${inst[@]}" >>"$apt_log" 2>&1; then
		apt_update
		as_root "${inst[@]}" >>"$apt_log" 2>&1 || {
			tail -n 20 "$apt_log" >&2
			die "could not install $* (full log: $apt_log)"
		}
	fi
}

# A statically linked busybox: the initramfs has no C library of its own.
find_static_busybox() {
	local b
	for b in /bin/busybox /usr/bin/busybox; do
		if [[ -x $b ]] && ! ldd "$b" >/dev/null 2>&1; then
			printf '%s\n' "$b"
			return 0
		fi
	done
	return 1
}

ensure_deps() {
	local missing=()
	command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
	find_static_busybox >/dev/null || missing+=(busybox-static)
	command -v cpio >/dev/null 2>&1 || missing+=(cpio)
	command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
	command -v ldd >/dev/null 2>&1 || missing+=(libc-bin)
	[[ ${#missing[@]} -eq 0 ]] || apt_install "${missing[@]}"
	local c
	for c in qemu-system-x86_64 cpio xz ldd; do
		command -v "$c" >/dev/null 2>&1 || die "$c is still missing after installing ${missing[*]}"
	done
	find_static_busybox >/dev/null || die "no static busybox (/bin/busybox) after installing busybox-static"
}

# ------------------------------------------------------------------ kernel
# The nest's kernel lives in $cache/kernel/<package>_<version>/: vmlinuz,
# vmlinux (the uncompressed ELF, booted through its PVH entry when the kernel
# has one: about 2.5 s faster under TCG than decompressing the bzImage),
# config, and the four modules, uncompressed.
kernel_pkg=
kernel_ver=
kdir=

# Prints "PACKAGE VERSION" of the current Debian kernel, or nothing.  The
# meta package linux-image-amd64 depends on exactly one linux-image-ABI-amd64
# at exactly its version.  apt-cache takes ~0.8 s here (Docker images disable
# apt's binary cache), so the answer is remembered until the package lists
# change, i.e. until the next apt-get update.
apt_kernel() {
	local pkg ver stamp memo
	if [[ -n ${EBB_NEST_KERNEL_PKG:-} ]]; then
		pkg=$EBB_NEST_KERNEL_PKG
		ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n 1) || true
		[[ -z $ver || $ver == "(none)" ]] || printf '%s %s\n' "$pkg" "$ver"
		return 0
	fi
	stamp=$({ stat -c '%n %s %Y' /var/lib/apt/lists/*Packages* /etc/apt/sources.list* 2>/dev/null || true; } |
		sha256sum | cut -c1-16)
	memo=$cache/apt-kernel.$stamp
	if [[ -s $memo ]]; then
		cat "$memo"
		return 0
	fi
	read -r pkg ver < <(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[^ ,]*-amd64\) (= \([^)]*\)).*/\1 \2/p' | head -n 1) || true
	[[ -n ${pkg:-} && -n ${ver:-} ]] || return 0
	rm -f "$cache"/apt-kernel.*
	printf '%s %s\n' "$pkg" "$ver" | tee "$memo"
}

# Decompresses a module file (.ko, .ko.xz, .ko.zst, .ko.gz) to stdout.
module_cat() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst)
		command -v zstd >/dev/null 2>&1 || apt_install zstd
		zstd -qdc "$1"
		;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# Extracts the uncompressed vmlinux from a bzImage (xz or gzip payload).
extract_vmlinux() {
	local img=$1 out=$2 cfg=$3 magic tool off
	grep -q '^CONFIG_PVH=y' "$cfg" || return 1
	if grep -q '^CONFIG_KERNEL_XZ=y' "$cfg"; then
		magic='\xfd7zXZ\x00'
		tool=(xz -dc --single-stream)
	elif grep -q '^CONFIG_KERNEL_GZIP=y' "$cfg"; then
		magic='\x1f\x8b\x08\x00'
		tool=(gzip -dc)
	else
		return 1
	fi
	off=$(LC_ALL=C grep -obUaP "$magic" "$img" | head -n 1 | cut -d: -f1) || true
	[[ -n $off ]] || return 1
	# gzip warns (status 2) about the bzImage's trailer: judge by the result.
	tail -c +$((off + 1)) "$img" | "${tool[@]}" >"$out" 2>/dev/null || true
	is_elf "$out"
}

fetch_kernel() {
	local tmp deb m src k
	tmp=$(mktemp -d "$cache/kernel.tmp.XXXXXX")
	if [[ -n ${EBB_NEST_KERNEL_DEB:-} ]]; then
		deb=$EBB_NEST_KERNEL_DEB
	else
		say "downloading $kernel_pkg $kernel_ver"
		if ! (cd "$tmp" && apt-get download "$kernel_pkg=$kernel_ver" >>"$apt_log" 2>&1); then
			# A stale package index points at files the mirror dropped.
			apt_update
			(cd "$tmp" && apt-get download "$kernel_pkg=$kernel_ver" >>"$apt_log" 2>&1) || {
				rm -rf "$tmp"
				tail -n 20 "$apt_log" >&2
				die "apt-get download $kernel_pkg failed (full log: $apt_log)"
			}
		fi
		deb=$(echo "$tmp"/*.deb)
	fi
	say "unpacking $(basename "$deb")"
	dpkg -x "$deb" "$tmp/x" || { rm -rf "$tmp"; die "dpkg -x $deb failed"; }
	k=$(find "$tmp/x/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n 1)
	[[ -n $k ]] || { rm -rf "$tmp"; die "no /boot/vmlinuz-* in $deb"; }
	mkdir -p "$tmp/k/modules"
	mv "$k" "$tmp/k/vmlinuz"
	cp "$tmp/x/boot/config-${k##*/vmlinuz-}" "$tmp/k/config" 2>/dev/null || : >"$tmp/k/config"
	for m in "${MODULES[@]}"; do
		src=$(find "$tmp/x/lib/modules" "$tmp/x/usr/lib/modules" -path "*/kernel/$m.ko*" 2>/dev/null | head -n 1) || true
		[[ -n $src ]] || { rm -rf "$tmp"; die "module $m.ko not found in $deb"; }
		module_cat "$src" >"$tmp/k/modules/${m##*/}.ko" || { rm -rf "$tmp"; die "cannot decompress $src"; }
	done
	if extract_vmlinux "$tmp/k/vmlinuz" "$tmp/k/vmlinux" "$tmp/k/config"; then
		:
	else
		rm -f "$tmp/k/vmlinux"
		say "kernel has no usable PVH entry; booting the bzImage"
	fi
	printf '%s %s\n' "$kernel_pkg" "$kernel_ver" >"$tmp/k/package"
	rm -rf "$kdir"
	mv "$tmp/k" "$kdir"
	rm -rf "$tmp"
}

prepare_kernel() {
	local pv newest
	# Left-overs of an interrupted run (we hold the lock: nobody else is busy).
	rm -rf "$cache"/kernel.tmp.* "$cache"/base.tmp.*
	if [[ -n ${EBB_NEST_KERNEL_DEB:-} ]]; then
		[[ -f $EBB_NEST_KERNEL_DEB ]] || die "EBB_NEST_KERNEL_DEB=$EBB_NEST_KERNEL_DEB is not a file"
		kernel_pkg=$(dpkg-deb -f "$EBB_NEST_KERNEL_DEB" Package)
		kernel_ver=$(dpkg-deb -f "$EBB_NEST_KERNEL_DEB" Version)
	else
		pv=$(apt_kernel)
		if [[ -z $pv ]]; then
			apt_update
			pv=$(apt_kernel)
		fi
		if [[ -n $pv ]]; then
			read -r kernel_pkg kernel_ver <<<"$pv"
		else
			# Offline, or no Debian archive: fall back on the newest cached kernel.
			newest=$(find "$cache/kernel" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' 2>/dev/null |
				sort -rn | head -n 1 | cut -d' ' -f2-) || true
			[[ -n $newest && -f $newest/package ]] ||
				die "apt knows no linux-image-amd64 (not a Debian archive?) and nothing is cached; set EBB_NEST_KERNEL_DEB to a Debian kernel .deb"
			read -r kernel_pkg kernel_ver <"$newest/package"
			say "warning: apt has no kernel candidate; using cached $kernel_pkg $kernel_ver"
		fi
	fi
	mkdir -p "$cache/kernel"
	kdir=$cache/kernel/${kernel_pkg}_${kernel_ver//[:\/]/_}
	[[ -f $kdir/package ]] || fetch_kernel
	# Keep only the current kernel.
	local d
	for d in "$cache"/kernel/*/; do
		d=${d%/}
		[[ $d == "$kdir" || ! -f $d/package ]] || { say "removing old cached kernel ${d##*/}"; rm -rf "$d"; }
	done
}

# --------------------------------------------------------------- initramfs
# The base archive (busybox, modules, /init) is cached per kernel, busybox and
# /init text; the user's part (command, files, libraries) is built every run
# and appended: Linux unpacks concatenated cpio archives in order.
INIT_SCRIPT=$(
	cat <<'EOF'
#!/bin/busybox sh
# /init of the ebb nested-KVM harness (generated by tests/nested/nest.sh).
/bin/busybox mkdir -p /dev /proc /sys /tmp /run /root /sbin /usr/bin /usr/sbin
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/null >/dev/console 2>&1
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
stty -F /dev/console -echo -onlcr 2>/dev/null
M="@@NEST:$(cat /etc/nest/token)@@"
up() { cut -d' ' -f1 /proc/uptime; }
# Signs of life on the second serial port, a file on the host: the kernel's
# own messages (all levels; the console gets only panics) and a beat every
# 5 s.  nest.sh calls a nest that falls silent there hung and stops it.
stty -F /dev/ttyS1 -echo -onlcr 2>/dev/null
cat /proc/kmsg >/dev/ttyS1 2>/dev/null &
while :; do echo "$M beat $(up)"; sleep 5; done >/dev/ttyS1 2>/dev/null &
bye() {
	stty -F /dev/console -echo 2>/dev/null # waits until the UART has sent it all
	poweroff -f
	sleep 10
}
fail() {
	echo "$M fail $*"
	dmesg | tail -n 30
	bye
}
echo "$M boot $(up)"
for m in irqbypass ccp kvm kvm-amd; do
	insmod /lib/modules/nest/$m.ko || fail "insmod $m.ko"
done
i=0
while [ ! -c /dev/kvm ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -c /dev/kvm ] || fail "no /dev/kvm after loading kvm_amd"
echo "$M kvm-ready $(up) nested=$(cat /sys/module/kvm_amd/parameters/nested) npt=$(cat /sys/module/kvm_amd/parameters/npt)"
dmesg -n 1
[ -f /etc/nest/run.sh ] || fail "no /etc/nest/run.sh"
echo "$M start $(up)"
cd /root
sh /etc/nest/run.sh
st=$?
echo "$M exit $st $(up)"
bye
EOF
)

prepare_base() {
	local busybox key stage m
	busybox=$(find_static_busybox)
	key=$(printf '%s\n' "$INIT_SCRIPT" "$kdir" "$(sha256sum <"$busybox")" "$(cat "$kdir/package")" |
		sha256sum | cut -c1-16)
	base_cpio=$cache/base-$key.cpio
	if [[ -f $base_cpio ]]; then
		touch "$base_cpio"
		return 0
	fi
	say "building the base initramfs"
	stage=$(mktemp -d "$cache/base.tmp.XXXXXX")
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp,run,root,etc/nest,lib/modules/nest}
	cp "$busybox" "$stage/bin/busybox"
	printf '%s\n' "$INIT_SCRIPT" >"$stage/init"
	chmod 0755 "$stage/init" "$stage/bin/busybox"
	for m in "${MODULES[@]}"; do
		cp "$kdir/modules/${m##*/}.ko" "$stage/lib/modules/nest/"
	done
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$stage.cpio"
	rm -rf "$stage"
	mv "$stage.cpio" "$base_cpio"
	# Other checkouts sharing the cache may still use another base: drop
	# only those unused for a day.
	find "$cache" -maxdepth 1 -name 'base-*.cpio' -mmin +1440 -delete
}

# Quotes one word for /bin/sh.
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# Copies SRC (file or directory, symlinks resolved; dangling ones dropped)
# to DEST inside the stage.
stage_copy() {
	local src=$1 dst=$2 l t
	mkdir -p "$(dirname "$dst")"
	if [[ -d $src ]]; then
		mkdir -p "$dst"
		cp -a "$src/." "$dst/"
		while IFS= read -r -d '' l; do
			t=$(readlink -f "$src/${l#"$dst"/}" 2>/dev/null) || t=
			rm -f "$l"
			if [[ -n $t && -e $t ]]; then cp -aL "$t" "$l"; fi
		done < <(find "$dst" -type l -print0)
	else
		cp -L --preserve=mode,timestamps "$src" "$dst"
	fi
}

is_elf() {
	local magic=
	LC_ALL=C IFS= read -r -N 4 magic <"$1" 2>/dev/null || true
	[[ $magic == $'\x7fELF' ]]
}

# Notes the shared libraries and the dynamic loader of ELF file $1 (ldd
# gives the whole closure) in staged_libs; build_user_cpio copies them in.
declare -A staged_libs=()
stage_libs() {
	local f=$1 out line lib
	is_elf "$f" || return 0
	out=$(ldd "$f" 2>/dev/null) || return 0 # static, or not for this machine
	while IFS= read -r line; do
		case $line in
		*"=> not found"*) die "$f needs ${line%% =>*}, which ldd cannot find" ;;
		*"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
		*/*) lib=${line#"${line%%/*}"}; lib=${lib%% (*} ;;
		*) continue ;;
		esac
		[[ -z ${staged_libs[$lib]:-} ]] || continue
		staged_libs[$lib]=1
	done <<<"$out"
}

build_user_cpio() {
	local spec src dst f a
	stage=$run/stage
	mkdir -p "$stage/etc/nest" "$stage/root" "$stage/bin"
	printf '%s\n' "$token" >"$stage/etc/nest/token"
	for spec in "${files[@]}"; do
		if [[ -e $spec || $spec != *:* ]]; then
			src=$spec dst=
		else
			src=${spec%%:*} dst=${spec#*:}
		fi
		[[ -e $src ]] || die "--file $spec: no such file or directory: $src"
		[[ -n $dst ]] || dst=/bin/$(basename "$src")
		[[ $dst == /* ]] || dst=/root/$dst
		stage_copy "$src" "$stage$dst"
		if [[ -d $src ]]; then
			while IFS= read -r -d '' f; do stage_libs "$f"; done < <(find "$stage$dst" -type f -print0)
		else
			stage_libs "$stage$dst"
		fi
	done
	# Libraries go in at the paths ldd found them, which the loader searches.
	[[ ${#staged_libs[@]} -eq 0 ]] || cp -L --parents "${!staged_libs[@]}" "$stage/"
	{
		echo "# generated by tests/nested/nest.sh"
		for a in "${envs[@]}"; do
			echo "export ${a%%=*}=$(shq "${a#*=}")"
		done
		printf 'exec'
		for a in "$@"; do printf ' %s' "$(shq "$a")"; done
		printf '\n'
	} >"$stage/etc/nest/run.sh"
	cp "$base_cpio" "$run/initrd.cpio"
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >>"$run/initrd.cpio"
	rm -rf "$stage"
}

# -------------------------------------------------------------------- main
ensure_deps
exec {lockfd}>"$cache/lock"
flock -w 900 "$lockfd" || die "cache $cache stayed locked for 15 minutes"
prepare_kernel
prepare_base
flock -u "$lockfd"
exec {lockfd}>&-

run=$(mktemp -d "${TMPDIR:-/tmp}/ebb-nest.XXXXXX")
token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
qpid=
# shellcheck disable=SC2317 # run from the traps
cleanup() {
	[[ -z $qpid ]] || kill "$qpid" 2>/dev/null || true
	[[ -z ${wpid:-} ]] || kill "$wpid" 2>/dev/null || true
	[[ ${keep_run:-0} -eq 1 ]] || rm -rf "$run"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

build_user_cpio "$@"

boot=pvh
kernel=$kdir/vmlinux
if [[ ${EBB_NEST_BOOT:-pvh} == bzimage || ! -f $kernel ]]; then
	boot=bzimage
	kernel=$kdir/vmlinuz
fi
# A crash of the nest's own kernel (kvm_amd under TCG's SVM emulation has
# had them) ends the run at once instead of at the timeout: an oops, and the
# kernel's own hang detectors (a CPU stuck for 60 s, say one that never
# leaves a guest, a soft lockup, a task blocked for 120 s) all panic.
append="console=ttyS0 quiet panic=-1 oops=panic softlockup_panic=1 hung_task_panic=1"
append+=" sysctl.kernel.panic_on_rcu_stall=1 rcupdate.rcu_cpu_stall_timeout=60"
append+="${EBB_NEST_APPEND:+ $EBB_NEST_APPEND}"
# ttyS0 (stdio) is the console and COMMAND's output; ttyS1 (a file) gets the
# nest's signs of life.
# shellcheck disable=SC2054 # the commas belong to QEMU's option syntax
qemu=(qemu-system-x86_64 -accel "tcg,thread=${EBB_NEST_TCG_THREAD:-multi}" -cpu "${EBB_NEST_CPU:-max}" -smp "$smp" -m "$mem"
	-nographic -serial mon:stdio -serial "file:$run/ttyS1.log" -no-reboot
	-kernel "$kernel" -initrd "$run/initrd.cpio" -append "$append")
if [[ $numa -gt 1 ]]; then
	for ((n = 0; n < numa; n++)); do
		size=$((mem / numa))
		[[ $n -lt $((numa - 1)) ]] || size=$((mem - size * (numa - 1)))
		first=$((n * smp / numa)) last=$(((n + 1) * smp / numa - 1))
		node=node,nodeid=$n,memdev=ram$n
		[[ $last -lt $first ]] || node+=,cpus=$first-$last
		qemu+=(-object "memory-backend-ram,id=ram$n,size=${size}M" -numa "$node")
	done
fi

printf -v cmd_text '%q ' "$@"
say "running in a nested-KVM VM (QEMU TCG${EBB_NEST_TCG_THREAD:+ thread=$EBB_NEST_TCG_THREAD} -cpu ${EBB_NEST_CPU:-max}, $smp vCPUs, $mem MiB$([[ $numa -eq 1 ]] || echo " in $numa NUMA nodes"), $kernel_pkg $kernel_ver, $boot boot, timeout ${timeout_s}s): ${cmd_text% }"

# Stops the nest (QEMU's timeout process $1) when its signs of life on
# ttyS1 stop for $hung_s seconds once they have begun: a nest frozen whole
# (both vCPUs, so its own hang detectors cannot speak) would otherwise cost
# the whole timeout.  Leaves the reason in $run/hung.
nest_watchdog() {
	local pid=$1 size last=0 quiet=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		size=$(stat -c %s "$run/ttyS1.log" 2>/dev/null) || size=0
		if [[ $size -eq 0 || $size -ne $last ]]; then
			last=$size quiet=0
			continue
		fi
		quiet=$((quiet + 5))
		if [[ $quiet -ge $hung_s ]]; then
			echo "no sign of life from the nest for ${quiet}s" >"$run/hung"
			kill -TERM "$pid" 2>/dev/null || true
			return 0
		fi
	done
}
hung_s=${EBB_NEST_HUNG:-60}

console=$run/console.log
[[ -z $log_file ]] || console=$log_file
: >"$console"
mkfifo "$run/fifo"
T_QEMU=$EPOCHREALTIME
timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null >"$run/fifo" 2>"$run/qemu.stderr" &
qpid=$!
nest_watchdog "$qpid" &
wpid=$!

# Reads the console (awk: bash's read would take a syscall per byte): all of
# it goes to the log, COMMAND's output (between the start and exit markers)
# to stdout as it arrives, and host times of the markers to the events file.
# mawk (Debian's default awk) reads pipes in big blocks unless told otherwise.
awk=(awk)
if [[ $(awk -W version 2>&1 || true) == *mawk* ]]; then awk=(awk -W interactive); fi
# shellcheck disable=SC2016 # $0 and friends are awk's
NEST_MARK="@@NEST:$token@@" NEST_LOG=$console NEST_EVENTS=$run/events NEST_VERBOSE=$verbose \
	"${awk[@]}" '
	function now(   t, c) { c = "date +%s.%6N"; c | getline t; close(c); return t }
	function event(s) { print s > ev; fflush(ev) }
	BEGIN {
		mark = ENVIRON["NEST_MARK"]; logf = ENVIRON["NEST_LOG"]
		ev = ENVIRON["NEST_EVENTS"]; verbose = ENVIRON["NEST_VERBOSE"] + 0
		state = "boot"
		printf "" > ev
	}
	{
		raw = $0 # the guest tty does not add CRs (stty -onlcr), the kernel does
		sub(/\r$/, "")
		print > logf
		if (verbose) { print > "/dev/stderr"; fflush("/dev/stderr") }
		if (state == "run") {
			i = index(raw, mark " exit ")
			if (i == 0) { print raw; fflush(); next }
			printf "%s", substr(raw, 1, i - 1); fflush()
			split(substr($0, i + length(mark " exit ")), a, " ")
			event("exit " now() " " a[1])
			state = "finished"
			next
		}
		if ((i = index($0, mark " kvm-ready ")) > 0)
			event("ready " now() " " substr($0, i + length(mark " kvm-ready ")))
		else if (index($0, mark " start ") > 0) {
			event("start " now())
			state = "run"
		} else if ((i = index($0, mark " fail ")) > 0)
			event("fail - " substr($0, i + length(mark " fail ")))
	}' <"$run/fifo"
qrc=0
wait "$qpid" || qrc=$?
qpid=
kill "$wpid" 2>/dev/null || true
wait "$wpid" 2>/dev/null || true
wpid=
T_END=$EPOCHREALTIME

status='' fail_reason='' T_READY='' T_START='' T_EXIT='' ready_info='' state=boot
while read -r ev t rest; do
	case $ev in
	ready) T_READY=$t ready_info=$rest ;;
	start) T_START=$t state=run ;;
	exit) T_EXIT=$t status=$rest state=finished ;;
	fail) fail_reason=$rest ;;
	esac
done <"$run/events"

timing="prepare $(elapsed "$T0" "$T_QEMU")s"
[[ -z $T_READY ]] || timing+=", qemu start to /dev/kvm $(elapsed "$T_QEMU" "$T_READY")s (guest uptime ${ready_info%% *}s)"
[[ -z $T_START || -z $T_EXIT ]] || timing+=", command $(elapsed "$T_START" "$T_EXIT")s"
timing+=", total $(elapsed "$T0" "$T_END")s"

# On failure: show the end of the console, keep the log, say why, exit $2.
failed() {
	{
		# Indented: a caller counting PASS lines must not count these twice.
		echo "---- last console lines ----"
		tail -n 25 "$console" | sed 's/^/    /'
		if [[ -s $run/qemu.stderr ]]; then
			echo "---- qemu stderr ----"
			tail -n 10 "$run/qemu.stderr" | sed 's/^/    /'
		fi
		if grep -qv "@@NEST:$token@@ beat " "$run/ttyS1.log" 2>/dev/null; then
			echo "---- last kernel messages (ttyS1) ----"
			grep -v "@@NEST:$token@@ beat " "$run/ttyS1.log" | tr -d '\r' | tail -n 25 | sed 's/^/    /'
		fi
		echo "----"
	} >&2
	keep_log
	say "$1"
	say "$timing"
	exit "$2"
}

# Keeps the console log (and qemu's stderr) of a run that did not go well.
keep_log() {
	keep_run=1
	rm -f "$run/initrd.cpio" "$run/fifo"
	say "full console log: $console (the kernel's messages: $run/ttyS1.log)"
}

if [[ -n $status ]]; then
	say "command exited with status $status; $timing"
	[[ $status -eq 0 ]] || keep_log
	exit "$status"
fi
if [[ -s $run/hung ]]; then
	if [[ $state == run ]]; then
		failed "the nest hung while the command ran: $(cat "$run/hung")" "$EXIT_NEST"
	fi
	failed "the nest hung before the command started: $(cat "$run/hung")" "$EXIT_NEST"
fi
if [[ $qrc -eq 124 || $qrc -eq 137 ]]; then
	if [[ $state == run ]]; then
		failed "timed out after ${timeout_s}s while the command ran" "$EXIT_TIMEOUT"
	fi
	failed "timed out after ${timeout_s}s before the command started" "$EXIT_TIMEOUT"
fi
if [[ -n $fail_reason ]]; then
	failed "the nest failed: $fail_reason" "$EXIT_NEST"
fi
if [[ $state == run ]]; then
	crash=$(grep -m1 -E 'BUG:|Oops|Kernel panic|general protection fault' "$console" || true)
	[[ -z $crash ]] || failed "the nest's kernel crashed while the command ran: ${crash#\[*\] }" "$EXIT_NEST"
	failed "the nest died while the command ran (qemu status $qrc; kernel panic?)" "$EXIT_NEST"
fi
failed "the nest did not boot to /dev/kvm (qemu status $qrc)" "$EXIT_NEST"
