// SPDX-License-Identifier: GPL-2.0
/*
 * Code emission shared by the native benchmark's programs (rb.h): raw
 * bytes and rel32 branches, the stubs' placement in 32-byte granules as
 * the kernel's stub allocator hands them out, the sample functions of
 * rb_tmpl.S with their %gs displacements and period patched in, and the
 * counters a sampling stub must show after a known number of misses.
 * relbench.c, rb_many.c and rb_replay.c use it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <asm/relpoline_encode.h>
#include "rb.h"

u8 *rb_put(u8 *p, const void *bytes, int n)
{
	memcpy(p, bytes, n);
	return p + n;
}

u8 *rb_rel32(u8 *p, u8 op, u64 dest)
{
	u32 rel = (u32)(dest - ((u64)(uintptr_t)p + 5));

	*p = op;
	memcpy(p + 1, &rel, 4);
	return p + 5;
}

u64 rb_place_stub(struct rp_stub_desc *d, u8 *base, u32 *cursor, u32 limit,
		  struct rp_stub_layout *lay, const char *what)
{
	char msg[96];
	int size, ret;

	d->stub_addr = (u64)(uintptr_t)(base + *cursor);
	size = rp_stub_size(d);
	if (size <= 0 || *cursor + (u32)size > limit) {
		errno = size < 0 ? -size : ENOSPC;
		snprintf(msg, sizeof(msg), "%s stubs do not fit", what);
		die(msg);
	}
	ret = rp_encode_stub(d, base + *cursor, size, lay);
	if (ret != size) {
		errno = ret < 0 ? -ret : EINVAL;
		snprintf(msg, sizeof(msg), "rp_encode_stub (%s)", what);
		die(msg);
	}
	*cursor += (size + RB_GRANULE - 1) / RB_GRANULE * RB_GRANULE;
	return d->stub_addr;
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

/* the byte of the copy at @dst that is at @lbl in the template @tmpl */
#define AT(dst, tmpl, lbl) ((dst) + ((lbl) - (tmpl)))

void rb_put_sample_cheap(u8 *dst, u32 period)
{
	memcpy(dst, rb_sample_cheap, rb_sample_cheap_end - rb_sample_cheap);
	put32(AT(dst, rb_sample_cheap, rb_sample_cheap_n), GS_SAMPLES);
	put32(AT(dst, rb_sample_cheap, rb_sample_cheap_per), period);
}

void rb_put_sample_full(u8 *dst, u32 period)
{
	memcpy(dst, rb_sample_full, rb_sample_full_end - rb_sample_full);
	put32(AT(dst, rb_sample_full, rb_sample_full_n), GS_SAMPLES);
	put32(AT(dst, rb_sample_full, rb_sample_full_n2), GS_SAMPLES);
	put32(AT(dst, rb_sample_full, rb_sample_full_ring), GS_RING);
	put32(AT(dst, rb_sample_full, rb_sample_full_ring8), GS_RING + 8);
	put32(AT(dst, rb_sample_full, rb_sample_full_per), period);
}

/*
 * A stub decrements its countdown on every miss and calls the sample
 * function when that leaves it at zero or below (JG); the sample function
 * reloads it with the period.
 */
u32 rb_countdown_after(u32 c0, u32 period, u64 misses, u64 *samples)
{
	if (misses < c0) {
		*samples = 0;
		return c0 - (u32)misses;
	}
	misses -= c0;
	*samples = 1 + misses / period;
	return period - (u32)(misses % period);
}
