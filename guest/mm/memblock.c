// SPDX-License-Identifier: MIT
/*
 * memblock: two small sorted lists of physical ranges (RAM, reserved), as
 * Linux's mm/memblock.c keeps before the buddy allocator exists.  Adding
 * merges with neighbours so a long e820 map or many reservations still
 * fit the fixed arrays; overflowing them is reported, never corrupting.
 */
#include <guest/memblock.h>
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/string.h>

struct memblock_type memblock_memory;
struct memblock_type memblock_reserved;

static int memblock_insert(struct memblock_type *type, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	unsigned int i, j;

	if (!size || end < base)
		return -1;
	/* Absorb every region that overlaps or touches [base, end). */
	for (i = 0; i < type->cnt;) {
		struct memblock_region *r = &type->regions[i];
		uint64_t rend = r->base + r->size;

		if (rend < base || r->base > end) {
			i++;
			continue;
		}
		base = min(base, r->base);
		end = max(end, rend);
		memmove(r, r + 1, (type->cnt - i - 1) * sizeof(*r));
		type->cnt--;
	}
	if (type->cnt == MEMBLOCK_MAX_REGIONS) {
		pr_err("memblock: too many regions, dropping [%#llx-%#llx)\n",
		       (unsigned long long)base, (unsigned long long)end);
		return -1;
	}
	for (j = 0; j < type->cnt && type->regions[j].base < base; j++)
		;
	memmove(&type->regions[j + 1], &type->regions[j], (type->cnt - j) * sizeof(type->regions[0]));
	type->regions[j].base = base;
	type->regions[j].size = end - base;
	type->cnt++;
	return 0;
}

int memblock_add(uint64_t base, uint64_t size)
{
	return memblock_insert(&memblock_memory, base, size);
}

int memblock_reserve(uint64_t base, uint64_t size)
{
	return memblock_insert(&memblock_reserved, base, size);
}

bool memblock_is_reserved(uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < memblock_reserved.cnt; i++) {
		const struct memblock_region *r = &memblock_reserved.regions[i];

		if (base < r->base + r->size && r->base < base + size)
			return true;
	}
	return false;
}

uint64_t memblock_alloc(uint64_t size, uint64_t align, uint64_t limit)
{
	size = ALIGN_UP(size, PAGE_SIZE_4K);
	for (int i = (int)memblock_memory.cnt - 1; i >= 0; i--) {
		const struct memblock_region *m = &memblock_memory.regions[i];
		uint64_t lo = m->base, hi = min(m->base + m->size, limit);

		if (hi <= lo || hi - lo < size)
			continue;
		/* Walk down from the top, hopping below each reservation in the way. */
		for (uint64_t cand = ALIGN_DOWN(hi - size, align); cand >= lo;) {
			bool clash = false;

			for (unsigned int k = 0; k < memblock_reserved.cnt; k++) {
				const struct memblock_region *r = &memblock_reserved.regions[k];

				if (cand < r->base + r->size && r->base < cand + size) {
					clash = true;
					if (r->base < size + lo)
						cand = 0;	/* nothing below fits */
					else
						cand = ALIGN_DOWN(r->base - size, align);
					break;
				}
			}
			if (!clash) {
				if (memblock_reserve(cand, size) < 0)
					return 0;
				memset(cand + size <= IDENTITY_MAP_END ? (void *)cand : __va(cand),
				       0, size);
				return cand;
			}
			if (!cand)
				break;
		}
	}
	return 0;
}

uint64_t memblock_phys_mem_size(void)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < memblock_memory.cnt; i++)
		total += memblock_memory.regions[i].size;
	return total;
}
