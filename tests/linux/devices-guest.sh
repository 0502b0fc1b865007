#!/bin/sh
# SPDX-License-Identifier: MIT
# The guest's side of tests/e2e/test_linux_devices.sh, put into the initrd
# as /bin/devices-guest and run by its /init (ebb.init="devices-guest PHASE").
# It prints "@@dev:STEP ...@@" markers on the console; the host's side
# waits for them and drives `ebb balloon`.  The host signals the guest only
# through the balloon, which the guest sees in /proc/meminfo.  Every wait
# here is bounded (WAIT_S); a failed step prints "@@dev:fail WHY@@" and
# exits non-zero, which becomes ebb run's status (64 + N).
#
# Phase a (--cpus 2 --numa 2, a virtio-blk disk, --balloon=stats=1):
#   CPUs and nodes; ext2 on /dev/vda (4 KiB blocks: ebb's virtio-blk says
#   blk_size 4096, Linux's logical block size, and ext4 refuses smaller),
#   8 MiB of random data, its sha256, sync, umount; memhog touches all but
#   8 MiB of the free memory and exits (the balloon takes free pages, and
#   only touched ones are in ebb's RSS); then MemTotal must fall by 240 MiB
#   (the host inflates by 256 MiB) and come back (the host deflates).
# Phase b (--balloon=deflate-on-oom,stats=1,reporting):
#   memhog holds 256 MiB for 3 s and frees it (the host measures its RSS
#   meanwhile and after: free page reporting); then MemFree must fall by
#   370 MiB (the host balloons the guest to 128 MiB) and memhog touches
#   400 MiB (deflate-on-OOM); the OOM kills dmesg counts.
WAIT_S=300
m() { echo "@@dev:$*@@"; }
fail() {
	m "fail $*"
	exit 3
}
# mi FIELD: /proc/meminfo's FIELD in MiB.
mi() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' /proc/meminfo; }
# until_mi FIELD OP MIB: wait until FIELD OP MIB holds (OP: -le, -ge).
until_mi() {
	i=0
	until [ "$(mi "$1")" "$2" "$3" ]; do
		sleep 0.2
		i=$((i + 1))
		[ $i -lt $((WAIT_S * 5)) ] || fail "$1 stayed at $(mi "$1") MiB, waited for $2 $3"
	done
}

case $1 in
a)
	m "nproc $(nproc)"
	m "nodes $(ls -d /sys/devices/system/node/node* 2>/dev/null | sed 's,.*/,,' | tr '\n' ' ')"
	m "distance $(cat /sys/devices/system/node/node0/distance 2>/dev/null)"
	[ -b /dev/vda ] || fail "no /dev/vda"
	m "vda $(cat /sys/block/vda/size) sectors"
	mke2fs -F -b 4096 -L ebbdata /dev/vda >/tmp/mke2fs.log 2>&1 || { cat /tmp/mke2fs.log; fail "mke2fs /dev/vda"; }
	mkdir -p /mnt
	mount -t ext2 /dev/vda /mnt || fail "mount -t ext2 /dev/vda"
	dd if=/dev/urandom of=/mnt/data bs=1048576 count=8 2>/dev/null || fail "dd to /mnt/data"
	sum=$(sha256sum /mnt/data | cut -d' ' -f1)
	sync
	umount /mnt || fail "umount /mnt"
	m "disk sha256 $sum"
	hog=$(($(mi MemFree) - 8))
	memhog $hog || fail "memhog $hog"
	t0=$(mi MemTotal)
	m "touched $hog MemTotal $t0"
	until_mi MemTotal -le $((t0 - 240))
	sleep 1
	m "inflated MemTotal $(mi MemTotal) MemFree $(mi MemFree)"
	until_mi MemTotal -ge $((t0 - 8))
	m "deflated MemTotal $(mi MemTotal)"
	;;
b)
	sleep 3 # the boot's freed memory reported first
	memhog 256 3 || fail "memhog 256"
	m "freed"
	sleep 10 # the host measures its RSS meanwhile
	f0=$(mi MemFree)
	m "balloon-me MemFree $f0"
	until_mi MemFree -le $((f0 - 370))
	sleep 1
	m "ballooned MemFree $(mi MemFree) MemTotal $(mi MemTotal)"
	sleep 3 # the host reads the balloon's size
	memhog 400 1
	st=$?
	n=$(dmesg | grep -c -i 'out of memory')
	dmesg | grep -i -e 'out of memory' -e 'oom' | tail -n 5
	m "oom-test status $st oom-kills $n MemFree $(mi MemFree)"
	sleep 3 # the host reads the balloon's size
	;;
*) fail "devices-guest: unknown phase $1" ;;
esac
exit 0
