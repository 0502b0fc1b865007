// SPDX-License-Identifier: MIT
/*
 * memhog - a memory workload for Linux guests under ebb (put into the
 * initrd by tests/linux/mkinitrd.sh --file; built statically by
 * tests/e2e/linux-devices.sh).
 *
 * Usage: memhog MIB [HOLD_SECONDS]
 *
 * Maps MIB MiB of anonymous memory, writes every page of it, prints
 * "memhog: touched MIB MiB in N ms", holds it HOLD_SECONDS (default 0),
 * prints "memhog: freeing MIB MiB", unmaps it and exits 0.  Exit 1 when
 * the memory cannot be mapped; an OOM kill shows as the shell's 137.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main(int argc, char **argv)
{
	char *end;
	long mib, hold = 0, t0;
	size_t len;
	char *p;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: memhog MIB [HOLD_SECONDS]\n");
		return 2;
	}
	mib = strtol(argv[1], &end, 10);
	if (*end || mib <= 0) {
		fprintf(stderr, "memhog: %s is not a positive number of MiB\n", argv[1]);
		return 2;
	}
	if (argc == 3)
		hold = strtol(argv[2], NULL, 10);
	len = (size_t)mib << 20;
	t0 = now_ms();
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("memhog: mmap");
		return 1;
	}
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (char)(i >> 12 | 1);
	printf("memhog: touched %ld MiB in %ld ms\n", mib, now_ms() - t0);
	fflush(stdout);
	if (hold > 0)
		sleep((unsigned int)hold);
	printf("memhog: freeing %ld MiB\n", mib);
	fflush(stdout);
	munmap(p, len);
	return 0;
}
