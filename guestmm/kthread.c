// SPDX-License-Identifier: MIT
/*
 * Starting and stopping a node's daemon (kswapd, kcompactd): its thread,
 * named after the node, and the event that wakes it.
 */
#include "internal.h"
#include <guestmm/errno.h>

int node_kthread_run(int nid, int (*fn)(void *), const char *what,
		     struct platform_thread **thread, struct platform_event **wait)
{
	char name[16];

	if (*thread)
		return 0;
	*wait = platform_event_create();
	if (!*wait)
		return -ENOMEM;
	mm_snprintf(name, sizeof(name), "%s%d", what, nid);
	*thread = platform_thread_run(fn, NODE_DATA(nid), name);
	if (!*thread) {
		platform_event_destroy(*wait);
		*wait = NULL;
		mm_printk("Failed to start %s on node %d", what, nid);
		return -ENOMEM;
	}
	return 0;
}

void node_kthread_stop(struct platform_thread **thread, struct platform_event **wait)
{
	struct platform_event *ev = *wait;

	if (!*thread)
		return;
	platform_thread_stop(*thread);
	*thread = NULL;
	*wait = NULL;
	platform_event_destroy(ev);
}
