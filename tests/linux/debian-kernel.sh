#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# debian-kernel.sh - fetch and cache a Debian kernel package for Linux
# micro-VMs, and print its cache directory: vmlinuz (the bzImage), the .deb
# itself (tests/linux/mkinitrd.sh takes its modules from it) and `package`
# ("PACKAGE VERSION").
#
# Which package: $EBB_NEST_KERNEL_DEB (a local .deb), else the kernel the
# nested harness has cached (tests/nested/nest.sh, so ebb's Linux guest and
# the nest run the same kernel), else $EBB_NEST_KERNEL_PKG or the package
# linux-image-amd64 depends on, fetched with apt-get download.
#
# Usage: tests/linux/debian-kernel.sh          prints e.g.
#   ~/.cache/ebb/linux/linux-image-6.1.0-57-amd64_6.1.192-3
# Cache: ${EBB_CACHE_DIR:-~/.cache/ebb}/linux/<package>_<version>/ (about
# 80 MB; only the newest is kept).  Exit status 0, or 1 with a message.
set -euo pipefail

say() { printf 'debian-kernel: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

root=${EBB_CACHE_DIR:-${HOME:-/tmp}/.cache/ebb}
cache=$root/linux
mkdir -p "$cache"

# PACKAGE VERSION of the kernel to use.
choose() {
	local newest
	if [[ -n ${EBB_NEST_KERNEL_DEB:-} ]]; then
		[[ -f $EBB_NEST_KERNEL_DEB ]] || die "EBB_NEST_KERNEL_DEB=$EBB_NEST_KERNEL_DEB is not a file"
		printf '%s %s\n' "$(dpkg-deb -f "$EBB_NEST_KERNEL_DEB" Package)" \
			"$(dpkg-deb -f "$EBB_NEST_KERNEL_DEB" Version)"
		return
	fi
	if [[ -z ${EBB_NEST_KERNEL_PKG:-} ]]; then
		newest=$(find "$root/nested/kernel" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' 2>/dev/null |
			sort -rn | head -n 1 | cut -d' ' -f2-) || true
		if [[ -n $newest && -f $newest/package ]]; then
			cat "$newest/package"
			return
		fi
		apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
			sed -n 's/^Depends:.*\(linux-image-[^ ,]*-amd64\) (= \([^)]*\)).*/\1 \2/p' | head -n 1
		return
	fi
	printf '%s %s\n' "$EBB_NEST_KERNEL_PKG" \
		"$(apt-cache policy "$EBB_NEST_KERNEL_PKG" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n 1)"
}

read -r pkg ver < <(choose) || true
[[ -n ${pkg:-} && -n ${ver:-} && $ver != "(none)" ]] ||
	die "no Debian kernel package known (apt-cache has no linux-image-amd64); set EBB_NEST_KERNEL_DEB to a kernel .deb"
dir=$cache/${pkg}_${ver//[:\/]/_}

exec {lock}>"$cache/lock"
flock -w 600 "$lock" || die "$cache stayed locked for 10 minutes"
if [[ ! -f $dir/package ]]; then
	tmp=$(mktemp -d "$cache/tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if [[ -n ${EBB_NEST_KERNEL_DEB:-} ]]; then
		cp "$EBB_NEST_KERNEL_DEB" "$tmp/"
	else
		say "downloading $pkg $ver"
		(cd "$tmp" && apt-get download "$pkg=$ver" >"$tmp/apt.log" 2>&1) || {
			tail -n 5 "$tmp/apt.log" >&2
			die "apt-get download $pkg=$ver failed"
		}
	fi
	deb=$(ls "$tmp"/*.deb)
	mkdir -p "$tmp/k"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/k" --wildcards './boot/vmlinuz-*' ||
		die "no /boot/vmlinuz-* in $deb"
	mkdir -p "$tmp/d"
	mv "$tmp"/k/boot/vmlinuz-* "$tmp/d/vmlinuz"
	mv "$deb" "$tmp/d/kernel.deb"
	printf '%s %s\n' "$pkg" "$ver" >"$tmp/d/package"
	rm -rf "$dir"
	mv "$tmp/d" "$dir"
	for old in "$cache"/*/; do
		old=${old%/}
		[[ $old == "$dir" || ! -f $old/package ]] || rm -rf "$old"
	done
fi
printf '%s\n' "$dir"
