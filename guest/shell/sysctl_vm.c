// SPDX-License-Identifier: MIT
/*
 * /proc/sys/vm: the tunables and triggers guestmm exports, read with cat
 * and set with `echo N > FILE`, with Linux's ranges (a value Linux would
 * refuse is refused: "write error: Invalid argument").  Setting one
 * recomputes what depends on it (watermarks, per-CPU list sizes) inside
 * guestmm's setter.
 */
#include <guest/shell.h>
#include <guest/string.h>
#include <guestmm/compaction.h>
#include <guestmm/page_alloc.h>
#include <guestmm/shrinker.h>
#include <guestmm/swap.h>

/* A decimal in [lo, hi]; -1 for anything else. */
static int parse_int(const char *val, long long lo, long long hi, int *out)
{
	unsigned long long v;

	if (kstrtoull(val, 10, &v) || (long long)v < lo || (long long)v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static void show_min_free_kbytes(struct seq_buf *s)
{
	seq_printf(s, "%d\n", min_free_kbytes);
}

static int write_min_free_kbytes(const char *val)
{
	int v;

	if (parse_int(val, 0, 0x7fffffff, &v) < 0)
		return -1;
	return set_min_free_kbytes(v);
}
PROC_FILE(min_free_kbytes, "/proc/sys/vm/min_free_kbytes", show_min_free_kbytes,
	  write_min_free_kbytes);

static void show_watermark_scale_factor(struct seq_buf *s)
{
	seq_printf(s, "%d\n", watermark_scale_factor);
}

static int write_watermark_scale_factor(const char *val)
{
	int v;

	if (parse_int(val, 1, 3000, &v) < 0)
		return -1;
	return set_watermark_scale_factor(v);
}
PROC_FILE(watermark_scale_factor, "/proc/sys/vm/watermark_scale_factor",
	  show_watermark_scale_factor, write_watermark_scale_factor);

static void show_compaction_proactiveness(struct seq_buf *s)
{
	seq_printf(s, "%u\n", sysctl_compaction_proactiveness);
}

static int write_compaction_proactiveness(const char *val)
{
	int v;

	if (parse_int(val, 0, 100, &v) < 0)
		return -1;
	set_compaction_proactiveness((unsigned int)v);
	return 0;
}
PROC_FILE(compaction_proactiveness, "/proc/sys/vm/compaction_proactiveness",
	  show_compaction_proactiveness, write_compaction_proactiveness);

static void show_swappiness(struct seq_buf *s)
{
	seq_printf(s, "%d\n", vm_swappiness);
}

static int write_swappiness(const char *val)
{
	return parse_int(val, 0, 200, &vm_swappiness);
}
PROC_FILE(swappiness, "/proc/sys/vm/swappiness", show_swappiness, write_swappiness);

static void show_extfrag_threshold(struct seq_buf *s)
{
	seq_printf(s, "%d\n", sysctl_extfrag_threshold);
}

static int write_extfrag_threshold(const char *val)
{
	return parse_int(val, 0, 1000, &sysctl_extfrag_threshold);
}
PROC_FILE(extfrag_threshold, "/proc/sys/vm/extfrag_threshold", show_extfrag_threshold,
	  write_extfrag_threshold);

/* Write-only triggers, as in Linux (reading them is "Permission denied"). */
static int write_compact_memory(const char *val)
{
	int v;

	if (parse_int(val, 1, 1, &v) < 0)
		return -1;
	compact_memory();
	return 0;
}
PROC_FILE(compact_memory, "/proc/sys/vm/compact_memory", NULL, write_compact_memory);

/*
 * 1: page cache (this kernel has none that is clean and droppable, so
 * nothing to do), 2: reclaimable slab objects, 3: both.
 */
static int write_drop_caches(const char *val)
{
	int v;

	if (parse_int(val, 1, 4, &v) < 0)
		return -1;
	if (v & 2)
		drop_slab();
	return 0;
}
PROC_FILE(drop_caches, "/proc/sys/vm/drop_caches", NULL, write_drop_caches);
