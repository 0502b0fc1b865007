/* SPDX-License-Identifier: MIT */
/*
 * KVM's binary statistics (KVM_GET_STATS_FD, Documentation/virt/kvm/api.rst
 * "binary statistics"): one file per VM and one per vCPU, each a header, a
 * table of descriptors (name, type, unit, size) and a block of u64 values.
 * The descriptors are read from the file, never assumed: which counters
 * exist depends on the host kernel and the KVM flavour (hardware VMX/SVM,
 * PVM ...), and ebb shows whatever the host offers.
 */
#ifndef EBB_VMM_KVM_STATS_H
#define EBB_VMM_KVM_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* One statistic, as its descriptor says. */
struct kvm_stat {
	char *name;		/* "exits", "insn_emulation", "pf_taken" ... */
	uint32_t flags;		/* KVM_STATS_TYPE_* | KVM_STATS_UNIT_* | KVM_STATS_BASE_* */
	int16_t exponent;	/* value * base^exponent is in the unit */
	uint16_t size;		/* u64 values: 1, or the buckets of a histogram */
	uint32_t bucket_size;	/* linear histograms */
	uint32_t index;		/* where its first value is in a snapshot */
};

/* An open statistics file and its descriptors. */
struct kvm_stats {
	int fd;			/* -1: none */
	char id[64];		/* the header's id, e.g. "kvm-1234/vcpu-0" */
	unsigned int nr;	/* statistics */
	struct kvm_stat *stat;
	size_t nr_values;	/* u64s in a snapshot: the data block up to its last value
				   (the sum of the sizes, as the kernel packs them) */
	uint64_t data_offset;	/* where the values are in the file */
};

/*
 * Open the statistics of the VM or vCPU behind @kvm_fd.  0, or -1 with
 * errno and a message in @err (ENOTTY/EINVAL: this KVM has no stats fd;
 * EBADMSG: it has one, and its file was refused).
 */
int kvm_stats_open(struct kvm_stats *s, int kvm_fd, char *err, size_t errlen);

/*
 * Parse an already open statistics file (what kvm_stats_open does after
 * the ioctl; the unit tests hand it a file they wrote).  Takes @fd.
 * 0, or -1 with a message: a header or descriptor that points outside
 * the file, or sizes no kernel would write, is refused.
 */
int kvm_stats_parse(struct kvm_stats *s, int fd, char *err, size_t errlen);

/* Read every value into @vals (s->nr_values u64s).  0 or -1 (errno). */
int kvm_stats_read(const struct kvm_stats *s, uint64_t *vals);

/* The statistic called @name, or NULL. */
const struct kvm_stat *kvm_stats_find(const struct kvm_stats *s, const char *name);

void kvm_stats_close(struct kvm_stats *s);

/* Read @st's values alone (st->size u64s): cheaper than a snapshot.  0 or -1. */
int kvm_stats_read_stat(const struct kvm_stats *s, const struct kvm_stat *st, uint64_t *vals);

/*
 * Names of a descriptor's type ("cumulative", "log_hist" ...) and unit
 * ("none", "seconds", "bytes" ...), as query-kvm-stats gives them; NULL
 * for one newer than ebb (its number is shown instead).
 */
const char *kvm_stat_type_name(uint32_t flags);
const char *kvm_stat_unit_name(uint32_t flags);

/*
 * The groups ebb shows statistics in, each statistic in the first group
 * one of whose name patterns (fnmatch) it matches, "other" when none
 * does: what the host calls its counters decides, never a list of names.
 */
struct kvm_stats_group {
	const char *key;		/* "exits", "page_faults" ... in JSON */
	const char *title;		/* "exits by reason" ... in text */
};
extern const struct kvm_stats_group kvm_stats_groups[];	/* "other" last, then { NULL } */
const char *kvm_stats_group_of(const char *name);

/*
 * query-kvm-stats's answer from the VM's file (@vm, NULL or not open:
 * none) and its @nr vCPUs' (entries NULL or not open: that vCPU has none):
 *
 *   {"available": true, "id": VM's id, "vcpus": N, "vcpu_ids": [...],
 *    "vm":   {NAME: {group, type, unit, base, exponent, [size, bucket_size],
 *                    "value": N or [buckets]}, ...},
 *    "vcpu": {NAME: {group, type, ..., "total": sum over vCPUs (max for peaks),
 *                    "per_vcpu": [N or [buckets] or null, ...]}, ...}}
 *
 * NULL with a message when a file cannot be read.
 */
json_t *kvm_stats_json(const struct kvm_stats *vm, const struct kvm_stats *const *vcpu,
		       unsigned int nr, char *err, size_t errlen);

/*
 * That answer @r for VM @name as `ebb stat NAME kvm` prints it
 * (vmm/kvm_stats_text.c): per group, each statistic's total and its
 * first vCPUs' values, units rendered, histograms summarized.
 */
void kvm_stats_print(FILE *f, const char *name, json_t *r);

#endif
