/* SPDX-License-Identifier: MIT */
/*
 * Consistency checks for tests and debugging.
 */
#ifndef GUESTMM_MM_CHECK_H
#define GUESTMM_MM_CHECK_H

#include <guestmm/seq_buf.h>

/*
 * Walk every zone's free lists, per-CPU lists and the memory map and
 * check the allocator's invariants:
 *   - every free block is aligned to its order, lies in its zone, and is
 *     on exactly one free list of its order;
 *   - no two free buddies of the same order are left unmerged, except
 *     whole pageblocks of different migratetypes (as in Linux);
 *   - nr_free per order and NR_FREE_PAGES equal a recount;
 *   - per-CPU list counts equal a recount;
 *   - no page is both free (in a buddy block or on a per-CPU list) and
 *     allocated (refcount > 0), and no page is in two free blocks.
 * The caller must keep the allocator quiet (no concurrent alloc/free).
 * Returns the number of violations; each is described in @err.
 */
unsigned long mm_check_invariants(struct seq_buf *err);

#endif
