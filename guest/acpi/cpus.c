// SPDX-License-Identifier: MIT
/*
 * The MADT's processor entries and the SRAT's CPU affinities, found from
 * the RSDP through the XSDT (or the RSDT of an ACPI 1.0 RSDP).  The tables
 * live in the low GiB that the kernel identity-maps, so they are read in
 * place; anything outside it, or with a bad checksum, is not read.
 */
#include <guest/acpi.h>
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/string.h>

#define ACPI_MADT_LAPIC		0
#define ACPI_MADT_ENABLED	(1u << 0)
#define ACPI_SRAT_LAPIC		0
#define ACPI_SRAT_ENABLED	(1u << 0)

struct acpi_rsdp {
	char signature[8];	/* "RSD PTR " */
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;	/* 0: ACPI 1.0, no XSDT */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

/* MADT: the header, the local APIC address and flags, then entries. */
#define MADT_ENTRIES_OFFSET	(sizeof(struct acpi_header) + 8)
/* SRAT: the header and 12 reserved bytes, then entries. */
#define SRAT_ENTRIES_OFFSET	(sizeof(struct acpi_header) + 12)

struct acpi_entry {
	uint8_t type;
	uint8_t length;
} __attribute__((packed));

struct madt_lapic {
	struct acpi_entry h;
	uint8_t processor_id;
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));

struct srat_lapic {
	struct acpi_entry h;
	uint8_t proximity_lo;
	uint8_t apic_id;
	uint32_t flags;
	uint8_t sapic_eid;
	uint8_t proximity_hi[3];
	uint32_t clock_domain;
} __attribute__((packed));

static bool in_identity_map(uint64_t pa, uint64_t len)
{
	return pa && len <= IDENTITY_MAP_END && pa <= IDENTITY_MAP_END - len;
}

static bool checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

/* The table at @pa if it is whole, readable and sums to 0; else NULL. */
static const struct acpi_header *table_at(uint64_t pa)
{
	const struct acpi_header *h;

	if (!in_identity_map(pa, sizeof(*h)))
		return NULL;
	h = (const struct acpi_header *)(uintptr_t)pa;
	if (h->length < sizeof(*h) || !in_identity_map(pa, h->length) ||
	    !checksum_ok(h, h->length))
		return NULL;
	return h;
}

static const struct acpi_header *find_table(const struct acpi_rsdp *rsdp, const char sig[4])
{
	bool x = rsdp->revision >= 2 && rsdp->xsdt;
	const struct acpi_header *root = table_at(x ? rsdp->xsdt : rsdp->rsdt);
	size_t width = x ? 8 : 4;

	if (!root)
		return NULL;
	for (size_t off = sizeof(*root); off + width <= root->length; off += width) {
		uint64_t pa = 0;
		const struct acpi_header *t;

		memcpy(&pa, (const char *)root + off, width);
		t = table_at(pa);
		if (t && !memcmp(t->signature, sig, 4))
			return t;
	}
	return NULL;
}

/* The entry of @t at *@off if it fits inside the table; moves *@off past it. */
static const struct acpi_entry *next_entry(const struct acpi_header *t, size_t *off)
{
	const struct acpi_entry *e;

	if (*off + sizeof(*e) > t->length)
		return NULL;
	e = (const struct acpi_entry *)((const char *)t + *off);
	if (e->length < sizeof(*e) || *off + e->length > t->length)
		return NULL;
	*off += e->length;
	return e;
}

static void read_srat(const struct acpi_header *srat, struct acpi_cpu *cpus, unsigned int n)
{
	size_t off = SRAT_ENTRIES_OFFSET;
	const struct acpi_entry *e;

	while ((e = next_entry(srat, &off))) {
		const struct srat_lapic *s = (const struct srat_lapic *)e;

		if (e->type != ACPI_SRAT_LAPIC || e->length < sizeof(*s) ||
		    !(s->flags & ACPI_SRAT_ENABLED))
			continue;
		for (unsigned int i = 0; i < n; i++)
			if (cpus[i].apic_id == s->apic_id)
				cpus[i].node = s->proximity_lo | s->proximity_hi[0] << 8 |
					       s->proximity_hi[1] << 16 | s->proximity_hi[2] << 24;
	}
}

/*
 * Without a pointer from the loader: the RSDP on a 16-byte boundary in the
 * BIOS area, where firmware (QEMU's, ebb's) puts it and Linux looks.
 */
static uint64_t find_rsdp_in_bios(void)
{
	for (uint64_t pa = 0xe0000; pa < 0x100000; pa += 16) {
		const struct acpi_rsdp *r = (const struct acpi_rsdp *)(uintptr_t)pa;

		if (!memcmp(r->signature, "RSD PTR ", 8) && checksum_ok(r, 20))
			return pa;
	}
	return 0;
}

unsigned int acpi_find_cpus(uint64_t rsdp_pa, struct acpi_cpu *cpus, unsigned int max)
{
	const struct acpi_rsdp *rsdp;
	const struct acpi_header *madt, *srat;
	const struct acpi_entry *e;
	size_t off = MADT_ENTRIES_OFFSET;
	unsigned int n = 0;

	if (!rsdp_pa)
		rsdp_pa = find_rsdp_in_bios();
	if (!in_identity_map(rsdp_pa, sizeof(*rsdp)))
		return 0;
	rsdp = (const struct acpi_rsdp *)(uintptr_t)rsdp_pa;
	if (memcmp(rsdp->signature, "RSD PTR ", 8) || !checksum_ok(rsdp, 20)) {
		pr_warn("ACPI: no valid RSDP at %#llx\n", (unsigned long long)rsdp_pa);
		return 0;
	}
	madt = find_table(rsdp, "APIC");
	if (!madt || madt->length < MADT_ENTRIES_OFFSET) {
		pr_warn("ACPI: no usable MADT: one CPU\n");
		return 0;
	}
	while ((e = next_entry(madt, &off))) {
		const struct madt_lapic *l = (const struct madt_lapic *)e;

		if (e->type != ACPI_MADT_LAPIC || e->length < sizeof(*l) ||
		    !(l->flags & ACPI_MADT_ENABLED))
			continue;
		if (n == max) {
			pr_warn("ACPI: more than %u CPUs in the MADT; using %u\n", max, max);
			break;
		}
		cpus[n].apic_id = l->apic_id;
		cpus[n].node = 0;
		n++;
	}
	srat = find_table(rsdp, "SRAT");
	if (srat && srat->length >= SRAT_ENTRIES_OFFSET)
		read_srat(srat, cpus, n);
	return n;
}
