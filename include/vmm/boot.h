/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel and its initrd, from files to guest RAM.  The format
 * is told by content, never by name: an ELF is a PVH kernel (ebb's own
 * guest, or a vmlinux with a PVH note; vmm/elf.c, vmm/pvh.c), a file with
 * "HdrS" at 0x202 a Linux bzImage (vmm/bzimage.c).
 *
 * boot_plan() decides where everything goes from the memory map alone, so
 * a bad image or one that does not fit fails before KVM is opened (and
 * the same on the QEMU backend); boot_load() copies the kernel and the
 * initrd and writes the boot data of the format; the boot CPU then
 * starts at plan.entry (vmm/cpu.c).
 */
#ifndef EBB_VMM_BOOT_H
#define EBB_VMM_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include <vmm/bzimage.h>
#include <vmm/elf.h>

struct e820_table;
struct guest_mem;

/* The files `ebb run` boots, mapped read-only (or the embedded guest). */
struct boot_files {
	const void *kernel;
	size_t kernel_len;
	const void *initrd;		/* NULL: no initrd */
	size_t initrd_len;
	void *kernel_map, *initrd_map;	/* what boot_files_close() unmaps */
};

/*
 * Map @kernel_path (NULL: use @builtin, the embedded guest) and
 * @initrd_path (NULL: none).  Returns 0, or -1 with a message naming the
 * option and the file.
 */
int boot_files_open(struct boot_files *f, const char *kernel_path, const char *initrd_path,
		    const void *builtin, size_t builtin_len, char *err, size_t errlen);
void boot_files_close(struct boot_files *f);

enum boot_format {
	BOOT_PVH,		/* 32-bit PVH entry, EBX = hvm_start_info */
	BOOT_BZIMAGE,		/* 64-bit Linux entry, RSI = the zero page */
};

/* What the loader hands the kernel besides itself (PVH start_info, the zero page). */
struct boot_data {
	const struct e820_table *map;	/* the memory map */
	const char *cmdline;
	uint64_t initrd_addr;		/* guest physical; initrd_size 0: none */
	uint64_t initrd_size;
	uint64_t rsdp_addr;		/* the ACPI RSDP, 0: none */
};

/* Where the kernel and initrd go, and how the boot CPU starts. */
struct boot_plan {
	enum boot_format format;
	struct elf_image elf;		/* BOOT_PVH */
	struct bzimage bz;		/* BOOT_BZIMAGE */
	uint64_t kernel_start;		/* guest physical [start, end) the kernel needs */
	uint64_t kernel_end;
	uint64_t initrd_addr;		/* page aligned; initrd_size 0: none */
	uint64_t initrd_size;
	uint64_t entry;			/* first instruction */
	uint64_t entry_arg;		/* EBX (PVH: start_info) or RSI (bzImage: zero page) */
};

/*
 * Tell the format, check the kernel, and place kernel and initrd in the
 * RAM of @map: the initrd as high as it may go below 4 GiB (and below a
 * bzImage's initrd_addr_max), page aligned, clear of the kernel and of
 * the boot data below 1 MiB; a PVH kernel's above the kernel.  Returns 0,
 * or -1 with a message (for what does not fit: how much RAM it needs).
 */
int boot_plan(struct boot_plan *p, const struct boot_files *f, const struct e820_table *map,
	      char *err, size_t errlen);

/*
 * Copy kernel and initrd into @m as @p says and write the boot data:
 * @bd's map, command line and RSDP (its initrd fields are taken from
 * @p).  Returns 0, or -1 with a message.
 */
int boot_load(const struct boot_plan *p, const struct boot_files *f, struct guest_mem *m,
	      const struct boot_data *bd, char *err, size_t errlen);

#endif
