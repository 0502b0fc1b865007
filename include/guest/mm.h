/* SPDX-License-Identifier: MIT */
/* Memory views the kernel builds on top of guestmm (guest/mm/). */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include <guestmm/seq_buf.h>

/* Linux's Mem-Info dump (sysrq m, OOM reports). */
void show_mem_info(struct seq_buf *s);

/* Pages sitting on the per-CPU lists, all zones. */
unsigned long global_free_pcp(void);

#endif
