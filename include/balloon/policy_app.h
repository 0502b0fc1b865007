/* SPDX-License-Identifier: MIT */
/*
 * The programs of build/ebb-balloond (balloon/policy/main.c dispatches):
 * balloond (balloond.c), overcommit (overcommit.c), top (top.c), and the
 * small helpers they share.
 */
#ifndef EBB_BALLOON_POLICY_APP_H
#define EBB_BALLOON_POLICY_APP_H

#include <stdint.h>

#include <balloon/policy_ctl.h>

int policy_balloond_main(int argc, char **argv);
int policy_overcommit_main(int argc, char **argv);
int policy_top_main(int argc, char **argv);

uint64_t policy_now_ns(void);
void policy_sleep_until(uint64_t t_ns);
/* "512M", "1.25G", "4096": bytes.  0 or -1. */
int policy_parse_size(const char *s, uint64_t *out);

#endif
