/* SPDX-License-Identifier: MIT */
/*
 * Memory stall accounting in the spirit of Linux's PSI (pressure stall
 * information): how much of the time tasks waited for memory, in direct
 * reclaim, direct compaction and swap-in, as /proc/pressure/memory says:
 *
 *   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *
 * "some": at least one task stalled; "full": every running task stalled
 * at once.  avgN are the percentages of wall time over the last N
 * seconds (exponentially decayed every 2 s, with Linux's constants),
 * total the stalled time in microseconds.  The balloon policy steers by
 * these.
 */
#ifndef GUESTMM_PSI_H
#define GUESTMM_PSI_H

#include <guestmm/compiler.h>
#include <guestmm/seq_buf.h>

/* Bracket a wait for memory.  Nests: an inner stall is not counted twice. */
void psi_memstall_enter(unsigned long *flags);
void psi_memstall_leave(unsigned long *flags);

struct psi_memory {
	/* Percent x 100 (avg10 of 1234 means 12.34%) over 10 s, 60 s, 300 s. */
	unsigned long some_avg[3], full_avg[3];
	uint64_t some_total_us, full_total_us;
};

void psi_memory_read(struct psi_memory *pm);

/* /proc/pressure/memory */
void report_psi_memory(struct seq_buf *s);

#endif
