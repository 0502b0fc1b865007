// SPDX-License-Identifier: MIT
/*
 * The guest physical layout: nodes laid end to end over RAM that runs from
 * 0 to 3 GiB and resumes at 4 GiB.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <vmm/layout.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* Guest physical address of the RAM byte at offset @off of all RAM. */
static uint64_t ram_to_gpa(uint64_t off)
{
	return off < EBB_LOW_RAM_END ? off : off - EBB_LOW_RAM_END + EBB_HIGH_RAM_START;
}

int layout_build(struct ebb_layout *l, unsigned int nr_nodes,
		 const uint64_t *node_size, char *err, size_t errlen)
{
	uint64_t total = 0, off = 0;

	memset(l, 0, sizeof(*l));
	if (nr_nodes == 0 || nr_nodes > EBB_MAX_NODES)
		ERR("between 1 and %d guest NUMA nodes, not %u", EBB_MAX_NODES, nr_nodes);
	for (unsigned int n = 0; n < nr_nodes; n++) {
		if (node_size[n] == 0)
			ERR("node %u has no memory", n);
		if (node_size[n] % EBB_NODE_ALIGN)
			ERR("node %u: %" PRIu64 " bytes is not a multiple of %llu MiB",
			    n, node_size[n], EBB_NODE_ALIGN >> 20);
		/* 1 TiB per node is plenty and keeps every sum far from overflow. */
		if (node_size[n] > (1ULL << 40))
			ERR("node %u: more than 1 TiB", n);
		total += node_size[n];
	}
	if (total < EBB_MIN_MEM)
		ERR("%" PRIu64 " MiB of guest memory is too little (at least %llu MiB)",
		    total >> 20, EBB_MIN_MEM >> 20);
	/* The first node holds the boot data and the kernel image. */
	if (node_size[0] < EBB_MIN_MEM / 2)
		ERR("node 0 needs at least %llu MiB (boot data and kernel)",
		    (EBB_MIN_MEM / 2) >> 20);

	l->mem_size = total;
	l->nr_nodes = nr_nodes;
	for (unsigned int n = 0; n < nr_nodes; n++) {
		uint64_t left = node_size[n], node_off = 0;

		l->node_size[n] = node_size[n];
		while (left) {
			struct ebb_range *r = &l->ranges[l->nr_ranges++];
			uint64_t chunk = left;

			/* Stop a range at the hole. */
			if (off < EBB_LOW_RAM_END && off + chunk > EBB_LOW_RAM_END)
				chunk = EBB_LOW_RAM_END - off;
			r->gpa = ram_to_gpa(off);
			r->size = chunk;
			r->node = n;
			r->node_off = node_off;
			off += chunk;
			node_off += chunk;
			left -= chunk;
		}
	}
	return 0;
}

int layout_numa_param(const struct ebb_layout *l, char *buf, size_t len)
{
	size_t pos = 0;

	if (len)
		buf[0] = '\0';
	if (l->nr_nodes <= 1)
		return 0;
	for (unsigned int i = 0; i < l->nr_ranges; i++) {
		const struct ebb_range *r = &l->ranges[i];
		int n = snprintf(buf + (pos < len ? pos : len), pos < len ? len - pos : 0,
				 "%s%u:%" PRIx64 "-%" PRIx64, i ? "," : "", r->node,
				 r->gpa, r->gpa + r->size);

		if (n < 0)
			return n;
		pos += (size_t)n;
	}
	return (int)pos;
}

const struct ebb_range *layout_find(const struct ebb_layout *l, uint64_t gpa,
				    uint64_t len)
{
	if (len == 0)
		len = 1;
	if (gpa + len < gpa)
		return NULL;
	for (unsigned int i = 0; i < l->nr_ranges; i++) {
		const struct ebb_range *r = &l->ranges[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return r;
	}
	return NULL;
}
