// SPDX-License-Identifier: MIT
/*
 * ebb's ACPI tables (include/vmm/acpi.h, docs/acpi.md): built for the
 * VM's configuration into one region of guest RAM, the RSDP at its start
 * and every other table after it, 16-byte aligned, in the order
 * DSDT, FADT, MADT, [SRAT, SLIT], XSDT (the XSDT last: it needs the
 * others' addresses).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <vmm/acpi.h>
#include <vmm/aml.h>
#include <vmm/memory.h>
#include <vmm/serial.h>
#include <vmm/vm.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

#define ACPI_OEM_ID		"EBBVMM"
#define ACPI_CREATOR_ID		"EBB "
#define ACPI_CREATOR_REV	1
#define ACPI_ALIGN		16

/* ACPI 6.5: FADT revision 6, minor version 5; DSDT revision 2 (64-bit integers). */
#define FADT_REVISION		6
#define FADT_MINOR		5
#define DSDT_REVISION		2
#define MADT_REVISION		5
#define SRAT_REVISION		3
#define SLIT_REVISION		1
#define XSDT_REVISION		1


/* The ISA serial ports, as every PC has them and vmm/serial.c emulates them. */
static const struct {
	const char *name;
	unsigned int uid;
	uint16_t base;
	unsigned int irq;
} acpi_uarts[] = {
	{ "COM1", 1, SERIAL_COM1_BASE, SERIAL_COM1_IRQ },
	{ "COM2", 2, SERIAL_COM2_BASE, SERIAL_COM2_IRQ },
};

/* The region being filled: @buf is guest memory at @gpa. */
struct acpi_region {
	uint8_t *buf;
	size_t cap;
	size_t used;
	uint64_t gpa;
	bool full;
};

uint8_t acpi_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + b[i]);
	return (uint8_t)-sum;
}

unsigned int acpi_cpu_node(unsigned int cpu, unsigned int nr_cpus, unsigned int nr_nodes)
{
	return (unsigned int)((uint64_t)cpu * nr_nodes / nr_cpus);
}

/* Start a table at the next aligned offset; returns that offset. */
static size_t table_begin(struct acpi_region *r)
{
	size_t at = (r->used + ACPI_ALIGN - 1) & ~(size_t)(ACPI_ALIGN - 1);

	if (at > r->cap)
		r->full = true;
	else
		r->used = at;
	return r->used;
}

static void put(struct acpi_region *r, const void *p, size_t n)
{
	if (r->full || n > r->cap - r->used) {
		r->full = true;
		return;
	}
	memcpy(r->buf + r->used, p, n);
	r->used += n;
}

static void header_init(struct acpi_table_header *h, const char *sig, uint8_t rev)
{
	char table_id[9];

	memset(h, 0, sizeof(*h));
	memcpy(h->signature, sig, 4);
	h->revision = rev;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	/* "EBB" and the signature: iasl and dmesg show which table is whose. */
	snprintf(table_id, sizeof(table_id), "EBB%.4s ", sig);
	memcpy(h->oem_table_id, table_id, 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = ACPI_CREATOR_REV;
}

/* Set the length and checksum of the table at @start; returns its guest address. */
static uint64_t table_end(struct acpi_region *r, size_t start)
{
	struct acpi_table_header *h = (struct acpi_table_header *)(r->buf + start);

	if (r->full)
		return 0;
	h->length = (uint32_t)(r->used - start);
	h->checksum = 0;
	h->checksum = acpi_checksum(h, h->length);
	return r->gpa + start;
}

int acpi_dsdt_aml(const struct acpi_platform *p, uint8_t *buf, size_t cap,
		  char *err, size_t errlen)
{
	struct aml a, rt;
	uint8_t rtbuf[64];
	size_t sb, pkg;

	if (p->nr_virtio > ACPI_MAX_VIRTIO)
		ERR("ACPI: more than %d virtio devices", ACPI_MAX_VIRTIO);
	aml_init(&a, buf, cap);
	/* S5 (soft off): its SLP_TYP for the sleep control register; there is no PM1b. */
	aml_name(&a, "\\_S5");
	pkg = aml_package_begin(&a, 2);
	aml_integer(&a, ACPI_SLEEP_TYP_S5);
	aml_integer(&a, 0);
	aml_end(&a, pkg);
	sb = aml_scope_begin(&a, "\\_SB");
	for (size_t i = 0; i < sizeof(acpi_uarts) / sizeof(acpi_uarts[0]); i++) {
		size_t dev = aml_device_begin(&a, acpi_uarts[i].name);

		aml_name(&a, "_HID");
		aml_eisaid(&a, "PNP0501");	/* 16550A-compatible COM port */
		aml_name(&a, "_UID");
		aml_integer(&a, acpi_uarts[i].uid);
		aml_name(&a, "_CRS");
		aml_init(&rt, rtbuf, sizeof(rtbuf));
		aml_rt_io(&rt, acpi_uarts[i].base, SERIAL_NR_REGS);
		aml_rt_irq(&rt, acpi_uarts[i].irq);
		aml_resource_template(&a, &rt);
		aml_end(&a, dev);
	}
	for (unsigned int i = 0; i < p->nr_virtio; i++) {
		const struct acpi_virtio_dev *v = &p->virtio[i];
		char name[12];
		size_t dev;

		snprintf(name, sizeof(name), "V%03X", i);
		dev = aml_device_begin(&a, name);
		/* Linux's virtio_mmio driver matches this _HID (as QEMU's microvm and Firecracker give it). */
		aml_name(&a, "_HID");
		aml_string(&a, "LNRO0005");
		aml_name(&a, "_UID");
		aml_integer(&a, i);
		aml_name(&a, "_CRS");
		aml_init(&rt, rtbuf, sizeof(rtbuf));
		if (v->base > UINT32_MAX || v->size > UINT32_MAX - v->base)
			ERR("virtio device %u: window above 4 GiB", i);
		aml_rt_memory32_fixed(&rt, (uint32_t)v->base, v->size, true);
		/*
		 * Level, active high: ebb holds a transport's line high while
		 * its InterruptStatus is non-zero (vmm/virtio/mmio.c), so an
		 * interrupt that arrives before the driver's ack is not lost.
		 */
		aml_rt_interrupt(&rt, v->irq, 0);
		aml_resource_template(&a, &rt);
		aml_end(&a, dev);
	}
	aml_end(&a, sb);
	if (a.err)
		ERR("DSDT: %s", a.err);
	return (int)a.len;
}

static uint64_t build_dsdt(struct acpi_region *r, const struct acpi_platform *p,
			   char *err, size_t errlen)
{
	struct acpi_table_header h;
	size_t start = table_begin(r);
	int n;

	header_init(&h, "DSDT", DSDT_REVISION);
	put(r, &h, sizeof(h));
	if (r->full)
		return 0;
	n = acpi_dsdt_aml(p, r->buf + r->used, r->cap - r->used, err, errlen);
	if (n < 0)
		return 0;
	r->used += (size_t)n;
	return table_end(r, start);
}

/*
 * Hardware-reduced (ACPI 6.5, 4.1): no PM1 event or control blocks, no
 * GPE blocks, no PM timer, no SCI, no SMI command port; the devices are
 * in the DSDT.  The reset register is the PCI reset control port ebb
 * already treats as a reset request (vmm/debug_exit.c); the sleep
 * registers are vmm/acpi/sleep.c's port, how the guest powers off.
 */
static uint64_t build_fadt(struct acpi_region *r, uint64_t dsdt)
{
	struct acpi_fadt f;
	size_t start = table_begin(r);

	memset(&f, 0, sizeof(f));
	header_init(&f.h, "FACP", FADT_REVISION);
	f.minor_version = FADT_MINOR;
	f.flags = ACPI_FADT_F_HW_REDUCED | ACPI_FADT_F_PWR_BUTTON | ACPI_FADT_F_SLP_BUTTON |
		  ACPI_FADT_F_RESET_REG_SUP;
	/*
	 * No VGA, no MSI (no PCI at all), no ASPM to touch, no CMOS RTC:
	 * ports 0x70/0x71 are not emulated.  No 8042 either (bit 1 clear):
	 * port 0x64 only takes the reset command.
	 */
	f.iapc_boot_arch = ACPI_FADT_BOOT_NO_VGA | ACPI_FADT_BOOT_NO_MSI | ACPI_FADT_BOOT_NO_ASPM |
			   ACPI_FADT_BOOT_NO_CMOS_RTC;
	f.reset_reg = (struct acpi_gas){
		.space_id = ACPI_GAS_SYSTEM_IO, .bit_width = 8, .access_size = 1, .address = 0xcf9,
	};
	f.reset_value = 0x06;		/* SYS_RST | RST_CPU: a full reset */
	f.sleep_control_reg = (struct acpi_gas){
		.space_id = ACPI_GAS_SYSTEM_IO, .bit_width = 8, .access_size = 1,
		.address = ACPI_SLEEP_PORT,
	};
	f.sleep_status_reg = f.sleep_control_reg;
	f.x_dsdt = dsdt;
	memcpy(f.hypervisor_vendor, "EBB     ", 8);
	put(r, &f, sizeof(f));
	return table_end(r, start);
}

static void madt_iso(struct acpi_region *r, uint8_t source, uint32_t gsi, uint16_t flags)
{
	struct acpi_madt_iso iso = {
		.type = ACPI_MADT_ISO, .length = sizeof(iso), .bus = 0, .source = source,
		.gsi = gsi, .flags = flags,
	};

	put(r, &iso, sizeof(iso));
}

static uint64_t build_madt(struct acpi_region *r, const struct acpi_platform *p)
{
	struct acpi_madt m;
	struct acpi_madt_ioapic io = {
		.type = ACPI_MADT_IOAPIC, .length = sizeof(io), .id = ACPI_IOAPIC_ID,
		.address = ACPI_IOAPIC_ADDR, .gsi_base = 0,
	};
	struct acpi_madt_lapic_nmi nmi = {
		.type = ACPI_MADT_LAPIC_NMI, .length = sizeof(nmi), .processor_uid = 0xff,
		.flags = ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_EDGE, .lint = 1,
	};
	size_t start = table_begin(r);

	memset(&m, 0, sizeof(m));
	header_init(&m.h, "APIC", MADT_REVISION);
	m.lapic_address = ACPI_LAPIC_ADDR;
	m.flags = ACPI_MADT_PCAT_COMPAT;	/* KVM_CREATE_IRQCHIP makes the two 8259s too */
	put(r, &m, sizeof(m));
	for (unsigned int i = 0; i < p->nr_cpus; i++) {
		struct acpi_madt_lapic l = {
			.type = ACPI_MADT_LAPIC, .length = sizeof(l), .processor_uid = (uint8_t)i,
			.apic_id = (uint8_t)i, .flags = ACPI_MADT_ENABLED,
		};

		put(r, &l, sizeof(l));
	}
	put(r, &io, sizeof(io));
	/*
	 * The PIT's IRQ 0 reaches IOAPIC pin 2 (KVM routes GSI 0 there, as
	 * PC chipsets wire it).  Edge and active high are spelt out rather
	 * than "conforming": with no SCI (SCI_INT 0) Linux takes an override
	 * of IRQ 0 for the SCI's, and gives a conforming one the SCI's level,
	 * active-low default.
	 */
	madt_iso(r, 0, 2, ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_EDGE);
	/* The virtio lines are level (see the DSDT); say so for the ISA pins they use. */
	for (unsigned int i = 0; i < p->nr_virtio; i++)
		if (p->virtio[i].irq < 16)
			madt_iso(r, (uint8_t)p->virtio[i].irq, p->virtio[i].irq,
				 ACPI_MPS_ACTIVE_HIGH | ACPI_MPS_LEVEL);
	/* LINT1 is the NMI input on every vCPU (vmm/cpu.c sets it so). */
	put(r, &nmi, sizeof(nmi));
	return table_end(r, start);
}

static uint64_t build_srat(struct acpi_region *r, const struct acpi_platform *p)
{
	const struct ebb_layout *l = p->layout;
	struct acpi_srat s;
	size_t start = table_begin(r);

	memset(&s, 0, sizeof(s));
	header_init(&s.h, "SRAT", SRAT_REVISION);
	s.reserved1 = 1;
	put(r, &s, sizeof(s));
	for (unsigned int i = 0; i < p->nr_cpus; i++) {
		unsigned int node = p->cpu_node ? p->cpu_node[i] :
				    acpi_cpu_node(i, p->nr_cpus, l->nr_nodes);
		struct acpi_srat_lapic c = {
			.type = ACPI_SRAT_LAPIC, .length = sizeof(c), .proximity_lo = (uint8_t)node,
			.apic_id = (uint8_t)i, .flags = ACPI_SRAT_ENABLED,
		};

		put(r, &c, sizeof(c));
	}
	for (unsigned int i = 0; i < l->nr_ranges; i++) {
		struct acpi_srat_memory mem = {
			.type = ACPI_SRAT_MEMORY, .length = sizeof(mem), .proximity = l->ranges[i].node,
			.base = l->ranges[i].gpa, .size = l->ranges[i].size, .flags = ACPI_SRAT_ENABLED,
		};

		put(r, &mem, sizeof(mem));
	}
	return table_end(r, start);
}

static uint64_t build_slit(struct acpi_region *r, const struct acpi_platform *p)
{
	unsigned int n = p->layout->nr_nodes;
	struct acpi_slit s;
	size_t start = table_begin(r);

	memset(&s, 0, sizeof(s));
	header_init(&s.h, "SLIT", SLIT_REVISION);
	s.localities = n;
	put(r, &s, sizeof(s));
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < n; j++) {
			uint8_t d = p->distance ? p->distance[i * n + j] :
				    i == j ? NUMA_DISTANCE_LOCAL : NUMA_DISTANCE_REMOTE;

			put(r, &d, 1);
		}
	return table_end(r, start);
}

static uint64_t build_xsdt(struct acpi_region *r, const uint64_t *entries, unsigned int n)
{
	struct acpi_table_header h;
	size_t start = table_begin(r);

	header_init(&h, "XSDT", XSDT_REVISION);
	put(r, &h, sizeof(h));
	for (unsigned int i = 0; i < n; i++)
		put(r, &entries[i], sizeof(entries[i]));
	return table_end(r, start);
}

/* At the region's start: it is 16-byte aligned, as the RSDP must be. */
static void build_rsdp(struct acpi_region *r, uint64_t xsdt)
{
	struct acpi_rsdp rsdp;

	memset(&rsdp, 0, sizeof(rsdp));
	memcpy(rsdp.signature, "RSD PTR ", 8);
	memcpy(rsdp.oem_id, ACPI_OEM_ID, 6);
	rsdp.revision = 2;
	rsdp.length = sizeof(rsdp);
	rsdp.xsdt_address = xsdt;
	rsdp.checksum = acpi_checksum(&rsdp, 20);
	rsdp.extended_checksum = acpi_checksum(&rsdp, sizeof(rsdp));
	memcpy(r->buf, &rsdp, sizeof(rsdp));
}

int acpi_tables_build(const struct acpi_platform *p, uint8_t *buf, size_t cap, uint64_t gpa,
		      struct acpi_tables *t, char *err, size_t errlen)
{
	struct acpi_region r = { .buf = buf, .cap = cap, .gpa = gpa };
	uint64_t xsdt[4];
	unsigned int n = 0;

	memset(t, 0, sizeof(*t));
	if (gpa % ACPI_ALIGN || cap < sizeof(struct acpi_rsdp))
		ERR("the ACPI region at 0x%llx is unaligned or too small", (unsigned long long)gpa);
	if (p->nr_cpus == 0 || p->nr_cpus > 255)
		ERR("ACPI: %u vCPUs (1 to 255 have an xAPIC ID)", p->nr_cpus);
	memset(buf, 0, cap);
	r.used = sizeof(struct acpi_rsdp);

	t->dsdt = build_dsdt(&r, p, err, errlen);
	if (!t->dsdt && !r.full)
		return -1;	/* the AML's own error */
	t->fadt = xsdt[n++] = build_fadt(&r, t->dsdt);
	t->madt = xsdt[n++] = build_madt(&r, p);
	if (p->layout->nr_nodes > 1) {
		t->srat = xsdt[n++] = build_srat(&r, p);
		t->slit = xsdt[n++] = build_slit(&r, p);
	}
	t->xsdt = build_xsdt(&r, xsdt, n);
	if (r.full)
		ERR("the ACPI tables need more than the %zu bytes at 0x%llx", cap,
		    (unsigned long long)gpa);
	build_rsdp(&r, t->xsdt);
	t->rsdp = gpa;
	t->used = r.used;
	return 0;
}

_Static_assert(VM_MAX_VIRTIO <= ACPI_MAX_VIRTIO, "every transport has its DSDT device");

int acpi_write_vm(struct vm *vm, uint64_t *rsdp, char *err, size_t errlen)
{
	uint8_t cpu_node[EBB_MAX_CPUS];
	struct acpi_platform p = {
		.nr_cpus = vm->opts->nr_cpus,
		.cpu_node = cpu_node,
		.layout = &vm->mem.layout,
		.distance = vm->opts->nr_distances ? vm->opts->distance : NULL,
		.nr_virtio = vm->nr_virtio,
	};
	struct acpi_tables t;
	uint8_t *buf = guest_mem_ptr(&vm->mem, EBB_ACPI_ADDR, EBB_ACPI_SIZE);

	if (!buf)
		ERR("no guest RAM at 0x%llx for the ACPI tables", EBB_ACPI_ADDR);
	for (unsigned int i = 0; i < vm->opts->nr_cpus && i < EBB_MAX_CPUS; i++)
		cpu_node[i] = (uint8_t)options_cpu_node(vm->opts, i);
	for (unsigned int i = 0; i < vm->nr_virtio; i++)
		p.virtio[i] = (struct acpi_virtio_dev){
			.base = vm->virtio[i].base, .size = EBB_MMIO_SIZE, .irq = vm->virtio[i].irq,
		};
	if (acpi_tables_build(&p, buf, ACPI_TABLES_SIZE, EBB_ACPI_ADDR, &t, err, errlen))
		return -1;
	acpi_reset_vector(buf + ACPI_TABLES_SIZE);
	*rsdp = t.rsdp;
	return 0;
}
