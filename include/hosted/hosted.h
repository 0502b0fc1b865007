/* SPDX-License-Identifier: MIT */
/*
 * The hosted platform: guestmm running inside an ordinary process.
 *
 * A private anonymous mapping plays the machine's physical memory (PFN 0
 * at its base), each POSIX thread plays a CPU, and the platform's log is
 * stderr or a buffer a test can read.  Tests, benchmarks and simulations
 * use it; the guest kernel has its own platform.
 */
#ifndef HOSTED_HOSTED_H
#define HOSTED_HOSTED_H

#include <guestmm/boot.h>
#include <stddef.h>

struct hosted_machine {
	int nr_nodes;
	uint64_t node_bytes[MAX_NUMNODES];	/* RAM per node, in address order */
	unsigned int nr_cpus;
	uint64_t phys_base;			/* first RAM address (default 0) */
	unsigned long min_free_kbytes;		/* 0: Linux's formula */
	/*
	 * Promise that every thread using guestmm runs on a CPU id of its own
	 * (hosted_set_cpu; kernel threads take free ids): per-CPU data is
	 * then locked without atomics, as in the guest.  Claiming a CPU id
	 * another thread holds aborts.  Off: threads may share ids.
	 */
	bool exclusive_cpus;
};

/*
 * Map the memory and bring guestmm up over it.  Returns 0, or -1 with a
 * message on stderr.  One machine per process (guestmm's state is global,
 * like a kernel's); Check runs every test in a fork of its own.
 */
int hosted_boot(const struct hosted_machine *m);

/* The machine's memory, for tests that check page contents. */
void *hosted_phys_base(void);
size_t hosted_phys_size(void);

/*
 * A simulated program's load or store of @len bytes at @va in @as, through
 * the software MMU: faults go to mm_handle_fault() as on hardware.
 * Returns 0, or -1 if a fault could not be resolved (the SIGSEGV/SIGBUS
 * of a real program).
 */
struct platform_as;
int hosted_access(struct platform_as *as, unsigned long va, void *buf, size_t len, bool write);

/*
 * Page-table nodes platform_pte_xchg() has had to create itself so far.
 * The guest's takes them without reclaim, as its callers may hold
 * spinlocks, so guestmm prepares them with platform_pte_alloc() wherever
 * it installs an entry under a lock (an anonymous fault): tests check it.
 */
unsigned long hosted_pte_xchg_allocs(void);

/*
 * Swap area @type (0) on a file at @path of @pages pages, created or
 * truncated; guestmm's swapon() then takes it into use.  0, or -1 with a
 * message.  A full area is simply a small one.
 */
int hosted_swap_setup(unsigned int type, const char *path, unsigned long pages);

/*
 * Make area @type's writes (or reads) fail with -EIO after @after more
 * of them succeed; -1 turns the failures off again.
 */
void hosted_swap_fail(unsigned int type, bool write, long after);

/* Make area @type's next @times writes (or reads) fail with -EIO; then they work. */
void hosted_swap_fail_times(unsigned int type, bool write, long times);

/*
 * Bind the calling thread to a CPU id (0 .. nr_cpus-1), giving up the one
 * it had.  A thread that never chose gets one on its first allocation
 * (with exclusive CPUs: the lowest free one), and gives it back when it
 * exits or calls hosted_release_cpu().
 */
void hosted_set_cpu(unsigned int cpu);
void hosted_release_cpu(void);

/*
 * Capture platform_log() output in a buffer instead of stderr (NULL:
 * back to stderr).  Lines are appended, NUL-terminated, truncated at
 * @size.  Used by tests that expect a diagnostic.
 */
void hosted_log_capture(char *buf, size_t size);

/* Don't print log lines at all (benchmarks, stress). */
void hosted_log_quiet(bool quiet);

#endif
