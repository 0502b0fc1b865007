// SPDX-License-Identifier: MIT
/*
 * Reading the PVH start_info and its memory map into memblock.
 *
 * The loader wrote all of this into guest memory, and nothing checks it
 * but us: the pointer in EBX, the magic, the memory map's size and place,
 * every entry (zero sizes, wrap-around, addresses beyond what 4-level
 * paging can map, overlaps of RAM with reserved ranges).  Bad entries are
 * reported and dropped; a structure that cannot be read at all ends in a
 * panic that says so, since without it the kernel knows nothing of RAM.
 */
#include <guest/cmdline.h>
#include <guest/memblock.h>
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/setup.h>
#include <guest/string.h>

#define E820_MAX_ENTRIES	128
#define MAX_PHYSMEM		(1ULL << 46)	/* what the direct map can hold */

static const char *e820_type_name(uint32_t type)
{
	switch (type) {
	case XEN_HVM_MEMMAP_TYPE_RAM:		return "usable";
	case XEN_HVM_MEMMAP_TYPE_RESERVED:	return "reserved";
	case XEN_HVM_MEMMAP_TYPE_ACPI:		return "ACPI data";
	case XEN_HVM_MEMMAP_TYPE_NVS:		return "ACPI NVS";
	case XEN_HVM_MEMMAP_TYPE_UNUSABLE:	return "unusable";
	case XEN_HVM_MEMMAP_TYPE_PMEM:		return "persistent (type 7)";
	default:				return "type unknown";
	}
}

/* [pa, pa + size) must lie in the identity map before we may read it. */
static bool readable(uint64_t pa, uint64_t size)
{
	return pa >= PAGE_SIZE_4K && size <= IDENTITY_MAP_END && pa <= IDENTITY_MAP_END - size;
}

static void reserve_boot_data(uint64_t pa, uint64_t size)
{
	memblock_reserve(ALIGN_DOWN(pa, PAGE_SIZE_4K),
			 ALIGN_UP(pa + size, PAGE_SIZE_4K) - ALIGN_DOWN(pa, PAGE_SIZE_4K));
}

static void parse_memmap(const struct hvm_memmap_table_entry *map, uint32_t n)
{
	unsigned int dropped = 0;

	printk(KERN_INFO "BIOS-provided physical RAM map:\n");
	for (uint32_t i = 0; i < n; i++) {
		uint64_t start = map[i].addr, size = map[i].size, end = start + size;

		if (!size)
			continue;	/* loaders pad the table with empty entries */
		if (end < start || start >= MAX_PHYSMEM) {
			pr_warn("e820: ignoring bad entry %u: addr %#llx size %#llx\n", i,
				(unsigned long long)start, (unsigned long long)size);
			dropped++;
			continue;
		}
		if (end > MAX_PHYSMEM)
			end = MAX_PHYSMEM;
		printk(KERN_INFO "BIOS-e820: [mem %#018llx-%#018llx] %s\n",
		       (unsigned long long)start, (unsigned long long)end - 1,
		       e820_type_name(map[i].type));
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM) {
			start = ALIGN_UP(start, PAGE_SIZE_4K);
			end = ALIGN_DOWN(end, PAGE_SIZE_4K);
			if (end > start)
				memblock_add(start, end - start);
		}
	}
	/*
	 * Anything not RAM wins over RAM it overlaps: keep such pages out of
	 * the allocator by reserving them.
	 */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t start = map[i].addr, end = start + map[i].size;

		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM || !map[i].size || end < start ||
		    start >= MAX_PHYSMEM)
			continue;
		for (unsigned int k = 0; k < memblock_memory.cnt; k++) {
			const struct memblock_region *r = &memblock_memory.regions[k];
			uint64_t lo = max(start, r->base), hi = min(end, r->base + r->size);

			if (lo < hi)
				reserve_boot_data(lo, hi - lo);
		}
	}
	if (dropped)
		pr_warn("e820: %u of %u memory map entries were unusable\n", dropped, n);
}

static const struct hvm_start_info *start_info;

uint64_t pvh_rsdp_pa;

const char *pvh_parse_start_info(uint32_t pa)
{
	const struct hvm_start_info *si;
	static char cmdline[COMMAND_LINE_SIZE];

	if (!readable(pa, sizeof(*si)))
		panic("PVH: start_info pointer %#x is outside low memory", pa);
	si = (const struct hvm_start_info *)(uintptr_t)pa;
	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		panic("PVH: bad start_info magic %#x (want %#x): not booted through PVH?",
		      si->magic, XEN_HVM_START_MAGIC_VALUE);
	reserve_boot_data(pa, sizeof(*si));
	/* start_info version 1 added the RSDP: the MADT lists the CPUs. */
	pvh_rsdp_pa = si->version >= 1 ? si->rsdp_paddr : 0;

	if (si->cmdline_paddr) {
		uint64_t cpa = si->cmdline_paddr;
		uint64_t room = cpa < IDENTITY_MAP_END ? IDENTITY_MAP_END - cpa : 0;
		size_t len;

		if (!readable(cpa, 1))
			panic("PVH: command line pointer %#llx is outside low memory",
			      (unsigned long long)cpa);
		len = strnlen((const char *)(uintptr_t)cpa, min(room, (uint64_t)sizeof(cmdline) - 1));
		memcpy(cmdline, (const char *)(uintptr_t)cpa, len);
		cmdline[len] = '\0';
		reserve_boot_data(cpa, len + 1);
	}
	start_info = si;
	return cmdline;
}

void pvh_setup_memory(void)
{
	const struct hvm_start_info *si = start_info;

	if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
		panic("PVH: start_info version %u has no memory map; ebb and QEMU provide one",
		      si->version);
	if (si->memmap_entries > E820_MAX_ENTRIES)
		panic("PVH: memory map claims %u entries (at most %u)", si->memmap_entries,
		      E820_MAX_ENTRIES);
	if (!readable(si->memmap_paddr, (uint64_t)si->memmap_entries *
					  sizeof(struct hvm_memmap_table_entry)))
		panic("PVH: memory map at %#llx is outside low memory",
		      (unsigned long long)si->memmap_paddr);
	reserve_boot_data(si->memmap_paddr,
			  si->memmap_entries * sizeof(struct hvm_memmap_table_entry));
	parse_memmap((const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr,
		     si->memmap_entries);
	if (!memblock_memory.cnt)
		panic("PVH: the memory map lists no usable RAM");

	/*
	 * The first MiB (real-mode area, firmware, boot data) is never
	 * handed out, as Linux has done since 5.13; the kernel image is in use.
	 */
	memblock_reserve(0, 0x100000);
	memblock_reserve((uint64_t)(uintptr_t)_start,
			 ALIGN_UP((uint64_t)(uintptr_t)_end, PAGE_SIZE_4K) - (uint64_t)(uintptr_t)_start);
}
