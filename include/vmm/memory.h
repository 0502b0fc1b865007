/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: one memfd per guest NUMA node, mapped once into the VMM,
 * optionally bound to a host node (mbind) and backed by huge pages.  Every
 * guest physical address the VMM touches goes through guest_mem_ptr(),
 * which checks it against the layout: the VMM never trusts an address the
 * guest (or a guest image) gave it.
 */
#ifndef EBB_VMM_MEMORY_H
#define EBB_VMM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmm/layout.h>

struct guest_node_mem {
	int fd;			/* memfd, -1 if none */
	void *base;		/* mapping of the whole node */
	uint64_t size;
};

struct guest_mem {
	struct ebb_layout layout;
	struct guest_node_mem node[EBB_MAX_NODES];
	bool hugepages;
};

struct guest_mem_opts {
	const char *name;		/* VM name for the memfds (/proc/PID/maps), may be NULL */
	bool hugepages;			/* MFD_HUGETLB backing */
	unsigned int nr_host_nodes;	/* 0: no binding; 1: all on one; else one per guest node */
	const int *host_node;
};

/*
 * Create and map the backing of every node in @l.  Returns 0, or -1 with
 * a message in @err (everything created so far is released).
 */
int guest_mem_create(struct guest_mem *m, const struct ebb_layout *l,
		     const struct guest_mem_opts *opts, char *err, size_t errlen);

void guest_mem_destroy(struct guest_mem *m);

/* Register every range as a KVM memory slot of @vm_fd.  0 or -1 (errno). */
int guest_mem_register(const struct guest_mem *m, int vm_fd);

/*
 * The host address of guest physical [gpa, gpa+len), or NULL unless the
 * whole range is RAM inside one contiguous range.  len 0 is treated as 1.
 */
void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* Bytes of guest RAM resident in the host (mincore over every node). */
uint64_t guest_mem_resident(const struct guest_mem *m);

#endif
