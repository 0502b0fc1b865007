// SPDX-License-Identifier: MIT
/*
 * The guest memory map: the layout's RAM, with typed regions cut out of it
 * by whoever owns them (see include/vmm/e820.h).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <vmm/e820.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

void e820_from_layout(struct e820_table *t, const struct ebb_layout *l)
{
	memset(t, 0, sizeof(*t));
	/* At most EBB_MAX_RANGES (16) entries: far below the table's 128. */
	for (unsigned int i = 0; i < l->nr_ranges; i++) {
		const struct ebb_range *r = &l->ranges[i];
		struct e820_range *last = t->nr ? &t->e[t->nr - 1] : NULL;

		if (last && last->addr + last->size == r->gpa) {
			last->size += r->size;
			continue;
		}
		t->e[t->nr++] = (struct e820_range){ r->gpa, r->size, E820_RAM };
	}
}

/* Append @r to @t; false when the table is full. */
static bool push(struct e820_table *t, uint64_t addr, uint64_t size, uint32_t type)
{
	if (t->nr == E820_TABLE_MAX)
		return false;
	t->e[t->nr++] = (struct e820_range){ addr, size, type };
	return true;
}

int e820_set(struct e820_table *t, uint64_t addr, uint64_t size, uint32_t type,
	     char *err, size_t errlen)
{
	struct e820_table out;
	uint64_t end = addr + size;
	bool placed = false, ok = true;

	if (size == 0 || end < addr)
		ERR("memory map: empty or wrapping range 0x%" PRIx64 " +0x%" PRIx64, addr, size);
	/*
	 * Rebuild the table in address order: each old entry keeps what lies
	 * below the new range and what lies above it; the new range goes in
	 * before the first entry that does not lie wholly below it.
	 */
	memset(&out, 0, sizeof(out));
	for (unsigned int i = 0; i < t->nr && ok; i++) {
		const struct e820_range *o = &t->e[i];
		uint64_t o_end = o->addr + o->size;

		if (o_end <= addr) {
			ok = push(&out, o->addr, o->size, o->type);
			continue;
		}
		if (o->addr < addr)
			ok = push(&out, o->addr, addr - o->addr, o->type);
		if (!placed && ok)
			ok = push(&out, addr, size, type);
		placed = true;
		if (o_end > end && ok)
			ok = push(&out, o->addr > end ? o->addr : end,
				  o->addr > end ? o->size : o_end - end, o->type);
	}
	if (!placed && ok)
		ok = push(&out, addr, size, type);
	if (!ok)
		ERR("memory map: more than %d entries", E820_TABLE_MAX);
	*t = out;
	return 0;
}

const struct e820_range *e820_ram_find(const struct e820_table *t, uint64_t addr,
				       uint64_t size)
{
	if (addr + size < addr)
		return NULL;
	for (unsigned int i = 0; i < t->nr; i++) {
		const struct e820_range *e = &t->e[i];

		if (e->type == E820_RAM && addr >= e->addr && addr - e->addr <= e->size &&
		    size <= e->size - (addr - e->addr))
			return e;
	}
	return NULL;
}
