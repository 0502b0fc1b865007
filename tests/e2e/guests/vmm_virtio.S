/* SPDX-License-Identifier: MIT */
/*
 * A hostile virtio-blk driver, for `ebb run --swap FILE,size=N --kernel`:
 * negotiates the device at 0xd0000000 properly, then queues a descriptor
 * chain that loops on itself.  The device must refuse it and set
 * DEVICE_NEEDS_RESET (with the config-change interrupt bit) while the VM
 * runs on; after a reset the same device must serve a good read of sector
 * 0.  Says what it saw on COM1 and powers off 0, or 1 on any surprise.
 */
#include "vmm_pvh.h"

#define MMIO		0xd0000000
#define DESC		0x200000	/* rings and buffers, all in low RAM */
#define AVAIL		0x201000
#define USED		0x202000
#define HDR		0x203000
#define DATA		0x204000
#define STATUS		0x205000
#define SPIN		2000000		/* register polls before giving up */

#define W(off, val)	movl $(val), MMIO + (off)
#define R(off)		movl MMIO + (off), %eax

	.code32
	.text
	.globl pvh_start
pvh_start:
	STACK_SETUP
	R(0x000)			/* MagicValue */
	cmp $0x74726976, %eax
	jne fail
	R(0x004)			/* Version */
	cmp $2, %eax
	jne fail
	R(0x008)			/* DeviceID: block */
	cmp $2, %eax
	jne fail

	call setup
	/* A chain that loops: descriptor 0 -> 0 -> ... */
	movl $HDR, DESC
	movl $0, DESC + 4
	movl $16, DESC + 8
	movw $1, DESC + 12		/* VRING_DESC_F_NEXT */
	movw $0, DESC + 14		/* next: itself */
	movw $0, AVAIL + 4		/* ring[0] = head 0 */
	movw $1, AVAIL + 2		/* idx = 1 */
	W(0x050, 0)			/* QueueNotify */
	mov $SPIN, %ecx
1:	R(0x070)			/* Status */
	test $0x40, %eax		/* DEVICE_NEEDS_RESET */
	jnz 2f
	loop 1b
	jmp fail
2:	R(0x060)			/* InterruptStatus: config change */
	test $2, %eax
	jz fail
	mov $msg_reset, %esi
	call puts

	/* Reset, set up again, and read sector 0 properly. */
	W(0x070, 0)
	R(0x070)
	test %eax, %eax
	jnz fail
	call setup
	movl $0, HDR			/* VIRTIO_BLK_T_IN, sector 0 */
	movl $0, HDR + 4
	movl $0, HDR + 8
	movl $0, HDR + 12
	movb $0xff, STATUS
	movl $HDR, DESC			/* 0: header, readable */
	movl $0, DESC + 4
	movl $16, DESC + 8
	movw $1, DESC + 12
	movw $1, DESC + 14
	movl $DATA, DESC + 16		/* 1: 512 bytes, writable */
	movl $0, DESC + 20
	movl $512, DESC + 24
	movw $3, DESC + 28		/* NEXT | WRITE */
	movw $2, DESC + 30
	movl $STATUS, DESC + 32		/* 2: the status byte, writable */
	movl $0, DESC + 36
	movl $1, DESC + 40
	movw $2, DESC + 44
	movw $0, DESC + 46
	movw $0, AVAIL + 4
	movw $1, AVAIL + 2
	W(0x050, 0)
	mov $SPIN, %ecx
3:	cmpw $1, USED + 2		/* used idx */
	je 4f
	R(0x070)			/* an exit per poll: the device thread gets time */
	loop 3b
	jmp fail
4:	cmpb $0, STATUS			/* VIRTIO_BLK_S_OK */
	jne fail
	cmpl $513, USED + 8		/* used len: 512 data + status */
	jne fail
	mov $msg_served, %esi
	call puts
	POWEROFF(0)
fail:
	mov $msg_fail, %esi
	call puts
	POWEROFF(1)

/* Negotiate VERSION_1 and set up queue 0 (8 entries) on zeroed rings. */
setup:
	mov $AVAIL, %edi
	mov $(2 * 4096 / 4), %ecx	/* avail and used rings */
	xor %eax, %eax
	rep stosl
	W(0x070, 0)
	W(0x070, 1)			/* ACKNOWLEDGE */
	W(0x070, 3)			/* DRIVER */
	W(0x024, 1)			/* DriverFeaturesSel 1 */
	W(0x020, 1)			/* VIRTIO_F_VERSION_1 */
	W(0x024, 0)
	W(0x020, 0)
	W(0x070, 0xb)			/* FEATURES_OK */
	R(0x070)
	test $8, %eax
	jz fail
	W(0x030, 0)			/* QueueSel */
	W(0x038, 8)			/* QueueNum */
	W(0x080, DESC)
	W(0x084, 0)
	W(0x090, AVAIL)
	W(0x094, 0)
	W(0x0a0, USED)
	W(0x0a4, 0)
	W(0x044, 1)			/* QueueReady */
	W(0x070, 0xf)			/* DRIVER_OK */
	ret

PUTS_FN

	.section .rodata
msg_reset:	.asciz "virtio: looping chain refused, device needs reset\n"
msg_served:	.asciz "virtio: after reset, sector 0 read OK\n"
msg_fail:	.asciz "virtio: unexpected device behaviour\n"

PVH_NOTE(pvh_start)
