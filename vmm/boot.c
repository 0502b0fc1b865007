// SPDX-License-Identifier: MIT
/*
 * Booting a kernel: its file and the initrd's, the format by content,
 * where each goes in guest RAM, and loading them with the boot data of
 * the format (see include/vmm/boot.h).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmm/boot.h>
#include <vmm/e820.h>
#include <vmm/layout.h>
#include <vmm/longmode.h>
#include <vmm/memory.h>
#include <vmm/pvh.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

#define PAGE_SIZE		4096ULL
#define BELOW_4G		(4ULL << 30)

/* Bytes to MiB, rounded up. */
static uint64_t mib(uint64_t bytes)
{
	return (bytes >> 20) + ((bytes & ((1u << 20) - 1)) != 0);
}

/* @v rounded up to a multiple of @a, a power of two. */
static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Map @path read-only into *@map; 0 or -1 with a message. */
static int map_file(const char *opt, const char *path, void **map, size_t *len, char *err,
		    size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		ERR("%s %s: %s", opt, path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		ERR("%s %s: not a non-empty regular file", opt, path);
	}
	*len = (size_t)st.st_size;
	*map = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (*map == MAP_FAILED) {
		*map = NULL;
		ERR("%s %s: %s", opt, path, strerror(errno));
	}
	return 0;
}

int boot_files_open(struct boot_files *f, const char *kernel_path, const char *initrd_path,
		    const void *builtin, size_t builtin_len, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	f->kernel = builtin;
	f->kernel_len = builtin_len;
	if (kernel_path) {
		if (map_file("--kernel", kernel_path, &f->kernel_map, &f->kernel_len, err, errlen))
			return -1;
		f->kernel = f->kernel_map;
	}
	if (initrd_path) {
		if (map_file("--initrd", initrd_path, &f->initrd_map, &f->initrd_len, err, errlen)) {
			boot_files_close(f);
			return -1;
		}
		f->initrd = f->initrd_map;
	}
	return 0;
}

void boot_files_close(struct boot_files *f)
{
	if (f->kernel_map)
		munmap(f->kernel_map, f->kernel_len);
	if (f->initrd_map)
		munmap(f->initrd_map, f->initrd_len);
	memset(f, 0, sizeof(*f));
}

/* Where the map's RAM from 1 MiB ends (0: none), for "needs N MiB" messages. */
static uint64_t low_ram_end(const struct e820_table *map)
{
	const struct e820_range *r = e820_ram_find(map, EBB_KERNEL_MIN_ADDR, 1);

	return r ? r->addr + r->size : 0;
}

/*
 * The highest page-aligned @size bytes of RAM inside [floor, limit) that
 * miss the kernel [kstart, kend).  0 and *@addr set, or -1.
 */
static int place_high(const struct e820_table *map, uint64_t floor, uint64_t limit,
		      uint64_t kstart, uint64_t kend, uint64_t size, uint64_t *addr)
{
	for (unsigned int i = map->nr; i-- > 0;) {
		const struct e820_range *e = &map->e[i];
		uint64_t lo = e->addr > floor ? e->addr : floor;
		uint64_t hi = e->addr + e->size < limit ? e->addr + e->size : limit;
		/* Above the kernel first, then below it. */
		uint64_t win[2][2] = {
			{ lo > kend ? lo : kend, hi },
			{ lo, hi < kstart ? hi : kstart },
		};

		if (e->type != E820_RAM)
			continue;
		for (int w = 0; w < 2; w++) {
			uint64_t a;

			if (win[w][1] <= win[w][0] || win[w][1] - win[w][0] < size)
				continue;
			a = (win[w][1] - size) & ~(PAGE_SIZE - 1);
			if (a >= win[w][0]) {
				*addr = a;
				return 0;
			}
		}
	}
	return -1;
}

static int plan_initrd(struct boot_plan *p, size_t len, const struct e820_table *map,
		       char *err, size_t errlen)
{
	/* Boot data lives below 1 MiB; a PVH kernel gets its initrd above itself. */
	uint64_t floor = p->format == BOOT_PVH ? p->kernel_end : EBB_KERNEL_MIN_ADDR;
	uint64_t limit = BELOW_4G;
	uint64_t room, need;

	if (floor < EBB_KERNEL_MIN_ADDR)
		floor = EBB_KERNEL_MIN_ADDR;
	if (p->format == BOOT_BZIMAGE && p->bz.initrd_max < limit - 1)
		limit = p->bz.initrd_max + 1;
	room = limit > floor ? limit - floor : 0;
	if (len > room)
		ERR("the initrd (%" PRIu64 " MiB) is larger than the %" PRIu64 " MiB between 0x%" PRIx64
		    " and 0x%" PRIx64 " where it may go%s", mib((uint64_t)len), room >> 20, floor,
		    limit, p->format == BOOT_BZIMAGE ? " (up to the kernel's initrd_addr_max)" : "");
	if (place_high(map, floor, limit, p->kernel_start, p->kernel_end, len, &p->initrd_addr)) {
		need = round_up((p->kernel_end > floor ? p->kernel_end : floor) + len, EBB_NODE_ALIGN);
		ERR("the initrd (%" PRIu64 " MiB) does not fit in guest RAM beside the kernel "
		    "(which needs [0x%" PRIx64 ", 0x%" PRIx64 ")); this VM's RAM from 0 ends at 0x%"
		    PRIx64 " (%" PRIu64 " MiB): --mem %" PRIu64 "M or more", mib((uint64_t)len),
		    p->kernel_start, p->kernel_end, low_ram_end(map), low_ram_end(map) >> 20,
		    mib(need));
	}
	p->initrd_size = len;
	return 0;
}

int boot_plan(struct boot_plan *p, const struct boot_files *f, const struct e820_table *map,
	      char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (f->kernel_len >= SELFMAG && !memcmp(f->kernel, ELFMAG, SELFMAG)) {
		if (elf_parse(f->kernel, f->kernel_len, &p->elf, err, errlen))
			return -1;
		p->format = BOOT_PVH;
		p->kernel_start = p->elf.lowest;
		p->kernel_end = p->elf.highest;
		p->entry = p->elf.pvh_entry;
		p->entry_arg = EBB_START_INFO_ADDR;
	} else if (bzimage_probe(f->kernel, f->kernel_len)) {
		if (bzimage_parse(f->kernel, f->kernel_len, &p->bz, err, errlen))
			return -1;
		p->format = BOOT_BZIMAGE;
		p->kernel_start = bzimage_start(&p->bz);
		p->kernel_end = bzimage_end(&p->bz);
		p->entry = p->bz.load_addr + BZIMAGE_ENTRY64;
		p->entry_arg = EBB_BOOT_PARAMS_ADDR;
	} else {
		ERR("the kernel is not an ELF with a PVH note nor a bzImage "
		    "(no ELF magic, no \"HdrS\" at 0x%x)", BZIMAGE_MAGIC_OFFSET);
	}
	if (!e820_ram_find(map, p->kernel_start, p->kernel_end - p->kernel_start))
		ERR("the kernel does not fit: it needs guest RAM [0x%" PRIx64 ", 0x%" PRIx64
		    "), %" PRIu64 " MiB from 0; this VM's RAM from 0 ends at 0x%" PRIx64
		    " (%" PRIu64 " MiB): --mem %" PRIu64 "M or more", p->kernel_start, p->kernel_end,
		    mib(p->kernel_end), low_ram_end(map), low_ram_end(map) >> 20,
		    mib(round_up(p->kernel_end, EBB_NODE_ALIGN)));
	if (f->initrd_len && plan_initrd(p, f->initrd_len, map, err, errlen))
		return -1;
	return 0;
}

int boot_load(const struct boot_plan *p, const struct boot_files *f, struct guest_mem *m,
	      const struct boot_data *bd, char *err, size_t errlen)
{
	struct boot_data d = *bd;

	d.initrd_addr = p->initrd_addr;
	d.initrd_size = p->initrd_size;
	if (p->initrd_size) {
		void *dst = guest_mem_ptr(m, p->initrd_addr, p->initrd_size);

		if (!dst || p->initrd_size > f->initrd_len)
			ERR("the initrd's place [0x%" PRIx64 ", 0x%" PRIx64 ") is not guest RAM",
			    p->initrd_addr, p->initrd_addr + p->initrd_size);
		memcpy(dst, f->initrd, p->initrd_size);
	}
	switch (p->format) {
	case BOOT_PVH:
		if (elf_load(f->kernel, f->kernel_len, &p->elf, m, err, errlen) ||
		    pvh_write_boot(m, &d, err, errlen))
			return -1;
		if (pvh_write_gdt(m))
			ERR("no guest RAM for the boot GDT");
		return 0;
	case BOOT_BZIMAGE:
		if (bzimage_load(f->kernel, f->kernel_len, &p->bz, m, &d, err, errlen))
			return -1;
		if (longmode_write(m))
			ERR("no guest RAM for the boot page tables");
		return 0;
	}
	ERR("unknown kernel format %d", p->format);
}
