// SPDX-License-Identifier: MIT
/*
 * The kernel loaders against hostile images: the format by content, the
 * PVH ELF loader (vmm/elf.c, vmm/pvh.c), the bzImage loader
 * (vmm/bzimage.c) and where the initrd goes (vmm/boot.c), through
 * boot_plan() and boot_load() as `ebb run` calls them.
 *
 * Input: u8 machine (bits 0-1: 16 MiB on one node, 2 x 8 MiB, 2 x 3 GiB
 * across the 3 GiB hole, 64 MiB with a reserved range carved out where
 * the next u16 says (MiB); bit 2: the ACPI region below 1 MiB), u16 the
 * carve's place, u16 initrd length in KiB (0: no initrd), then the
 * kernel image.  The two small machines have real guest RAM and load;
 * the others are planned only (their RAM would not fit a fuzzer).
 *
 * Oracle, whenever the plan succeeds: the kernel's range is RAM by the
 * memory map, and the initrd lies in RAM, page aligned, from 1 MiB, below
 * 4 GiB (and a bzImage's initrd_addr_max), clear of the kernel.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

#include <vmm/boot.h>
#include <vmm/e820.h>
#include <vmm/layout.h>
#include <vmm/memory.h>

#include "fuzz_guest_mem.h"

#define MiB		(1ULL << 20)
#define INITRD_MAX	(64 * MiB)

static struct guest_mem small[2];
static const uint8_t *zeros;	/* the initrd's bytes: content does not matter */

static void setup(void)
{
	static const uint64_t one[1] = { 16 * MiB }, two[2] = { 8 * MiB, 8 * MiB };
	struct ebb_layout l;
	char err[256];

	if (zeros)
		return;
	zeros = mmap(NULL, INITRD_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		     -1, 0);
	if (zeros == MAP_FAILED)
		fz_fail("mmap");
	if (layout_build(&l, 1, one, err, sizeof(err)) ||
	    guest_mem_create(&small[0], &l, NULL, err, sizeof(err)) ||
	    layout_build(&l, 2, two, err, sizeof(err)) ||
	    guest_mem_create(&small[1], &l, NULL, err, sizeof(err)))
		fz_fail("guest RAM: %s", err);
}

static void check_plan(const struct boot_plan *p, const struct e820_table *map)
{
	uint64_t a = p->initrd_addr, s = p->initrd_size;

	if (p->kernel_end <= p->kernel_start ||
	    !e820_ram_find(map, p->kernel_start, p->kernel_end - p->kernel_start))
		fz_fail("kernel [%#" PRIx64 ", %#" PRIx64 ") planned outside RAM", p->kernel_start,
			p->kernel_end);
	if (p->kernel_start < EBB_KERNEL_MIN_ADDR)
		fz_fail("kernel at %#" PRIx64 ", below 1 MiB", p->kernel_start);
	if (!s)
		return;
	if ((a & 4095) || a < EBB_KERNEL_MIN_ADDR || a + s > (4ULL << 30) || a + s < a ||
	    !e820_ram_find(map, a, s) || (a < p->kernel_end && p->kernel_start < a + s))
		fz_fail("initrd [%#" PRIx64 ", +%#" PRIx64 ") misplaced (kernel [%#" PRIx64
			", %#" PRIx64 "))", a, s, p->kernel_start, p->kernel_end);
	if (p->format == BOOT_BZIMAGE && a + s - 1 > p->bz.initrd_max)
		fz_fail("initrd ends at %#" PRIx64 ", above initrd_addr_max %#" PRIx64,
			a + s - 1, p->bz.initrd_max);
	if (p->format == BOOT_PVH && a < p->kernel_end)
		fz_fail("a PVH kernel's initrd at %#" PRIx64 " is below the kernel's end %#" PRIx64,
			a, p->kernel_end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct boot_files f = { 0 };
	struct boot_plan plan;
	struct boot_data bd = { .cmdline = "console=ttyS0 ebb.fuzz=1" };
	struct e820_table map;
	struct guest_mem *mem = NULL;
	struct ebb_layout l;
	uint8_t machine;
	uint16_t carve, initrd_kib;
	char err[512];

	setup();
	machine = fz_u8(&in);
	carve = fz_u16(&in);
	initrd_kib = fz_u16(&in);
	switch (machine & 3) {
	case 0:
	case 1:
		mem = &small[machine & 1];
		l = mem->layout;
		break;
	case 2: {
		static const uint64_t big[2] = { 3ULL << 30, 3ULL << 30 };

		if (layout_build(&l, 2, big, err, sizeof(err)))
			fz_fail("%s", err);
		break;
	}
	case 3: {
		static const uint64_t mid[1] = { 64 * MiB };

		if (layout_build(&l, 1, mid, err, sizeof(err)))
			fz_fail("%s", err);
		break;
	}
	}
	e820_from_layout(&map, &l);
	if ((machine & 3) == 3)
		(void)e820_set(&map, (uint64_t)(carve % 64) * MiB, MiB, E820_RESERVED, NULL, 0);
	if ((machine & 4) && e820_set(&map, EBB_ACPI_ADDR, EBB_ACPI_SIZE, E820_ACPI, err, sizeof(err)))
		fz_fail("%s", err);
	bd.map = &map;
	f.kernel = in.p;
	f.kernel_len = in.n;
	if (initrd_kib) {
		f.initrd = zeros;
		f.initrd_len = (size_t)initrd_kib * 1024;
		if (mem && f.initrd_len > 16 * MiB)
			f.initrd_len = 16 * MiB;
	}
	if (boot_plan(&plan, &f, &map, err, sizeof(err)))
		return 0;
	check_plan(&plan, &map);
	if (mem && boot_load(&plan, &f, mem, &bd, err, sizeof(err)) == 0 &&
	    plan.initrd_size && !guest_mem_ptr(mem, plan.initrd_addr, plan.initrd_size))
		fz_fail("loaded an initrd outside RAM");
	return 0;
}
