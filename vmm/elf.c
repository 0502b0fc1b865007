// SPDX-License-Identifier: MIT
/*
 * The PVH ELF loader.  The image may be hostile: every offset and size is
 * checked against the buffer, with overflow-safe arithmetic, before use.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <vmm/elf.h>
#include <vmm/layout.h>
#include <vmm/memory.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* [off, off+size) lies inside a buffer of @len bytes. */
static int in_buf(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~3ULL;
}

/*
 * Read one PT_NOTE segment: the PVH entry (the first one found counts),
 * and whether a XEN_ELFNOTE_GUEST_OS note names Linux.  0, or -1 bad.
 */
static int scan_notes(const uint8_t *p, uint64_t size, struct elf_image *img, bool *found,
		      char *err, size_t errlen)
{
	uint64_t off = 0;

	while (size - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_off, desc_off, next;
		bool xen;

		memcpy(&nh, p + off, sizeof(nh));
		name_off = off + sizeof(nh);
		desc_off = name_off + align4(nh.n_namesz);
		next = desc_off + align4(nh.n_descsz);
		if (align4(nh.n_namesz) > size - name_off || desc_off > size ||
		    align4(nh.n_descsz) > size - desc_off)
			ERR("ELF note runs past its segment");
		xen = nh.n_namesz == 4 && !memcmp(p + name_off, "Xen", 4);
		if (xen && nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY && !*found) {
			uint64_t v = 0;

			if (nh.n_descsz != 4 && nh.n_descsz != 8)
				ERR("PVH entry note has a %u-byte value (want 4 or 8)", nh.n_descsz);
			memcpy(&v, p + desc_off, nh.n_descsz);
			if (v > UINT32_MAX)
				ERR("PVH entry 0x%" PRIx64 " is above 4 GiB", v);
			img->pvh_entry = (uint32_t)v;
			*found = true;
		}
		if (xen && nh.n_type == XEN_ELFNOTE_GUEST_OS && nh.n_descsz >= 5 &&
		    !memcmp(p + desc_off, "linux", 5))
			img->is_linux = true;
		off = next;
	}
	return 0;
}

int elf_parse(const void *buf, size_t len, struct elf_image *img, char *err,
	      size_t errlen)
{
	const uint8_t *p = buf;
	Elf64_Ehdr eh;
	bool found = false;

	memset(img, 0, sizeof(*img));
	img->lowest = UINT64_MAX;
	if (!buf || len < sizeof(eh))
		ERR("not an ELF file: %zu bytes is shorter than an ELF header", len);
	memcpy(&eh, p, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG))
		ERR("not an ELF file (bad magic)");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		ERR("not a 64-bit ELF (a PVH kernel is ELF64)");
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		ERR("not a little-endian ELF");
	if (eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_version != EV_CURRENT)
		ERR("unknown ELF version");
	if (eh.e_machine != EM_X86_64)
		ERR("not an x86-64 ELF (machine %u)", eh.e_machine);
	if (eh.e_type != ET_EXEC)
		ERR("not an executable ELF (type %u); the kernel must be linked at its physical address",
		    eh.e_type);
	if (eh.e_ehsize < sizeof(Elf64_Ehdr))
		ERR("ELF header size %u is too small", eh.e_ehsize);
	if (eh.e_phnum == 0)
		ERR("ELF has no program headers");
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		ERR("ELF program header size %u (want %zu)", eh.e_phentsize, sizeof(Elf64_Phdr));
	if (!in_buf(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), len))
		ERR("ELF program headers lie outside the file");
	img->e_entry = eh.e_entry;

	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, p + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD) {
			struct elf_load *ld;

			if (ph.p_memsz == 0)
				continue;
			if (img->nr_loads == ELF_MAX_LOADS)
				ERR("more than %d loadable segments", ELF_MAX_LOADS);
			if (!in_buf(ph.p_offset, ph.p_filesz, len))
				ERR("segment %u: file data [0x%" PRIx64 ", +0x%" PRIx64
				    ") lies outside the file", i, ph.p_offset, ph.p_filesz);
			if (ph.p_filesz > ph.p_memsz)
				ERR("segment %u: file size exceeds memory size", i);
			if (ph.p_paddr + ph.p_memsz < ph.p_paddr)
				ERR("segment %u: address range wraps around", i);
			if (ph.p_paddr < EBB_KERNEL_MIN_ADDR)
				ERR("segment %u at 0x%" PRIx64 " is below 1 MiB (boot data lives there)",
				    i, ph.p_paddr);
			for (unsigned int j = 0; j < img->nr_loads; j++) {
				const struct elf_load *o = &img->loads[j];

				if (ph.p_paddr < o->paddr + o->memsz && o->paddr < ph.p_paddr + ph.p_memsz)
					ERR("segment %u overlaps another", i);
			}
			ld = &img->loads[img->nr_loads++];
			ld->paddr = ph.p_paddr;
			ld->offset = ph.p_offset;
			ld->filesz = ph.p_filesz;
			ld->memsz = ph.p_memsz;
			if (ph.p_paddr < img->lowest)
				img->lowest = ph.p_paddr;
			if (ph.p_paddr + ph.p_memsz > img->highest)
				img->highest = ph.p_paddr + ph.p_memsz;
		} else if (ph.p_type == PT_NOTE) {
			if (!in_buf(ph.p_offset, ph.p_filesz, len))
				ERR("note segment %u lies outside the file", i);
			if (scan_notes(p + ph.p_offset, ph.p_filesz, img, &found, err, errlen))
				return -1;
		}
	}
	if (img->nr_loads == 0)
		ERR("ELF has no loadable segments");
	if (!found)
		ERR("no PVH entry point: the ELF has no XEN_ELFNOTE_PHYS32_ENTRY note "
		    "(is this a PVH kernel? Linux needs CONFIG_PVH=y)");
	for (unsigned int j = 0; j < img->nr_loads; j++) {
		const struct elf_load *ld = &img->loads[j];

		if (img->pvh_entry >= ld->paddr && img->pvh_entry < ld->paddr + ld->memsz)
			return 0;
	}
	ERR("PVH entry 0x%x is not inside any loaded segment", img->pvh_entry);
}

int elf_load(const void *buf, size_t len, const struct elf_image *img,
	     struct guest_mem *m, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < img->nr_loads; i++) {
		const struct elf_load *ld = &img->loads[i];
		uint8_t *dst = guest_mem_ptr(m, ld->paddr, ld->memsz);

		if (!dst)
			ERR("the guest image needs [0x%" PRIx64 ", 0x%" PRIx64
			    "), which is not guest RAM (too little --mem for node 0?)",
			    ld->paddr, ld->paddr + ld->memsz);
		if (!in_buf(ld->offset, ld->filesz, len))
			ERR("segment %u lies outside the file", i);
		memcpy(dst, (const uint8_t *)buf + ld->offset, ld->filesz);
		memset(dst + ld->filesz, 0, ld->memsz - ld->filesz);
	}
	return 0;
}
