// SPDX-License-Identifier: MIT
/*
 * Guest RAM: a memfd per guest node, mapped whole, registered with KVM as
 * one slot per layout range.  Pages are allocated when the guest first
 * touches them (MAP_NORESERVE), so the host sees what the guest uses.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/mempolicy.h>

#include <vmm/memory.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

static int bind_node(void *addr, uint64_t len, int host_node)
{
	unsigned long mask[1024 / (8 * sizeof(unsigned long))];

	memset(mask, 0, sizeof(mask));
	mask[host_node / (8 * sizeof(unsigned long))] |=
		1UL << (host_node % (8 * sizeof(unsigned long)));
	/* MPOL_MF_STRICT|MOVE would matter only for pages already there: none. */
	return (int)syscall(SYS_mbind, addr, len, MPOL_BIND, mask,
			    (unsigned long)(sizeof(mask) * 8), 0UL);
}

int guest_mem_create(struct guest_mem *m, const struct ebb_layout *l,
		     const struct guest_mem_opts *opts, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->layout = *l;
	m->hugepages = opts && opts->hugepages;
	for (unsigned int n = 0; n < EBB_MAX_NODES; n++)
		m->node[n].fd = -1;

	for (unsigned int n = 0; n < l->nr_nodes; n++) {
		struct guest_node_mem *nm = &m->node[n];
		char name[96];
		int flags = MFD_CLOEXEC;
		int mflags = MAP_SHARED | MAP_NORESERVE;

		snprintf(name, sizeof(name), "ebb-%s-node%u",
			 opts && opts->name ? opts->name : "vm", n);
		if (m->hugepages) {
			flags |= MFD_HUGETLB;
			mflags &= ~MAP_NORESERVE;	/* reserve now, fail now */
		}
		nm->size = l->node_size[n];
		nm->fd = memfd_create(name, (unsigned int)flags);
		if (nm->fd < 0)
			ERR("memfd_create for node %u: %s%s", n, strerror(errno),
			    m->hugepages ? " (does this kernel support hugetlbfs?)" : "");
		if (ftruncate(nm->fd, (off_t)nm->size))
			ERR("sizing node %u to %" PRIu64 " MiB: %s", n, nm->size >> 20,
			    strerror(errno));
		nm->base = mmap(NULL, nm->size, PROT_READ | PROT_WRITE, mflags, nm->fd, 0);
		if (nm->base == MAP_FAILED) {
			nm->base = NULL;
			if (m->hugepages)
				ERR("mapping node %u with huge pages: %s; reserve %" PRIu64
				    " more 2 MiB pages (echo N > /proc/sys/vm/nr_hugepages)",
				    n, strerror(errno), nm->size >> 21);
			ERR("mapping node %u (%" PRIu64 " MiB): %s", n, nm->size >> 20,
			    strerror(errno));
		}
		if (opts && opts->nr_host_nodes) {
			int hn = opts->host_node[opts->nr_host_nodes == 1 ? 0 : n];

			if (bind_node(nm->base, nm->size, hn))
				ERR("binding guest node %u to host node %d: %s%s", n, hn,
				    strerror(errno),
				    errno == EINVAL ? " (no such host node? see numactl -H)" : "");
		}
		/* A guest's RAM in a core dump is rarely wanted, and huge. */
		madvise(nm->base, nm->size, MADV_DONTDUMP);
	}
	return 0;
fail:
	guest_mem_destroy(m);
	return -1;
}

void guest_mem_destroy(struct guest_mem *m)
{
	for (unsigned int n = 0; n < EBB_MAX_NODES; n++) {
		struct guest_node_mem *nm = &m->node[n];

		if (nm->base)
			munmap(nm->base, nm->size);
		if (nm->fd >= 0)
			close(nm->fd);
		nm->base = NULL;
		nm->fd = -1;
	}
}

int guest_mem_register(const struct guest_mem *m, int vm_fd)
{
	for (unsigned int i = 0; i < m->layout.nr_ranges; i++) {
		const struct ebb_range *r = &m->layout.ranges[i];
		struct kvm_userspace_memory_region reg = {
			.slot = i,
			.guest_phys_addr = r->gpa,
			.memory_size = r->size,
			.userspace_addr = (uint64_t)(uintptr_t)
				((char *)m->node[r->node].base + r->node_off),
		};

		if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &reg) < 0)
			return -1;
	}
	return 0;
}

void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	const struct ebb_range *r = layout_find(&m->layout, gpa, len);

	if (!r || !m->node[r->node].base)
		return NULL;
	return (char *)m->node[r->node].base + r->node_off + (gpa - r->gpa);
}

uint64_t guest_mem_resident(const struct guest_mem *m)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char vec[4096];
	uint64_t total = 0;

	for (unsigned int n = 0; n < m->layout.nr_nodes; n++) {
		const struct guest_node_mem *nm = &m->node[n];

		for (uint64_t off = 0; off < nm->size; off += sizeof(vec) * (uint64_t)page) {
			uint64_t len = nm->size - off;
			uint64_t pages;

			if (len > sizeof(vec) * (uint64_t)page)
				len = sizeof(vec) * (uint64_t)page;
			pages = (len + (uint64_t)page - 1) / (uint64_t)page;
			if (mincore((char *)nm->base + off, len, vec))
				return total;
			for (uint64_t p = 0; p < pages; p++)
				total += (vec[p] & 1) ? (uint64_t)page : 0;
		}
	}
	return total;
}
