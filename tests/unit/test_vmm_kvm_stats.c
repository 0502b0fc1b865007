// SPDX-License-Identifier: MIT
/*
 * KVM's binary statistics without KVM: files laid out as the kernel lays
 * them out, written to a memfd, then parsed; a good one with every type
 * and unit, hostile ones that must be refused with a message; the groups
 * names fall into; query-kvm-stats's JSON and its text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <vmm/kvm_stats.h>

#include "unit.h"

#define NAME_SIZE	48		/* KVM_STATS_NAME_SIZE, as the kernel writes */
#define DESC_SIZE	(sizeof(struct kvm_stats_desc) + NAME_SIZE)
#define HIST_BUCKETS	32
#define LIN_BUCKETS	8
#define SEC_NS		(KVM_STATS_UNIT_SECONDS | KVM_STATS_BASE_POW10)

/* The statistics of the good file, in order; values packed as the kernel packs them. */
static const struct {
	const char *name;
	uint32_t flags;
	int16_t exponent;
	uint16_t size;
	uint32_t bucket_size;
} good[] = {
	{ "exits", KVM_STATS_TYPE_CUMULATIVE, 0, 1, 0 },
	{ "io_exits", KVM_STATS_TYPE_CUMULATIVE, 0, 1, 0 },
	{ "pf_taken", KVM_STATS_TYPE_CUMULATIVE, 0, 1, 0 },
	{ "insn_emulation", KVM_STATS_TYPE_CUMULATIVE, 0, 1, 0 },
	{ "halt_wait_ns", KVM_STATS_TYPE_CUMULATIVE | SEC_NS, -9, 1, 0 },
	{ "blocking", KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_BOOLEAN, 0, 1, 0 },
	{ "max_mmu_rmap_size", KVM_STATS_TYPE_PEAK, 0, 1, 0 },
	{ "halt_wait_hist", KVM_STATS_TYPE_LOG_HIST | SEC_NS, -9, HIST_BUCKETS, 0 },
	{ "poll_lin_hist", KVM_STATS_TYPE_LINEAR_HIST, 0, LIN_BUCKETS, 10 },
	{ "guest_memory", KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_BYTES, 0, 1, 0 },
	{ "irq_injections", KVM_STATS_TYPE_CUMULATIVE, 0, 1, 0 },
};
#define NR_GOOD		(sizeof(good) / sizeof(good[0]))

/* A statistics file being built: header, id, descriptors, data. */
struct file {
	uint8_t *b;
	size_t len;
	struct kvm_stats_header h;
};

static struct kvm_stats_desc *desc(struct file *f, unsigned int i)
{
	return (struct kvm_stats_desc *)(f->b + f->h.desc_offset + i * DESC_SIZE);
}

static uint64_t *data(struct file *f)
{
	return (uint64_t *)(f->b + f->h.data_offset);
}

static void put_header(struct file *f)
{
	memcpy(f->b, &f->h, sizeof(f->h));
}

/* The good file; values are @seed * 100 + the value's position. */
static void make_good(struct file *f, const char *id, uint64_t seed)
{
	size_t nvals = 0, off = 0;

	for (unsigned int i = 0; i < NR_GOOD; i++)
		nvals += good[i].size;
	f->h = (struct kvm_stats_header){
		.name_size = NAME_SIZE,
		.num_desc = NR_GOOD,
		.id_offset = sizeof(struct kvm_stats_header),
		.desc_offset = sizeof(struct kvm_stats_header) + NAME_SIZE,
		.data_offset = sizeof(struct kvm_stats_header) + NAME_SIZE + NR_GOOD * DESC_SIZE,
	};
	f->len = f->h.data_offset + nvals * sizeof(uint64_t);
	f->b = calloc(1, f->len);
	ck_assert_ptr_nonnull(f->b);
	put_header(f);
	snprintf((char *)f->b + f->h.id_offset, NAME_SIZE, "%s", id);
	for (unsigned int i = 0; i < NR_GOOD; i++) {
		struct kvm_stats_desc *d = desc(f, i);

		d->flags = good[i].flags;
		d->exponent = good[i].exponent;
		d->size = good[i].size;
		d->offset = (uint32_t)(off * sizeof(uint64_t));
		d->bucket_size = good[i].bucket_size;
		snprintf(d->name, NAME_SIZE, "%s", good[i].name);
		off += good[i].size;
	}
	for (size_t k = 0; k < nvals; k++)
		data(f)[k] = seed * 100 + k;
}

/* A memfd holding the first @len bytes of @f. */
static int to_memfd(const struct file *f, size_t len)
{
	int fd = memfd_create("kvm-stats-test", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, f->b, len), (ssize_t)len);
	return fd;
}

/* Parse @f cut to @len; the result, the error in @err; @s closed on success. */
static int parse_file(struct file *f, size_t len, struct kvm_stats *s, char *err, size_t errlen)
{
	int fd = to_memfd(f, len), r;

	err[0] = '\0';
	r = kvm_stats_parse(s, fd, err, errlen);
	if (r) {
		/* A refused file's fd is closed, and nothing is left open. */
		ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
		ck_assert_int_eq(s->fd, -1);
		ck_assert_ptr_null(s->stat);
	}
	return r;
}

/* @f must be refused with a message containing @why. */
static void refused(struct file *f, size_t len, const char *why)
{
	struct kvm_stats s;
	char err[256];

	ck_assert_msg(parse_file(f, len, &s, err, sizeof(err)) == -1, "accepted (want \"%s\")", why);
	ck_assert_msg(strstr(err, why), "message \"%s\" lacks \"%s\"", err, why);
}

START_TEST(good_file)
{
	struct file f;
	struct kvm_stats s;
	const struct kvm_stat *st;
	uint64_t *vals, one[HIST_BUCKETS];
	char err[256];

	make_good(&f, "kvm-42/vcpu-0", 1);
	ck_assert_msg(parse_file(&f, f.len, &s, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_ge(s.fd, 0);
	ck_assert_str_eq(s.id, "kvm-42/vcpu-0");
	ck_assert_uint_eq(s.nr, NR_GOOD);
	ck_assert_uint_eq(s.nr_values, NR_GOOD - 2 + HIST_BUCKETS + LIN_BUCKETS);
	ck_assert_uint_eq(s.data_offset, f.h.data_offset);
	for (unsigned int i = 0; i < NR_GOOD; i++) {
		ck_assert_str_eq(s.stat[i].name, good[i].name);
		ck_assert_uint_eq(s.stat[i].flags, good[i].flags);
		ck_assert_int_eq(s.stat[i].exponent, good[i].exponent);
		ck_assert_uint_eq(s.stat[i].size, good[i].size);
		ck_assert_uint_eq(s.stat[i].bucket_size, good[i].bucket_size);
		ck_assert_ptr_eq(kvm_stats_find(&s, good[i].name), &s.stat[i]);
	}
	ck_assert_ptr_null(kvm_stats_find(&s, "exit"));

	vals = calloc(s.nr_values, sizeof(*vals));
	ck_assert_int_eq(kvm_stats_read(&s, vals), 0);
	for (size_t k = 0; k < s.nr_values; k++)
		ck_assert_uint_eq(vals[k], 100 + k);
	st = kvm_stats_find(&s, "halt_wait_hist");
	ck_assert_int_eq(kvm_stats_read_stat(&s, st, one), 0);
	for (unsigned int k = 0; k < HIST_BUCKETS; k++)
		ck_assert_uint_eq(one[k], vals[st->index + k]);

	/* Values are read live: what the file says now. */
	data(&f)[0] = 7777;
	ck_assert_int_eq(pwrite(s.fd, &data(&f)[0], 8, f.h.data_offset), 8);
	ck_assert_int_eq(kvm_stats_read_stat(&s, kvm_stats_find(&s, "exits"), one), 0);
	ck_assert_uint_eq(one[0], 7777);

	ck_assert_str_eq(kvm_stat_type_name(st->flags), "log_hist");
	ck_assert_str_eq(kvm_stat_unit_name(st->flags), "seconds");
	ck_assert_ptr_null(kvm_stat_type_name(0xf));
	kvm_stats_close(&s);
	ck_assert_int_eq(s.fd, -1);
	kvm_stats_close(&s);		/* twice is harmless */
	free(vals);
	free(f.b);
}
END_TEST

/* Values placed apart, as a kernel need not pack them: indexed by offset. */
START_TEST(sparse_values)
{
	struct file f;
	struct kvm_stats s;
	uint64_t *vals;
	char err[256];

	make_good(&f, "kvm-1", 1);
	desc(&f, 0)->offset = (uint32_t)((f.len - f.h.data_offset) - 8);	/* the last u64 */
	ck_assert_msg(parse_file(&f, f.len, &s, err, sizeof(err)) == 0, "%s", err);
	vals = calloc(s.nr_values, sizeof(*vals));
	ck_assert_int_eq(kvm_stats_read(&s, vals), 0);
	ck_assert_uint_eq(vals[s.stat[0].index], data(&f)[s.nr_values - 1]);
	kvm_stats_close(&s);
	free(vals);
	free(f.b);
}
END_TEST

START_TEST(hostile_files)
{
	struct file f;
	char saved[NAME_SIZE];

	make_good(&f, "kvm-1", 1);

	/* Truncated: every cut short of the whole file, header included. */
	refused(&f, 0, "truncated");
	refused(&f, sizeof(struct kvm_stats_header) - 1, "truncated");
	refused(&f, f.h.id_offset + 3, "the id");
	refused(&f, f.h.desc_offset + DESC_SIZE, "descriptors");
	refused(&f, f.h.data_offset, "past the end");
	refused(&f, f.len - 1, "past the end");
	for (size_t len = 0; len < f.len; len++) {
		struct kvm_stats s;
		char err[256];

		ck_assert_msg(parse_file(&f, len, &s, err, sizeof(err)) == -1,
			      "a %zu-byte prefix was accepted", len);
	}

	/* The descriptor block past the end of the file. */
	f.h.desc_offset = (uint32_t)f.len + 8;
	put_header(&f);
	refused(&f, f.len, "descriptors");
	f.h.desc_offset = UINT32_MAX;
	put_header(&f);
	refused(&f, f.len, "descriptors");
	free(f.b);

	/* num_desc huge: it must not overflow into "fits". */
	make_good(&f, "kvm-1", 1);
	f.h.num_desc = UINT32_MAX;
	put_header(&f);
	refused(&f, f.len, "descriptors of");
	f.h.num_desc = NR_GOOD + 1;		/* the last one would be read from the values */
	put_header(&f);
	refused(&f, f.len, "inside the");
	f.h.num_desc = 0;
	put_header(&f);
	refused(&f, f.len, "no statistics");
	free(f.b);

	/* A value offset beyond the data; a histogram running past it. */
	make_good(&f, "kvm-1", 1);
	desc(&f, 1)->offset = 1u << 30;
	refused(&f, f.len, "\"io_exits\"");
	desc(&f, 1)->offset = UINT32_MAX & ~7u;
	refused(&f, f.len, "past the end");
	desc(&f, 1)->offset = 8;
	desc(&f, 7)->size = UINT16_MAX;
	refused(&f, f.len, "\"halt_wait_hist\"");
	desc(&f, 7)->size = 0;
	refused(&f, f.len, "size 0");
	desc(&f, 7)->size = HIST_BUCKETS;
	desc(&f, 2)->offset = 12;
	refused(&f, f.len, "multiple of 8");
	desc(&f, 2)->offset = 16;
	f.h.data_offset = (uint32_t)f.len + 1;
	put_header(&f);
	refused(&f, f.len, "data block");
	free(f.b);

	/* Names: no NUL within name_size, empty; the id likewise; name_size absurd. */
	make_good(&f, "kvm-1", 1);
	memcpy(saved, desc(&f, 3)->name, NAME_SIZE);
	memset(desc(&f, 3)->name, 'A', NAME_SIZE);
	refused(&f, f.len, "not NUL-terminated");
	desc(&f, 3)->name[0] = '\0';
	refused(&f, f.len, "empty name");
	memcpy(desc(&f, 3)->name, saved, NAME_SIZE);
	memset(f.b + f.h.id_offset, 'x', NAME_SIZE);
	refused(&f, f.len, "the id is not NUL-terminated");
	memset(f.b + f.h.id_offset, 0, NAME_SIZE);
	f.h.name_size = 0;
	put_header(&f);
	refused(&f, f.len, "name_size 0");
	f.h.name_size = UINT32_MAX;
	put_header(&f);
	refused(&f, f.len, "name_size");
	f.h.name_size = NAME_SIZE;
	f.h.id_offset = UINT32_MAX;
	put_header(&f);
	refused(&f, f.len, "the id");
	free(f.b);
}
END_TEST

/* A file that is not a regular memfd: kvm_stats_open's ioctl on a non-KVM fd. */
START_TEST(no_stats_fd)
{
	struct kvm_stats s;
	char err[256] = "";
	int fd = memfd_create("not-kvm", MFD_CLOEXEC);

	ck_assert_int_eq(kvm_stats_open(&s, fd, err, sizeof(err)), -1);
	ck_assert_int_eq(s.fd, -1);
	ck_assert_msg(strstr(err, "KVM_GET_STATS_FD"), "%s", err);
	kvm_stats_close(&s);
	close(fd);
}
END_TEST

START_TEST(groups_by_pattern)
{
	static const struct {
		const char *name, *group;
	} cases[] = {
		{ "exits", "exits" }, { "io_exits", "exits" }, { "halt_exits", "exits" },
		{ "request_irq_exits", "exits" }, { "made_up_exits", "exits" },
		{ "hvc_exit_stat", "exits" }, { "exits_total", "other" },
		{ "pf_taken", "page_faults" }, { "pf_mmio_spte_created", "page_faults" },
		{ "pf_anything_new", "page_faults" },
		{ "mmu_shadow_zapped", "mmu" }, { "max_mmu_rmap_size", "mmu" },
		{ "nx_lpage_splits", "mmu" }, { "remote_tlb_flush", "mmu" }, { "tlb_flush", "mmu" },
		{ "pages_4k", "mmu" }, { "lpages", "mmu" }, { "invlpg", "mmu" },
		{ "some_shadow_thing", "mmu" },
		{ "insn_emulation", "emulation" }, { "insn_emulation_fail", "emulation" },
		{ "halt_wait_ns", "halts" }, { "halt_poll_fail_hist", "halts" },
		{ "halt_successful_poll", "halts" }, { "blocking", "halts" },
		{ "irq_injections", "interrupts" }, { "nmi_injections", "interrupts" },
		{ "irq_window_opened", "interrupts" },
		{ "fpu_reload", "other" }, { "hypercalls", "other" }, { "", "other" },
	};
	unsigned int n = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(!strcmp(kvm_stats_group_of(cases[i].name), cases[i].group),
			      "%s: %s, want %s", cases[i].name, kvm_stats_group_of(cases[i].name),
			      cases[i].group);
	/* Every group a name can land in is one the table shows, "other" last. */
	for (; kvm_stats_groups[n].key; n++)
		ck_assert_ptr_nonnull(kvm_stats_groups[n].title);
	ck_assert_str_eq(kvm_stats_groups[n - 1].key, "other");
}
END_TEST

static json_t *path(json_t *o, const char *a, const char *b, const char *c)
{
	o = json_object_get(o, a);
	o = b ? json_object_get(o, b) : o;
	return c ? json_object_get(o, c) : o;
}

/* Two vCPUs and a VM file (the good layout for all three), as query-kvm-stats. */
START_TEST(json_shape)
{
	struct file fv, f0, f1;
	struct kvm_stats vm, c0, c1, none = { .fd = -1 };
	const struct kvm_stats *vcpus[3] = { &c0, &none, &c1 };
	char err[256];
	json_t *r, *o, *per;

	make_good(&fv, "kvm-7", 5);
	make_good(&f0, "kvm-7/vcpu-0", 1);
	make_good(&f1, "kvm-7/vcpu-2", 2);
	/* vCPU 2's peak is the larger one; vCPU 0's the smaller. */
	ck_assert_int_eq(parse_file(&fv, fv.len, &vm, err, sizeof(err)), 0);
	ck_assert_int_eq(parse_file(&f0, f0.len, &c0, err, sizeof(err)), 0);
	ck_assert_int_eq(parse_file(&f1, f1.len, &c1, err, sizeof(err)), 0);

	r = kvm_stats_json(&vm, vcpus, 3, err, sizeof(err));
	ck_assert_msg(r, "%s", err);
	ck_assert(json_is_true(json_object_get(r, "available")));
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "kvm-7");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "vcpus")), 3);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "vcpu_ids"), 2)),
			 "kvm-7/vcpu-2");
	ck_assert(json_is_null(json_array_get(json_object_get(r, "vcpu_ids"), 1)));
	ck_assert_uint_eq(json_object_size(json_object_get(r, "vm")), NR_GOOD);
	ck_assert_uint_eq(json_object_size(json_object_get(r, "vcpu")), NR_GOOD);

	/* A counter: summed; the vCPU without statistics is null. */
	o = path(r, "vcpu", "exits", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(o, "group")), "exits");
	ck_assert_str_eq(json_string_value(json_object_get(o, "type")), "cumulative");
	ck_assert_str_eq(json_string_value(json_object_get(o, "unit")), "none");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "base")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "exponent")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "total")), 100 + 200);
	per = json_object_get(o, "per_vcpu");
	ck_assert_uint_eq(json_array_size(per), 3);
	ck_assert_int_eq(json_integer_value(json_array_get(per, 0)), 100);
	ck_assert(json_is_null(json_array_get(per, 1)));
	ck_assert_int_eq(json_integer_value(json_array_get(per, 2)), 200);
	ck_assert_ptr_null(json_object_get(o, "size"));
	ck_assert_ptr_null(json_object_get(o, "bucket_size"));

	/* Units and exponents as the descriptor says. */
	o = path(r, "vcpu", "halt_wait_ns", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(o, "unit")), "seconds");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "exponent")), -9);
	ck_assert_str_eq(json_string_value(path(r, "vcpu", "guest_memory", "unit")), "bytes");
	ck_assert_str_eq(json_string_value(path(r, "vcpu", "blocking", "type")), "instant");
	ck_assert_str_eq(json_string_value(path(r, "vcpu", "blocking", "unit")), "boolean");

	/* A peak: the largest, not the sum. */
	o = path(r, "vcpu", "max_mmu_rmap_size", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(o, "type")), "peak");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "total")), 206);

	/* Histograms: bucket by bucket; the linear one has its bucket size. */
	o = path(r, "vcpu", "halt_wait_hist", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(o, "type")), "log_hist");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "size")), HIST_BUCKETS);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "total")), HIST_BUCKETS);
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(o, "total"), 3)),
			 (100 + 7 + 3) + (200 + 7 + 3));
	ck_assert_uint_eq(json_array_size(json_array_get(json_object_get(o, "per_vcpu"), 2)),
			  HIST_BUCKETS);
	ck_assert_ptr_null(json_object_get(o, "bucket_size"));
	o = path(r, "vcpu", "poll_lin_hist", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(o, "type")), "linear_hist");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "bucket_size")), 10);

	/* The VM file: values, no totals. */
	o = path(r, "vm", "exits", NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "value")), 500);
	ck_assert_ptr_null(json_object_get(o, "total"));
	ck_assert_uint_eq(json_array_size(path(r, "vm", "halt_wait_hist", "value")), HIST_BUCKETS);
	json_decref(r);

	/* Nothing open: not available (the caller says why). */
	vcpus[0] = vcpus[2] = &none;
	r = kvm_stats_json(&none, vcpus, 3, err, sizeof(err));
	ck_assert(r);
	ck_assert(json_is_false(json_object_get(r, "available")));
	ck_assert_uint_eq(json_object_size(json_object_get(r, "vcpu")), 0);
	json_decref(r);

	kvm_stats_close(&vm);
	kvm_stats_close(&c0);
	kvm_stats_close(&c1);
	free(fv.b);
	free(f0.b);
	free(f1.b);
}
END_TEST

/* A newer kernel's type and unit: kept, shown by number. */
START_TEST(unknown_type)
{
	struct file f;
	struct kvm_stats s;
	const struct kvm_stats *vcpus[1] = { &s };
	char err[256];
	json_t *r;

	make_good(&f, "kvm-1/vcpu-0", 1);
	desc(&f, 1)->flags = 0x9 | (0xa << KVM_STATS_UNIT_SHIFT) | (0x3 << KVM_STATS_BASE_SHIFT);
	ck_assert_msg(parse_file(&f, f.len, &s, err, sizeof(err)) == 0, "%s", err);
	r = kvm_stats_json(NULL, vcpus, 1, err, sizeof(err));
	ck_assert(r);
	ck_assert_int_eq(json_integer_value(path(r, "vcpu", "io_exits", "type")), 9);
	ck_assert_int_eq(json_integer_value(path(r, "vcpu", "io_exits", "unit")), 10);
	ck_assert(json_is_null(path(r, "vcpu", "io_exits", "base")));
	ck_assert(json_is_null(json_object_get(r, "id")));
	json_decref(r);
	kvm_stats_close(&s);
	free(f.b);
}
END_TEST

START_TEST(text)
{
	struct file fv, f0;
	struct kvm_stats vm, c0;
	const struct kvm_stats *vcpus[1] = { &c0 };
	char err[256], *out = NULL;
	size_t outlen = 0;
	FILE *mf;
	json_t *r;

	make_good(&fv, "kvm-7", 5);
	make_good(&f0, "kvm-7/vcpu-0", 0);
	data(&f0)[4] = 1500000;			/* halt_wait_ns: 1.5 ms */
	for (unsigned int k = 0; k < HIST_BUCKETS; k++)	/* halt_wait_hist */
		data(&f0)[7 + k] = k == 2 ? 3 : 0;	/* bucket 2: [2 ns, 4 ns) */
	data(&f0)[7 + HIST_BUCKETS + LIN_BUCKETS] = 3ULL << 20;	/* guest_memory */
	ck_assert_int_eq(parse_file(&fv, fv.len, &vm, err, sizeof(err)), 0);
	ck_assert_int_eq(parse_file(&f0, f0.len, &c0, err, sizeof(err)), 0);
	r = kvm_stats_json(&vm, vcpus, 1, err, sizeof(err));
	ck_assert(r);
	mf = open_memstream(&out, &outlen);
	kvm_stats_print(mf, "vm1", r);
	fclose(mf);
	ck_assert_msg(strstr(out, "KVM statistics of vm1 (kvm-7, 1 vCPU)"), "%s", out);
	ck_assert_msg(strstr(out, "exits by reason"), "%s", out);
	ck_assert_msg(strstr(out, "guest page faults"), "%s", out);
	ck_assert_msg(strstr(out, "instruction emulation"), "%s", out);
	ck_assert_msg(strstr(out, "interrupt injections"), "%s", out);
	ck_assert_msg(strstr(out, "vcpu0"), "%s", out);
	ck_assert_msg(strstr(out, "1.5 ms"), "%s", out);
	ck_assert_msg(strstr(out, "3.0 MiB"), "%s", out);
	ck_assert_msg(strstr(out, "n=3"), "%s", out);
	ck_assert_msg(strstr(out, "buckets: [2 ns, 4 ns): 3\n"), "%s", out);
	ck_assert_msg(strstr(out, "exits (VM)"), "%s", out);
	free(out);
	json_decref(r);

	/* Unavailable: says why. */
	r = json_pack("{sb ss}", "available", 0, "why", "this KVM has no binary statistics");
	out = NULL;
	mf = open_memstream(&out, &outlen);
	kvm_stats_print(mf, "vm1", r);
	fclose(mf);
	ck_assert_str_eq(out, "vm1: no KVM statistics: this KVM has no binary statistics\n");
	free(out);
	json_decref(r);

	kvm_stats_close(&vm);
	kvm_stats_close(&c0);
	free(fv.b);
	free(f0.b);
}
END_TEST

static Suite *vmm_kvm_stats_suite(void)
{
	Suite *s = suite_create("vmm_kvm_stats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, good_file);
	tcase_add_test(tc, sparse_values);
	tcase_add_test(tc, hostile_files);
	tcase_add_test(tc, no_stats_fd);
	tcase_add_test(tc, groups_by_pattern);
	tcase_add_test(tc, json_shape);
	tcase_add_test(tc, unknown_type);
	tcase_add_test(tc, text);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(vmm_kvm_stats_suite)
