/* SPDX-License-Identifier: MIT */
/* Between the hosted platform's files. */
#ifndef HOSTED_INTERNAL_H
#define HOSTED_INTERNAL_H

#include <stdbool.h>

void hosted_set_nr_cpus(unsigned int n, bool exclusive);
int hosted_membarrier_init(void);

#endif
