/* SPDX-License-Identifier: MIT */
/*
 * Bringing guestmm up: what the platform knows about the machine, handed
 * over once at boot.  The guest kernel fills it from the PVH memory map
 * and its command line; the hosted platform from its own configuration.
 */
#ifndef GUESTMM_BOOT_H
#define GUESTMM_BOOT_H

#include <guestmm/compiler.h>
#include <guestmm/mmzone.h>

#define MM_MAX_RANGES	32

/* A range of physical addresses, [start, end), bytes. */
struct mm_range {
	uint64_t start;
	uint64_t end;
	int nid;		/* RAM ranges: the node it belongs to */
};

struct mm_boot_params {
	/* Where physical address 0 appears in the caller's address space. */
	void *direct_map;

	unsigned int nr_cpus;			/* 1 .. NR_CPUS */
	int cpu_to_node[NR_CPUS];		/* home node of each CPU */

	int nr_nodes;				/* 1 .. MAX_NUMNODES */
	/* SLIT-style distances; all zero means 10 local, 20 remote. */
	uint8_t node_distance[MAX_NUMNODES][MAX_NUMNODES];

	/* Usable RAM, each range on one node.  Sorted, non-overlapping. */
	unsigned int nr_ram;
	struct mm_range ram[MM_MAX_RANGES];

	/* RAM that is in use before the allocator exists (kernel, boot data). */
	unsigned int nr_reserved;
	struct mm_range reserved[MM_MAX_RANGES];

	/* 0: computed from memory size as Linux does. */
	unsigned long min_free_kbytes;

	/*
	 * Each CPU id runs one thread of execution at a time, and only
	 * interrupts (and the preemption they cause) interleave with it.
	 * Lets per-CPU data be locked without atomics (cpulock.h).
	 */
	bool exclusive_cpus;
};

/*
 * Build the memory map, nodes, zones, zonelists and watermarks, then give
 * every free page to the buddy allocator.  The memory map and the other
 * boot-time tables are carved out of RAM itself, top-down on node 0, and
 * are accounted as reserved.  Returns 0, or a negative errno-style code
 * if the description is unusable (a message is logged).
 */
int mm_init(const struct mm_boot_params *params);

/* The distance between two nodes, as in /sys/devices/system/node/nodeN/distance. */
int node_distance(int a, int b);

/* Which node CPU @cpu belongs to. */
extern int mm_cpu_node[NR_CPUS];

static inline int cpu_to_node(unsigned int cpu)
{
	return mm_cpu_node[cpu % NR_CPUS];
}

static inline int numa_node_id(void)
{
	return cpu_to_node(platform_cpu_id());
}

#endif
