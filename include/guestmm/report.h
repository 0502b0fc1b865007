/* SPDX-License-Identifier: MIT */
/*
 * The /proc views, in Linux's exact text formats.  Each appends to a
 * seq_buf; the guest's shell, the control channel and the tests print
 * what comes back.
 */
#ifndef GUESTMM_REPORT_H
#define GUESTMM_REPORT_H

#include <guestmm/seq_buf.h>

void report_buddyinfo(struct seq_buf *s);	/* /proc/buddyinfo */
void report_pagetypeinfo(struct seq_buf *s);	/* /proc/pagetypeinfo */
void report_zoneinfo(struct seq_buf *s);	/* /proc/zoneinfo */
void report_vmstat(struct seq_buf *s);		/* /proc/vmstat */
void report_extfrag_index(struct seq_buf *s);	/* /sys/kernel/debug/extfrag/extfrag_index */
void report_unusable_index(struct seq_buf *s);	/* /sys/kernel/debug/extfrag/unusable_index */

#endif
