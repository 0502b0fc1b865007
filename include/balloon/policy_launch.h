/* SPDX-License-Identifier: MIT */
/*
 * build/ebb's door to the balloon controller: `ebb balloond`, `ebb
 * overcommit` and `ebb top` exec build/ebb-balloond (beside ebb, or
 * $EBB_BALLOOND) with the same arguments (balloon/policy/launch.c).
 */
#ifndef EBB_BALLOON_POLICY_LAUNCH_H
#define EBB_BALLOON_POLICY_LAUNCH_H

/* @argv from the command name on ("balloond", ...).  Returns only on failure (1). */
int policy_launch(int argc, char **argv);

extern const char policy_balloond_usage[], policy_overcommit_usage[], policy_top_usage[];

#endif
