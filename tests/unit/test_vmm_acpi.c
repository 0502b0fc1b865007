// SPDX-License-Identifier: MIT
/*
 * ACPI: the AML writer byte for byte on small cases, then the tables for
 * whole machines: checksums, one enabled local APIC per vCPU, the DSDT's
 * devices with their windows and IRQs, SRAT and SLIT per node, and what
 * ACPICA's own disassembler (iasl -d) makes of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <vmm/acpi.h>
#include <vmm/aml.h>
#include <vmm/layout.h>
#include <vmm/vm.h>

#include "unit.h"

#define M (1ULL << 20)
#define G (1ULL << 30)

static uint8_t abuf[8192];

#define ck_assert_bytes(a, ...) do {					\
	static const uint8_t want_[] = { __VA_ARGS__ };			\
	ck_assert_msg((a)->err == NULL, "AML error: %s", (a)->err);	\
	ck_assert_uint_eq((a)->len, sizeof(want_));			\
	ck_assert_mem_eq((a)->buf, want_, sizeof(want_));		\
} while (0)

/* --- AML encodings -------------------------------------------------- */

START_TEST(pkglen_encoding)
{
	uint8_t b[4];

	ck_assert_uint_eq(aml_pkglen_encode(b, 0), 1);
	ck_assert_uint_eq(b[0], 0);
	ck_assert_uint_eq(aml_pkglen_encode(b, 63), 1);
	ck_assert_uint_eq(b[0], 0x3f);
	/* Two bytes: lead 0x40 | low nibble, then bits 4-11. */
	ck_assert_uint_eq(aml_pkglen_encode(b, 64), 2);
	ck_assert_uint_eq(b[0], 0x40);
	ck_assert_uint_eq(b[1], 0x04);
	ck_assert_uint_eq(aml_pkglen_encode(b, 4095), 2);
	ck_assert_uint_eq(b[0], 0x4f);
	ck_assert_uint_eq(b[1], 0xff);
	ck_assert_uint_eq(aml_pkglen_encode(b, 4096), 3);
	ck_assert_uint_eq(b[0], 0x80);
	ck_assert_uint_eq(b[1], 0x00);
	ck_assert_uint_eq(b[2], 0x01);
	ck_assert_uint_eq(aml_pkglen_encode(b, 0xfffff), 3);
	ck_assert_uint_eq(b[0], 0x8f);
	ck_assert_uint_eq(aml_pkglen_encode(b, 0x100000), 4);
	ck_assert_uint_eq(b[0], 0xc0);
	ck_assert_uint_eq(b[3], 0x01);
	ck_assert_uint_eq(aml_pkglen_encode(b, AML_PKGLEN_MAX), 4);
	ck_assert_uint_eq(aml_pkglen_encode(b, AML_PKGLEN_MAX + 1), 0);
}
END_TEST

/*
 * aml_end() around a body of @body bytes: the PkgLength counts itself, so
 * a 62-byte body takes 1 byte (63) and a 63-byte one 2 (65).
 */
static void pkg_of(size_t body, unsigned int want_bytes, const uint8_t *want)
{
	struct aml a;

	aml_init(&a, abuf, sizeof(abuf));
	memset(abuf, 0xaa, body);
	a.len = body;
	aml_end(&a, 0);
	ck_assert_ptr_null(a.err);
	ck_assert_uint_eq(a.len, body + want_bytes);
	ck_assert_mem_eq(abuf, want, want_bytes);
	if (body) {
		ck_assert_uint_eq(abuf[want_bytes], 0xaa);
		ck_assert_uint_eq(abuf[a.len - 1], 0xaa);
	}
}

START_TEST(pkglen_boundaries)
{
	pkg_of(0, 1, (const uint8_t[]){ 0x01 });
	pkg_of(62, 1, (const uint8_t[]){ 0x3f });			/* 63 */
	pkg_of(63, 2, (const uint8_t[]){ 0x41, 0x04 });		/* 65 */
	pkg_of(64, 2, (const uint8_t[]){ 0x42, 0x04 });		/* 66 */
	pkg_of(4093, 2, (const uint8_t[]){ 0x4f, 0xff });		/* 4095 */
	pkg_of(4094, 3, (const uint8_t[]){ 0x81, 0x00, 0x01 });	/* 4097 */
	pkg_of(4096, 3, (const uint8_t[]){ 0x83, 0x00, 0x01 });	/* 4099 */
}
END_TEST

START_TEST(pkg_no_room)
{
	struct aml a;
	uint8_t small[10];

	aml_init(&a, small, sizeof(small));
	a.len = sizeof(small);		/* a full body, no room for its PkgLength */
	aml_end(&a, 0);
	ck_assert_ptr_nonnull(a.err);
	aml_init(&a, small, sizeof(small));
	aml_bytes(&a, abuf, sizeof(small) + 1);
	ck_assert_ptr_nonnull(a.err);
	ck_assert_uint_eq(a.len, 0);
	/* Later calls do nothing once one failed. */
	aml_integer(&a, 0);
	ck_assert_uint_eq(a.len, 0);
}
END_TEST

START_TEST(integers)
{
	struct aml a;

#define INT_IS(v, ...) do { aml_init(&a, abuf, sizeof(abuf)); aml_integer(&a, v); \
			    ck_assert_bytes(&a, __VA_ARGS__); } while (0)
	INT_IS(0, 0x00);
	INT_IS(1, 0x01);
	INT_IS(2, 0x0a, 0x02);
	INT_IS(0xff, 0x0a, 0xff);
	INT_IS(0x100, 0x0b, 0x00, 0x01);
	INT_IS(0xffff, 0x0b, 0xff, 0xff);
	INT_IS(0x10000, 0x0c, 0x00, 0x00, 0x01, 0x00);
	INT_IS(0xffffffff, 0x0c, 0xff, 0xff, 0xff, 0xff);
	INT_IS(0x100000000ULL, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	INT_IS(UINT64_MAX, 0x0e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
#undef INT_IS
}
END_TEST

START_TEST(names)
{
	struct aml a;
	uint8_t seg[4];

	ck_assert_int_eq(aml_nameseg(seg, "_SB", 3), 0);
	ck_assert_mem_eq(seg, "_SB_", 4);
	ck_assert_int_eq(aml_nameseg(seg, "A", 1), 0);
	ck_assert_mem_eq(seg, "A___", 4);
	ck_assert_int_eq(aml_nameseg(seg, "COM1", 4), 0);
	ck_assert_mem_eq(seg, "COM1", 4);
	ck_assert_int_eq(aml_nameseg(seg, "", 0), -1);
	ck_assert_int_eq(aml_nameseg(seg, "ABCDE", 5), -1);
	ck_assert_int_eq(aml_nameseg(seg, "1ABC", 4), -1);
	ck_assert_int_eq(aml_nameseg(seg, "ab", 2), -1);

#define NAME_IS(p, ...) do { aml_init(&a, abuf, sizeof(abuf)); aml_namestring(&a, p); \
			     ck_assert_bytes(&a, __VA_ARGS__); } while (0)
	NAME_IS("_HID", '_', 'H', 'I', 'D');
	NAME_IS("\\_SB", '\\', '_', 'S', 'B', '_');
	NAME_IS("\\", '\\', 0x00);
	NAME_IS("\\_SB.COM1", '\\', 0x2e, '_', 'S', 'B', '_', 'C', 'O', 'M', '1');
	NAME_IS("\\_SB.PCI0.ISA", '\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
		'I', 'S', 'A', '_');
	NAME_IS("^^FOO", '^', '^', 'F', 'O', 'O', '_');
#undef NAME_IS
	for (const char *const *bad = (const char *const[]){ "\\^A", "^\\A", "A..B", "A.", "a",
							     "TOOLONG", NULL }; *bad; bad++) {
		aml_init(&a, abuf, sizeof(abuf));
		aml_namestring(&a, *bad);
		ck_assert_msg(a.err != NULL, "\"%s\" was taken", *bad);
	}
}
END_TEST

START_TEST(data_objects)
{
	struct aml a;
	size_t dev, pkg;

	/* Name(_HID, EisaId("PNP0501")) */
	aml_init(&a, abuf, sizeof(abuf));
	aml_name(&a, "_HID");
	aml_eisaid(&a, "PNP0501");
	ck_assert_bytes(&a, 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01);

	aml_init(&a, abuf, sizeof(abuf));
	aml_string(&a, "LNRO0005");
	ck_assert_bytes(&a, 0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0x00);

	aml_init(&a, abuf, sizeof(abuf));
	aml_eisaid(&a, "pnp0501");
	ck_assert_ptr_nonnull(a.err);
	aml_init(&a, abuf, sizeof(abuf));
	aml_eisaid(&a, "PNP05G1");
	ck_assert_ptr_nonnull(a.err);

	/* Device(COM1) { Name(_UID, One) }: body 10 bytes, PkgLength 11. */
	aml_init(&a, abuf, sizeof(abuf));
	dev = aml_device_begin(&a, "COM1");
	aml_name(&a, "_UID");
	aml_integer(&a, 1);
	aml_end(&a, dev);
	ck_assert_bytes(&a, 0x5b, 0x82, 0x0b, 'C', 'O', 'M', '1', 0x08, '_', 'U', 'I', 'D', 0x01);

	/* Scope(\_SB) {} */
	aml_init(&a, abuf, sizeof(abuf));
	aml_end(&a, aml_scope_begin(&a, "\\_SB"));
	ck_assert_bytes(&a, 0x10, 0x06, '\\', '_', 'S', 'B', '_');

	/* Package() { 5, Zero } */
	aml_init(&a, abuf, sizeof(abuf));
	pkg = aml_package_begin(&a, 2);
	aml_integer(&a, 5);
	aml_integer(&a, 0);
	aml_end(&a, pkg);
	ck_assert_bytes(&a, 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00);

	/* Buffer() { 1, 2, 3 } */
	aml_init(&a, abuf, sizeof(abuf));
	aml_buffer(&a, (const uint8_t[]){ 1, 2, 3 }, 3);
	ck_assert_bytes(&a, 0x11, 0x06, 0x0a, 0x03, 1, 2, 3);
}
END_TEST

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

START_TEST(resource_templates)
{
	struct aml a, rt;
	uint8_t rtbuf[64];

	/* A virtio transport: Memory32Fixed + Interrupt(Consumer, Level, High, Exclusive). */
	aml_init(&a, abuf, sizeof(abuf));
	aml_init(&rt, rtbuf, sizeof(rtbuf));
	aml_rt_memory32_fixed(&rt, 0xd0000000, 0x1000, true);
	aml_rt_interrupt(&rt, 5, 0);
	aml_resource_template(&a, &rt);
	ck_assert_ptr_null(a.err);
	ck_assert_uint_eq(sum8(rtbuf, rt.len), 0);
	ck_assert_bytes(&a, 0x11, 0x1a, 0x0a, 0x17,
			0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xd0, 0x00, 0x10, 0x00, 0x00,
			0x89, 0x06, 0x00, 0x01, 0x01, 0x05, 0x00, 0x00, 0x00,
			0x79, 0x81);

	/* A COM port: IO(Decode16, 0x3f8, 0x3f8, 1, 8) + IRQNoFlags() {4}. */
	aml_init(&a, abuf, sizeof(abuf));
	aml_init(&rt, rtbuf, sizeof(rtbuf));
	aml_rt_io(&rt, 0x3f8, 8);
	aml_rt_irq(&rt, 4);
	aml_resource_template(&a, &rt);
	ck_assert_uint_eq(sum8(rtbuf, rt.len), 0);
	ck_assert_bytes(&a, 0x11, 0x10, 0x0a, 0x0d,
			0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
			0x22, 0x10, 0x00,
			0x79, 0x0e);

	/* Edge, active low, shared: bits 1, 2, 3 beside the consumer bit. */
	aml_init(&rt, rtbuf, sizeof(rtbuf));
	aml_rt_interrupt(&rt, 0x12345678, AML_IRQ_EDGE | AML_IRQ_ACTIVE_LOW | AML_IRQ_SHARED);
	ck_assert_uint_eq(rtbuf[3], 0x0f);
	ck_assert_mem_eq(rtbuf + 5, ((const uint8_t[]){ 0x78, 0x56, 0x34, 0x12 }), 4);

	aml_init(&rt, rtbuf, sizeof(rtbuf));
	aml_rt_irq(&rt, 16);
	ck_assert_ptr_nonnull(rt.err);
	aml_init(&a, abuf, sizeof(abuf));
	aml_resource_template(&a, &rt);
	ck_assert_ptr_nonnull(a.err);
}
END_TEST

/* --- Whole tables ----------------------------------------------------- */

static uint8_t region[EBB_ACPI_SIZE];

struct machine {
	struct ebb_layout layout;
	struct acpi_platform p;
	struct acpi_tables t;
};

static void machine_build(struct machine *mc, unsigned int cpus, unsigned int nodes,
			  uint64_t mem, unsigned int nr_virtio)
{
	uint64_t sizes[EBB_MAX_NODES];
	char err[256] = "";

	for (unsigned int n = 0; n < nodes; n++)
		sizes[n] = mem / nodes;
	ck_assert_msg(layout_build(&mc->layout, nodes, sizes, err, sizeof(err)) == 0, "%s", err);
	memset(&mc->p, 0, sizeof(mc->p));
	mc->p.nr_cpus = cpus;
	mc->p.layout = &mc->layout;
	mc->p.nr_virtio = nr_virtio;
	for (unsigned int i = 0; i < nr_virtio; i++) {
		mc->p.virtio[i].base = EBB_MMIO_BASE + i * EBB_MMIO_SIZE;
		mc->p.virtio[i].size = EBB_MMIO_SIZE;
		mc->p.virtio[i].irq = EBB_VIRTIO_IRQ_BASE + i;
	}
	ck_assert_msg(acpi_tables_build(&mc->p, region, sizeof(region), EBB_ACPI_ADDR, &mc->t,
					err, sizeof(err)) == 0, "%s", err);
}

/* The table at guest address @gpa, checked to lie in the region. */
static const uint8_t *at(uint64_t gpa, size_t len)
{
	ck_assert_uint_ge(gpa, EBB_ACPI_ADDR);
	ck_assert_uint_le(gpa - EBB_ACPI_ADDR + len, sizeof(region));
	return region + (gpa - EBB_ACPI_ADDR);
}

static const struct acpi_table_header *table(uint64_t gpa, const char *sig)
{
	const struct acpi_table_header *h = (const void *)at(gpa, sizeof(*h));

	ck_assert_mem_eq(h->signature, sig, 4);
	at(gpa, h->length);
	ck_assert_msg(sum8((const uint8_t *)h, h->length) == 0, "%.4s checksum", sig);
	return h;
}

/* Every table reachable from the RSDP, checksums and signatures. */
static void check_all(const struct machine *mc, unsigned int want_tables)
{
	const struct acpi_rsdp *rsdp = (const void *)at(mc->t.rsdp, sizeof(*rsdp));
	const struct acpi_table_header *x;
	const struct acpi_fadt *f;
	unsigned int n;

	ck_assert_uint_eq(mc->t.rsdp, EBB_ACPI_ADDR);
	ck_assert_uint_eq(mc->t.rsdp % 16, 0);
	ck_assert_mem_eq(rsdp->signature, "RSD PTR ", 8);
	ck_assert_uint_eq(rsdp->revision, 2);
	ck_assert_uint_eq(rsdp->length, 36);
	ck_assert_uint_eq(sum8((const uint8_t *)rsdp, 20), 0);
	ck_assert_uint_eq(sum8((const uint8_t *)rsdp, 36), 0);
	ck_assert_uint_eq(rsdp->xsdt_address, mc->t.xsdt);

	x = table(rsdp->xsdt_address, "XSDT");
	n = (x->length - sizeof(*x)) / 8;
	ck_assert_uint_eq(n, want_tables);
	for (unsigned int i = 0; i < n; i++) {
		const struct acpi_table_header *t;
		uint64_t e;

		memcpy(&e, (const uint8_t *)x + sizeof(*x) + 8 * i, 8);
		ck_assert_msg(e != 0, "XSDT entry %u is 0", i);
		t = (const void *)at(e, sizeof(*t));
		ck_assert_msg(sum8(at(e, t->length), t->length) == 0, "%.4s checksum", t->signature);
	}
	f = (const void *)table(mc->t.fadt, "FACP");
	ck_assert_uint_eq(f->h.length, sizeof(*f));
	ck_assert_uint_eq(f->h.revision, 6);
	ck_assert(f->flags & ACPI_FADT_F_HW_REDUCED);
	ck_assert_uint_eq(f->x_dsdt, mc->t.dsdt);
	ck_assert_uint_eq(f->pm1a_evt_blk | f->pm1a_cnt_blk | f->gpe0_blk | f->sci_int, 0);
	ck_assert_uint_eq(f->x_pm1a_evt_blk.address | f->x_gpe0_blk.address, 0);
	ck_assert_uint_eq(f->sleep_control_reg.space_id, ACPI_GAS_SYSTEM_IO);
	ck_assert_uint_eq(f->sleep_control_reg.address, ACPI_SLEEP_PORT);
	ck_assert_uint_eq(f->sleep_status_reg.address, ACPI_SLEEP_PORT);
	ck_assert_uint_eq(f->reset_reg.address, 0xcf9);
	table(mc->t.dsdt, "DSDT");
	table(mc->t.madt, "APIC");
	ck_assert_uint_le(mc->t.used, sizeof(region));
}

START_TEST(checksums)
{
	struct machine mc;

	machine_build(&mc, 1, 1, 64 * M, 0);
	check_all(&mc, 2);
	ck_assert_uint_eq(mc.t.srat, 0);
	ck_assert_uint_eq(mc.t.slit, 0);
	machine_build(&mc, 2, 2, 256 * M, 2);
	check_all(&mc, 4);
	table(mc.t.srat, "SRAT");
	table(mc.t.slit, "SLIT");
	machine_build(&mc, 64, 4, 4 * G, ACPI_MAX_VIRTIO);
	check_all(&mc, 4);
	/* The biggest machine leaves the reset vector alone. */
	ck_assert_uint_le(mc.t.used, ACPI_TABLES_SIZE);
}
END_TEST

/* Walk the MADT's entries: one enabled local APIC per vCPU, IDs 0..n-1. */
static void check_madt(unsigned int cpus)
{
	struct machine mc;
	const struct acpi_madt *m;
	const uint8_t *e, *end;
	unsigned int lapics = 0, ioapics = 0, nmis = 0;
	bool seen[256] = { false }, iso0 = false;

	machine_build(&mc, cpus, 1, 64 * M, 2);
	m = (const void *)table(mc.t.madt, "APIC");
	ck_assert_uint_eq(m->lapic_address, 0xfee00000u);
	e = (const uint8_t *)m + sizeof(*m);
	end = (const uint8_t *)m + m->h.length;
	while (e < end) {
		ck_assert_uint_ge(e[1], 2);
		ck_assert_uint_le(e + e[1] - (const uint8_t *)m, m->h.length);
		switch (e[0]) {
		case ACPI_MADT_LAPIC: {
			const struct acpi_madt_lapic *l = (const void *)e;

			ck_assert_uint_eq(l->length, 8);
			ck_assert(l->flags & ACPI_MADT_ENABLED);
			ck_assert_uint_lt(l->apic_id, cpus);
			ck_assert(!seen[l->apic_id]);
			ck_assert_uint_eq(l->processor_uid, l->apic_id);
			seen[l->apic_id] = true;
			lapics++;
			break;
		}
		case ACPI_MADT_IOAPIC: {
			const struct acpi_madt_ioapic *io = (const void *)e;

			ck_assert_uint_eq(io->address, 0xfec00000u);
			ck_assert_uint_eq(io->gsi_base, 0);
			ck_assert_uint_eq(io->id, 0);
			ioapics++;
			break;
		}
		case ACPI_MADT_ISO: {
			const struct acpi_madt_iso *iso = (const void *)e;

			if (iso->source == 0) {
				ck_assert_uint_eq(iso->gsi, 2);
				ck_assert_uint_eq(iso->flags, ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_EDGE);
				iso0 = true;
			} else {
				ck_assert(iso->source == 5 || iso->source == 6);
				ck_assert_uint_eq(iso->gsi, iso->source);
				ck_assert_uint_eq(iso->flags, ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_LEVEL);
			}
			break;
		}
		case ACPI_MADT_LAPIC_NMI: {
			const struct acpi_madt_lapic_nmi *nmi = (const void *)e;

			ck_assert_uint_eq(nmi->processor_uid, 0xff);
			ck_assert_uint_eq(nmi->lint, 1);
			nmis++;
			break;
		}
		default:
			ck_abort_msg("unexpected MADT entry type %u", e[0]);
		}
		e += e[1];
	}
	ck_assert_uint_eq(lapics, cpus);
	ck_assert_uint_eq(ioapics, 1);
	ck_assert_uint_eq(nmis, 1);
	ck_assert(iso0);
}

START_TEST(madt_per_vcpu)
{
	check_madt(1);
	check_madt(2);
	check_madt(64);
}
END_TEST

/* Decode a PkgLength at @p (a test-side reader); returns its value, its size in *n. */
static size_t pkglen_at(const uint8_t *p, unsigned int *n)
{
	unsigned int extra = p[0] >> 6;
	size_t v;

	if (!extra) {
		*n = 1;
		return p[0] & 0x3f;
	}
	v = p[0] & 0x0f;
	for (unsigned int i = 0; i < extra; i++)
		v |= (size_t)p[1 + i] << (4 + 8 * i);
	*n = extra + 1;
	return v;
}

/* The body of Device(@name) in @aml, or NULL; *len is the body's length. */
static const uint8_t *find_device(const uint8_t *aml, size_t amllen, const char *name, size_t *len)
{
	for (size_t i = 0; i + 7 < amllen; i++) {
		unsigned int n;
		size_t pl;

		if (aml[i] != 0x5b || aml[i + 1] != 0x82)
			continue;
		pl = pkglen_at(aml + i + 2, &n);
		if (memcmp(aml + i + 2 + n, name, 4))
			continue;
		ck_assert_uint_le(i + 2 + pl, amllen);
		*len = pl - n;
		return aml + i + 2 + n;
	}
	return NULL;
}

static bool contains(const uint8_t *hay, size_t hlen, const void *needle, size_t nlen)
{
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (!memcmp(hay + i, needle, nlen))
			return true;
	return false;
}

/* Memory32Fixed(ReadWrite, @base, 4K) as bytes. */
static void window(uint8_t out[12], uint64_t base)
{
	const uint8_t head[4] = { 0x86, 0x09, 0x00, 0x01 };
	const uint8_t size[4] = { 0x00, 0x10, 0x00, 0x00 };

	memcpy(out, head, 4);
	for (int i = 0; i < 4; i++)
		out[4 + i] = (uint8_t)(base >> (8 * i));
	memcpy(out + 8, size, 4);
}

START_TEST(dsdt_devices)
{
	struct machine mc;
	const struct acpi_table_header *d;
	const uint8_t *aml, *body;
	size_t amllen, len;
	unsigned int nr = 3;

	machine_build(&mc, 1, 1, 64 * M, nr);
	d = table(mc.t.dsdt, "DSDT");
	aml = (const uint8_t *)d + sizeof(*d);
	amllen = d->length - sizeof(*d);
	for (unsigned int i = 0; i < nr; i++) {
		uint8_t mem[12], other[12];
		uint8_t irq[9] = { 0x89, 0x06, 0x00, 0x01, 0x01, (uint8_t)(EBB_VIRTIO_IRQ_BASE + i), 0, 0, 0 };
		char name[5];

		snprintf(name, sizeof(name), "V%03u", i);
		body = find_device(aml, amllen, name, &len);
		ck_assert_msg(body != NULL, "no Device(%s)", name);
		ck_assert(contains(body, len, "\x08_HID\x0dLNRO0005", 15));
		window(mem, EBB_MMIO_BASE + i * EBB_MMIO_SIZE);
		ck_assert_msg(contains(body, len, mem, sizeof(mem)), "%s: window", name);
		ck_assert_msg(contains(body, len, irq, sizeof(irq)), "%s: IRQ", name);
		/* Its own window only. */
		window(other, EBB_MMIO_BASE + ((i + 1) % nr) * EBB_MMIO_SIZE);
		ck_assert_msg(!contains(body, len, other, sizeof(other)), "%s: another window", name);
	}
	ck_assert_ptr_null(find_device(aml, amllen, "V003", &len));
	/* Name(\_S5, Package() { 5, Zero }) */
	ck_assert(contains(aml, amllen, "\x08\\_S5_\x12\x05\x02\x0a\x05\x00", 12));
	body = find_device(aml, amllen, "COM1", &len);
	ck_assert_ptr_nonnull(body);
	ck_assert(contains(body, len, "\x08_HID\x0c\x41\xd0\x05\x01", 10));
	ck_assert(contains(body, len, "\x47\x01\xf8\x03\xf8\x03\x01\x08\x22\x10\x00", 11));
	body = find_device(aml, amllen, "COM2", &len);
	ck_assert_ptr_nonnull(body);
	ck_assert(contains(body, len, "\x47\x01\xf8\x02\xf8\x02\x01\x08\x22\x08\x00", 11));
}
END_TEST

static void check_numa(unsigned int cpus, unsigned int nodes, uint64_t mem)
{
	struct machine mc;
	const struct acpi_srat *s;
	const struct acpi_slit *sl;
	const uint8_t *e, *end, *dist;
	unsigned int lapics = 0, ranges = 0;
	uint64_t per_node[EBB_MAX_NODES] = { 0 }, total = 0;

	machine_build(&mc, cpus, nodes, mem, 1);
	s = (const void *)table(mc.t.srat, "SRAT");
	ck_assert_uint_eq(s->reserved1, 1);
	e = (const uint8_t *)s + sizeof(*s);
	end = (const uint8_t *)s + s->h.length;
	for (; e < end; e += e[1]) {
		if (e[0] == ACPI_SRAT_LAPIC) {
			const struct acpi_srat_lapic *c = (const void *)e;

			ck_assert_uint_eq(c->length, 16);
			ck_assert(c->flags & ACPI_SRAT_ENABLED);
			ck_assert_uint_eq(c->apic_id, lapics);
			ck_assert_uint_eq(c->proximity_lo, acpi_cpu_node(lapics, cpus, nodes));
			ck_assert_uint_lt(c->proximity_lo, nodes);
			lapics++;
		} else {
			const struct acpi_srat_memory *r = (const void *)e;
			const struct ebb_range *lr = &mc.layout.ranges[ranges];

			ck_assert_uint_eq(r->type, ACPI_SRAT_MEMORY);
			ck_assert_uint_eq(r->length, 40);
			ck_assert(r->flags & ACPI_SRAT_ENABLED);
			ck_assert_uint_eq(r->base, lr->gpa);
			ck_assert_uint_eq(r->size, lr->size);
			ck_assert_uint_eq(r->proximity, lr->node);
			per_node[r->proximity] += r->size;
			total += r->size;
			ranges++;
		}
	}
	ck_assert_uint_eq(lapics, cpus);
	ck_assert_uint_eq(ranges, mc.layout.nr_ranges);
	ck_assert_uint_eq(total, mem);
	for (unsigned int n = 0; n < nodes; n++)
		ck_assert_uint_eq(per_node[n], mem / nodes);
	/* Every node has a CPU when there are enough of them. */
	if (cpus >= nodes)
		ck_assert_uint_eq(acpi_cpu_node(cpus - 1, cpus, nodes), nodes - 1);

	sl = (const void *)table(mc.t.slit, "SLIT");
	ck_assert_uint_eq(sl->localities, nodes);
	ck_assert_uint_eq(sl->h.length, sizeof(*sl) + nodes * nodes);
	dist = (const uint8_t *)sl + sizeof(*sl);
	for (unsigned int i = 0; i < nodes; i++)
		for (unsigned int j = 0; j < nodes; j++)
			ck_assert_uint_eq(dist[i * nodes + j], i == j ? 10 : 20);
}

START_TEST(srat_slit)
{
	check_numa(2, 2, 256 * M);
	check_numa(4, 4, 512 * M);
	check_numa(1, 4, 512 * M);
	/* Four nodes over the 3 GiB hole: node 2 has two ranges. */
	check_numa(8, 4, 4 * G);
}
END_TEST

/* --numa cpus=: the SRAT puts each vCPU on the node it was given, not the even split. */
START_TEST(srat_explicit_cpus)
{
	static const uint8_t node_of[4] = { 0, 1, 1, 1 };
	struct machine mc;
	const struct acpi_srat *s;
	const uint8_t *e, *end;
	unsigned int lapics = 0;
	uint64_t srat;
	char err[256] = "";

	machine_build(&mc, 4, 2, 256 * M, 1);
	mc.p.cpu_node = node_of;
	ck_assert_msg(acpi_tables_build(&mc.p, region, sizeof(region), EBB_ACPI_ADDR, &mc.t, err,
					sizeof(err)) == 0, "%s", err);
	srat = mc.t.srat;
	s = (const void *)table(srat, "SRAT");
	e = (const uint8_t *)s + sizeof(*s);
	end = (const uint8_t *)s + s->h.length;
	for (; e < end; e += e[1])
		if (e[0] == ACPI_SRAT_LAPIC) {
			const struct acpi_srat_lapic *c = (const void *)e;

			ck_assert_uint_eq(c->proximity_lo, node_of[c->apic_id]);
			lapics++;
		}
	ck_assert_uint_eq(lapics, 4);
}
END_TEST

/* --numa-distance: the SLIT carries the matrix as given, row by row. */
START_TEST(slit_distances)
{
	static const uint8_t dist[9] = { 10, 21, 31, 22, 10, 21, 32, 21, 10 };
	struct machine mc;
	const struct acpi_slit *sl;
	char err[256] = "";

	machine_build(&mc, 3, 3, 384 * M, 1);
	mc.p.distance = dist;
	ck_assert_msg(acpi_tables_build(&mc.p, region, sizeof(region), EBB_ACPI_ADDR, &mc.t, err,
					sizeof(err)) == 0, "%s", err);
	sl = (const void *)table(mc.t.slit, "SLIT");
	ck_assert_uint_eq(sl->localities, 3);
	ck_assert_mem_eq((const uint8_t *)sl + sizeof(*sl), dist, sizeof(dist));
}
END_TEST

START_TEST(too_small)
{
	struct machine mc;
	char err[256] = "";
	struct acpi_tables t;
	static uint8_t small[512];

	machine_build(&mc, 64, 4, 512 * M, 2);
	ck_assert_int_eq(acpi_tables_build(&mc.p, small, sizeof(small), EBB_ACPI_ADDR, &t, err,
					   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "need more than"));
	mc.p.nr_virtio = ACPI_MAX_VIRTIO + 1;
	ck_assert_int_eq(acpi_tables_build(&mc.p, region, sizeof(region), EBB_ACPI_ADDR, &t, err,
					   sizeof(err)), -1);
	mc.p.nr_virtio = 0;
	mc.p.nr_cpus = 0;
	ck_assert_int_eq(acpi_tables_build(&mc.p, region, sizeof(region), EBB_ACPI_ADDR, &t, err,
					   sizeof(err)), -1);
}
END_TEST

/* The sleep register: only SLP_EN with SLP_TYP 5 powers off, with status 0. */
START_TEST(sleep_register)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	uint8_t v;

	ck_assert_ptr_nonnull(vm);
	pthread_mutex_init(&vm->stop_lock, NULL);
	vm->stop_fd = eventfd(0, EFD_CLOEXEC);
	vm->exit_status = -1;
	bus_init(&vm->pio, "port");
	ck_assert_int_eq(acpi_sleep_register(vm), 0);
	v = 0xff;
	ck_assert(bus_access(&vm->pio, 0, ACPI_SLEEP_PORT, &v, 1, false));
	ck_assert_uint_eq(v, 0);			/* no wake status */
	v = 0x80;					/* clearing WAK_STS, as ACPICA does first */
	ck_assert(bus_access(&vm->pio, 0, ACPI_SLEEP_PORT, &v, 1, true));
	v = (5 << 2);					/* S5 without SLP_EN */
	bus_access(&vm->pio, 0, ACPI_SLEEP_PORT, &v, 1, true);
	v = (1 << 2) | 0x20;				/* S1: not offered */
	bus_access(&vm->pio, 0, ACPI_SLEEP_PORT, &v, 1, true);
	ck_assert(!atomic_load(&vm->stopping));
	v = (5 << 2) | 0x20;
	bus_access(&vm->pio, 0, ACPI_SLEEP_PORT, &v, 1, true);
	ck_assert(atomic_load(&vm->stopping));
	ck_assert_int_eq(vm->exit_status, EBB_EXIT_OK);
	close(vm->stop_fd);
	pthread_mutex_destroy(&vm->stop_lock);
	free(vm);
}
END_TEST

/* The real-mode stub at 0xf000:0xfff0 writes 6 to port 0xcf9 and halts. */
START_TEST(reset_vector)
{
	uint8_t v[16];

	memset(v, 0xcc, sizeof(v));
	acpi_reset_vector(v);
	ck_assert_mem_eq(v, ((const uint8_t[]){ 0xb0, 0x06, 0xba, 0xf9, 0x0c, 0xee, 0xf4, 0xeb, 0xfd }), 9);
	for (int i = 9; i < 16; i++)
		ck_assert_uint_eq(v[i], 0);
	ck_assert_uint_eq(EBB_ACPI_ADDR + ACPI_TABLES_SIZE, 0xffff0);
	ck_assert_uint_eq(ACPI_RESET_VECTOR + 16, EBB_ACPI_ADDR + EBB_ACPI_SIZE);
}
END_TEST

/* --- ACPICA's view ------------------------------------------------------ */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s: not written", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Write the table at @gpa to DIR/NAME.dat, disassemble it, return the .dsl text. */
static char *iasl_decode(const char *dir, const char *name, uint64_t gpa)
{
	const struct acpi_table_header *h = (const void *)at(gpa, 36);
	char path[512], cmd[1200];
	FILE *f;
	char *dsl;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(h, 1, h->length, f), h->length);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d %s.dat >%s.log 2>&1", dir, name, name);
	ck_assert_msg(system(cmd) == 0, "iasl -d %s failed: see %s/%s.log", name, dir, name);
	snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
	dsl = slurp(path);
	/* iasl flags a wrong checksum or length in the decoded text. */
	ck_assert_msg(!strstr(dsl, "Incorrect checksum"), "%s: iasl says the checksum is wrong", name);
	ck_assert_msg(!strstr(dsl, "**** "), "%s: iasl complains:\n%s", name, dsl);
	return dsl;
}

static void ck_has(const char *dsl, const char *what, const char *table)
{
	ck_assert_msg(strstr(dsl, what) != NULL, "%s.dsl lacks \"%s\":\n%s", table, what, dsl);
}

START_TEST(iasl_decodes)
{
	struct machine mc;
	char dir[] = "/tmp/ebb-acpi-XXXXXX";
	char *dsl, cmd[600], want[128];

	ck_assert_msg(system("command -v iasl >/dev/null 2>&1") == 0,
		      "iasl (ACPICA's compiler and disassembler) is not installed: "
		      "apt-get install acpica-tools (quickstart.sh does)");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	machine_build(&mc, 2, 2, 256 * M, 2);

	dsl = iasl_decode(dir, "dsdt", mc.t.dsdt);
	ck_has(dsl, "DefinitionBlock", "dsdt");
	ck_has(dsl, "Scope (\\_SB)", "dsdt");
	ck_has(dsl, "EisaId (\"PNP0501\")", "dsdt");
	ck_has(dsl, "IO (Decode16,\n                    0x03F8,", "dsdt");
	ck_has(dsl, "IRQNoFlags ()\n                    {4}", "dsdt");
	ck_has(dsl, "IRQNoFlags ()\n                    {3}", "dsdt");
	for (unsigned int i = 0; i < 2; i++) {
		snprintf(want, sizeof(want), "Device (V%03u)", i);
		ck_has(dsl, want, "dsdt");
		snprintf(want, sizeof(want), "Memory32Fixed (ReadWrite,\n                    0x%08llX,",
			 EBB_MMIO_BASE + i * EBB_MMIO_SIZE);
		ck_has(dsl, want, "dsdt");
		snprintf(want, sizeof(want), "Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )\n"
			 "                {\n                    0x%08X,", EBB_VIRTIO_IRQ_BASE + i);
		ck_has(dsl, want, "dsdt");
	}
	ck_has(dsl, "\"LNRO0005\"", "dsdt");
	ck_has(dsl, "Name (\\_S5, Package (0x02)", "dsdt");
	free(dsl);
	/* What iasl decoded compiles again. */
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -p recompiled dsdt.dsl >recompile.log 2>&1", dir);
	ck_assert_msg(system(cmd) == 0, "iasl could not compile the decoded DSDT: see %s/recompile.log",
		      dir);

	dsl = iasl_decode(dir, "facp", mc.t.fadt);
	ck_has(dsl, "Hardware Reduced (V5) : 1", "facp");
	ck_has(dsl, "Address : 0000000000000600", "facp");
	free(dsl);

	dsl = iasl_decode(dir, "apic", mc.t.madt);
	ck_has(dsl, "Local Apic Address : FEE00000", "apic");
	ck_has(dsl, "Local Apic ID : 00", "apic");
	ck_has(dsl, "Local Apic ID : 01", "apic");
	ck_has(dsl, "Address : FEC00000", "apic");
	ck_has(dsl, "Interrupt : 00000002", "apic");
	free(dsl);

	dsl = iasl_decode(dir, "srat", mc.t.srat);
	ck_has(dsl, "Proximity Domain Low(8) : 01", "srat");
	ck_has(dsl, "Base Address : 0000000008000000", "srat");
	free(dsl);

	dsl = iasl_decode(dir, "slit", mc.t.slit);
	ck_has(dsl, "Localities : 0000000000000002", "slit");
	ck_has(dsl, "Locality   0 : 0A 14", "slit");
	free(dsl);

	dsl = iasl_decode(dir, "xsdt", mc.t.xsdt);
	ck_has(dsl, "ACPI Table Address   0 :", "xsdt");
	free(dsl);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *vmm_acpi_suite(void)
{
	Suite *s = suite_create("vmm_acpi");
	TCase *tc = tcase_create("aml");

	tcase_add_test(tc, pkglen_encoding);
	tcase_add_test(tc, pkglen_boundaries);
	tcase_add_test(tc, pkg_no_room);
	tcase_add_test(tc, integers);
	tcase_add_test(tc, names);
	tcase_add_test(tc, data_objects);
	tcase_add_test(tc, resource_templates);
	suite_add_tcase(s, tc);
	tc = tcase_create("tables");
	tcase_add_test(tc, checksums);
	tcase_add_test(tc, madt_per_vcpu);
	tcase_add_test(tc, dsdt_devices);
	tcase_add_test(tc, srat_slit);
	tcase_add_test(tc, slit_distances);
	tcase_add_test(tc, srat_explicit_cpus);
	tcase_add_test(tc, too_small);
	tcase_add_test(tc, sleep_register);
	tcase_add_test(tc, reset_vector);
	tcase_add_test(tc, iasl_decodes);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(vmm_acpi_suite)
