// SPDX-License-Identifier: MIT
/*
 * PVH boot data: hvm_start_info, the module list (the initrd), the
 * memory map and the command line, written into guest RAM below 1 MiB;
 * and a flat GDT matching the segment state the boot CPU starts with.
 */
#include <stdio.h>
#include <string.h>

#include <vmm/boot.h>
#include <vmm/e820.h>
#include <vmm/layout.h>
#include <vmm/memory.h>
#include <vmm/pvh.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int pvh_build(struct guest_mem *m, const char *cmdline, char *err, size_t errlen)
{
	struct e820_table map;
	struct boot_data bd = { .map = &map, .cmdline = cmdline };

	e820_from_layout(&map, &m->layout);
	return pvh_write_boot(m, &bd, err, errlen);
}

int pvh_write_boot(struct guest_mem *m, const struct boot_data *bd, char *err, size_t errlen)
{
	const struct e820_table *t = bd->map;
	struct hvm_memmap_table_entry map[EBB_MEMMAP_MAX];
	struct hvm_modlist_entry mod;
	struct hvm_start_info si;
	size_t clen = strlen(bd->cmdline) + 1;
	void *p;

	if (t->nr > EBB_MEMMAP_MAX)
		ERR("too many memory map entries");
	memset(map, 0, sizeof(map));
	for (unsigned int i = 0; i < t->nr; i++) {
		map[i].addr = t->e[i].addr;
		map[i].size = t->e[i].size;
		map[i].type = t->e[i].type;	/* E820 numbering, as XEN_HVM_MEMMAP_TYPE_* */
	}

	memset(&si, 0, sizeof(si));
	si.magic = XEN_HVM_START_MAGIC_VALUE;
	si.version = 1;
	si.cmdline_paddr = EBB_CMDLINE_ADDR;
	si.rsdp_paddr = bd->rsdp_addr;
	si.memmap_paddr = EBB_MEMMAP_ADDR;
	si.memmap_entries = t->nr;
	if (bd->initrd_size) {
		memset(&mod, 0, sizeof(mod));
		mod.paddr = bd->initrd_addr;
		mod.size = bd->initrd_size;
		p = guest_mem_ptr(m, EBB_MODLIST_ADDR, sizeof(mod));
		if (!p)
			ERR("no guest RAM for the module list");
		memcpy(p, &mod, sizeof(mod));
		si.nr_modules = 1;
		si.modlist_paddr = EBB_MODLIST_ADDR;
	}

	if (clen > EBB_CMDLINE_MAX)
		ERR("the guest command line is longer than %llu bytes", EBB_CMDLINE_MAX - 1);
	p = guest_mem_ptr(m, EBB_CMDLINE_ADDR, clen);
	if (!p)
		ERR("no guest RAM for the command line");
	memcpy(p, bd->cmdline, clen);
	p = guest_mem_ptr(m, EBB_MEMMAP_ADDR, t->nr * sizeof(map[0]));
	if (!p)
		ERR("no guest RAM for the memory map");
	memcpy(p, map, t->nr * sizeof(map[0]));
	p = guest_mem_ptr(m, EBB_START_INFO_ADDR, sizeof(si));
	if (!p)
		ERR("no guest RAM for start_info");
	memcpy(p, &si, sizeof(si));
	return 0;
}

/* A GDT descriptor from base, limit and the flags/access word (Linux's GDT_ENTRY). */
static uint64_t gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
	return ((uint64_t)(base & 0xff000000u) << 32) | ((uint64_t)(flags & 0xf0ffu) << 40) |
	       ((uint64_t)(limit & 0x000f0000u) << 32) | ((uint64_t)(base & 0x00ffffffu) << 16) |
	       (uint64_t)(limit & 0x0000ffffu);
}

int pvh_write_gdt(struct guest_mem *m)
{
	/* 0 null, 1 (0x08) code32, 2 (0x10) data, 3 (0x18) TSS: see vmm/cpu.c. */
	const uint64_t gdt[4] = {
		0,
		gdt_entry(0xc09b, 0, 0xfffff),
		gdt_entry(0xc093, 0, 0xfffff),
		gdt_entry(0x008b, 0, 0x67),
	};
	void *p = guest_mem_ptr(m, EBB_GDT_ADDR, sizeof(gdt));

	if (!p)
		return -1;
	memcpy(p, gdt, sizeof(gdt));
	return 0;
}
