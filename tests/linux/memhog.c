// SPDX-License-Identifier: MIT
/*
 * memhog - a memory workload for Linux guests under ebb: the Linux side of
 * the embedded guest's `run anon SIZE PATTERN` (tests/linux/ebb-agent.sh
 * maps one onto the other).  tests/linux/mkinitrd.sh builds it statically
 * and puts it into every initrd as /bin/memhog.
 *
 * Usage: memhog MIB [HOLD_SECONDS [PATTERN]]
 *
 * Maps MIB MiB of anonymous memory and writes every page in PATTERN's
 * order:
 *   seq      once, first page to last (the default);
 *   random   once, in a random order (a shuffled page list);
 *   hotcold  once in order, then four more passes over the first fifth
 *            (the hot set), so reclaim has cold pages to prefer.
 * Every page holds a pattern that names the page and the pass that wrote
 * it last; after the writes every page is read back and checked, so a page
 * the balloon, swap or migration lost or mixed up is caught.  Prints
 * "memhog: touched MIB MiB in N ms", holds it HOLD_SECONDS (default 0),
 * prints "memhog: freeing MIB MiB", unmaps it and exits 0.
 * Exit status: 1 the memory cannot be mapped, 2 bad arguments, 3 a page
 * read back wrong (named on stderr); an OOM kill shows as the shell's 137.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define WORDS		(PAGE / sizeof(uint64_t))
#define HOT_PASSES	4

enum pattern { PAT_SEQ, PAT_RANDOM, PAT_HOTCOLD };

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The value of word @w of page @pg after pass @pass wrote it. */
static uint64_t word_of(size_t pg, unsigned int pass, size_t w)
{
	uint64_t x = ((uint64_t)pg << 20 | (uint64_t)pass << 12 | w) * 0x9e3779b97f4a7c15ULL;

	return x ^ x >> 29;
}

static void page_write(uint64_t *p, size_t pg, unsigned int pass)
{
	for (size_t w = 0; w < WORDS; w++)
		p[w] = word_of(pg, pass, w);
}

/* 0, or -1 with the first bad word said. */
static int page_check(const uint64_t *p, size_t pg, unsigned int pass)
{
	for (size_t w = 0; w < WORDS; w++)
		if (p[w] != word_of(pg, pass, w)) {
			fprintf(stderr, "memhog: page %zu word %zu is %#llx, want %#llx (pass %u)\n",
				pg, w, (unsigned long long)p[w],
				(unsigned long long)word_of(pg, pass, w), pass);
			return -1;
		}
	return 0;
}

/* Writes every page in @pat's order; the pass each page was last written in goes to @last. */
static int touch(char *base, size_t pages, enum pattern pat, unsigned char *last)
{
	size_t *order = NULL;

	switch (pat) {
	case PAT_RANDOM:
		order = malloc(pages * sizeof(*order));
		if (!order) {
			perror("memhog: the page order");
			return -1;
		}
		for (size_t i = 0; i < pages; i++)
			order[i] = i;
		srand((unsigned int)getpid());
		for (size_t i = pages - 1; i > 0; i--) {
			size_t j = (size_t)rand() % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (size_t i = 0; i < pages; i++)
			page_write((uint64_t *)(base + order[i] * PAGE), order[i], 0);
		free(order);
		break;
	case PAT_HOTCOLD:
		for (size_t pg = 0; pg < pages; pg++)
			page_write((uint64_t *)(base + pg * PAGE), pg, 0);
		for (unsigned int pass = 1; pass <= HOT_PASSES; pass++)
			for (size_t pg = 0; pg < pages / 5; pg++) {
				page_write((uint64_t *)(base + pg * PAGE), pg, pass);
				last[pg] = (unsigned char)pass;
			}
		break;
	case PAT_SEQ:
		for (size_t pg = 0; pg < pages; pg++)
			page_write((uint64_t *)(base + pg * PAGE), pg, 0);
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "seq", "random", "hotcold" };
	enum pattern pat = PAT_SEQ;
	unsigned char *last;
	size_t len, pages;
	long mib, hold = 0, t0;
	char *p, *end;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: memhog MIB [HOLD_SECONDS [seq|random|hotcold]]\n");
		return 2;
	}
	mib = strtol(argv[1], &end, 10);
	if (*end || mib <= 0 || mib > (1L << 30)) {
		fprintf(stderr, "memhog: %s is not a positive number of MiB\n", argv[1]);
		return 2;
	}
	if (argc >= 3) {
		hold = strtol(argv[2], &end, 10);
		if (*end || hold < 0) {
			fprintf(stderr, "memhog: %s is not a number of seconds\n", argv[2]);
			return 2;
		}
	}
	if (argc == 4) {
		for (pat = PAT_SEQ; pat <= PAT_HOTCOLD && strcmp(argv[3], names[pat]); pat++)
			;
		if (pat > PAT_HOTCOLD) {
			fprintf(stderr, "memhog: no pattern %s (seq, random, hotcold)\n", argv[3]);
			return 2;
		}
	}
	len = (size_t)mib << 20;
	pages = len / PAGE;
	t0 = now_ms();
	last = calloc(pages, 1);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!last || p == MAP_FAILED) {
		perror("memhog: mmap");
		return 1;
	}
	if (touch(p, pages, pat, last))
		return 1;
	printf("memhog: touched %ld MiB in %ld ms (%s)\n", mib, now_ms() - t0, names[pat]);
	fflush(stdout);
	if (hold > 0)
		sleep((unsigned int)hold);
	for (size_t pg = 0; pg < pages; pg++)
		if (page_check((uint64_t *)(p + pg * PAGE), pg, last[pg]))
			return 3;
	printf("memhog: freeing %ld MiB (every page read back intact)\n", mib);
	fflush(stdout);
	munmap(p, len);
	free(last);
	return 0;
}
