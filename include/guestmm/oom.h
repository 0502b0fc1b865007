/* SPDX-License-Identifier: MIT */
/*
 * OOM notifiers: memory somebody holds but can give back when the
 * allocator is about to kill (Linux's register_oom_notifier(); the
 * balloon's deflate-on-OOM is the user).  out_of_memory() calls every
 * notifier first; if any of them freed pages, the allocation retries and
 * nothing is killed.
 */
#ifndef GUESTMM_OOM_H
#define GUESTMM_OOM_H

#include <guestmm/compiler.h>

struct oom_notifier {
	/* Free what you can spare now (may sleep); returns pages freed. */
	unsigned long (*notify)(struct oom_notifier *n);
	struct oom_notifier *next;	/* oom_kill.c's */
};

void register_oom_notifier(struct oom_notifier *n);
void unregister_oom_notifier(struct oom_notifier *n);

#endif
