// SPDX-License-Identifier: MIT
/*
 * A hosted machine: physical memory from mmap, NUMA nodes laid out in
 * address order, guestmm booted over it.
 */
#include <hosted/hosted.h>
#include "internal.h"

#include <stdio.h>
#include <sys/mman.h>


static void *phys_base;
static size_t phys_size;

void *hosted_phys_base(void)
{
	return phys_base;
}

size_t hosted_phys_size(void)
{
	return phys_size;
}

int hosted_boot(const struct hosted_machine *m)
{
	struct mm_boot_params p = { 0 };
	uint64_t addr = m->phys_base, total = m->phys_base;

	if (m->nr_nodes < 1 || m->nr_nodes > MAX_NUMNODES || !m->nr_cpus ||
	    m->nr_cpus > NR_CPUS) {
		fprintf(stderr, "hosted: %d nodes / %u CPUs is not a machine\n", m->nr_nodes,
			m->nr_cpus);
		return -1;
	}
	for (int n = 0; n < m->nr_nodes; n++)
		total += m->node_bytes[n];
	if (m->exclusive_cpus && hosted_membarrier_init())
		return -1;

	/* Untouched pages cost nothing: only what the allocator writes is real. */
	phys_base = mmap(NULL, total, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (phys_base == MAP_FAILED) {
		perror("hosted: mmap of guest physical memory");
		return -1;
	}
	phys_size = total;

	p.direct_map = phys_base;
	p.nr_cpus = m->nr_cpus;
	p.nr_nodes = m->nr_nodes;
	p.min_free_kbytes = m->min_free_kbytes;
	p.exclusive_cpus = m->exclusive_cpus;
	for (unsigned int c = 0; c < m->nr_cpus; c++)
		p.cpu_to_node[c] = (int)(c % (unsigned int)m->nr_nodes);
	for (int n = 0; n < m->nr_nodes; n++) {
		p.ram[p.nr_ram].start = addr;
		p.ram[p.nr_ram].end = addr + m->node_bytes[n];
		p.ram[p.nr_ram].nid = n;
		p.nr_ram++;
		addr += m->node_bytes[n];
	}
	/* Memory below phys_base is a hole, as on a PC below 1 MiB. */
	hosted_set_nr_cpus(m->nr_cpus, m->exclusive_cpus);
	hosted_set_cpu(0);
	return mm_init(&p);
}
