// SPDX-License-Identifier: MIT
/*
 * The 64-bit entry environment for a bzImage: identity page tables over
 * the first 4 GiB and a flat 64-bit GDT (see include/vmm/longmode.h).
 */
#include <stdint.h>
#include <string.h>

#include <vmm/layout.h>
#include <vmm/longmode.h>
#include <vmm/memory.h>

#define PTE_PRESENT		0x1ULL
#define PTE_WRITE		0x2ULL
#define PTE_LARGE		0x80ULL		/* in a page directory: a 2 MiB page */
#define PT_ENTRIES		512
#define PD_COUNT		4		/* 4 x 1 GiB */

#define PML4_ADDR		EBB_PGTABLE_ADDR
#define PDPT_ADDR		(EBB_PGTABLE_ADDR + 0x1000)
#define PD_ADDR			(EBB_PGTABLE_ADDR + 0x2000)

_Static_assert(0x2000 + PD_COUNT * 0x1000 == EBB_PGTABLE_SIZE, "PML4, PDPT and the PDs fill the area");

/*
 * Descriptors: base 0, limit 4 GiB.  Code: present, DPL 0, execute/read,
 * accessed, L=1 (64-bit).  Data: read/write, accessed, 32-bit, 4 KiB
 * granularity.  TSS: a busy 64-bit TSS of 0x68 bytes at 0; KVM takes the
 * hidden state from KVM_SET_SREGS (vmm/cpu.c), this is what the GDT says.
 */
static const uint64_t longmode_gdt[LONGMODE_GDT_ENTRIES] = {
	[LONGMODE_CS / 8] = 0x00af9b000000ffffULL,
	[LONGMODE_DS / 8] = 0x00cf93000000ffffULL,
	[LONGMODE_TSS / 8] = 0x00008b0000000067ULL,
};

int longmode_write(struct guest_mem *m)
{
	uint64_t *pml4 = guest_mem_ptr(m, PML4_ADDR, 0x1000);
	uint64_t *pdpt = guest_mem_ptr(m, PDPT_ADDR, 0x1000);
	uint64_t *pd = guest_mem_ptr(m, PD_ADDR, PD_COUNT * 0x1000);
	void *gdt = guest_mem_ptr(m, EBB_GDT_ADDR, sizeof(longmode_gdt));

	if (!pml4 || !pdpt || !pd || !gdt)
		return -1;
	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	pml4[0] = PDPT_ADDR | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < PD_COUNT; i++)
		pdpt[i] = (PD_ADDR + i * 0x1000) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < PD_COUNT * PT_ENTRIES; i++)
		pd[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	memcpy(gdt, longmode_gdt, sizeof(longmode_gdt));
	return 0;
}
