// SPDX-License-Identifier: MIT
/* The guest memory map: from the layout, and regions carved out of it. */
#include <string.h>

#include <vmm/e820.h>
#include <vmm/layout.h>

#include "unit.h"

#define M (1ULL << 20)
#define G (1ULL << 30)

static void check(const struct e820_table *t, unsigned int nr, const struct e820_range *want)
{
	ck_assert_uint_eq(t->nr, nr);
	for (unsigned int i = 0; i < nr; i++) {
		ck_assert_msg(t->e[i].addr == want[i].addr && t->e[i].size == want[i].size &&
			      t->e[i].type == want[i].type,
			      "entry %u: 0x%llx +0x%llx type %u, want 0x%llx +0x%llx type %u", i,
			      (unsigned long long)t->e[i].addr, (unsigned long long)t->e[i].size,
			      t->e[i].type, (unsigned long long)want[i].addr,
			      (unsigned long long)want[i].size, want[i].type);
	}
}

START_TEST(from_layout)
{
	struct ebb_layout l;
	struct e820_table t;
	uint64_t one = 512 * M, two[2] = { 2 * G, 2 * G }, three[3] = { 64 * M, 64 * M, 64 * M };
	char err[256] = "";

	ck_assert(layout_build(&l, 1, &one, err, sizeof(err)) == 0);
	e820_from_layout(&t, &l);
	check(&t, 1, (struct e820_range[]){ { 0, 512 * M, E820_RAM } });
	/* Nodes are contiguous: one entry below the hole, one above. */
	ck_assert(layout_build(&l, 2, two, err, sizeof(err)) == 0);
	e820_from_layout(&t, &l);
	check(&t, 2, (struct e820_range[]){ { 0, 3 * G, E820_RAM }, { 4 * G, G, E820_RAM } });
	ck_assert(layout_build(&l, 3, three, err, sizeof(err)) == 0);
	e820_from_layout(&t, &l);
	check(&t, 1, (struct e820_range[]){ { 0, 192 * M, E820_RAM } });
}
END_TEST

START_TEST(carve)
{
	struct e820_table t = { .nr = 2, .e = { { 0, 3 * G, E820_RAM }, { 4 * G, G, E820_RAM } } };
	char err[256] = "";

	/* Inside RAM: RAM, the region, RAM. */
	ck_assert(e820_set(&t, 0xe0000, 0x20000, E820_ACPI, err, sizeof(err)) == 0);
	check(&t, 4, (struct e820_range[]){ { 0, 0xe0000, E820_RAM }, { 0xe0000, 0x20000, E820_ACPI },
		{ M, 3 * G - M, E820_RAM }, { 4 * G, G, E820_RAM } });
	/* At the very start. */
	ck_assert(e820_set(&t, 0, 0x1000, E820_RESERVED, err, sizeof(err)) == 0);
	ck_assert_uint_eq(t.nr, 5);
	ck_assert_uint_eq(t.e[0].type, E820_RESERVED);
	ck_assert_uint_eq(t.e[1].addr, 0x1000);
	/* In the hole, past every entry: a new entry in order. */
	ck_assert(e820_set(&t, 0xfec00000, 0x1000, E820_RESERVED, err, sizeof(err)) == 0);
	ck_assert_uint_eq(t.nr, 6);
	ck_assert_uint_eq(t.e[4].addr, 0xfec00000);
	ck_assert_uint_eq(t.e[5].addr, 4 * G);
	/* Across the end of one entry and the start of the next. */
	ck_assert(e820_set(&t, 3 * G - M, 1 * G + 2 * M, E820_NVS, err, sizeof(err)) == 0);
	check(&t, 6, (struct e820_range[]){ { 0, 0x1000, E820_RESERVED },
		{ 0x1000, 0xe0000 - 0x1000, E820_RAM }, { 0xe0000, 0x20000, E820_ACPI },
		{ M, 3 * G - 2 * M, E820_RAM }, { 3 * G - M, G + 2 * M, E820_NVS },
		{ 4 * G + M, G - M, E820_RAM } });
}
END_TEST

START_TEST(carve_refused)
{
	struct e820_table t = { .nr = 1, .e = { { 0, 64 * M, E820_RAM } } };
	struct e820_table before;
	char err[256] = "";

	ck_assert_int_eq(e820_set(&t, M, 0, E820_ACPI, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "empty or wrapping"));
	ck_assert_int_eq(e820_set(&t, ~0ULL - 10, 100, E820_ACPI, err, sizeof(err)), -1);
	/* A full table is left as it was. */
	for (unsigned int i = 0; t.nr + 2 <= E820_TABLE_MAX; i++)
		ck_assert(e820_set(&t, (i + 1) * 0x10000, 0x1000, E820_RESERVED, err, sizeof(err)) == 0);
	before = t;
	ck_assert_int_eq(e820_set(&t, 32 * M, 0x1000, E820_RESERVED, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than 128 entries"));
	ck_assert_int_eq(memcmp(&t, &before, sizeof(t)), 0);
}
END_TEST

START_TEST(ram_find)
{
	struct e820_table t = { .nr = 1, .e = { { 0, 64 * M, E820_RAM } } };
	char err[256] = "";

	ck_assert(e820_set(&t, 0xe0000, 0x20000, E820_ACPI, err, sizeof(err)) == 0);
	ck_assert_ptr_eq(e820_ram_find(&t, 0, 0xe0000), &t.e[0]);
	ck_assert_ptr_null(e820_ram_find(&t, 0, 0xe0001));		/* into ACPI */
	ck_assert_ptr_null(e820_ram_find(&t, 0xe0000, 1));
	ck_assert_ptr_eq(e820_ram_find(&t, M, 63 * M), &t.e[2]);
	ck_assert_ptr_null(e820_ram_find(&t, M, 63 * M + 1));		/* past RAM's end */
	ck_assert_ptr_null(e820_ram_find(&t, ~0ULL - 4, 16));		/* wraps */
}
END_TEST

static Suite *vmm_e820_suite(void)
{
	Suite *s = suite_create("vmm_e820");
	TCase *tc = tcase_create("e820");

	tcase_add_test(tc, from_layout);
	tcase_add_test(tc, carve);
	tcase_add_test(tc, carve_refused);
	tcase_add_test(tc, ram_find);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(vmm_e820_suite)
