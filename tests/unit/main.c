/* SPDX-License-Identifier: MIT */
/*
 * The Check runner for every unit suite.  CK_RUN_SUITE / CK_RUN_CASE
 * select a subset, as Check documents; the summary line at the end is the
 * one CI reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static struct unit_suite *suites;

void unit_register(struct unit_suite *us)
{
	struct unit_suite **pos = &suites;

	/* Keep them sorted so every run has the same order. */
	while (*pos && strcmp((*pos)->name, us->name) < 0)
		pos = &(*pos)->next;
	us->next = *pos;
	*pos = us;
}

/*
 * Check kills a test CK_DEFAULT_TIMEOUT seconds (4 unless told) after it
 * forks it.  On a loaded machine a fork of this big process may wait that
 * long before the test's first line runs, more so under the sanitizers,
 * where the child's first touches copy much shadow memory: tests that do
 * nothing with time (vmm_serial's ratelimit) timed out so.  The timeout
 * is there to catch hangs, not slowness: a minute a test unless the
 * environment says otherwise, and suites' own timeouts doubled for the
 * sanitizer build (CK_TIMEOUT_MULTIPLIER, which scales both).
 */
static void set_timeouts(void)
{
	setenv("CK_DEFAULT_TIMEOUT", "60", 0);
#ifdef __SANITIZE_ADDRESS__
	setenv("CK_TIMEOUT_MULTIPLIER", "2", 0);
#endif
}

int main(void)
{
	SRunner *sr = NULL;
	int failed;

	set_timeouts();
	for (struct unit_suite *us = suites; us; us = us->next) {
		if (!sr)
			sr = srunner_create(us->make());
		else
			srunner_add_suite(sr, us->make());
	}
	if (!sr) {
		fprintf(stderr, "unit: no suites registered\n");
		return 1;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
