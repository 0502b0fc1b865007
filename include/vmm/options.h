/* SPDX-License-Identifier: MIT */
/*
 * What `ebb run` was asked to do, parsed from its command line, and the
 * guest kernel command line built from it.
 */
#ifndef EBB_VMM_OPTIONS_H
#define EBB_VMM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmm/layout.h>
#include <vmm/virtio/balloon.h>

#define EBB_MAX_CPUS		64
#define EBB_DEFAULT_MEM		(512ULL << 20)
#define EBB_DEFAULT_CMDLINE	"console=ttyS0"
#define EBB_PATH_MAX		4096

/* SLIT distances: ACPI normalizes a node's own to 10; Linux's default remote is 20. */
#define NUMA_DISTANCE_LOCAL	10
#define NUMA_DISTANCE_REMOTE	20

/* Which engine runs the guest (--accel). */
enum ebb_accel {
	EBB_ACCEL_AUTO,		/* KVM when /dev/kvm is usable, else QEMU */
	EBB_ACCEL_KVM,
	EBB_ACCEL_QEMU,		/* qemu-system-x86_64 -M microvm, TCG */
};

struct ebb_options {
	uint64_t mem_size;			/* --mem; 0 = sum of --numa sizes or default */
	unsigned int nr_nodes;			/* --numa */
	uint64_t node_size[EBB_MAX_NODES];	/* explicit --numa sizes, else 0 */
	bool explicit_nodes;
	unsigned int nr_cpus;			/* --cpus */
	/*
	 * --numa ...,cpus=A-B:C-D: node N's vCPUs are cpu_first[N] to
	 * cpu_last[N]; without it the vCPUs split into nr_nodes runs of
	 * (nearly) equal length, in order.  options_cpu_node() says which.
	 */
	bool explicit_cpus;
	uint8_t cpu_first[EBB_MAX_NODES], cpu_last[EBB_MAX_NODES];
	/*
	 * --numa-distance: the SLIT row by row, nr_distances = nr_nodes^2
	 * once the options are checked (a single value given is every
	 * remote pair's); 0: none given, Linux's 10 local, 20 remote.
	 */
	unsigned int nr_distances;
	uint8_t distance[EBB_MAX_NODES * EBB_MAX_NODES];
	const char *cmdline;			/* --cmdline, NULL: default */
	const char *append;			/* --append, may be NULL */
	const char *name;			/* --name */
	const char *kernel;			/* --kernel, NULL: embedded image */
	const char *initrd;			/* --initrd, NULL: none */
	unsigned int nr_host_nodes;		/* --host-node N[,N...] */
	int host_node[EBB_MAX_NODES];
	bool hugepages;				/* --hugepages */
	bool stats;				/* --stats */
	bool no_acpi;				/* --no-acpi: write no ACPI tables */
	bool no_seccomp;			/* --no-seccomp: threads run unfiltered */
	bool help;				/* --help */
	enum ebb_accel accel;			/* --accel */
	char swap_path[EBB_PATH_MAX];		/* --swap FILE[,size=N]; "" = none */
	uint64_t swap_size;			/* size=N, 0: the file's own size */
	bool balloon;				/* --balloon[=OPTS] */
	struct balloon_dev_config balloon_cfg;
};

/* The guest node vCPU @cpu is on (the SRAT's proximity domain). */
unsigned int options_cpu_node(const struct ebb_options *o, unsigned int cpu);

/* The SLIT distance from node @a to node @b: --numa-distance's, else 10 or 20. */
unsigned int options_node_distance(const struct ebb_options *o, unsigned int a, unsigned int b);

/*
 * Parse a size: digits with an optional K, M, G or T suffix (binary
 * units; "B" for bytes); a bare number means MiB, as QEMU's -m.
 * Returns 0 or -1.
 */
int parse_size(const char *s, uint64_t *out);

/*
 * Parse --numa: a node count ("2") or per-node sizes ("256M,256M").
 * Returns 0 or -1 with a message in @err.
 */
int parse_numa(const char *s, struct ebb_options *o, char *err, size_t errlen);

/*
 * Parse the arguments after `run`.  argv[0] is "run".  Returns 0 or -1
 * with a message in @err.  Resolves the node sizes: --numa N splits --mem
 * evenly (in EBB_NODE_ALIGN units, the last node takes the rest).
 */
int options_parse(int argc, char **argv, struct ebb_options *o, char *err,
		  size_t errlen);

/*
 * The guest command line: the base (--cmdline or the default), then what
 * the VMM generates (ebb.numa=..., then @devices, the virtio_mmio.device=
 * parameters; may be NULL), then --append.  Returns the length, or -1 with
 * a message when it does not fit in @len (or EBB_CMDLINE_MAX).
 */
int cmdline_build(const struct ebb_options *o, const struct ebb_layout *l,
		  const char *devices, char *buf, size_t len, char *err, size_t errlen);

/* Parse --swap's value FILE[,size=N] into @o.  0 or -1 with a message. */
int parse_swap(const char *s, struct ebb_options *o, char *err, size_t errlen);

extern const char ebb_run_usage[];
extern const char ebb_usage[];

#endif
