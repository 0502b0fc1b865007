/* SPDX-License-Identifier: MIT */
/*
 * The virtualization-cost guest's own layout and hardware constants,
 * shared by its C and assembly.
 *
 * Virtual memory: 0..4 GiB identity-mapped with 2 MiB pages (RAM, the
 * MMIO op's target, the LAPIC); a window of 4 KiB pages at 4 GiB whose
 * PTEs start empty: the #PF op faults them in, the PTE-write op clears
 * them.  Every window page maps one data page, so no fault there ever
 * meets fresh host memory; the first-touch op is the one that does,
 * through the identity map above GUEST_TOUCH_BASE.
 */
#ifndef EBB_BENCH_VCOST_GUEST_H
#define EBB_BENCH_VCOST_GUEST_H

#define GUEST_CS		0x08
#define GUEST_DS		0x10

#define GUEST_WIN_VA		0x100000000	/* PDPT slot 4 */
#define GUEST_WIN_PAGES		16384		/* 64 MiB of 4 KiB pages */
#define GUEST_WIN_PTS		(GUEST_WIN_PAGES / 512)
#define GUEST_TOUCH_BASE	0x4000000	/* 64 MiB: RAM above is left for first touches */
#define GUEST_IDENTITY_END	0x100000000	/* 4 GiB */

#define PTE_P			0x1
#define PTE_RW			0x2
#define PTE_PWT			0x8
#define PTE_PCD			0x10
#define PTE_PS			0x80

/* xAPIC registers (Intel SDM vol. 3, 11.4.1): QEMU's TCG has no x2APIC. */
#define APIC_BASE		0xfee00000
#define APIC_TPR		0x080
#define APIC_EOI		0x0b0
#define APIC_SVR		0x0f0
#define APIC_SVR_ENABLE		0x100
#define APIC_LVTT		0x320
#define APIC_LVT_MASKED		0x10000
#define APIC_TMICT		0x380
#define APIC_TDCR		0x3e0
#define APIC_TDCR_DIV1		0xb

/*
 * The LAPIC timer counts at 1 GHz with divide-by-1 on KVM
 * (APIC_BUS_CYCLE_NS 1) and on QEMU (counts are nanoseconds of its
 * virtual clock), so a count is a nanosecond on both.
 */
#define GUEST_TIMER_VEC		0x40
#define GUEST_SPURIOUS_VEC	0xff

#define PIC1_DATA		0x21
#define PIC2_DATA		0xa1

#endif
