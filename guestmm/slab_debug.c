// SPDX-License-Identifier: MIT
/*
 * Slab debugging, as Linux's slub_debug: red zones around every object
 * (Z), poison in free objects (P) and pointer checks on free (F).
 *
 * A red zone holds SLAB_RED_ACTIVE while its object is allocated and
 * SLAB_RED_INACTIVE while it is free, so the state of every object is
 * written beside it: a second free finds the zone inactive.  A write past
 * the object's end changes the right zone; a write into a free object
 * changes its poison, found when the object is next handed out.
 *
 * A bad free is reported and refused: the object stays where it was, so
 * nothing is corrupted by it.  A damaged red zone or poison is reported
 * and restored.
 */
#include "slab_internal.h"

static unsigned long nr_slab_bugs;

unsigned long slab_debug_errors(void)
{
	return __atomic_load_n(&nr_slab_bugs, __ATOMIC_RELAXED);
}

unsigned int slab_parse_debug(const char *opt)
{
	unsigned int flags = 0;

	if (!opt || !*opt)
		return SLAB_DEBUG;
	for (; *opt; opt++) {
		switch (*opt) {
		case 'f': case 'F':
			flags |= SLAB_CONSISTENCY_CHECKS;
			break;
		case 'z': case 'Z':
			flags |= SLAB_RED_ZONE;
			break;
		case 'p': case 'P':
			flags |= SLAB_POISON;
			break;
		case '-':
			return 0;
		default:
			break;	/* U, T, A ...: not implemented, as Linux ignores unknowns */
		}
	}
	return flags;
}

void slab_bug(const struct kmem_cache *s, const char *what, const void *obj)
{
	__atomic_add_fetch(&nr_slab_bugs, 1, __ATOMIC_RELAXED);
	mm_printk("=============================================================================");
	mm_printk("BUG %s: %s", s ? s->name : "kmalloc", what);
	mm_printk("-----------------------------------------------------------------------------");
	if (obj && direct_mapped(obj))
		mm_printk("INFO: Object 0x%p pfn %#lx", obj, page_to_pfn(virt_to_page(obj)));
	else
		mm_printk("INFO: Object 0x%p", obj);
}

static unsigned char *left_zone(const struct kmem_cache *s, const void *obj)
{
	return (unsigned char *)obj - s->red_left_pad;
}

/* The right zone: the object's tail padding and the word after it. */
static unsigned char *right_zone(const struct kmem_cache *s, const void *obj, size_t *len)
{
	*len = s->inuse - s->object_size + sizeof(void *);
	return (unsigned char *)obj + s->object_size;
}

static bool all_bytes(const unsigned char *p, size_t len, unsigned char v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void set_zones(const struct kmem_cache *s, void *obj, unsigned char v)
{
	size_t rlen;
	unsigned char *r = right_zone(s, obj, &rlen);

	memset(left_zone(s, obj), v, s->red_left_pad);
	memset(r, v, rlen);
}

/* Do both zones read @v?  Reports which one does not. */
static bool check_zones(const struct kmem_cache *s, const void *obj, unsigned char v)
{
	size_t rlen;
	const unsigned char *r = right_zone(s, obj, &rlen);

	if (!all_bytes(left_zone(s, obj), s->red_left_pad, v)) {
		slab_bug(s, "Left Redzone overwritten", obj);
		return false;
	}
	if (!all_bytes(r, rlen, v)) {
		slab_bug(s, "Right Redzone overwritten", obj);
		return false;
	}
	return true;
}

static bool poisoned(const struct kmem_cache *s)
{
	/* A constructed object must keep its contents while free. */
	return (s->flags & SLAB_POISON) && !s->ctor;
}

static void poison_object(const struct kmem_cache *s, void *obj)
{
	memset(obj, POISON_FREE, s->object_size - 1);
	((unsigned char *)obj)[s->object_size - 1] = POISON_END;
}

static bool poison_intact(const struct kmem_cache *s, const void *obj)
{
	const unsigned char *p = obj;

	return all_bytes(p, s->object_size - 1, POISON_FREE) &&
	       p[s->object_size - 1] == POISON_END;
}

void debug_init_object(struct kmem_cache *s, void *obj)
{
	if (s->flags & SLAB_RED_ZONE)
		set_zones(s, obj, SLAB_RED_INACTIVE);
	if (poisoned(s))
		poison_object(s, obj);
}

bool debug_object_is_free(const struct kmem_cache *s, const void *obj)
{
	size_t rlen;
	const unsigned char *r = right_zone(s, obj, &rlen);

	if (!(s->flags & SLAB_RED_ZONE))
		return true;
	return all_bytes(left_zone(s, obj), s->red_left_pad, SLAB_RED_INACTIVE) &&
	       all_bytes(r, rlen, SLAB_RED_INACTIVE);
}

bool debug_alloc_object(struct kmem_cache *s, struct page *slab, void *obj)
{
	bool ok = true;

	if ((s->flags & SLAB_RED_ZONE) && !check_zones(s, obj, SLAB_RED_INACTIVE))
		ok = false;
	if (poisoned(s) && !poison_intact(s, obj)) {
		slab_bug(s, "Poison overwritten (use after free)", obj);
		ok = false;
	}
	if (!ok)
		mm_printk("FIX %s: Restoring red zones and poison of 0x%p (slab pfn %#lx)",
			  s->name, obj, page_to_pfn(slab));
	if (s->flags & SLAB_RED_ZONE)
		set_zones(s, obj, SLAB_RED_ACTIVE);
	return ok;
}

struct kmem_cache *debug_free_object(struct kmem_cache *s, const void *obj,
				     struct page **slabp)
{
	struct kmem_cache *real;
	struct page *page, *slab;
	unsigned long off;

	if (!direct_mapped(obj)) {
		slab_bug(s, "Invalid object pointer (not a kernel direct-map address)", obj);
		return NULL;
	}
	page = virt_to_page(obj);
	if (!PageSlab(page)) {
		slab_bug(s, "Invalid object pointer (not in a slab page: never allocated here)", obj);
		return NULL;
	}
	real = page->slab_cache;
	if (real != s) {
		/* As Linux's cache_from_obj(): say so, then free it where it belongs. */
		__atomic_add_fetch(&nr_slab_bugs, 1, __ATOMIC_RELAXED);
		mm_printk("kmem_cache_free: Wrong slab cache. %s but object is from %s",
			  s->name, real->name);
		s = real;
	}
	slab = slab_head(s, page);
	*slabp = slab;
	if (!slab_debug(s))
		return s;

	off = (unsigned long)((const char *)obj - slab_base(slab));
	if (off < s->red_left_pad || (off - s->red_left_pad) % s->size ||
	    (off - s->red_left_pad) / s->size >= s->objects) {
		slab_bug(s, "Invalid object pointer (not the start of an object)", obj);
		return NULL;
	}
	if (s->flags & SLAB_RED_ZONE) {
		if (debug_object_is_free(s, obj)) {
			slab_bug(s, "Object already free", obj);
			return NULL;
		}
		if (!check_zones(s, obj, SLAB_RED_ACTIVE)) {
			mm_printk("FIX %s: Object at 0x%p not freed", s->name, obj);
			return NULL;
		}
	}
	debug_init_object(s, (void *)obj);
	return s;
}
