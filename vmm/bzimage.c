// SPDX-License-Identifier: MIT
/*
 * The bzImage loader (the x86 boot protocol, 64-bit entry).  The image
 * may be hostile: each header field is checked against the file and
 * against what ebb can map before anything is copied.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <vmm/boot.h>
#include <vmm/bzimage.h>
#include <vmm/e820.h>
#include <vmm/layout.h>
#include <vmm/memory.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

_Static_assert(sizeof(struct boot_params) == 4096, "the zero page is one page");
_Static_assert(offsetof(struct boot_params, hdr) == BZIMAGE_HDR_OFFSET,
	       "the setup header sits at 0x1f1 in the zero page");
_Static_assert(offsetof(struct boot_params, hdr) + sizeof(struct setup_header) <= 0x290,
	       "the setup header ends before edd_mbr_sig_buffer");

/* Where the header ends is a jump instruction's target: 0x202 + the byte at 0x201. */
#define BZIMAGE_JUMP_OFFSET	0x201
/* Protocol 2.12's header ends after init_size (and handover_offset). */
#define BZIMAGE_MIN_HDR_END	(BZIMAGE_HDR_OFFSET + offsetof(struct setup_header, init_size) + 4)
/* initrd_addr_max of kernels that leave it 0 (boot.rst). */
#define BZIMAGE_INITRD_MAX_DEFAULT	0x37ffffffULL
/* The 64-bit entry runs with the identity map of the first 4 GiB (vmm/longmode.c). */
#define BZIMAGE_MAPPED_END	(4ULL << 30)

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

bool bzimage_probe(const void *buf, size_t len)
{
	uint32_t magic;

	if (!buf || len < BZIMAGE_MAGIC_OFFSET + sizeof(magic))
		return false;
	memcpy(&magic, (const uint8_t *)buf + BZIMAGE_MAGIC_OFFSET, sizeof(magic));
	return magic == BZIMAGE_MAGIC;
}

/* Where the kernel goes and runs (boot.rst, on pref_address and init_size). */
static int place(struct bzimage *bz, const struct setup_header *h, char *err, size_t errlen)
{
	uint64_t align = h->kernel_alignment;

	if (bz->relocatable) {
		/* Anywhere kernel_alignment-aligned; best where it prefers to run. */
		if (align < 4096 || (align & (align - 1)) || align > (1ULL << 30))
			ERR("bzImage: kernel_alignment 0x%x is not a power of two from 4 KiB to 1 GiB",
			    h->kernel_alignment);
		if (h->pref_address > BZIMAGE_MAPPED_END)
			ERR("bzImage: pref_address 0x%" PRIx64 " is above 4 GiB", (uint64_t)h->pref_address);
		bz->load_addr = max64(h->pref_address, EBB_KERNEL_MIN_ADDR);
		bz->load_addr = (bz->load_addr + align - 1) & ~(align - 1);
		bz->run_addr = bz->load_addr;
	} else {
		/* Loaded at 1 MiB; it moves itself to pref_address to run. */
		bz->load_addr = EBB_KERNEL_MIN_ADDR;
		bz->run_addr = h->pref_address ? h->pref_address : EBB_KERNEL_MIN_ADDR;
		if (bz->run_addr < EBB_KERNEL_MIN_ADDR || bz->run_addr > BZIMAGE_MAPPED_END)
			ERR("bzImage: a non-relocatable kernel that runs at 0x%" PRIx64
			    " (ebb's boot data lives below 1 MiB, its page tables map 4 GiB)",
			    bz->run_addr);
	}
	bz->init_size = max64(h->init_size, bz->kernel_size);
	if (bzimage_end(bz) > BZIMAGE_MAPPED_END)
		ERR("bzImage: the kernel needs [0x%" PRIx64 ", 0x%" PRIx64 "), beyond the 4 GiB "
		    "ebb maps for its 64-bit entry", bzimage_start(bz), bzimage_end(bz));
	return 0;
}

int bzimage_parse(const void *buf, size_t len, struct bzimage *bz, char *err,
		  size_t errlen)
{
	const uint8_t *p = buf;
	struct setup_header h;
	uint64_t hdr_end, setup_sects;

	memset(bz, 0, sizeof(*bz));
	if (!bzimage_probe(buf, len))
		ERR("not a bzImage: no \"HdrS\" signature at 0x%x", BZIMAGE_MAGIC_OFFSET);
	hdr_end = BZIMAGE_MAGIC_OFFSET + (uint64_t)p[BZIMAGE_JUMP_OFFSET];
	if (hdr_end > len)
		ERR("truncated bzImage: its setup header ends at 0x%" PRIx64 ", the file has %zu bytes",
		    hdr_end, len);
	if (hdr_end > BZIMAGE_HDR_OFFSET + sizeof(bz->hdr))
		ERR("bzImage: its setup header runs to 0x%" PRIx64 ", past the zero page's 0x290",
		    hdr_end);
	bz->hdr_len = (uint32_t)(hdr_end - BZIMAGE_HDR_OFFSET);
	memcpy(bz->hdr, p + BZIMAGE_HDR_OFFSET, bz->hdr_len);
	memset(&h, 0, sizeof(h));
	memcpy(&h, bz->hdr, min64(bz->hdr_len, sizeof(h)));

	if (h.boot_flag != BZIMAGE_BOOT_FLAG)
		ERR("not a bzImage: boot_flag 0x%04x at 0x1fe (want 0xaa55)", h.boot_flag);
	bz->version = h.version;
	if (h.version < BZIMAGE_MIN_VERSION)
		ERR("bzImage: Linux boot protocol %u.%02u is too old: ebb enters at the 64-bit "
		    "entry point, which needs protocol 2.12 or later (Linux 3.8+)",
		    h.version >> 8, h.version & 0xff);
	if (hdr_end < BZIMAGE_MIN_HDR_END)
		ERR("bzImage: protocol %u.%02u, but its setup header ends at 0x%" PRIx64
		    ", before init_size", h.version >> 8, h.version & 0xff, hdr_end);
	if (!(h.xloadflags & XLF_KERNEL_64))
		ERR("bzImage: no 64-bit entry point (xloadflags 0x%x lacks XLF_KERNEL_64): "
		    "a 32-bit kernel?", h.xloadflags);
	if (!(h.loadflags & LOADED_HIGH))
		ERR("bzImage: a zImage (loadflags 0x%x without LOADED_HIGH); ebb boots bzImages",
		    h.loadflags);

	setup_sects = h.setup_sects ? h.setup_sects : 4;	/* 0 means 4, for old loaders */
	bz->kernel_offset = (setup_sects + 1) * 512;
	if (bz->kernel_offset >= len)
		ERR("bzImage: setup_sects %u puts the kernel at 0x%" PRIx64
		    ", past the end of the file (%zu bytes)", h.setup_sects, bz->kernel_offset, len);
	bz->kernel_size = len - bz->kernel_offset;
	if ((uint64_t)h.syssize * 16 > bz->kernel_size)
		ERR("truncated bzImage: the header says the kernel has %" PRIu64
		    " bytes, the file holds %" PRIu64 " after the setup", (uint64_t)h.syssize * 16,
		    bz->kernel_size);
	if (bz->kernel_size <= BZIMAGE_ENTRY64)
		ERR("bzImage: a %" PRIu64 "-byte kernel cannot hold its 64-bit entry at +0x%x",
		    bz->kernel_size, BZIMAGE_ENTRY64);

	bz->relocatable = h.relocatable_kernel != 0;
	if (place(bz, &h, err, errlen))
		return -1;
	bz->initrd_max = h.initrd_addr_max ? h.initrd_addr_max : BZIMAGE_INITRD_MAX_DEFAULT;
	bz->cmdline_max = h.cmdline_size;
	return 0;
}

uint64_t bzimage_start(const struct bzimage *bz)
{
	return min64(bz->load_addr, bz->run_addr);
}

uint64_t bzimage_end(const struct bzimage *bz)
{
	return max64(bz->load_addr + bz->kernel_size, bz->run_addr + bz->init_size);
}

int bzimage_load(const void *buf, size_t len, const struct bzimage *bz,
		 struct guest_mem *m, const struct boot_data *bd, char *err, size_t errlen)
{
	struct boot_params bp;
	const struct e820_table *map = bd->map;
	size_t clen = strlen(bd->cmdline);
	uint8_t *dst;
	void *p;

	if (bz->kernel_offset > len || bz->kernel_size > len - bz->kernel_offset)
		ERR("bzImage: the kernel lies outside the file");
	dst = guest_mem_ptr(m, bz->load_addr, bz->kernel_size);
	if (!dst)
		ERR("the kernel needs [0x%" PRIx64 ", 0x%" PRIx64 "), which is not guest RAM",
		    bz->load_addr, bz->load_addr + bz->kernel_size);
	memcpy(dst, (const uint8_t *)buf + bz->kernel_offset, bz->kernel_size);

	if (clen > bz->cmdline_max)
		ERR("the guest command line has %zu bytes; this kernel takes at most %u (cmdline_size)",
		    clen, bz->cmdline_max);
	if (clen + 1 > EBB_CMDLINE_MAX)
		ERR("the guest command line is longer than %llu bytes", EBB_CMDLINE_MAX - 1);
	p = guest_mem_ptr(m, EBB_CMDLINE_ADDR, clen + 1);
	if (!p)
		ERR("no guest RAM for the command line");
	memcpy(p, bd->cmdline, clen + 1);

	/* The zero page: all zero but the setup header and what a loader fills in. */
	memset(&bp, 0, sizeof(bp));
	memcpy((uint8_t *)&bp + BZIMAGE_HDR_OFFSET, bz->hdr, bz->hdr_len);
	bp.hdr.type_of_loader = BZIMAGE_LOADER_TYPE;
	bp.hdr.vid_mode = BZIMAGE_VID_NORMAL;
	bp.hdr.loadflags &= (uint8_t)~CAN_USE_HEAP;	/* no real-mode setup ran: no heap */
	bp.hdr.heap_end_ptr = 0;
	bp.hdr.setup_data = 0;				/* the loader's list: ebb passes none */
	bp.hdr.hardware_subarch = X86_SUBARCH_PC;	/* whatever the image says */
	bp.hdr.hardware_subarch_data = 0;
	bp.hdr.code32_start = (uint32_t)bz->load_addr;
	bp.hdr.cmd_line_ptr = (uint32_t)EBB_CMDLINE_ADDR;
	bp.ext_cmd_line_ptr = (uint32_t)(EBB_CMDLINE_ADDR >> 32);
	bp.hdr.ramdisk_image = (uint32_t)bd->initrd_addr;
	bp.hdr.ramdisk_size = (uint32_t)bd->initrd_size;
	bp.ext_ramdisk_image = (uint32_t)(bd->initrd_addr >> 32);
	bp.ext_ramdisk_size = (uint32_t)(bd->initrd_size >> 32);
	bp.acpi_rsdp_addr = bd->rsdp_addr;
	if (map->nr > E820_MAX_ENTRIES_ZEROPAGE)
		ERR("the memory map has %u entries; the zero page holds %d", map->nr,
		    E820_MAX_ENTRIES_ZEROPAGE);
	for (unsigned int i = 0; i < map->nr; i++) {
		bp.e820_table[i].addr = map->e[i].addr;
		bp.e820_table[i].size = map->e[i].size;
		bp.e820_table[i].type = map->e[i].type;
	}
	bp.e820_entries = (uint8_t)map->nr;

	p = guest_mem_ptr(m, EBB_BOOT_PARAMS_ADDR, sizeof(bp));
	if (!p)
		ERR("no guest RAM for the zero page");
	memcpy(p, &bp, sizeof(bp));
	return 0;
}
