// SPDX-License-Identifier: MIT
/*
 * The AML writer (include/vmm/aml.h): encodings from ACPI 6.5 chapter 20
 * (names, data objects, Scope, Device, Package) and the resource
 * descriptors of chapter 6.4 that ebb's devices need.
 */
#include <string.h>

#include <vmm/aml.h>

/* Small resource items: tag byte = item << 3 | length (ACPI 6.5, 6.4.2). */
#define RT_IRQ_NOFLAGS		((0x04 << 3) | 2)
#define RT_IO			((0x08 << 3) | 7)
#define RT_END			((0x0f << 3) | 1)
/* Large resource items: 0x80 | item, then a 16-bit length (6.4.3). */
#define RT_MEMORY32_FIXED	(0x80 | 0x06)
#define RT_EXTENDED_IRQ		(0x80 | 0x09)

#define RT_IO_DECODE16		0x01
#define RT_MEM_WRITABLE		0x01
#define RT_IRQ_CONSUMER		0x01

static void fail(struct aml *a, const char *why)
{
	if (!a->err)
		a->err = why;
}

void aml_init(struct aml *a, void *buf, size_t cap)
{
	a->buf = buf;
	a->len = 0;
	a->cap = cap;
	a->err = NULL;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->err)
		return;
	if (n > a->cap - a->len) {
		fail(a, "no room for the AML");
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

static void put_le(struct aml *a, uint64_t v, unsigned int n)
{
	uint8_t b[8];

	for (unsigned int i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	aml_bytes(a, b, n);
}

unsigned int aml_pkglen_encode(uint8_t out[4], size_t len)
{
	unsigned int extra;

	if (len <= 0x3f) {
		out[0] = (uint8_t)len;
		return 1;
	}
	if (len > AML_PKGLEN_MAX)
		return 0;
	/* 4 bits in the lead byte, 8 in each of the 1-3 that follow. */
	extra = len <= 0xfff ? 1 : len <= 0xfffff ? 2 : 3;
	out[0] = (uint8_t)((extra << 6) | (len & 0x0f));
	for (unsigned int i = 0; i < extra; i++)
		out[1 + i] = (uint8_t)(len >> (4 + 8 * i));
	return extra + 1;
}

size_t aml_scope_begin(struct aml *a, const char *path)
{
	size_t start;

	aml_byte(a, AML_SCOPE_OP);
	start = a->len;
	aml_namestring(a, path);
	return start;
}

size_t aml_device_begin(struct aml *a, const char *name)
{
	size_t start;

	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	start = a->len;
	aml_namestring(a, name);
	return start;
}

size_t aml_package_begin(struct aml *a, uint8_t nr_elements)
{
	size_t start;

	aml_byte(a, AML_PACKAGE_OP);
	start = a->len;
	aml_byte(a, nr_elements);
	return start;
}

/*
 * The body from @start to the end is written; the PkgLength goes in
 * front of it.  Its size depends on the length it encodes, which counts
 * the PkgLength itself: try each size until the total fits.
 */
void aml_end(struct aml *a, size_t start)
{
	size_t body;
	uint8_t enc[4];
	unsigned int n = 0;

	if (a->err)
		return;
	body = a->len - start;
	for (unsigned int sz = 1; sz <= 4 && !n; sz++) {
		unsigned int got = aml_pkglen_encode(enc, body + sz);

		if (got == sz)
			n = got;
	}
	if (!n) {
		fail(a, "an AML package longer than a PkgLength holds");
		return;
	}
	if (n > a->cap - a->len) {
		fail(a, "no room for the AML");
		return;
	}
	memmove(a->buf + start + n, a->buf + start, body);
	memcpy(a->buf + start, enc, n);
	a->len += n;
}

static bool lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

int aml_nameseg(uint8_t out[4], const char *name, size_t n)
{
	if (n < 1 || n > 4 || !lead_char(name[0]))
		return -1;
	for (size_t i = 0; i < 4; i++) {
		char c = i < n ? name[i] : '_';

		if (!lead_char(c) && !(c >= '0' && c <= '9'))
			return -1;
		out[i] = (uint8_t)c;
	}
	return 0;
}

void aml_namestring(struct aml *a, const char *path)
{
	const char *p = path;
	unsigned int nsegs = 0;
	uint8_t segs[255][4];

	while (*p == AML_ROOT_CHAR || *p == AML_PARENT_PREFIX_CHAR) {
		/* One root, or any number of parents, never both. */
		if ((*p == AML_ROOT_CHAR && p != path) ||
		    (*p == AML_PARENT_PREFIX_CHAR && *path == AML_ROOT_CHAR)) {
			fail(a, "a bad AML name path");
			return;
		}
		p++;
	}
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (nsegs == 255 || aml_nameseg(segs[nsegs], p, n)) {
			fail(a, "a bad AML name");
			return;
		}
		nsegs++;
		p += n;
		if (dot && !*++p) {
			fail(a, "a bad AML name");
			return;
		}
	}
	for (const char *q = path; *q == AML_ROOT_CHAR || *q == AML_PARENT_PREFIX_CHAR; q++)
		aml_byte(a, (uint8_t)*q);
	if (nsegs == 0) {
		aml_byte(a, AML_ZERO_OP);	/* NullName */
	} else if (nsegs == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nsegs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)nsegs);
	}
	aml_bytes(a, segs, 4 * (size_t)nsegs);
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, name);
}

void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v <= UINT8_MAX) {
		aml_byte(a, AML_BYTE_PREFIX);
		put_le(a, v, 1);
	} else if (v <= UINT16_MAX) {
		aml_byte(a, AML_WORD_PREFIX);
		put_le(a, v, 2);
	} else if (v <= UINT32_MAX) {
		aml_byte(a, AML_DWORD_PREFIX);
		put_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		put_le(a, v, 8);
	}
}

void aml_string(struct aml *a, const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p > 0x7f) {
			fail(a, "an AML string that is not ASCII");
			return;
		}
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Three letters of 5 bits each ('A' = 1) and a 16-bit product number,
 * stored most significant byte first: PNP0501 is 41 d0 05 01.
 */
void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t vendor = 0, product = 0;
	uint8_t b[4];

	if (strlen(id) != 7) {
		fail(a, "an EISA id is 7 characters");
		return;
	}
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			fail(a, "an EISA id starts with three capital letters");
			return;
		}
		vendor = (vendor << 5) | (uint32_t)(id[i] - '@');
	}
	for (int i = 3; i < 7; i++) {
		int d = hex_digit(id[i]);

		if (d < 0) {
			fail(a, "an EISA id ends with four hex digits");
			return;
		}
		product = (product << 4) | (uint32_t)d;
	}
	b[0] = (uint8_t)(vendor >> 8);
	b[1] = (uint8_t)vendor;
	b[2] = (uint8_t)(product >> 8);
	b[3] = (uint8_t)product;
	aml_byte(a, AML_DWORD_PREFIX);
	aml_bytes(a, b, 4);
}

void aml_buffer(struct aml *a, const void *data, size_t n)
{
	size_t start;

	aml_byte(a, AML_BUFFER_OP);
	start = a->len;
	aml_integer(a, n);
	aml_bytes(a, data, n);
	aml_end(a, start);
}

void aml_rt_io(struct aml *rt, uint16_t base, uint8_t len)
{
	aml_byte(rt, RT_IO);
	aml_byte(rt, RT_IO_DECODE16);
	put_le(rt, base, 2);		/* minimum */
	put_le(rt, base, 2);		/* maximum: the same, a fixed range */
	aml_byte(rt, 1);		/* alignment */
	aml_byte(rt, len);
}

void aml_rt_irq(struct aml *rt, unsigned int irq)
{
	if (irq > 15) {
		fail(rt, "an ISA IRQ is 0-15");
		return;
	}
	aml_byte(rt, RT_IRQ_NOFLAGS);
	put_le(rt, 1u << irq, 2);
}

void aml_rt_interrupt(struct aml *rt, uint32_t gsi, unsigned int flags)
{
	aml_byte(rt, RT_EXTENDED_IRQ);
	put_le(rt, 6, 2);		/* flags, count, one interrupt */
	aml_byte(rt, (uint8_t)(RT_IRQ_CONSUMER | flags));
	aml_byte(rt, 1);
	put_le(rt, gsi, 4);
}

void aml_rt_memory32_fixed(struct aml *rt, uint32_t base, uint32_t len, bool writable)
{
	aml_byte(rt, RT_MEMORY32_FIXED);
	put_le(rt, 9, 2);
	aml_byte(rt, writable ? RT_MEM_WRITABLE : 0);
	put_le(rt, base, 4);
	put_le(rt, len, 4);
}

void aml_resource_template(struct aml *a, struct aml *rt)
{
	uint8_t sum = RT_END;

	for (size_t i = 0; i < rt->len; i++)
		sum = (uint8_t)(sum + rt->buf[i]);
	aml_byte(rt, RT_END);
	aml_byte(rt, (uint8_t)-sum);
	if (rt->err) {
		fail(a, rt->err);
		return;
	}
	aml_buffer(a, rt->buf, rt->len);
}
