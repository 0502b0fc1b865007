/* SPDX-License-Identifier: MIT */
/*
 * A small AML writer: the ACPI Machine Language byte code a DSDT holds
 * (ACPI 6.5, chapter 20), just enough to name ebb's devices and their
 * resources (chapter 6.4, resource data types).
 *
 * Everything goes into a buffer the caller owns.  The first failure (no
 * room, a name AML cannot hold) is kept in ->err and turns every later
 * call into a no-op, so a table is written with plain calls and checked
 * once at the end.  Objects with a PkgLength (Scope, Device, Package) are
 * opened with *_begin(), which returns where their body starts, and
 * closed with aml_end(), which inserts the PkgLength once the body's
 * size is known:
 *
 *	size_t sb = aml_scope_begin(a, "\\_SB");
 *	size_t dev = aml_device_begin(a, "COM1");
 *	aml_name(a, "_HID"); aml_eisaid(a, "PNP0501");
 *	aml_end(a, dev);
 *	aml_end(a, sb);
 *
 * Resource templates are built in a second struct aml (the descriptors
 * alone) and emitted as one Buffer by aml_resource_template().
 */
#ifndef EBB_VMM_AML_H
#define EBB_VMM_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t len;		/* bytes written */
	size_t cap;		/* bytes buf holds */
	const char *err;	/* the first failure; NULL while all is well */
};

/* Opcodes and prefixes (ACPI 6.5, 20.2). */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR		'\\'
#define AML_PARENT_PREFIX_CHAR	'^'

/* A PkgLength holds at most 28 bits. */
#define AML_PKGLEN_MAX		((1u << 28) - 1)

/* Interrupt descriptor flags (aml_rt_interrupt); 0 is level, active high, exclusive. */
#define AML_IRQ_EDGE		(1u << 1)
#define AML_IRQ_ACTIVE_LOW	(1u << 2)
#define AML_IRQ_SHARED		(1u << 3)

void aml_init(struct aml *a, void *buf, size_t cap);
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);

/*
 * The PkgLength encoding of @len (which counts the encoding's own bytes,
 * as AML's does) into @out: 1 byte up to 63, else a lead byte with the
 * count of following bytes and the low nibble, then 8 bits a byte.
 * Returns the number of bytes (1-4), or 0 if @len is beyond 28 bits.
 */
unsigned int aml_pkglen_encode(uint8_t out[4], size_t len);

/*
 * A NameSeg from 1-4 characters ([A-Z_] then [A-Z0-9_]), padded with
 * '_' to 4.  0, or -1 for a name AML cannot hold.
 */
int aml_nameseg(uint8_t out[4], const char *name, size_t n);

/*
 * A NameString: optional root '\' or parent '^' prefixes, then segments
 * separated by '.': none is the NullName, one a NameSeg, two a
 * DualNamePath, more a MultiNamePath.
 */
void aml_namestring(struct aml *a, const char *path);

/* Name(@name, ...): NameOp and the name; the caller writes the object next. */
void aml_name(struct aml *a, const char *name);

/* An Integer in the shortest form: Zero, One, Byte, Word, DWord or QWord. */
void aml_integer(struct aml *a, uint64_t v);

/* A String: ASCII 0x01-0x7f, NUL-terminated. */
void aml_string(struct aml *a, const char *s);

/* EisaId("PNP0501"): three letters and four hex digits, compressed into a DWord. */
void aml_eisaid(struct aml *a, const char *id);

/* A Buffer of @n bytes. */
void aml_buffer(struct aml *a, const void *data, size_t n);

/* Scope(@path) { ... }, Device(@name) { ... }, Package(@n) { ... }; close with aml_end(). */
size_t aml_scope_begin(struct aml *a, const char *path);
size_t aml_device_begin(struct aml *a, const char *name);
size_t aml_package_begin(struct aml *a, uint8_t nr_elements);
void aml_end(struct aml *a, size_t start);

/* Resource descriptors, into a template buffer @rt (ACPI 6.5, 6.4). */
/* IO(Decode16, @base, @base, 1, @len): a fixed run of ports. */
void aml_rt_io(struct aml *rt, uint16_t base, uint8_t len);
/* IRQNoFlags() {@irq}: an ISA interrupt, edge, active high, exclusive. */
void aml_rt_irq(struct aml *rt, unsigned int irq);
/* Interrupt(ResourceConsumer, ...) {@gsi}: the extended descriptor, AML_IRQ_* @flags. */
void aml_rt_interrupt(struct aml *rt, uint32_t gsi, unsigned int flags);
/* Memory32Fixed(ReadWrite or ReadOnly, @base, @len). */
void aml_rt_memory32_fixed(struct aml *rt, uint32_t base, uint32_t len, bool writable);

/*
 * Close @rt with the End Tag, whose checksum makes the template's bytes
 * sum to zero, and write it into @a as a Buffer (ASL's ResourceTemplate).
 */
void aml_resource_template(struct aml *a, struct aml *rt);

#endif
