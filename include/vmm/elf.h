/* SPDX-License-Identifier: MIT */
/*
 * Loading a guest kernel: a 64-bit x86 ELF executable whose PT_NOTE holds
 * XEN_ELFNOTE_PHYS32_ENTRY, the 32-bit PVH entry point.  Everything in the
 * image is checked before anything is copied: header sizes, program
 * header bounds, segment offsets and sizes (overflow-safe), and that each
 * segment lands in guest RAM at or above 1 MiB.
 */
#ifndef EBB_VMM_ELF_H
#define EBB_VMM_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvh/start_info.h>

struct guest_mem;

#define ELF_MAX_LOADS			16

struct elf_load {
	uint64_t paddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
};

struct elf_image {
	uint32_t pvh_entry;		/* from the PVH note */
	uint64_t e_entry;		/* the ELF's own (64-bit) entry, informative */
	bool is_linux;			/* a Xen GUEST_OS note says "linux" (a vmlinux) */
	unsigned int nr_loads;
	struct elf_load loads[ELF_MAX_LOADS];
	uint64_t lowest, highest;	/* physical extent of the image [lo, hi) */
};

/* Check @buf and fill @img.  Returns 0, or -1 with a message in @err. */
int elf_parse(const void *buf, size_t len, struct elf_image *img, char *err,
	      size_t errlen);

/*
 * Copy the parsed image into guest memory (zeroing each segment's bss).
 * Returns 0, or -1 with a message when a segment is not inside guest RAM.
 */
int elf_load(const void *buf, size_t len, const struct elf_image *img,
	     struct guest_mem *m, char *err, size_t errlen);

#endif
