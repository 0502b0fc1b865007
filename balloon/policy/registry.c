// SPDX-License-Identifier: MIT
/* The policies by name; ebb's own, the default, first. */
#include <string.h>

#include <balloon/policy.h>

const struct policy_ops *const policy_all[] = {
	&policy_ebb, &policy_mom, &policy_stall, &policy_static, NULL,
};

const struct policy_ops *policy_find(const char *name)
{
	for (const struct policy_ops *const *p = policy_all; *p; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}
