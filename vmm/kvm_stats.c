// SPDX-License-Identifier: MIT
/*
 * KVM's binary statistics (include/vmm/kvm_stats.h).  The file is read
 * whole once, at open, and every offset and size in it is checked against
 * what was read before anything is kept: it comes from the kernel, but
 * from whichever kernel the host runs, and the unit tests feed it hostile
 * copies.  Snapshots later read the data block alone.
 *
 * Layout (Documentation/virt/kvm/api.rst, KVM_GET_STATS_FD): a header
 * (struct kvm_stats_header) at 0; the id, name_size bytes at id_offset;
 * num_desc descriptors at desc_offset, each a struct kvm_stats_desc
 * followed by its name in name_size bytes; the values at data_offset,
 * each statistic's @size u64s at data_offset + desc.offset.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <vmm/kvm_stats.h>

#define ERR(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

/*
 * Bounds no kernel comes near (x86 has ~50 vCPU statistics with 48-byte
 * names: a few KiB), so a file past them is not a statistics file.
 */
#define KVM_STATS_FILE_MAX	(1u << 20)
#define KVM_STATS_NAME_MAX	4096u

const struct kvm_stats_group kvm_stats_groups[] = {
	{ "exits", "exits by reason" },
	{ "page_faults", "guest page faults" },
	{ "mmu", "shadow MMU and TLB" },
	{ "emulation", "instruction emulation" },
	{ "halts", "halts and polling" },
	{ "interrupts", "interrupt injections" },
	{ "other", "other" },
	{ NULL, NULL },
};

/* First match wins: halt_exits is an exit, pf_mmio_spte_created a fault. */
static const struct {
	const char *group;
	const char *pattern;
} group_patterns[] = {
	{ "exits", "exits" },
	{ "exits", "*_exits" },
	{ "exits", "*_exit_*" },
	{ "exits", "*_exit" },
	{ "page_faults", "pf_*" },
	{ "mmu", "*mmu*" },
	{ "mmu", "*_sp*" },
	{ "mmu", "*shadow*" },
	{ "mmu", "*tlb*" },
	{ "mmu", "*lpage*" },
	{ "mmu", "pages_*" },
	{ "mmu", "invlpg*" },
	{ "emulation", "insn_emulation*" },
	{ "emulation", "*emulat*" },
	{ "halts", "halt_*" },
	{ "halts", "*block*" },
	{ "interrupts", "*injections*" },
	{ "interrupts", "*irq*" },
	{ "interrupts", "*nmi*" },
};

const char *kvm_stats_group_of(const char *name)
{
	for (size_t i = 0; i < sizeof(group_patterns) / sizeof(group_patterns[0]); i++)
		if (!fnmatch(group_patterns[i].pattern, name, 0))
			return group_patterns[i].group;
	return "other";
}

const char *kvm_stat_type_name(uint32_t flags)
{
	switch (flags & KVM_STATS_TYPE_MASK) {
	case KVM_STATS_TYPE_CUMULATIVE: return "cumulative";
	case KVM_STATS_TYPE_INSTANT: return "instant";
	case KVM_STATS_TYPE_PEAK: return "peak";
	case KVM_STATS_TYPE_LINEAR_HIST: return "linear_hist";
	case KVM_STATS_TYPE_LOG_HIST: return "log_hist";
	default: return NULL;
	}
}

const char *kvm_stat_unit_name(uint32_t flags)
{
	switch (flags & KVM_STATS_UNIT_MASK) {
	case KVM_STATS_UNIT_NONE: return "none";
	case KVM_STATS_UNIT_BYTES: return "bytes";
	case KVM_STATS_UNIT_SECONDS: return "seconds";
	case KVM_STATS_UNIT_CYCLES: return "cycles";
	case KVM_STATS_UNIT_BOOLEAN: return "boolean";
	default: return NULL;
	}
}

/* The whole file into a malloc'd buffer; its length in *@len.  NULL with a message. */
static uint8_t *read_all(int fd, size_t *len, char *err, size_t errlen)
{
	size_t cap = 16384, n = 0;
	uint8_t *buf = malloc(cap);

	if (!buf)
		ERR("out of memory");
	for (;;) {
		ssize_t r;

		if (n == cap) {
			uint8_t *nb;

			if (cap >= KVM_STATS_FILE_MAX)
				ERR("more than %u bytes: not a KVM statistics file", KVM_STATS_FILE_MAX);
			nb = realloc(buf, cap * 2);
			if (!nb)
				ERR("out of memory");
			buf = nb;
			cap *= 2;
		}
		r = pread(fd, buf + n, cap - n, (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ERR("reading: %s", strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
fail:
	free(buf);
	return NULL;
}

/*
 * Parse @len bytes of a statistics file into @s (stat, nr, id,
 * nr_values, data_offset).  0, or -1 with a message and @s untouched.
 */
static int parse(struct kvm_stats *s, const uint8_t *b, size_t len, char *err, size_t errlen)
{
	struct kvm_stats_header h;
	struct kvm_stat *stat = NULL;
	unsigned int nr = 0;
	size_t desc_size, nr_values = 0;
	uint64_t desc_end;
	const char *id;

	if (len < sizeof(h))
		ERR("truncated: %zu bytes, less than the %zu-byte header", len, sizeof(h));
	memcpy(&h, b, sizeof(h));
	if (h.name_size == 0 || h.name_size > KVM_STATS_NAME_MAX)
		ERR("name_size %u: not a size a kernel writes (1 to %u)", h.name_size,
		    KVM_STATS_NAME_MAX);
	if ((uint64_t)h.id_offset + h.name_size > len)
		ERR("the id at bytes %u-%llu lies past the end of the file (%zu bytes)",
		    h.id_offset, (unsigned long long)h.id_offset + h.name_size, len);
	id = (const char *)b + h.id_offset;
	if (!memchr(id, '\0', h.name_size))
		ERR("the id is not NUL-terminated within name_size (%u bytes)", h.name_size);
	if (h.num_desc == 0)
		ERR("no statistics (num_desc 0)");
	desc_size = sizeof(struct kvm_stats_desc) + h.name_size;
	if (h.desc_offset > len || (uint64_t)h.num_desc * desc_size > len - h.desc_offset)
		ERR("%u descriptors of %zu bytes at byte %u do not fit in the file (%zu bytes)",
		    h.num_desc, desc_size, h.desc_offset, len);
	if (h.data_offset > len)
		ERR("the data block at byte %u starts past the end of the file (%zu bytes)",
		    h.data_offset, len);
	/* The blocks are apart (api.rst): values read as descriptors are garbage. */
	desc_end = h.desc_offset + (uint64_t)h.num_desc * desc_size;
	if (h.data_offset >= h.desc_offset && h.data_offset < desc_end)
		ERR("the data block at byte %u starts inside the %u descriptors (bytes %u-%llu)",
		    h.data_offset, h.num_desc, h.desc_offset, (unsigned long long)desc_end);

	stat = calloc(h.num_desc, sizeof(*stat));
	if (!stat)
		ERR("out of memory");
	for (nr = 0; nr < h.num_desc; nr++) {
		const uint8_t *p = b + h.desc_offset + (size_t)nr * desc_size;
		const char *name = (const char *)p + sizeof(struct kvm_stats_desc);
		struct kvm_stats_desc d;
		uint64_t end;

		memcpy(&d, p, sizeof(d));
		if (!memchr(name, '\0', h.name_size))
			ERR("descriptor %u: its name is not NUL-terminated within name_size (%u bytes)",
			    nr, h.name_size);
		if (!name[0])
			ERR("descriptor %u has an empty name", nr);
		if (d.size == 0)
			ERR("\"%s\": size 0, no values", name);
		if (d.offset % sizeof(uint64_t))
			ERR("\"%s\": offset %u is not a multiple of 8 (values are u64s)", name, d.offset);
		end = (uint64_t)h.data_offset + d.offset + (uint64_t)d.size * sizeof(uint64_t);
		if (end > len)
			ERR("\"%s\": its values end at byte %llu, past the end of the file (%zu bytes)",
			    name, (unsigned long long)end, len);
		stat[nr] = (struct kvm_stat){
			.name = strdup(name),
			.flags = d.flags,
			.exponent = d.exponent,
			.size = d.size,
			.bucket_size = d.bucket_size,
			.index = d.offset / sizeof(uint64_t),
		};
		if (!stat[nr].name)
			ERR("out of memory");
		if (stat[nr].index + d.size > nr_values)
			nr_values = stat[nr].index + d.size;
	}
	if (h.desc_offset > h.data_offset && h.desc_offset < h.data_offset + nr_values * sizeof(uint64_t))
		ERR("the descriptors at byte %u lie inside the values (bytes %u-%llu)", h.desc_offset,
		    h.data_offset, (unsigned long long)h.data_offset + nr_values * sizeof(uint64_t));
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->stat = stat;
	s->nr = nr;
	s->nr_values = nr_values;
	s->data_offset = h.data_offset;
	return 0;
fail:
	while (stat && nr--)
		free(stat[nr].name);
	free(stat);
	return -1;
}

int kvm_stats_parse(struct kvm_stats *s, int fd, char *err, size_t errlen)
{
	size_t len = 0;
	uint8_t *buf;
	int r = -1;

	s->fd = -1;
	s->nr = 0;
	s->stat = NULL;
	buf = read_all(fd, &len, err, errlen);
	if (buf)
		r = parse(s, buf, len, err, errlen);
	free(buf);
	if (r)
		close(fd);
	else
		s->fd = fd;
	return r;
}

int kvm_stats_open(struct kvm_stats *s, int kvm_fd, char *err, size_t errlen)
{
	char why[256];
	int fd;

	s->fd = -1;
	s->nr = 0;
	s->stat = NULL;
	fd = ioctl(kvm_fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0) {
		int e = errno;

		if (e == ENOTTY || e == EINVAL)
			snprintf(err, errlen, "this KVM has no binary statistics (KVM_GET_STATS_FD: %s; "
				 "Linux has them since 5.14)", strerror(e));
		else
			snprintf(err, errlen, "KVM_GET_STATS_FD: %s", strerror(e));
		errno = e;
		return -1;
	}
	if (kvm_stats_parse(s, fd, why, sizeof(why))) {
		snprintf(err, errlen, "KVM's statistics file refused: %s", why);
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* Read @n u64s from @off in the data block; a short read is an error (EIO). */
static int read_values(const struct kvm_stats *s, uint64_t off, uint64_t *vals, size_t n)
{
	size_t want = n * sizeof(uint64_t), got = 0;

	while (got < want) {
		ssize_t r = pread(s->fd, (uint8_t *)vals + got, want - got,
				  (off_t)(s->data_offset + off * sizeof(uint64_t) + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

int kvm_stats_read(const struct kvm_stats *s, uint64_t *vals)
{
	return read_values(s, 0, vals, s->nr_values);
}

int kvm_stats_read_stat(const struct kvm_stats *s, const struct kvm_stat *st, uint64_t *vals)
{
	return read_values(s, st->index, vals, st->size);
}

const struct kvm_stat *kvm_stats_find(const struct kvm_stats *s, const char *name)
{
	for (unsigned int i = 0; i < s->nr; i++)
		if (!strcmp(s->stat[i].name, name))
			return &s->stat[i];
	return NULL;
}

void kvm_stats_close(struct kvm_stats *s)
{
	if (s->fd >= 0)
		close(s->fd);
	for (unsigned int i = 0; i < s->nr; i++)
		free(s->stat[i].name);
	free(s->stat);
	s->fd = -1;
	s->nr = 0;
	s->stat = NULL;
	s->nr_values = 0;
}

/* @st's values: an integer, or an array for a histogram (or any size > 1). */
static json_t *values_json(const struct kvm_stat *st, const uint64_t *v)
{
	json_t *a;

	if (st->size == 1)
		return json_integer((json_int_t)v[0]);
	a = json_array();
	for (unsigned int i = 0; i < st->size; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

/* What a descriptor says, without values. */
static json_t *desc_json(const struct kvm_stat *st)
{
	const char *type = kvm_stat_type_name(st->flags), *unit = kvm_stat_unit_name(st->flags);
	uint32_t base = st->flags & KVM_STATS_BASE_MASK;
	json_t *o = json_object();

	json_object_set_new(o, "group", json_string(kvm_stats_group_of(st->name)));
	json_object_set_new(o, "type", type ? json_string(type) :
			    json_integer(st->flags & KVM_STATS_TYPE_MASK));
	json_object_set_new(o, "unit", unit ? json_string(unit) :
			    json_integer((st->flags & KVM_STATS_UNIT_MASK) >> KVM_STATS_UNIT_SHIFT));
	json_object_set_new(o, "base", base == KVM_STATS_BASE_POW10 ? json_integer(10) :
			    base == KVM_STATS_BASE_POW2 ? json_integer(2) : json_null());
	json_object_set_new(o, "exponent", json_integer(st->exponent));
	if (st->size > 1)
		json_object_set_new(o, "size", json_integer(st->size));
	if ((st->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_LINEAR_HIST)
		json_object_set_new(o, "bucket_size", json_integer(st->bucket_size));
	return o;
}

static bool is_open(const struct kvm_stats *s)
{
	return s && s->fd >= 0;
}

/* Every vCPU's snapshot (NULL for a vCPU without statistics).  -1 with a message. */
static int read_vcpus(const struct kvm_stats *const *vcpu, unsigned int nr, uint64_t **snap,
		      char *err, size_t errlen)
{
	for (unsigned int i = 0; i < nr; i++) {
		if (!is_open(vcpu[i]))
			continue;
		snap[i] = malloc(vcpu[i]->nr_values * sizeof(uint64_t));
		if (!snap[i])
			ERR("out of memory");
		if (kvm_stats_read(vcpu[i], snap[i]))
			ERR("reading %s's statistics: %s", vcpu[i]->id, strerror(errno));
	}
	return 0;
fail:
	return -1;
}

/*
 * One vCPU statistic, named as in @tmpl, across every vCPU: the total
 * (sum, or max for a peak; bucket by bucket for histograms) and each
 * vCPU's values.  A vCPU whose file lacks it, or has it in another
 * size, shows null.
 */
static json_t *vcpu_stat_json(const struct kvm_stat *tmpl, const struct kvm_stats *const *vcpu,
			      unsigned int nr, uint64_t *const *snap, uint64_t *total)
{
	bool peak = (tmpl->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_PEAK;
	json_t *o = desc_json(tmpl), *per = json_array();

	memset(total, 0, tmpl->size * sizeof(uint64_t));
	for (unsigned int i = 0; i < nr; i++) {
		const struct kvm_stat *st = snap[i] ? kvm_stats_find(vcpu[i], tmpl->name) : NULL;
		const uint64_t *v;

		if (!st || st->size != tmpl->size) {
			json_array_append_new(per, json_null());
			continue;
		}
		v = snap[i] + st->index;
		for (unsigned int k = 0; k < st->size; k++)
			total[k] = peak ? (v[k] > total[k] ? v[k] : total[k]) : total[k] + v[k];
		json_array_append_new(per, values_json(st, v));
	}
	json_object_set_new(o, "total", values_json(tmpl, total));
	json_object_set_new(o, "per_vcpu", per);
	return o;
}

json_t *kvm_stats_json(const struct kvm_stats *vm, const struct kvm_stats *const *vcpu,
		       unsigned int nr, char *err, size_t errlen)
{
	const struct kvm_stats *tmpl = NULL;
	json_t *r = json_object(), *vmo = json_object(), *vco = json_object(), *ids = json_array();
	uint64_t **snap = calloc(nr ? nr : 1, sizeof(*snap));
	uint64_t *vals = NULL;

	if (!snap)
		ERR("out of memory");
	/* The first vCPU with statistics names them; the others are matched by name. */
	for (unsigned int i = 0; i < nr; i++) {
		json_array_append_new(ids, is_open(vcpu[i]) ? json_string(vcpu[i]->id) : json_null());
		if (!tmpl && is_open(vcpu[i]))
			tmpl = vcpu[i];
	}
	if (read_vcpus(vcpu, nr, snap, err, errlen))
		goto fail;
	if (is_open(vm)) {
		vals = malloc(vm->nr_values * sizeof(uint64_t));
		if (!vals)
			ERR("out of memory");
		if (kvm_stats_read(vm, vals))
			ERR("reading %s's statistics: %s", vm->id, strerror(errno));
		for (unsigned int i = 0; i < vm->nr; i++) {
			const struct kvm_stat *st = &vm->stat[i];
			json_t *o = desc_json(st);

			json_object_set_new(o, "value", values_json(st, vals + st->index));
			json_object_set_new(vmo, st->name, o);
		}
		free(vals);
		vals = NULL;
	}
	if (tmpl) {
		vals = malloc(tmpl->nr_values * sizeof(uint64_t));
		if (!vals)
			ERR("out of memory");
		for (unsigned int i = 0; i < tmpl->nr; i++)
			json_object_set_new(vco, tmpl->stat[i].name,
					    vcpu_stat_json(&tmpl->stat[i], vcpu, nr, snap, vals));
	}
	json_object_set_new(r, "available", json_boolean(is_open(vm) || tmpl));
	json_object_set_new(r, "id", is_open(vm) ? json_string(vm->id) : json_null());
	json_object_set_new(r, "vcpus", json_integer(nr));
	json_object_set_new(r, "vcpu_ids", ids);
	json_object_set_new(r, "vm", vmo);
	json_object_set_new(r, "vcpu", vco);
	for (unsigned int i = 0; i < nr; i++)
		free(snap[i]);
	free(snap);
	free(vals);
	return r;
fail:
	for (unsigned int i = 0; snap && i < nr; i++)
		free(snap[i]);
	free(snap);
	free(vals);
	json_decref(ids);
	json_decref(vmo);
	json_decref(vco);
	json_decref(r);
	return NULL;
}
