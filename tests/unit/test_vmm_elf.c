// SPDX-License-Identifier: MIT
/*
 * The PVH ELF loader: good images, hostile headers, missing PVH notes; and
 * booting one with an initrd (vmm/boot.c).
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/boot.h>
#include <vmm/e820.h>
#include <vmm/elf.h>
#include <vmm/layout.h>
#include <vmm/memory.h>

#include "unit.h"

/* A small PVH image: ELF header, LOAD + NOTE program headers, code, note. */
#define IMG_PHOFF	sizeof(Elf64_Ehdr)
#define IMG_CODE	0x100
#define IMG_CODE_LEN	16
#define IMG_NOTE	0x180
#define IMG_LEN		0x200
#define IMG_PADDR	0x100000ULL

struct img {
	uint8_t b[IMG_LEN];
};

static Elf64_Ehdr *ehdr(struct img *im) { return (Elf64_Ehdr *)im->b; }
static Elf64_Phdr *phdr(struct img *im, int i) { return (Elf64_Phdr *)(im->b + IMG_PHOFF) + i; }

static void make_image(struct img *im, uint32_t desc_size)
{
	Elf64_Ehdr *e = ehdr(im);
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = desc_size, .n_type = XEN_ELFNOTE_PHYS32_ENTRY };
	uint64_t entry = IMG_PADDR + 4;

	memset(im, 0, sizeof(*im));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = IMG_PADDR;
	e->e_phoff = IMG_PHOFF;
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 2;

	*phdr(im, 0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = IMG_CODE, .p_vaddr = IMG_PADDR, .p_paddr = IMG_PADDR,
		.p_filesz = IMG_CODE_LEN, .p_memsz = 0x2000, .p_align = 0x1000 };
	*phdr(im, 1) = (Elf64_Phdr){ .p_type = PT_NOTE, .p_flags = PF_R,
		.p_offset = IMG_NOTE, .p_filesz = sizeof(nh) + 4 + ((desc_size + 3) & ~3u),
		.p_align = 4 };
	for (int i = 0; i < IMG_CODE_LEN; i++)
		im->b[IMG_CODE + i] = (uint8_t)(0xa0 + i);
	memcpy(im->b + IMG_NOTE, &nh, sizeof(nh));
	memcpy(im->b + IMG_NOTE + sizeof(nh), "Xen", 4);
	memcpy(im->b + IMG_NOTE + sizeof(nh) + 4, &entry, desc_size > 8 ? 8 : desc_size);
}

static int parse(struct img *im, size_t len, struct elf_image *out, char *err)
{
	return elf_parse(im->b, len, out, err, 256);
}

START_TEST(good_image)
{
	struct img im;
	struct elf_image ei;
	char err[256] = "";

	make_image(&im, 4);
	ck_assert_msg(parse(&im, sizeof(im.b), &ei, err) == 0, "%s", err);
	ck_assert_uint_eq(ei.pvh_entry, IMG_PADDR + 4);
	ck_assert_uint_eq(ei.nr_loads, 1);
	ck_assert_uint_eq(ei.loads[0].paddr, IMG_PADDR);
	ck_assert_uint_eq(ei.lowest, IMG_PADDR);
	ck_assert_uint_eq(ei.highest, IMG_PADDR + 0x2000);

	/* An 8-byte note value is accepted too. */
	make_image(&im, 8);
	ck_assert_msg(parse(&im, sizeof(im.b), &ei, err) == 0, "%s", err);
	ck_assert_uint_eq(ei.pvh_entry, IMG_PADDR + 4);
}
END_TEST

/*
 * A vmlinux says it is Linux in a Xen GUEST_OS note (the QEMU backend then
 * turns microvm's ACPI on); ebb's own guest has no such note.
 */
START_TEST(guest_os_note)
{
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = 6, .n_type = XEN_ELFNOTE_GUEST_OS };
	uint32_t off = IMG_NOTE + sizeof(Elf64_Nhdr) + 4 + 4;
	struct img im;
	struct elf_image ei;
	char err[256] = "";

	make_image(&im, 4);
	ck_assert_msg(parse(&im, sizeof(im.b), &ei, err) == 0, "%s", err);
	ck_assert(!ei.is_linux);

	/* A second note after the PVH entry: "Xen", GUEST_OS, "linux\0". */
	memcpy(im.b + off, &nh, sizeof(nh));
	memcpy(im.b + off + sizeof(nh), "Xen", 4);
	memcpy(im.b + off + sizeof(nh) + 4, "linux", 6);
	phdr(&im, 1)->p_filesz += sizeof(nh) + 4 + 8;
	ck_assert_msg(parse(&im, sizeof(im.b), &ei, err) == 0, "%s", err);
	ck_assert(ei.is_linux);
	ck_assert_uint_eq(ei.pvh_entry, IMG_PADDR + 4);

	/* Another OS's name is not Linux. */
	memcpy(im.b + off + sizeof(nh) + 4, "netbs", 6);
	ck_assert_msg(parse(&im, sizeof(im.b), &ei, err) == 0, "%s", err);
	ck_assert(!ei.is_linux);
}
END_TEST

START_TEST(load_into_memory)
{
	struct img im;
	struct elf_image ei;
	struct ebb_layout l;
	struct guest_mem m;
	uint64_t sz = 16ULL << 20;
	char err[256] = "";
	uint8_t *p;

	make_image(&im, 4);
	ck_assert(parse(&im, sizeof(im.b), &ei, err) == 0);
	ck_assert(layout_build(&l, 1, &sz, err, sizeof(err)) == 0);
	ck_assert_msg(guest_mem_create(&m, &l, NULL, err, sizeof(err)) == 0, "%s", err);
	p = guest_mem_ptr(&m, IMG_PADDR, 0x2000);
	ck_assert_ptr_nonnull(p);
	memset(p, 0x55, 0x2000);
	ck_assert_msg(elf_load(im.b, sizeof(im.b), &ei, &m, err, sizeof(err)) == 0, "%s", err);
	for (int i = 0; i < IMG_CODE_LEN; i++)
		ck_assert_uint_eq(p[i], 0xa0 + i);
	for (int i = IMG_CODE_LEN; i < 0x2000; i++)
		ck_assert_uint_eq(p[i], 0);	/* bss zeroed */
	guest_mem_destroy(&m);

	/* A segment beyond guest RAM is refused at load time. */
	phdr(&im, 0)->p_paddr = 15ULL << 20;
	phdr(&im, 0)->p_memsz = 2ULL << 20;
	*(uint32_t *)(im.b + IMG_NOTE + sizeof(Elf64_Nhdr) + 4) = 15u << 20;
	ck_assert_msg(parse(&im, sizeof(im.b), &ei, err) == 0, "%s", err);
	ck_assert(guest_mem_create(&m, &l, NULL, err, sizeof(err)) == 0);
	ck_assert(elf_load(im.b, sizeof(im.b), &ei, &m, err, sizeof(err)) == -1);
	ck_assert_ptr_nonnull(strstr(err, "not guest RAM"));
	guest_mem_destroy(&m);
}
END_TEST

/* Every prefix of a good image is refused without reading past it. */
START_TEST(truncated)
{
	struct img im;
	struct elf_image ei;
	char err[256];

	make_image(&im, 4);
	for (size_t len = 0; len < IMG_NOTE + sizeof(Elf64_Nhdr) + 8; len++) {
		/* A copy of exactly len bytes, so ASan sees any overread. */
		uint8_t *copy = malloc(len ? len : 1);

		memcpy(copy, im.b, len);
		ck_assert_msg(elf_parse(copy, len, &ei, err, sizeof(err)) == -1,
			      "a %zu-byte prefix was accepted", len);
		free(copy);
	}
	ck_assert_int_eq(elf_parse(NULL, 0, &ei, err, sizeof(err)), -1);
}
END_TEST

struct hostile {
	const char *what;
	void (*mutate)(struct img *im);
	const char *msg;	/* part of the expected message */
};

static void bad_magic(struct img *im) { ehdr(im)->e_ident[1] = 'X'; }
static void elf32(struct img *im) { ehdr(im)->e_ident[EI_CLASS] = ELFCLASS32; }
static void big_endian(struct img *im) { ehdr(im)->e_ident[EI_DATA] = ELFDATA2MSB; }
static void arm64(struct img *im) { ehdr(im)->e_machine = EM_AARCH64; }
static void dyn(struct img *im) { ehdr(im)->e_type = ET_DYN; }
static void no_phdrs(struct img *im) { ehdr(im)->e_phnum = 0; }
static void phentsize(struct img *im) { ehdr(im)->e_phentsize = 32; }
static void phoff_out(struct img *im) { ehdr(im)->e_phoff = IMG_LEN - 8; }
static void phoff_huge(struct img *im) { ehdr(im)->e_phoff = UINT64_MAX - 8; }
static void phnum_many(struct img *im) { ehdr(im)->e_phnum = 0xffff; }
static void off_out(struct img *im) { phdr(im, 0)->p_offset = IMG_LEN; }
static void off_wrap(struct img *im) { phdr(im, 0)->p_offset = UINT64_MAX - 4; }
static void filesz_out(struct img *im) { phdr(im, 0)->p_filesz = IMG_LEN; }
static void filesz_gt_memsz(struct img *im) { phdr(im, 0)->p_memsz = 4; }
static void paddr_wrap(struct img *im) { phdr(im, 0)->p_paddr = UINT64_MAX - 0x100; }
static void paddr_low(struct img *im) { phdr(im, 0)->p_paddr = 0x7000; }
static void no_note(struct img *im) { phdr(im, 1)->p_type = PT_NULL; }
static void wrong_note_type(struct img *im)
{
	((Elf64_Nhdr *)(im->b + IMG_NOTE))->n_type = 1;
}
static void wrong_note_name(struct img *im) { memcpy(im->b + IMG_NOTE + sizeof(Elf64_Nhdr), "Xyz", 4); }
static void note_desc_huge(struct img *im)
{
	((Elf64_Nhdr *)(im->b + IMG_NOTE))->n_descsz = 0xfffffff0u;
}
static void note_name_huge(struct img *im)
{
	((Elf64_Nhdr *)(im->b + IMG_NOTE))->n_namesz = 0xfffffffdu;
}
static void note_desc_odd(struct img *im) { ((Elf64_Nhdr *)(im->b + IMG_NOTE))->n_descsz = 2; }
static void note_seg_out(struct img *im) { phdr(im, 1)->p_filesz = 0x1000; }
static void entry_outside(struct img *im)
{
	*(uint32_t *)(im->b + IMG_NOTE + sizeof(Elf64_Nhdr) + 4) = 0x400000;
}
static void overlap(struct img *im)
{
	ehdr(im)->e_phnum = 3;
	*phdr(im, 2) = *phdr(im, 0);
	phdr(im, 2)->p_paddr += 0x1000;
}
static void no_load(struct img *im) { phdr(im, 0)->p_type = PT_NULL; }

static const struct hostile hostile[] = {
	{ "bad magic", bad_magic, "not an ELF" },
	{ "ELF32", elf32, "64-bit" },
	{ "big endian", big_endian, "little-endian" },
	{ "arm64", arm64, "x86-64" },
	{ "ET_DYN", dyn, "executable" },
	{ "no program headers", no_phdrs, "no program headers" },
	{ "phentsize", phentsize, "program header size" },
	{ "phoff past the end", phoff_out, "outside the file" },
	{ "phoff wraps", phoff_huge, "outside the file" },
	{ "65535 program headers", phnum_many, "outside the file" },
	{ "segment offset past the end", off_out, "outside the file" },
	{ "segment offset wraps", off_wrap, "outside the file" },
	{ "segment file size past the end", filesz_out, "outside the file" },
	{ "filesz > memsz", filesz_gt_memsz, "exceeds memory size" },
	{ "address wraps", paddr_wrap, "wraps" },
	{ "segment below 1 MiB", paddr_low, "below 1 MiB" },
	{ "no note segment", no_note, "no PVH entry" },
	{ "other note type", wrong_note_type, "no PVH entry" },
	{ "other note owner", wrong_note_name, "no PVH entry" },
	{ "note descsz huge", note_desc_huge, "past its segment" },
	{ "note namesz huge", note_name_huge, "past its segment" },
	{ "note value 2 bytes", note_desc_odd, "2-byte" },
	{ "note segment past the end", note_seg_out, "outside the file" },
	{ "entry outside the image", entry_outside, "not inside any loaded segment" },
	{ "overlapping segments", overlap, "overlaps" },
	{ "no loadable segment", no_load, "no loadable" },
};

START_TEST(hostile_headers)
{
	const struct hostile *h = &hostile[_i];
	struct img im;
	struct elf_image ei;
	char err[256] = "";

	make_image(&im, 4);
	h->mutate(&im);
	ck_assert_msg(parse(&im, sizeof(im.b), &ei, err) == -1, "%s: accepted", h->what);
	ck_assert_msg(strstr(err, h->msg), "%s: message \"%s\" lacks \"%s\"", h->what, err, h->msg);
}
END_TEST

/* A PVH kernel with an initrd: told apart by content, initrd above the kernel. */
START_TEST(boot_with_initrd)
{
	struct img im;
	static uint8_t initrd[2 * 4096 + 10];
	struct ebb_layout l;
	struct guest_mem m;
	uint64_t sz = 16ULL << 20;
	struct e820_table map;
	struct boot_plan p;
	struct boot_files f = { .kernel = im.b, .kernel_len = sizeof(im.b),
				.initrd = initrd, .initrd_len = sizeof(initrd) };
	struct boot_data bd = { .map = &map, .cmdline = "console=ttyS0" };
	const struct hvm_start_info *si;
	const struct hvm_modlist_entry *mod;
	char err[256] = "";

	make_image(&im, 4);
	memset(initrd, 0xc3, sizeof(initrd));
	ck_assert(layout_build(&l, 1, &sz, err, sizeof(err)) == 0);
	ck_assert_msg(guest_mem_create(&m, &l, NULL, err, sizeof(err)) == 0, "%s", err);
	e820_from_layout(&map, &l);
	ck_assert_msg(boot_plan(&p, &f, &map, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(p.format, BOOT_PVH);
	ck_assert_uint_eq(p.entry, IMG_PADDR + 4);
	ck_assert_uint_eq(p.entry_arg, EBB_START_INFO_ADDR);
	ck_assert_uint_eq(p.kernel_start, IMG_PADDR);
	ck_assert_uint_eq(p.kernel_end, IMG_PADDR + 0x2000);
	ck_assert_uint_eq(p.initrd_addr % 4096, 0);
	ck_assert_uint_ge(p.initrd_addr, p.kernel_end);
	ck_assert_uint_le(p.initrd_addr + sizeof(initrd), sz);
	ck_assert_uint_gt(p.initrd_addr + sizeof(initrd), sz - 4096);
	ck_assert_msg(boot_load(&p, &f, &m, &bd, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(memcmp(guest_mem_ptr(&m, p.initrd_addr, sizeof(initrd)), initrd,
				sizeof(initrd)), 0);
	ck_assert_uint_eq(*(uint8_t *)guest_mem_ptr(&m, IMG_PADDR, 1), 0xa0);
	si = guest_mem_ptr(&m, EBB_START_INFO_ADDR, sizeof(*si));
	ck_assert_uint_eq(si->nr_modules, 1);
	ck_assert_uint_eq(si->modlist_paddr, EBB_MODLIST_ADDR);
	mod = guest_mem_ptr(&m, si->modlist_paddr, sizeof(*mod));
	ck_assert_uint_eq(mod->paddr, p.initrd_addr);
	ck_assert_uint_eq(mod->size, sizeof(initrd));
	ck_assert_uint_eq(mod->cmdline_paddr, 0);
	guest_mem_destroy(&m);

	/* Not below the kernel, even where there is room: 15 MiB does not fit above it. */
	f.initrd_len = 15ULL << 20;
	ck_assert_int_eq(boot_plan(&p, &f, &map, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "the initrd (15 MiB) does not fit") && strstr(err, "--mem 18M or more"),
		      "%s", err);
	/* An ELF is judged as an ELF: its own errors, not "neither format". */
	phdr(&im, 1)->p_type = PT_NULL;
	f.initrd_len = 0;
	ck_assert_int_eq(boot_plan(&p, &f, &map, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "no PVH entry point"), "%s", err);
}
END_TEST

static Suite *vmm_elf_suite(void)
{
	Suite *s = suite_create("vmm_elf");
	TCase *tc = tcase_create("elf");

	tcase_add_test(tc, good_image);
	tcase_add_test(tc, guest_os_note);
	tcase_add_test(tc, load_into_memory);
	tcase_add_test(tc, truncated);
	tcase_add_loop_test(tc, hostile_headers, 0, (int)(sizeof(hostile) / sizeof(hostile[0])));
	tcase_add_test(tc, boot_with_initrd);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(vmm_elf_suite)
