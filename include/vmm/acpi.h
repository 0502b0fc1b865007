/* SPDX-License-Identifier: MIT */
/*
 * The ACPI tables ebb writes for a Linux guest (docs/acpi.md): what each
 * table looks like in guest memory (ACPI 6.5, chapter 5; all fields
 * little endian, packed), the machine they describe, and where they went.
 *
 * RSDP -> XSDT -> FADT -> DSDT (the devices, in AML)
 *              -> MADT (local APICs, the IOAPIC, interrupt overrides)
 *              -> SRAT, SLIT (with more than one NUMA node)
 *
 * The FADT is hardware-reduced (no PM1/GPE blocks, no SCI, no SMI): the
 * guest finds its devices in the DSDT and nothing else.
 */
#ifndef EBB_VMM_ACPI_H
#define EBB_VMM_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include <vmm/layout.h>

#define ACPI_PACKED __attribute__((packed))

/* Every table but the RSDP starts with this (5.2.6). */
struct acpi_table_header {
	char signature[4];
	uint32_t length;		/* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;		/* the table's bytes sum to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} ACPI_PACKED;

/* Root System Description Pointer, ACPI 2.0 and later (5.2.5.3). */
struct acpi_rsdp {
	char signature[8];		/* "RSD PTR " */
	uint8_t checksum;		/* the first 20 bytes (the ACPI 1.0 part) sum to 0 */
	char oem_id[6];
	uint8_t revision;		/* 2: XSDT and the extended checksum exist */
	uint32_t rsdt_address;		/* 0: ebb writes only the XSDT */
	uint32_t length;		/* 36 */
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* all 36 bytes sum to 0 */
	uint8_t reserved[3];
} ACPI_PACKED;

/* Generic Address Structure (5.2.3.2). */
struct acpi_gas {
	uint8_t space_id;		/* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;		/* 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
} ACPI_PACKED;

#define ACPI_GAS_SYSTEM_IO	1

/* Fixed ACPI Description Table, revision 6 (5.2.9). */
struct acpi_fadt {
	struct acpi_table_header h;	/* "FACP" */
	uint32_t firmware_ctrl;		/* FACS: none on hardware-reduced */
	uint32_t dsdt;			/* 0: x_dsdt holds it */
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk;
	uint32_t pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat;
	uint16_t flush_size, flush_stride;
	uint8_t duty_offset, duty_width;
	uint8_t day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;	/* ACPI_FADT_BOOT_* */
	uint8_t reserved1;
	uint32_t flags;			/* ACPI_FADT_F_* */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;		/* with h.revision: ACPI 6.5 */
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	char hypervisor_vendor[8];
} ACPI_PACKED;

/* IA-PC boot architecture flags (5.2.9.3). */
#define ACPI_FADT_BOOT_NO_VGA		(1u << 2)
#define ACPI_FADT_BOOT_NO_MSI		(1u << 3)
#define ACPI_FADT_BOOT_NO_ASPM		(1u << 4)
#define ACPI_FADT_BOOT_NO_CMOS_RTC	(1u << 5)
/* Fixed feature flags (5.2.9, table 5.10). */
#define ACPI_FADT_F_PWR_BUTTON		(1u << 4)	/* no fixed power button */
#define ACPI_FADT_F_SLP_BUTTON		(1u << 5)	/* no fixed sleep button */
#define ACPI_FADT_F_RESET_REG_SUP	(1u << 10)
#define ACPI_FADT_F_HW_REDUCED		(1u << 20)

/* Multiple APIC Description Table (5.2.12) and its entries. */
struct acpi_madt {
	struct acpi_table_header h;	/* "APIC" */
	uint32_t lapic_address;
	uint32_t flags;			/* ACPI_MADT_PCAT_COMPAT */
} ACPI_PACKED;

#define ACPI_MADT_PCAT_COMPAT	(1u << 0)	/* dual 8259s are there too */

#define ACPI_MADT_LAPIC		0
#define ACPI_MADT_IOAPIC	1
#define ACPI_MADT_ISO		2
#define ACPI_MADT_LAPIC_NMI	4

struct acpi_madt_lapic {
	uint8_t type, length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;			/* ACPI_MADT_ENABLED */
} ACPI_PACKED;

#define ACPI_MADT_ENABLED	(1u << 0)

struct acpi_madt_ioapic {
	uint8_t type, length;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} ACPI_PACKED;

/* Interrupt Source Override: ISA IRQ @source arrives on @gsi (5.2.12.5). */
struct acpi_madt_iso {
	uint8_t type, length;
	uint8_t bus;			/* 0: ISA */
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;			/* ACPI_MPS_* */
} ACPI_PACKED;

/* MPS INTI flags: polarity in bits 0-1, trigger mode in bits 2-3. */
#define ACPI_MPS_ACTIVE_HIGH	0x1
#define ACPI_MPS_ACTIVE_LOW	0x3
#define ACPI_MPS_EDGE		(0x1 << 2)
#define ACPI_MPS_LEVEL		(0x3 << 2)

struct acpi_madt_lapic_nmi {
	uint8_t type, length;
	uint8_t processor_uid;		/* 0xff: every processor */
	uint16_t flags;			/* ACPI_MPS_* */
	uint8_t lint;			/* LINT0 or LINT1 */
} ACPI_PACKED;

/* System Resource Affinity Table (5.2.16) and its entries. */
struct acpi_srat {
	struct acpi_table_header h;	/* "SRAT", revision 3 */
	uint32_t reserved1;		/* 1, for compatibility */
	uint64_t reserved2;
} ACPI_PACKED;

#define ACPI_SRAT_LAPIC		0
#define ACPI_SRAT_MEMORY	1

struct acpi_srat_lapic {
	uint8_t type, length;
	uint8_t proximity_lo;		/* bits 0-7 of the proximity domain */
	uint8_t apic_id;
	uint32_t flags;			/* ACPI_SRAT_ENABLED */
	uint8_t sapic_eid;
	uint8_t proximity_hi[3];	/* bits 8-31 */
	uint32_t clock_domain;
} ACPI_PACKED;

struct acpi_srat_memory {
	uint8_t type, length;
	uint32_t proximity;
	uint16_t reserved1;
	uint64_t base;
	uint64_t size;
	uint32_t reserved2;
	uint32_t flags;			/* ACPI_SRAT_ENABLED */
	uint64_t reserved3;
} ACPI_PACKED;

#define ACPI_SRAT_ENABLED	(1u << 0)

/* System Locality Information Table (5.2.17): then localities^2 distance bytes. */
struct acpi_slit {
	struct acpi_table_header h;	/* "SLIT" */
	uint64_t localities;
} ACPI_PACKED;

_Static_assert(sizeof(struct acpi_table_header) == 36, "ACPI table header");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP 2.0");
_Static_assert(sizeof(struct acpi_gas) == 12, "generic address structure");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT local APIC");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT I/O APIC");
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "MADT interrupt source override");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT local APIC NMI");
_Static_assert(sizeof(struct acpi_srat) == 48, "SRAT");
_Static_assert(sizeof(struct acpi_srat_lapic) == 16, "SRAT local APIC affinity");
_Static_assert(sizeof(struct acpi_srat_memory) == 40, "SRAT memory affinity");
_Static_assert(sizeof(struct acpi_slit) == 44, "SLIT");

/* Fixed platform facts the tables state. */
#define ACPI_LAPIC_ADDR		0xfee00000u	/* every local APIC, at its default */
#define ACPI_IOAPIC_ADDR	0xfec00000u	/* KVM's in-kernel IOAPIC */
#define ACPI_IOAPIC_ID		0		/* KVM's reset value, as QEMU gives it too */
#define ACPI_MAX_VIRTIO		32

/*
 * The sleep control and status register of a hardware-reduced platform
 * (4.8.3.7), one byte at this port for both: SLP_TYP in bits 2-4 and
 * SLP_EN in bit 5 of a write; WAK_STS, bit 7, is never set (nothing
 * sleeps and wakes).  \_S5 names SLP_TYP 5, and writing it powers off.
 */
#define ACPI_SLEEP_PORT		0x600
#define ACPI_SLEEP_TYP_SHIFT	2
#define ACPI_SLEEP_TYP_MASK	(0x7 << ACPI_SLEEP_TYP_SHIFT)
#define ACPI_SLEEP_EN		(1u << 5)
#define ACPI_SLEEP_TYP_S5	5

/*
 * The x86 reset vector, the last 16 bytes of the BIOS area, where a PC's
 * firmware would reset the machine.  Linux on a hardware-reduced platform
 * without EFI reboots by jumping there (its EFI, then BIOS method), so
 * ebb puts a real-mode stub there that writes the reset register.
 */
#define ACPI_RESET_VECTOR	0xffff0ULL
#define ACPI_TABLES_SIZE	(ACPI_RESET_VECTOR - EBB_ACPI_ADDR)

/* One virtio-mmio transport as the DSDT describes it. */
struct acpi_virtio_dev {
	uint64_t base;			/* its window */
	uint32_t size;
	uint32_t irq;			/* IOAPIC pin (GSI) */
};

/* The machine the tables describe. */
struct acpi_platform {
	unsigned int nr_cpus;		/* APIC IDs 0..nr_cpus-1 */
	/* Each vCPU's node (--numa cpus=); NULL: acpi_cpu_node()'s even split. */
	const uint8_t *cpu_node;
	const struct ebb_layout *layout;	/* RAM ranges and their nodes */
	/* The SLIT, row by row over layout's nodes; NULL: 10 local, 20 remote. */
	const uint8_t *distance;
	unsigned int nr_virtio;
	struct acpi_virtio_dev virtio[ACPI_MAX_VIRTIO];
};

/* Where each table went: guest physical addresses, 0 for one not written. */
struct acpi_tables {
	uint64_t rsdp, xsdt, fadt, dsdt, madt, srat, slit;
	size_t used;			/* bytes from the region's start */
};

/* The byte that makes @n bytes at @p sum to 0 when it replaces a zero among them. */
uint8_t acpi_checksum(const void *p, size_t n);

/*
 * Node of vCPU @cpu: the vCPUs split into nr_nodes runs of (nearly) equal
 * length, in order, as the nodes split RAM.
 */
unsigned int acpi_cpu_node(unsigned int cpu, unsigned int nr_cpus, unsigned int nr_nodes);

/*
 * The DSDT's AML body (after the table header) for @p into @buf: a device
 * per virtio transport (LNRO0005) and COM1/COM2 (PNP0501).  Returns the
 * length, or -1 with a message when it does not fit.
 */
int acpi_dsdt_aml(const struct acpi_platform *p, uint8_t *buf, size_t cap,
		  char *err, size_t errlen);

/*
 * Write every table for @p into @buf, which the guest sees at @gpa (@cap
 * bytes), the RSDP first (16-byte aligned at @gpa, where Linux's scan of
 * 0xe0000-0xfffff finds it too).  0 with @t filled in, or -1 with a message.
 */
int acpi_tables_build(const struct acpi_platform *p, uint8_t *buf, size_t cap, uint64_t gpa,
		      struct acpi_tables *t, char *err, size_t errlen);

struct vm;

/*
 * The tables for @vm (its vCPUs, its layout's nodes, the virtio
 * transports devices_create() made) into its RAM at EBB_ACPI_ADDR (up to
 * the reset vector, and its stub), which the memory map must mark as ACPI
 * data.
 * 0 with the RSDP's address in @rsdp, or -1 with a message.
 */
int acpi_write_vm(struct vm *vm, uint64_t *rsdp, char *err, size_t errlen);

/* The sleep register at ACPI_SLEEP_PORT (vmm/acpi/sleep.c).  0, or -1 if the port is taken. */
int acpi_sleep_register(struct vm *vm);

/* The reset stub at ACPI_RESET_VECTOR into @buf, its 16 bytes (vmm/acpi/sleep.c). */
void acpi_reset_vector(uint8_t buf[16]);

#endif
