/* SPDX-License-Identifier: MIT */
/*
 * Loading a Linux bzImage by the x86 boot protocol
 * (Documentation/arch/x86/boot.rst), entered at its 64-bit entry point.
 *
 * The file: a real-mode setup of (setup_sects + 1) 512-byte sectors whose
 * second sector starts with the setup header (at 0x1f1: boot_flag 0xaa55,
 * "HdrS", the protocol version ...), then the protected-mode kernel.  ebb
 * runs no real-mode code: it copies the protected-mode kernel to its load
 * address, fills a zero page (struct boot_params, with the setup header
 * copied in), and starts the CPU in 64-bit mode at the load address +
 * 0x200 (startup_64), which needs protocol 2.12 with XLF_KERNEL_64.
 *
 * The file may be hostile: every field is checked before it is used.
 */
#ifndef EBB_VMM_BZIMAGE_H
#define EBB_VMM_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>

struct guest_mem;
struct boot_data;

#define BZIMAGE_HDR_OFFSET	0x1f1		/* struct setup_header in the file and the zero page */
#define BZIMAGE_MAGIC_OFFSET	0x202		/* "HdrS" */
#define BZIMAGE_MAGIC		0x53726448	/* "HdrS", little endian */
#define BZIMAGE_BOOT_FLAG	0xaa55
#define BZIMAGE_MIN_VERSION	0x020c		/* 2.12: xloadflags, XLF_KERNEL_64 */
#define BZIMAGE_ENTRY64		0x200		/* startup_64, from the load address */
#define BZIMAGE_LOADER_TYPE	0xff		/* type_of_loader: "undefined" */
#define BZIMAGE_VID_NORMAL	0xffff		/* vid_mode: "normal" */

/* What the header says, checked. */
struct bzimage {
	uint16_t version;		/* protocol, 0x020f = 2.15 */
	uint32_t hdr_len;		/* bytes of setup header in the file, from 0x1f1 */
	uint8_t hdr[0x290 - BZIMAGE_HDR_OFFSET];	/* its bytes, for the zero page */
	uint64_t kernel_offset;		/* the protected-mode kernel in the file */
	uint64_t kernel_size;
	bool relocatable;
	uint64_t load_addr;		/* where ebb puts it */
	uint64_t run_addr;		/* where it decompresses and runs */
	uint64_t init_size;		/* bytes it needs from run_addr before reading the map */
	uint64_t initrd_max;		/* the initrd's last byte may be at most here */
	uint32_t cmdline_max;		/* longest command line, NUL excluded */
};

/* Does @buf start like a bzImage (the "HdrS" signature)?  Decides the format. */
bool bzimage_probe(const void *buf, size_t len);

/*
 * Check the setup header of @buf and fill @bz: magic, version (>= 2.12),
 * XLF_KERNEL_64, a bzImage (LOADED_HIGH), setup_sects and syssize inside
 * the file, alignment and addresses sane.  Returns 0, or -1 with a message.
 */
int bzimage_parse(const void *buf, size_t len, struct bzimage *bz, char *err,
		  size_t errlen);

/* The guest physical range [start, end) the kernel loads and runs in. */
uint64_t bzimage_start(const struct bzimage *bz);
uint64_t bzimage_end(const struct bzimage *bz);

/*
 * Copy the protected-mode kernel to bz->load_addr and write the zero page
 * (EBB_BOOT_PARAMS_ADDR) and the command line (EBB_CMDLINE_ADDR) for @bd.
 * Returns 0, or -1 with a message.
 */
int bzimage_load(const void *buf, size_t len, const struct bzimage *bz,
		 struct guest_mem *m, const struct boot_data *bd, char *err, size_t errlen);

#endif
