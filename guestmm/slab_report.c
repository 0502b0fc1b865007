// SPDX-License-Identifier: MIT
/*
 * /proc/slabinfo (version 2.1, character for character as Linux's
 * mm/slab_common.c prints it) and a slabtop-like summary.
 *
 * Objects waiting in per-CPU arrays count as active, as they did in
 * Linux's SLAB: from the slabs' point of view they are allocated.
 */
#include "slab_internal.h"

struct slabinfo {
	unsigned long active_objs, num_objs;
	unsigned long active_slabs, num_slabs;
};

static void get_slabinfo(struct kmem_cache *s, struct slabinfo *info)
{
	memset(info, 0, sizeof(*info));
	for (int nid = 0; nid < nr_online_nodes; nid++) {
		struct kmem_cache_node *n = &s->node[nid];
		unsigned long flags, slabs;

		spin_lock_irqsave(&n->list_lock, flags);
		slabs = n->nr_partial + n->nr_full + n->nr_free;
		info->num_slabs += slabs;
		info->active_slabs += n->nr_partial + n->nr_full;
		info->num_objs += slabs * s->objects;
		info->active_objs += slabs * s->objects - n->free_objects;
		spin_unlock_irqrestore(&n->list_lock, flags);
	}
}

void report_slabinfo(struct seq_buf *m)
{
	struct kmem_cache *s;
	unsigned long flags;

	seq_puts(m, "slabinfo - version: 2.1\n");
	seq_puts(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>");
	seq_puts(m, " : tunables <limit> <batchcount> <sharedfactor>");
	seq_puts(m, " : slabdata <active_slabs> <num_slabs> <sharedavail>");
	seq_putc(m, '\n');

	spin_lock_irqsave(&slab_lock, flags);
	list_for_each_entry(s, &slab_caches, list) {
		struct slabinfo info;

		get_slabinfo(s, &info);
		seq_printf(m, "%-17s %6lu %6lu %6u %4u %4d", s->name, info.active_objs,
			   info.num_objs, s->size, s->objects, 1 << s->order);
		seq_printf(m, " : tunables %4u %4u %4u", s->limit, s->batchcount, 0U);
		seq_printf(m, " : slabdata %6lu %6lu %6lu", info.active_slabs, info.num_slabs, 0UL);
		seq_putc(m, '\n');
	}
	spin_unlock_irqrestore(&slab_lock, flags);
}

/* --- slabtop -------------------------------------------------------------- */

#define SLABTOP_MAX	128

struct slabtop_row {
	const char *name;
	unsigned long objs, active, slabs, cache_bytes;
	unsigned int obj_size, per_slab;
};

/* @num / @den as a percentage with one decimal, as "%.1f". */
static void put_percent(struct seq_buf *m, unsigned long num, unsigned long den)
{
	unsigned long tenths = den ? (num * 1000 + den / 2) / den : 0;

	seq_printf(m, "%lu.%lu%%", tenths / 10, tenths % 10);
}

/* Bytes as kibibytes with two decimals, as "%<width>.2fK". */
static void put_kib(struct seq_buf *m, unsigned long bytes, int width)
{
	unsigned long hundredths = (bytes * 100 + 512) / 1024;

	seq_printf(m, "%*lu.%02luK", width > 3 ? width - 3 : 0, hundredths / 100,
		   hundredths % 100);
}

/*
 * The summary `slabtop -o -s c` prints: totals, then one row per cache
 * sorted by the memory its slabs hold, largest first.
 */
void report_slabtop(struct seq_buf *m)
{
	static struct slabtop_row rows[SLABTOP_MAX];
	unsigned long objs = 0, active = 0, slabs = 0, active_slabs = 0;
	unsigned long bytes = 0, active_bytes = 0, flags;
	unsigned int nr = 0, nr_active = 0, min_size = ~0U, max_size = 0;
	struct kmem_cache *s;

	spin_lock_irqsave(&slab_lock, flags);
	list_for_each_entry(s, &slab_caches, list) {
		struct slabtop_row *r;
		struct slabinfo info;

		if (nr == SLABTOP_MAX)
			break;
		get_slabinfo(s, &info);
		r = &rows[nr++];
		r->name = s->name;
		r->objs = info.num_objs;
		r->active = info.active_objs;
		r->slabs = info.num_slabs;
		r->obj_size = s->size;
		r->per_slab = s->objects;
		r->cache_bytes = info.num_slabs * (PAGE_SIZE << s->order);
		objs += info.num_objs;
		active += info.active_objs;
		slabs += info.num_slabs;
		active_slabs += info.active_slabs;
		bytes += info.num_objs * s->size;
		active_bytes += info.active_objs * s->size;
		nr_active += info.active_objs != 0;
		min_size = min(min_size, s->size);
		max_size = max(max_size, s->size);
	}

	/* Insertion sort: a few dozen caches. */
	for (unsigned int i = 1; i < nr; i++) {
		struct slabtop_row r = rows[i];
		unsigned int j = i;

		while (j > 0 && rows[j - 1].cache_bytes < r.cache_bytes) {
			rows[j] = rows[j - 1];
			j--;
		}
		rows[j] = r;
	}

	seq_printf(m, " %-35s: %lu / %lu (", "Active / Total Objects (% used)", active, objs);
	put_percent(m, active, objs);
	seq_printf(m, ")\n %-35s: %lu / %lu (", "Active / Total Slabs (% used)", active_slabs, slabs);
	put_percent(m, active_slabs, slabs);
	seq_printf(m, ")\n %-35s: %u / %u (", "Active / Total Caches (% used)", nr_active, nr);
	put_percent(m, nr_active, nr);
	seq_printf(m, ")\n %-35s: ", "Active / Total Size (% used)");
	put_kib(m, active_bytes, 0);
	seq_puts(m, " / ");
	put_kib(m, bytes, 0);
	seq_puts(m, " (");
	put_percent(m, active_bytes, bytes);
	seq_printf(m, ")\n %-35s: ", "Minimum / Average / Maximum Object");
	put_kib(m, nr ? min_size : 0, 0);
	seq_puts(m, " / ");
	put_kib(m, objs ? bytes / objs : 0, 0);
	seq_puts(m, " / ");
	put_kib(m, max_size, 0);
	seq_puts(m, "\n\n");

	seq_printf(m, "%6s %6s %4s %8s %6s %8s %10s %-23s\n", "OBJS", "ACTIVE", "USE",
		   "OBJ SIZE", "SLABS", "OBJ/SLAB", "CACHE SIZE", "NAME");
	for (unsigned int i = 0; i < nr; i++) {
		struct slabtop_row *r = &rows[i];

		seq_printf(m, "%6lu %6lu %3lu%% ", r->objs, r->active,
			   r->objs ? r->active * 100 / r->objs : 0);
		put_kib(m, r->obj_size, 7);
		seq_printf(m, " %6lu %8u %9luK %-23s\n", r->slabs, r->per_slab,
			   r->cache_bytes / 1024, r->name);
	}
	/* Held to the end: rows[] is shared, and names live in the caches. */
	spin_unlock_irqrestore(&slab_lock, flags);
}
