// SPDX-License-Identifier: MIT
/*
 * The guest NUMA layout, as ebb describes it on the command line.  The
 * VMM decides which guest-physical ranges belong to which node (each
 * node's RAM is its own memfd on the host); the guest only has to believe
 * it.  Nothing here trusts the text: node IDs must be dense from 0, ranges
 * non-empty and disjoint, the distance matrix complete and sane.  A bad
 * layout is reported and replaced by one node rather than half-used.
 */
#include <guest/numa.h>
#include <guest/printk.h>
#include <guest/setup.h>
#include <guest/string.h>

struct numa_layout numa_layout;

static const char *parse_hex(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (;; s++, digits++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (x >> 60)
			return NULL;		/* overflow */
		x = x << 4 | (unsigned)d;
	}
	*v = x;
	return digits ? s : NULL;
}

static const char *parse_dec(const char *s, unsigned int *v)
{
	unsigned int x = 0;
	int digits = 0;

	for (; *s >= '0' && *s <= '9' && digits < 6; s++, digits++)
		x = x * 10 + (unsigned)(*s - '0');
	*v = x;
	return digits ? s : NULL;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

int numa_parse(struct numa_layout *l, const char *numa, const char *distance,
	       char *err, size_t errlen)
{
	bool seen[MAX_NUMNODES] = { false };
	const char *p;

	memset(l, 0, sizeof(*l));
	l->nr_nodes = 1;
	if (!numa || !*numa)
		goto distances;

	for (p = numa; *p;) {
		struct numa_range *r;
		unsigned int nid;

		if (l->nr_ranges == NUMA_MAX_RANGES)
			FAIL("more than %d ranges", NUMA_MAX_RANGES);
		r = &l->ranges[l->nr_ranges];
		p = parse_dec(p, &nid);
		if (!p || *p != ':')
			FAIL("expected NID: at range %u", l->nr_ranges);
		if (nid >= MAX_NUMNODES)
			FAIL("node %u: at most %d nodes", nid, MAX_NUMNODES);
		p = parse_hex(p + 1, &r->start);
		if (!p || *p != '-')
			FAIL("expected START-END for node %u", nid);
		p = parse_hex(p + 1, &r->end);
		if (!p || (*p && *p != ','))
			FAIL("bad END for node %u", nid);
		if (r->start >= r->end)
			FAIL("empty range %#llx-%#llx for node %u",
			     (unsigned long long)r->start, (unsigned long long)r->end, nid);
		for (unsigned int i = 0; i < l->nr_ranges; i++)
			if (r->start < l->ranges[i].end && l->ranges[i].start < r->end)
				FAIL("node %u range %#llx-%#llx overlaps node %d's", nid,
				     (unsigned long long)r->start, (unsigned long long)r->end,
				     l->ranges[i].nid);
		r->nid = (int)nid;
		seen[nid] = true;
		l->nr_ranges++;
		if (*p == ',')
			p++;
	}
	l->nr_nodes = 0;
	while (l->nr_nodes < MAX_NUMNODES && seen[l->nr_nodes])
		l->nr_nodes++;
	for (int n = l->nr_nodes; n < MAX_NUMNODES; n++)
		if (seen[n])
			FAIL("node IDs must be 0..N-1; node %d is missing", l->nr_nodes);

distances:
	if (distance && *distance) {
		int n = l->nr_nodes, count = 0;

		for (p = distance; *p; count++) {
			unsigned int d;

			if (count >= n * n)
				FAIL("ebb.distance has more than %d values", n * n);
			p = parse_dec(p, &d);
			if (!p || (*p && *p != ',') || d < 1 || d > 254)
				FAIL("ebb.distance value %d is not 1..254", count);
			l->distance[count / n][count % n] = (uint8_t)d;
			if (*p == ',')
				p++;
		}
		if (count != n * n)
			FAIL("ebb.distance has %d values, %d nodes need %d", count, n, n * n);
		for (int a = 0; a < n; a++)
			for (int b = 0; b < n; b++)
				if (a != b && l->distance[a][b] <= l->distance[a][a])
					FAIL("distance %d->%d (%u) must exceed local (%u)", a, b,
					     l->distance[a][b], l->distance[a][a]);
	}
	return 0;

fail:
	memset(l, 0, sizeof(*l));
	l->nr_nodes = 1;
	return -1;
}

int numa_addr_to_nid(const struct numa_layout *l, uint64_t addr)
{
	for (unsigned int i = 0; i < l->nr_ranges; i++)
		if (addr >= l->ranges[i].start && addr < l->ranges[i].end)
			return l->ranges[i].nid;
	return -1;
}

int numa_init(const char *numa, const char *distance)
{
	char err[128];

	if (numa_parse(&numa_layout, numa, distance, err, sizeof(err)) < 0) {
		pr_err("NUMA: bad layout (%s); using one node\n", err);
		return -1;
	}
	for (unsigned int i = 0; i < numa_layout.nr_ranges; i++)
		pr_info("NUMA: node %d [mem %#018llx-%#018llx]\n", numa_layout.ranges[i].nid,
			(unsigned long long)numa_layout.ranges[i].start,
			(unsigned long long)numa_layout.ranges[i].end - 1);
	return 0;
}
