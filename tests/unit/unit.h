/* SPDX-License-Identifier: MIT */
/*
 * Glue for the Check unit tests: every test file registers its suites
 * with UNIT_SUITE() and the one runner (tests/unit/main.c) runs them all,
 * so adding a test file touches no shared list.
 */
#ifndef EBB_TESTS_UNIT_H
#define EBB_TESTS_UNIT_H

#include <check.h>

struct unit_suite {
	const char *name;
	Suite *(*make)(void);
	struct unit_suite *next;
};

void unit_register(struct unit_suite *us);

#define UNIT_SUITE(fn)							\
	static struct unit_suite fn##_entry = { #fn, fn, NULL };	\
	__attribute__((constructor)) static void fn##_register(void)	\
	{								\
		unit_register(&fn##_entry);				\
	}

#endif
