// SPDX-License-Identifier: MIT
/*
 * The bzImage loader: a synthetic bzImage built here (header fields set by
 * hand), hostile variants of it, the zero page it leads to, the 64-bit
 * entry's page tables and GDT, and, when a cached Debian kernel is on this
 * machine (the nested harness's or tests/linux/debian-kernel.sh's), the
 * real thing.  Without one only synthetic images run, and the test that
 * runs in its place says so in its name.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <vmm/boot.h>
#include <vmm/bzimage.h>
#include <vmm/e820.h>
#include <vmm/layout.h>
#include <vmm/longmode.h>
#include <vmm/memory.h>

#include "unit.h"

#define M (1ULL << 20)
#define G (1ULL << 30)

/* The synthetic image: 4 setup sectors after the boot sector, then the kernel. */
#define BZ_SETUP_SECTS	4
#define BZ_KERNEL_OFF	((BZ_SETUP_SECTS + 1) * 512)
#define BZ_KERNEL_LEN	0x1000
#define BZ_LEN		(BZ_KERNEL_OFF + BZ_KERNEL_LEN)
#define BZ_PREF		(16 * M)
#define BZ_INIT_SIZE	(4 * M)

static struct setup_header *hdr(uint8_t *b) { return (struct setup_header *)(b + 0x1f1); }

static void make_bz(uint8_t *b)
{
	struct setup_header *h = hdr(b);

	memset(b, 0, BZ_LEN);
	h->setup_sects = BZ_SETUP_SECTS;
	h->boot_flag = 0xaa55;
	h->jump = 0x6aeb;				/* jmp to 0x26c: the header's end */
	h->header = 0x53726448;				/* "HdrS" */
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->code32_start = 0x100000;
	h->syssize = BZ_KERNEL_LEN / 16;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->min_alignment = 21;
	h->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h->cmdline_size = 2047;
	h->pref_address = BZ_PREF;
	h->init_size = BZ_INIT_SIZE;
	for (int i = 0; i < BZ_KERNEL_LEN; i++)
		b[BZ_KERNEL_OFF + i] = (uint8_t)(i * 7 + 1);
}

static void mem_for(struct guest_mem *m, unsigned int n, const uint64_t *sizes)
{
	struct ebb_layout l;
	char err[256] = "";

	ck_assert_msg(layout_build(&l, n, sizes, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(guest_mem_create(m, &l, NULL, err, sizeof(err)) == 0, "%s", err);
}

static struct boot_files files_of(const void *k, size_t klen, const void *i, size_t ilen)
{
	return (struct boot_files){ .kernel = k, .kernel_len = klen, .initrd = i, .initrd_len = ilen };
}

START_TEST(synthetic_header)
{
	static uint8_t b[BZ_LEN];
	struct bzimage bz;
	char err[256] = "";

	make_bz(b);
	ck_assert(bzimage_probe(b, sizeof(b)));
	ck_assert_msg(bzimage_parse(b, sizeof(b), &bz, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(bz.version, 0x020f);
	ck_assert_uint_eq(bz.hdr_len, 0x26c - 0x1f1);
	ck_assert_uint_eq(bz.kernel_offset, BZ_KERNEL_OFF);
	ck_assert_uint_eq(bz.kernel_size, BZ_KERNEL_LEN);
	ck_assert(bz.relocatable);
	ck_assert_uint_eq(bz.load_addr, BZ_PREF);
	ck_assert_uint_eq(bz.run_addr, BZ_PREF);
	ck_assert_uint_eq(bz.init_size, BZ_INIT_SIZE);
	ck_assert_uint_eq(bz.initrd_max, 0x7fffffff);
	ck_assert_uint_eq(bz.cmdline_max, 2047);
	ck_assert_uint_eq(bzimage_start(&bz), BZ_PREF);
	ck_assert_uint_eq(bzimage_end(&bz), BZ_PREF + BZ_INIT_SIZE);

	/* setup_sects 0 means 4 (old loaders' convention). */
	hdr(b)->setup_sects = 0;
	ck_assert_msg(bzimage_parse(b, sizeof(b), &bz, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(bz.kernel_offset, 5 * 512);

	/* A relocatable kernel goes where it prefers, aligned up. */
	hdr(b)->pref_address = 17 * M;
	ck_assert(bzimage_parse(b, sizeof(b), &bz, err, sizeof(err)) == 0);
	ck_assert_uint_eq(bz.load_addr, 18 * M);
	/* A fixed one loads at 1 MiB and moves itself to pref_address. */
	hdr(b)->relocatable_kernel = 0;
	hdr(b)->pref_address = BZ_PREF;
	ck_assert(bzimage_parse(b, sizeof(b), &bz, err, sizeof(err)) == 0);
	ck_assert_uint_eq(bz.load_addr, 1 * M);
	ck_assert_uint_eq(bz.run_addr, BZ_PREF);
	ck_assert_uint_eq(bzimage_start(&bz), 1 * M);
	ck_assert_uint_eq(bzimage_end(&bz), BZ_PREF + BZ_INIT_SIZE);
}
END_TEST

/* The zero page, field by field, and what else the loader writes. */
START_TEST(synthetic_boot)
{
	static uint8_t b[BZ_LEN];
	static uint8_t initrd[3 * 4096 + 100];
	struct guest_mem m;
	uint64_t sz = 64 * M;
	struct e820_table map;
	struct boot_plan p;
	struct boot_files f;
	const char *cl = "console=ttyS0 ebb.init=\"echo hi\"";
	struct boot_data bd = { .map = &map, .cmdline = cl, .rsdp_addr = 0xe0000 };
	const struct boot_params *bp;
	const uint64_t *pml4, *pdpt, *pd, *gdt;
	char err[256] = "";

	make_bz(b);
	/* Loader-owned fields an image may not pre-set. */
	hdr(b)->setup_data = 0x123000;
	hdr(b)->hardware_subarch = X86_SUBARCH_XEN;
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ 0x5a);
	mem_for(&m, 1, &sz);
	e820_from_layout(&map, &m.layout);
	f = files_of(b, sizeof(b), initrd, sizeof(initrd));
	ck_assert_msg(boot_plan(&p, &f, &map, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(p.format, BOOT_BZIMAGE);
	ck_assert_uint_eq(p.entry, BZ_PREF + 0x200);
	ck_assert_uint_eq(p.entry_arg, EBB_BOOT_PARAMS_ADDR);
	ck_assert_uint_eq(p.kernel_start, BZ_PREF);
	ck_assert_uint_eq(p.kernel_end, BZ_PREF + BZ_INIT_SIZE);
	/* The initrd: page aligned, as high as RAM goes, clear of the kernel. */
	ck_assert_uint_eq(p.initrd_addr % 4096, 0);
	ck_assert_uint_eq(p.initrd_size, sizeof(initrd));
	ck_assert_uint_le(p.initrd_addr + p.initrd_size, sz);
	ck_assert_uint_gt(p.initrd_addr + p.initrd_size, sz - 4096);
	ck_assert(p.initrd_addr >= p.kernel_end || p.initrd_addr + p.initrd_size <= p.kernel_start);
	ck_assert_msg(boot_load(&p, &f, &m, &bd, err, sizeof(err)) == 0, "%s", err);

	/* The kernel at its load address, the initrd at its place. */
	ck_assert_int_eq(memcmp(guest_mem_ptr(&m, BZ_PREF, BZ_KERNEL_LEN), b + BZ_KERNEL_OFF,
				BZ_KERNEL_LEN), 0);
	ck_assert_int_eq(memcmp(guest_mem_ptr(&m, p.initrd_addr, sizeof(initrd)), initrd,
				sizeof(initrd)), 0);

	bp = guest_mem_ptr(&m, EBB_BOOT_PARAMS_ADDR, sizeof(*bp));
	ck_assert_ptr_nonnull(bp);
	ck_assert_uint_eq(bp->hdr.header, 0x53726448);
	ck_assert_uint_eq(bp->hdr.version, 0x020f);
	ck_assert_uint_eq(bp->hdr.boot_flag, 0xaa55);
	ck_assert_uint_eq(bp->hdr.type_of_loader, 0xff);
	ck_assert_uint_eq(bp->hdr.loadflags & LOADED_HIGH, LOADED_HIGH);
	ck_assert_uint_eq(bp->hdr.init_size, BZ_INIT_SIZE);
	ck_assert_uint_eq(bp->hdr.code32_start, BZ_PREF);
	ck_assert_uint_eq(bp->hdr.cmd_line_ptr, EBB_CMDLINE_ADDR);
	ck_assert_uint_eq(bp->ext_cmd_line_ptr, 0);
	ck_assert_str_eq(guest_mem_ptr(&m, bp->hdr.cmd_line_ptr, strlen(cl) + 1), cl);
	ck_assert_uint_eq(bp->hdr.ramdisk_image, p.initrd_addr);
	ck_assert_uint_eq(bp->hdr.ramdisk_size, sizeof(initrd));
	ck_assert_uint_eq(bp->ext_ramdisk_image, 0);
	ck_assert_uint_eq(bp->ext_ramdisk_size, 0);
	ck_assert_uint_eq(bp->acpi_rsdp_addr, 0xe0000);
	ck_assert_uint_eq(bp->sentinel, 0);
	ck_assert_uint_eq(bp->hdr.setup_data, 0);
	ck_assert_uint_eq(bp->hdr.hardware_subarch, X86_SUBARCH_PC);
	/* e820: the layout's one range. */
	ck_assert_uint_eq(bp->e820_entries, 1);
	ck_assert_uint_eq(bp->e820_table[0].addr, 0);
	ck_assert_uint_eq(bp->e820_table[0].size, 64 * M);
	ck_assert_uint_eq(bp->e820_table[0].type, E820_RAM);

	/* 4 GiB identity-mapped with 2 MiB pages; the GDT's __BOOT_CS is 64-bit code. */
	pml4 = guest_mem_ptr(&m, EBB_PGTABLE_ADDR, 4096);
	pdpt = guest_mem_ptr(&m, pml4[0] & ~0xfffULL, 4096);
	ck_assert_uint_eq(pml4[0] & 3, 3);
	ck_assert_uint_eq(pml4[1], 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(pdpt[i] & 3, 3);
		pd = guest_mem_ptr(&m, pdpt[i] & ~0xfffULL, 4096);
		ck_assert_ptr_nonnull(pd);
		ck_assert_uint_eq(pd[0], ((uint64_t)i << 30) | 0x83);
		ck_assert_uint_eq(pd[511], ((uint64_t)i << 30) + (511ULL << 21) + 0x83);
	}
	ck_assert_uint_eq(pdpt[4], 0);
	ck_assert_uint_ge(EBB_PGTABLE_ADDR, EBB_BOOT_PARAMS_ADDR + 4096);
	ck_assert_uint_le(EBB_PGTABLE_ADDR + EBB_PGTABLE_SIZE, EBB_CMDLINE_ADDR);
	gdt = guest_mem_ptr(&m, EBB_GDT_ADDR, LONGMODE_GDT_ENTRIES * 8);
	ck_assert_uint_eq(gdt[0], 0);
	ck_assert_uint_eq(gdt[LONGMODE_CS / 8], 0x00af9b000000ffffULL);	/* L=1, exec/read */
	ck_assert_uint_eq(gdt[LONGMODE_DS / 8], 0x00cf93000000ffffULL);	/* flat read/write */
	guest_mem_destroy(&m);
}
END_TEST

/* The zero page's e820 is the layout's RAM, with what others carved out of it. */
START_TEST(e820_in_zero_page)
{
	static uint8_t b[BZ_LEN];
	struct guest_mem m;
	uint64_t sizes[2] = { 2 * G, 2 * G };
	struct e820_table map;
	struct boot_plan p;
	struct boot_files f;
	struct boot_data bd = { .map = &map, .cmdline = "console=ttyS0" };
	const struct boot_params *bp;
	char err[256] = "";

	make_bz(b);
	mem_for(&m, 2, sizes);
	e820_from_layout(&map, &m.layout);
	ck_assert(e820_set(&map, 0xe0000, 0x20000, E820_ACPI, err, sizeof(err)) == 0);
	f = files_of(b, sizeof(b), NULL, 0);
	ck_assert_msg(boot_plan(&p, &f, &map, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(boot_load(&p, &f, &m, &bd, err, sizeof(err)) == 0, "%s", err);
	bp = guest_mem_ptr(&m, EBB_BOOT_PARAMS_ADDR, sizeof(*bp));
	ck_assert_uint_eq(bp->e820_entries, map.nr);
	ck_assert_uint_eq(map.nr, 4);
	for (unsigned int i = 0; i < map.nr; i++) {
		ck_assert_uint_eq(bp->e820_table[i].addr, map.e[i].addr);
		ck_assert_uint_eq(bp->e820_table[i].size, map.e[i].size);
		ck_assert_uint_eq(bp->e820_table[i].type, map.e[i].type);
	}
	/* RAM 0-896K, ACPI 896K-1M, RAM 1M-3G, RAM 4G-5G: node boundaries merged. */
	ck_assert_uint_eq(bp->e820_table[0].size, 0xe0000);
	ck_assert_uint_eq(bp->e820_table[1].type, E820_ACPI);
	ck_assert_uint_eq(bp->e820_table[2].addr, 1 * M);
	ck_assert_uint_eq(bp->e820_table[2].addr + bp->e820_table[2].size, 3 * G);
	ck_assert_uint_eq(bp->e820_table[3].addr, 4 * G);
	ck_assert_uint_eq(bp->e820_table[3].size, 1 * G);
	ck_assert_uint_eq(bp->hdr.ramdisk_image, 0);
	ck_assert_uint_eq(bp->hdr.ramdisk_size, 0);
	ck_assert_uint_eq(bp->acpi_rsdp_addr, 0);
	guest_mem_destroy(&m);
}
END_TEST

struct hostile {
	const char *what;
	void (*mutate)(uint8_t *b, size_t *len);
	const char *msg;	/* part of the expected message */
};

static void truncated_hdr(uint8_t *b, size_t *len) { (void)b; *len = 0x220; }
static void too_short(uint8_t *b, size_t *len) { (void)b; *len = 0x203; }
static void wrong_magic(uint8_t *b, size_t *len) { (void)len; hdr(b)->header = 0x58726448; }
static void wrong_boot_flag(uint8_t *b, size_t *len) { (void)len; hdr(b)->boot_flag = 0x1234; }
static void setup_past_end(uint8_t *b, size_t *len) { (void)len; hdr(b)->setup_sects = 200; }
static void syssize_past_end(uint8_t *b, size_t *len) { (void)len; hdr(b)->syssize = BZ_KERNEL_LEN; }
static void proto_2_10(uint8_t *b, size_t *len) { (void)len; hdr(b)->version = 0x020a; }
static void proto_2_00(uint8_t *b, size_t *len) { (void)len; hdr(b)->version = 0x0200; }
static void no_64bit(uint8_t *b, size_t *len) { (void)len; hdr(b)->xloadflags = 0; }
static void zimage(uint8_t *b, size_t *len) { (void)len; hdr(b)->loadflags = 0; }
static void hdr_past_zero_page(uint8_t *b, size_t *len) { (void)len; b[0x201] = 0xff; }
static void hdr_before_init_size(uint8_t *b, size_t *len) { (void)len; b[0x201] = 0x40; }
static void align_odd(uint8_t *b, size_t *len) { (void)len; hdr(b)->kernel_alignment = 0x3000; }
static void align_zero(uint8_t *b, size_t *len) { (void)len; hdr(b)->kernel_alignment = 0; }
static void pref_huge(uint8_t *b, size_t *len) { (void)len; hdr(b)->pref_address = ~0ULL - 4096; }
static void fixed_low(uint8_t *b, size_t *len)
{
	(void)len;
	hdr(b)->relocatable_kernel = 0;
	hdr(b)->pref_address = 0x8000;
}
static void init_size_huge(uint8_t *b, size_t *len) { (void)len; hdr(b)->init_size = 0xffffffff; }
static void tiny_kernel(uint8_t *b, size_t *len)
{
	*len = BZ_KERNEL_OFF + 0x100;
	hdr(b)->syssize = 0x10;
}

static const struct hostile hostile[] = {
	{ "truncated setup header", truncated_hdr, "truncated bzImage: its setup header ends at 0x26c" },
	{ "too short for the signature", too_short, "not an ELF with a PVH note nor a bzImage" },
	{ "wrong magic", wrong_magic, "not an ELF with a PVH note nor a bzImage" },
	{ "wrong boot_flag", wrong_boot_flag, "boot_flag 0x1234" },
	{ "setup_sects past the end", setup_past_end, "past the end of the file" },
	{ "syssize past the end", syssize_past_end, "truncated bzImage: the header says" },
	{ "protocol 2.10", proto_2_10, "protocol 2.10 is too old" },
	{ "protocol 2.00", proto_2_00, "protocol 2.00 is too old" },
	{ "no XLF_KERNEL_64", no_64bit, "XLF_KERNEL_64" },
	{ "a zImage", zimage, "LOADED_HIGH" },
	{ "header past 0x290", hdr_past_zero_page, "past the zero page" },
	{ "header before init_size", hdr_before_init_size, "before init_size" },
	{ "kernel_alignment 0x3000", align_odd, "kernel_alignment 0x3000" },
	{ "kernel_alignment 0", align_zero, "kernel_alignment 0x0" },
	{ "pref_address near 2^64", pref_huge, "above 4 GiB" },
	{ "fixed kernel below 1 MiB", fixed_low, "runs at 0x8000" },
	{ "init_size 4 GiB", init_size_huge, "beyond the 4 GiB" },
	{ "kernel smaller than its entry", tiny_kernel, "cannot hold its 64-bit entry" },
};

START_TEST(hostile_images)
{
	static uint8_t b[BZ_LEN];
	const struct hostile *h = &hostile[_i];
	struct e820_table map = { .nr = 1, .e = { { 0, 512 * M, E820_RAM } } };
	struct boot_plan p;
	struct boot_files f;
	size_t len = BZ_LEN;
	uint8_t *copy;
	char err[256] = "";

	make_bz(b);
	h->mutate(b, &len);
	/* Exactly len bytes, so ASan sees any read past the end. */
	copy = malloc(len);
	memcpy(copy, b, len);
	f = files_of(copy, len, NULL, 0);
	ck_assert_msg(boot_plan(&p, &f, &map, err, sizeof(err)) == -1, "%s: accepted", h->what);
	ck_assert_msg(strstr(err, h->msg), "%s: \"%s\" lacks \"%s\"", h->what, err, h->msg);
	free(copy);
}
END_TEST

/* Every prefix of a good image is refused, and never read past. */
START_TEST(every_prefix)
{
	static uint8_t b[BZ_LEN];
	struct bzimage bz;
	char err[256];

	make_bz(b);
	for (size_t len = 0; len <= BZ_KERNEL_OFF + 0x200; len++) {
		uint8_t *copy = malloc(len ? len : 1);

		memcpy(copy, b, len);
		ck_assert_msg(bzimage_parse(copy, len, &bz, err, sizeof(err)) == -1,
			      "a %zu-byte prefix was accepted", len);
		free(copy);
	}
	ck_assert(!bzimage_probe(NULL, 0));
}
END_TEST

/* Kernels and initrds that do not fit say how much RAM they need. */
START_TEST(does_not_fit)
{
	static uint8_t b[BZ_LEN];
	static uint8_t big[8 * M];
	struct e820_table map = { .nr = 1, .e = { { 0, 16 * M, E820_RAM } } };
	struct boot_plan p;
	struct boot_files f;
	char err[256] = "";

	make_bz(b);
	/* The kernel runs at 16 MiB and needs 4 MiB there. */
	f = files_of(b, sizeof(b), NULL, 0);
	ck_assert_int_eq(boot_plan(&p, &f, &map, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "the kernel does not fit") && strstr(err, "--mem 20M or more"),
		      "%s", err);

	/* An initrd larger than RAM. */
	map.e[0].size = 24 * M;
	f = files_of(b, sizeof(b), big, sizeof(big));
	hdr(b)->pref_address = 2 * M;
	ck_assert_msg(boot_plan(&p, &f, &map, err, sizeof(err)) == 0, "%s", err);
	map.e[0].size = 8 * M;
	ck_assert_int_eq(boot_plan(&p, &f, &map, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "the initrd (8 MiB) does not fit") && strstr(err, "--mem 14M or more"),
		      "%s", err);

	/* Above initrd_addr_max: nowhere to go whatever the RAM. */
	map.e[0].size = 512 * M;
	hdr(b)->initrd_addr_max = 4 * M - 1;
	ck_assert_int_eq(boot_plan(&p, &f, &map, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "larger than the 3 MiB") && strstr(err, "initrd_addr_max"), "%s", err);
}
END_TEST

/* The initrd goes around the kernel, inside RAM, off carved-out regions. */
START_TEST(initrd_placement)
{
	static uint8_t b[BZ_LEN];
	static uint8_t rd[6 * M];
	struct e820_table map = { .nr = 1, .e = { { 0, 24 * M, E820_RAM } } };
	struct boot_plan p;
	struct boot_files f;
	char err[256] = "";

	make_bz(b);
	/* Kernel [16M, 20M): 4 MiB above it is too little for 6, so below it. */
	f = files_of(b, sizeof(b), rd, sizeof(rd));
	ck_assert_msg(boot_plan(&p, &f, &map, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(p.initrd_addr, 10 * M);
	/* 4 MiB exactly fits above, ending at RAM's end. */
	f.initrd_len = 4 * M;
	ck_assert(boot_plan(&p, &f, &map, err, sizeof(err)) == 0);
	ck_assert_uint_eq(p.initrd_addr, 20 * M);
	/* Not over a region someone reserved at the top. */
	ck_assert(e820_set(&map, 23 * M, 1 * M, E820_RESERVED, err, sizeof(err)) == 0);
	ck_assert(boot_plan(&p, &f, &map, err, sizeof(err)) == 0);
	ck_assert_uint_eq(p.initrd_addr, 12 * M);
	/* Not below 1 MiB (boot data), not over the kernel: 15 MiB + 4 KiB fits nowhere. */
	f.initrd_len = 15 * M + 4096;
	ck_assert_int_eq(boot_plan(&p, &f, &map, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "does not fit"), "%s", err);
	/* An odd size still starts on a page. */
	f.initrd_len = 5 * M + 1;
	ck_assert(boot_plan(&p, &f, &map, err, sizeof(err)) == 0);
	ck_assert_uint_eq(p.initrd_addr % 4096, 0);
	ck_assert_uint_le(p.initrd_addr + f.initrd_len, 16 * M);
}
END_TEST

START_TEST(cmdline_limit)
{
	static uint8_t b[BZ_LEN];
	static char cl[3000];
	struct guest_mem m;
	uint64_t sz = 32 * M;
	struct e820_table map;
	struct boot_plan p;
	struct boot_files f;
	struct boot_data bd = { .map = &map, .cmdline = cl };
	char err[256] = "";

	make_bz(b);
	mem_for(&m, 1, &sz);
	e820_from_layout(&map, &m.layout);
	f = files_of(b, sizeof(b), NULL, 0);
	ck_assert(boot_plan(&p, &f, &map, err, sizeof(err)) == 0);
	memset(cl, 'x', 2047);
	ck_assert_msg(boot_load(&p, &f, &m, &bd, err, sizeof(err)) == 0, "%s", err);
	cl[2047] = 'y';
	ck_assert_int_eq(boot_load(&p, &f, &m, &bd, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "2048 bytes; this kernel takes at most 2047"), "%s", err);
	guest_mem_destroy(&m);
}
END_TEST

START_TEST(neither_format)
{
	static uint8_t junk[4096];
	struct e820_table map = { .nr = 1, .e = { { 0, 64 * M, E820_RAM } } };
	struct boot_plan p;
	struct boot_files f = files_of(junk, sizeof(junk), NULL, 0);
	char err[256] = "";

	memcpy(junk, "MZ", 2);		/* a PE header, as a bzImage's EFI stub has */
	ck_assert_int_eq(boot_plan(&p, &f, &map, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not an ELF with a PVH note nor a bzImage"), "%s", err);
}
END_TEST

/* The cached Debian kernel, if any: see find_real_vmlinuz(). */
static char real_path[4096];

static const char *find_real_vmlinuz(void)
{
	const char *env = getenv("EBB_TEST_VMLINUZ");
	const char *root = getenv("EBB_CACHE_DIR");
	const char *pat[] = { "%s/nested/kernel/*/vmlinuz", "%s/linux/*/vmlinuz" };
	char base[2048], glob_pat[2100];
	glob_t g;

	if (env && *env) {
		snprintf(real_path, sizeof(real_path), "%s", env);
		return access(real_path, R_OK) ? NULL : real_path;
	}
	if (root && *root)
		snprintf(base, sizeof(base), "%s", root);
	else
		snprintf(base, sizeof(base), "%s/.cache/ebb", getenv("HOME") ? getenv("HOME") : "/tmp");
	for (size_t i = 0; i < sizeof(pat) / sizeof(pat[0]); i++) {
		snprintf(glob_pat, sizeof(glob_pat), pat[i], base);
		if (glob(glob_pat, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			snprintf(real_path, sizeof(real_path), "%s", g.gl_pathv[0]);
			globfree(&g);
			return real_path;
		}
		globfree(&g);
	}
	return NULL;
}

/* The real bzImage: header as the distribution built it, loaded into 512 MiB. */
START_TEST(real_debian_vmlinuz)
{
	struct stat st;
	int fd = open(real_path, O_RDONLY);
	const uint8_t *img;
	static uint8_t initrd[64 * 1024];
	struct guest_mem m;
	uint64_t sz = 512 * M;
	struct e820_table map;
	struct boot_plan p;
	struct boot_files f;
	struct boot_data bd = { .map = &map, .cmdline = "console=ttyS0 quiet" };
	const struct boot_params *bp;
	char err[256] = "";

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	ck_assert(img != MAP_FAILED);
	close(fd);

	mem_for(&m, 1, &sz);
	e820_from_layout(&map, &m.layout);
	f = files_of(img, (size_t)st.st_size, initrd, sizeof(initrd));
	ck_assert_msg(boot_plan(&p, &f, &map, err, sizeof(err)) == 0, "%s: %s", real_path, err);
	ck_assert_int_eq(p.format, BOOT_BZIMAGE);
	ck_assert_uint_ge(p.bz.version, 0x020c);
	ck_assert(p.bz.relocatable);
	ck_assert_uint_eq(p.bz.load_addr % 0x200000, 0);
	ck_assert_uint_ge(p.bz.load_addr, 1 * M);
	ck_assert_uint_ge(p.bz.init_size, p.bz.kernel_size);
	ck_assert_uint_eq(p.entry, p.bz.load_addr + 0x200);
	ck_assert(p.initrd_addr >= p.kernel_end);
	ck_assert_uint_le(p.initrd_addr + p.initrd_size, sz);
	ck_assert_msg(boot_load(&p, &f, &m, &bd, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(memcmp(guest_mem_ptr(&m, p.bz.load_addr, p.bz.kernel_size),
				img + p.bz.kernel_offset, p.bz.kernel_size), 0);
	bp = guest_mem_ptr(&m, EBB_BOOT_PARAMS_ADDR, sizeof(*bp));
	/* The header as in the file, but for what a loader fills in. */
	ck_assert_uint_eq(bp->hdr.version, p.bz.version);
	ck_assert_uint_eq(bp->hdr.init_size, ((const struct setup_header *)(img + 0x1f1))->init_size);
	ck_assert_uint_eq(bp->hdr.type_of_loader, 0xff);
	ck_assert_uint_eq(bp->hdr.ramdisk_image, p.initrd_addr);
	ck_assert_uint_eq(bp->hdr.ramdisk_size, sizeof(initrd));
	ck_assert_uint_eq(bp->e820_entries, 1);
	ck_assert_uint_eq(bp->e820_table[0].size, sz);
	/* 16 MiB of RAM is too little for it: the message says how much. */
	guest_mem_destroy(&m);
	map.e[0].size = 16 * M;
	ck_assert_int_eq(boot_plan(&p, &f, &map, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "the kernel does not fit") && strstr(err, "or more"), "%s", err);
	munmap((void *)img, (size_t)st.st_size);
}
END_TEST

/* In its place when no Debian kernel is cached here: nothing to check. */
START_TEST(no_cached_vmlinuz_synthetic_images_only)
{
}
END_TEST

static Suite *vmm_bzimage_suite(void)
{
	Suite *s = suite_create("vmm_bzimage");
	TCase *tc = tcase_create("synthetic");
	TCase *real = tcase_create("real");

	tcase_add_test(tc, synthetic_header);
	tcase_add_test(tc, synthetic_boot);
	tcase_add_test(tc, e820_in_zero_page);
	tcase_add_loop_test(tc, hostile_images, 0, sizeof(hostile) / sizeof(hostile[0]));
	tcase_add_test(tc, every_prefix);
	tcase_add_test(tc, does_not_fit);
	tcase_add_test(tc, initrd_placement);
	tcase_add_test(tc, cmdline_limit);
	tcase_add_test(tc, neither_format);
	suite_add_tcase(s, tc);
	if (find_real_vmlinuz()) {
		printf("vmm_bzimage: real image %s\n", real_path);
		tcase_add_test(real, real_debian_vmlinuz);
	} else {
		printf("vmm_bzimage: no cached Debian vmlinuz (~/.cache/ebb/nested or linux): "
		       "synthetic images only\n");
		tcase_add_test(real, no_cached_vmlinuz_synthetic_images_only);
	}
	suite_add_tcase(s, real);
	return s;
}

UNIT_SUITE(vmm_bzimage_suite)
