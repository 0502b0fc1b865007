/* SPDX-License-Identifier: MIT */
/*
 * CPUs.  The kernel runs on the boot CPU only for now (nr_cpus = 1 in the
 * boot parameters); per-CPU data is indexed by smp_processor_id() so that
 * bringing up the other vCPUs later changes this file, not its users.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

static inline unsigned int smp_processor_id(void)
{
	return 0;
}

#define NR_CPUS_ONLINE	1

#endif
