/* SPDX-License-Identifier: MIT */
/* Powers off with status 5: ebb must exit 64+5. */
#define EXIT_STATUS 5
#include "vmm_hello.S"
