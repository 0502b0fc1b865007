// SPDX-License-Identifier: MIT
/*
 * hvm_start_info layout and contents (module list, memory map with ACPI,
 * RSDP), the boot GDT, gpa->hva bounds checks.
 */
#include <stddef.h>
#include <string.h>

#include <vmm/boot.h>
#include <vmm/e820.h>
#include <vmm/layout.h>
#include <vmm/memory.h>
#include <vmm/pvh.h>

#include "unit.h"

#define M (1ULL << 20)
#define G (1ULL << 30)

static void mem_for(struct guest_mem *m, unsigned int n, const uint64_t *sizes)
{
	struct ebb_layout l;
	char err[256] = "";

	ck_assert_msg(layout_build(&l, n, sizes, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(guest_mem_create(m, &l, NULL, err, sizeof(err)) == 0, "%s", err);
}

/* The v1 ABI, field by field, as Xen's start_info.h documents the offsets. */
START_TEST(start_info_layout)
{
	ck_assert_uint_eq(offsetof(struct hvm_start_info, magic), 0);
	ck_assert_uint_eq(offsetof(struct hvm_start_info, version), 4);
	ck_assert_uint_eq(offsetof(struct hvm_start_info, flags), 8);
	ck_assert_uint_eq(offsetof(struct hvm_start_info, nr_modules), 12);
	ck_assert_uint_eq(offsetof(struct hvm_start_info, modlist_paddr), 16);
	ck_assert_uint_eq(offsetof(struct hvm_start_info, cmdline_paddr), 24);
	ck_assert_uint_eq(offsetof(struct hvm_start_info, rsdp_paddr), 32);
	ck_assert_uint_eq(offsetof(struct hvm_start_info, memmap_paddr), 40);
	ck_assert_uint_eq(offsetof(struct hvm_start_info, memmap_entries), 48);
	ck_assert_uint_eq(offsetof(struct hvm_start_info, reserved), 52);
	ck_assert_uint_eq(sizeof(struct hvm_start_info), 56);
	ck_assert_uint_eq(offsetof(struct hvm_memmap_table_entry, addr), 0);
	ck_assert_uint_eq(offsetof(struct hvm_memmap_table_entry, size), 8);
	ck_assert_uint_eq(offsetof(struct hvm_memmap_table_entry, type), 16);
	ck_assert_uint_eq(offsetof(struct hvm_memmap_table_entry, reserved), 20);
	ck_assert_uint_eq(sizeof(struct hvm_memmap_table_entry), 24);
	ck_assert_uint_eq(offsetof(struct hvm_modlist_entry, paddr), 0);
	ck_assert_uint_eq(offsetof(struct hvm_modlist_entry, size), 8);
	ck_assert_uint_eq(offsetof(struct hvm_modlist_entry, cmdline_paddr), 16);
	ck_assert_uint_eq(sizeof(struct hvm_modlist_entry), 32);
	/* Boot data fits below the kernel, in order, without overlap. */
	ck_assert(EBB_GDT_ADDR + 32 <= EBB_START_INFO_ADDR);
	ck_assert(EBB_START_INFO_ADDR + sizeof(struct hvm_start_info) <= EBB_MODLIST_ADDR);
	ck_assert(EBB_MODLIST_ADDR + sizeof(struct hvm_modlist_entry) <= EBB_MEMMAP_ADDR);
	ck_assert(EBB_MEMMAP_ADDR + EBB_MEMMAP_MAX * sizeof(struct hvm_memmap_table_entry) <=
		  EBB_CMDLINE_ADDR);
	ck_assert(EBB_CMDLINE_ADDR + EBB_CMDLINE_MAX <= EBB_KERNEL_MIN_ADDR);
}
END_TEST

START_TEST(start_info_contents)
{
	struct guest_mem m;
	uint64_t sizes[2] = { 256 * M, 256 * M };
	const char *cl = "console=ttyS0 ebb.numa=0:0-10000000,1:10000000-20000000";
	char err[256] = "";
	const struct hvm_start_info *si;
	const struct hvm_memmap_table_entry *map;

	mem_for(&m, 2, sizes);
	ck_assert_msg(pvh_build(&m, cl, err, sizeof(err)) == 0, "%s", err);
	si = guest_mem_ptr(&m, EBB_START_INFO_ADDR, sizeof(*si));
	ck_assert_ptr_nonnull(si);
	ck_assert_uint_eq(si->magic, 0x336ec578u);
	ck_assert_uint_eq(si->version, 1);
	ck_assert_uint_eq(si->flags, 0);
	ck_assert_uint_eq(si->nr_modules, 0);
	ck_assert_uint_eq(si->modlist_paddr, 0);
	ck_assert_uint_eq(si->rsdp_paddr, 0);
	ck_assert_uint_eq(si->cmdline_paddr, EBB_CMDLINE_ADDR);
	ck_assert_str_eq(guest_mem_ptr(&m, si->cmdline_paddr, strlen(cl) + 1), cl);
	/* Two nodes, contiguous: one RAM entry. */
	ck_assert_uint_eq(si->memmap_entries, 1);
	map = guest_mem_ptr(&m, si->memmap_paddr, sizeof(*map));
	ck_assert_uint_eq(map[0].addr, 0);
	ck_assert_uint_eq(map[0].size, 512 * M);
	ck_assert_uint_eq(map[0].type, XEN_HVM_MEMMAP_TYPE_RAM);
	ck_assert_uint_eq(map[0].reserved, 0);
	guest_mem_destroy(&m);
}
END_TEST

/* With an initrd, ACPI carved out of RAM and an RSDP: what a Linux PVH kernel reads. */
START_TEST(start_info_initrd_acpi)
{
	struct guest_mem m;
	uint64_t sz = 64 * M;
	struct e820_table map;
	struct boot_data bd = { .map = &map, .cmdline = "console=ttyS0", .initrd_addr = 60 * M,
				.initrd_size = 0x12345, .rsdp_addr = 0xe0000 };
	const struct hvm_start_info *si;
	const struct hvm_modlist_entry *mod;
	const struct hvm_memmap_table_entry *mm;
	char err[256] = "";

	mem_for(&m, 1, &sz);
	e820_from_layout(&map, &m.layout);
	ck_assert(e820_set(&map, 0xe0000, 0x20000, E820_ACPI, err, sizeof(err)) == 0);
	ck_assert_msg(pvh_write_boot(&m, &bd, err, sizeof(err)) == 0, "%s", err);
	si = guest_mem_ptr(&m, EBB_START_INFO_ADDR, sizeof(*si));
	ck_assert_uint_eq(si->magic, XEN_HVM_START_MAGIC_VALUE);
	ck_assert_uint_eq(si->rsdp_paddr, 0xe0000);
	ck_assert_uint_eq(si->nr_modules, 1);
	ck_assert_uint_eq(si->modlist_paddr, EBB_MODLIST_ADDR);
	mod = guest_mem_ptr(&m, si->modlist_paddr, sizeof(*mod));
	ck_assert_uint_eq(mod->paddr, 60 * M);
	ck_assert_uint_eq(mod->size, 0x12345);
	ck_assert_uint_eq(mod->cmdline_paddr, 0);
	ck_assert_uint_eq(mod->reserved, 0);
	ck_assert_uint_eq(si->memmap_entries, 3);
	mm = guest_mem_ptr(&m, si->memmap_paddr, 3 * sizeof(*mm));
	ck_assert_uint_eq(mm[0].addr, 0);
	ck_assert_uint_eq(mm[0].size, 0xe0000);
	ck_assert_uint_eq(mm[0].type, XEN_HVM_MEMMAP_TYPE_RAM);
	ck_assert_uint_eq(mm[1].addr, 0xe0000);
	ck_assert_uint_eq(mm[1].type, XEN_HVM_MEMMAP_TYPE_ACPI);
	ck_assert_uint_eq(mm[2].addr, 1 * M);
	ck_assert_uint_eq(mm[2].size, 63 * M);
	guest_mem_destroy(&m);
}
END_TEST

START_TEST(memmap_above_4g)
{
	struct guest_mem m;
	uint64_t sizes[2] = { 2 * G, 2 * G };
	char err[256] = "";
	const struct hvm_start_info *si;
	const struct hvm_memmap_table_entry *map;

	mem_for(&m, 2, sizes);
	ck_assert_msg(pvh_build(&m, "console=ttyS0", err, sizeof(err)) == 0, "%s", err);
	si = guest_mem_ptr(&m, EBB_START_INFO_ADDR, sizeof(*si));
	ck_assert_uint_eq(si->memmap_entries, 2);
	map = guest_mem_ptr(&m, si->memmap_paddr, 2 * sizeof(*map));
	ck_assert_uint_eq(map[0].addr, 0);
	ck_assert_uint_eq(map[0].size, 3 * G);
	ck_assert_uint_eq(map[1].addr, 4 * G);
	ck_assert_uint_eq(map[1].size, 1 * G);
	ck_assert_uint_eq(map[1].type, XEN_HVM_MEMMAP_TYPE_RAM);
	guest_mem_destroy(&m);
}
END_TEST

START_TEST(gdt)
{
	struct guest_mem m;
	uint64_t sz = 16 * M;
	const uint64_t *g;

	mem_for(&m, 1, &sz);
	ck_assert_int_eq(pvh_write_gdt(&m), 0);
	g = guest_mem_ptr(&m, EBB_GDT_ADDR, 32);
	ck_assert_uint_eq(g[0], 0);
	ck_assert_uint_eq(g[1], 0x00cf9b000000ffffULL);	/* flat 32-bit code */
	ck_assert_uint_eq(g[2], 0x00cf93000000ffffULL);	/* flat data */
	ck_assert_uint_eq(g[3], 0x00008b0000000067ULL);	/* busy 32-bit TSS */
	guest_mem_destroy(&m);
}
END_TEST

START_TEST(cmdline_too_long)
{
	struct guest_mem m;
	uint64_t sz = 16 * M;
	static char big[EBB_CMDLINE_MAX + 1];
	char err[256] = "";

	mem_for(&m, 1, &sz);
	memset(big, 'x', sizeof(big) - 1);
	ck_assert_int_eq(pvh_build(&m, big, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than"));
	big[EBB_CMDLINE_MAX - 1] = '\0';
	ck_assert_msg(pvh_build(&m, big, err, sizeof(err)) == 0, "%s", err);
	guest_mem_destroy(&m);
}
END_TEST

START_TEST(gpa_bounds)
{
	struct guest_mem m;
	uint64_t sizes[2] = { 2 * G, 2 * G };
	uint8_t *a, *b;

	mem_for(&m, 2, sizes);
	ck_assert_ptr_nonnull(guest_mem_ptr(&m, 0, 1));
	ck_assert_ptr_nonnull(guest_mem_ptr(&m, 0, 0));
	ck_assert_ptr_nonnull(guest_mem_ptr(&m, 3 * G - 4096, 4096));
	ck_assert_ptr_null(guest_mem_ptr(&m, 3 * G - 4096, 4097));	/* into the hole */
	ck_assert_ptr_null(guest_mem_ptr(&m, 3 * G, 1));
	ck_assert_ptr_null(guest_mem_ptr(&m, EBB_MMIO_BASE, 4));
	ck_assert_ptr_nonnull(guest_mem_ptr(&m, 4 * G, 1));
	ck_assert_ptr_nonnull(guest_mem_ptr(&m, 5 * G - 1, 1));
	ck_assert_ptr_null(guest_mem_ptr(&m, 5 * G - 1, 2));		/* past the end */
	ck_assert_ptr_null(guest_mem_ptr(&m, 5 * G, 1));
	ck_assert_ptr_null(guest_mem_ptr(&m, UINT64_MAX, 1));
	ck_assert_ptr_null(guest_mem_ptr(&m, UINT64_MAX - 10, 100));	/* wraps */
	ck_assert_ptr_null(guest_mem_ptr(&m, 0, UINT64_MAX));
	/* Across two nodes: contiguous in the guest, not in the host. */
	ck_assert_ptr_nonnull(guest_mem_ptr(&m, 2 * G - 8, 8));
	ck_assert_ptr_null(guest_mem_ptr(&m, 2 * G - 8, 16));
	/* Node 1's two ranges are one memfd: 4 GiB continues where 3 GiB ends. */
	a = guest_mem_ptr(&m, 3 * G - 1, 1);
	b = guest_mem_ptr(&m, 4 * G, 1);
	ck_assert_ptr_eq(a + 1, b);
	/* Writes land where reads find them. */
	*b = 0x5a;
	ck_assert_uint_eq(*(uint8_t *)guest_mem_ptr(&m, 4 * G, 1), 0x5a);
	ck_assert_uint_ge(guest_mem_resident(&m), 4096);
	guest_mem_destroy(&m);
}
END_TEST

/* Host node binding: node 0 exists everywhere; node 1000 nowhere. */
START_TEST(host_node_binding)
{
	struct ebb_layout l;
	struct guest_mem m;
	uint64_t sz[2] = { 8 * M, 8 * M };
	int node0[1] = { 0 }, nodes[2] = { 0, 1000 };
	struct guest_mem_opts one = { .nr_host_nodes = 1, .host_node = node0 };
	struct guest_mem_opts bad = { .nr_host_nodes = 2, .host_node = nodes };
	char err[256] = "";

	ck_assert(layout_build(&l, 2, sz, err, sizeof(err)) == 0);
	if (guest_mem_create(&m, &l, &one, err, sizeof(err)) == 0) {
		*(uint8_t *)guest_mem_ptr(&m, 9 * M, 1) = 1;	/* faults in under the policy */
		guest_mem_destroy(&m);
	} else {
		/* A kernel without NUMA support: the message must say so. */
		ck_assert_msg(strstr(err, "binding guest node 0 to host node 0"), "%s", err);
	}
	ck_assert_int_eq(guest_mem_create(&m, &l, &bad, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "host node 1000"), "%s", err);
	/* Everything was released: the struct is reusable. */
	ck_assert_int_eq(m.node[0].fd, -1);
	ck_assert_ptr_null(m.node[0].base);
}
END_TEST

/* Huge pages: either they are reserved and it works, or the message says how. */
START_TEST(hugepage_backing)
{
	struct ebb_layout l;
	struct guest_mem m;
	uint64_t sz = 8 * M;
	struct guest_mem_opts o = { .hugepages = true };
	char err[256] = "";

	ck_assert(layout_build(&l, 1, &sz, err, sizeof(err)) == 0);
	if (guest_mem_create(&m, &l, &o, err, sizeof(err)) == 0) {
		ck_assert(m.hugepages);
		*(uint8_t *)guest_mem_ptr(&m, 0, 1) = 1;
		guest_mem_destroy(&m);
	} else {
		ck_assert_msg(strstr(err, "nr_hugepages") || strstr(err, "hugetlbfs"), "%s", err);
	}
}
END_TEST

static Suite *vmm_pvh_suite(void)
{
	Suite *s = suite_create("vmm_pvh");
	TCase *tc = tcase_create("pvh");

	tcase_add_test(tc, start_info_layout);
	tcase_add_test(tc, start_info_contents);
	tcase_add_test(tc, start_info_initrd_acpi);
	tcase_add_test(tc, memmap_above_4g);
	tcase_add_test(tc, gdt);
	tcase_add_test(tc, cmdline_too_long);
	tcase_add_test(tc, gpa_bounds);
	tcase_add_test(tc, host_node_binding);
	tcase_add_test(tc, hugepage_backing);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(vmm_pvh_suite)
