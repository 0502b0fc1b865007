/* SPDX-License-Identifier: MIT */
/*
 * Guest NUMA layout from the command line (docs/CONVENTIONS.md):
 *   ebb.numa=NID:START-END[,NID:START-END...]   hex byte ranges, END exclusive
 *   ebb.distance=D00,D01,...                    row-major, nr_nodes^2 values
 * Absent: one node, distances 10 local / 20 remote.
 */
#ifndef GUEST_NUMA_H
#define GUEST_NUMA_H

#include <guestmm/compiler.h>
#include <guestmm/mmzone.h>

#define NUMA_MAX_RANGES	16

struct numa_range {
	uint64_t start, end;
	int nid;
};

struct numa_layout {
	int nr_nodes;
	unsigned int nr_ranges;
	struct numa_range ranges[NUMA_MAX_RANGES];
	uint8_t distance[MAX_NUMNODES][MAX_NUMNODES];	/* all 0: defaults */
};

extern struct numa_layout numa_layout;

/*
 * Parse the two parameters into @layout.  Returns 0, or -1 with @err
 * describing the first problem (the layout is then one node).
 */
int numa_parse(struct numa_layout *layout, const char *numa, const char *distance,
	       char *err, size_t errlen);

/* The node whose range holds @addr, or -1. */
int numa_addr_to_nid(const struct numa_layout *layout, uint64_t addr);

#endif
