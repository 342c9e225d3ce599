// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline: what a promoted hit saves on this CPU, measured once.
 *
 * When relpoline is first enabled, relpoline_calibrate() times two loops
 * on the current CPU, as the raid6 and xor boot benchmarks time their
 * candidates. Both live in one page of module text of their own and make
 * RP_CAL_CALLS calls of relpoline_cal_callee, an empty function, with its
 * address in %rax (in %r11 where vmlinux has no %rax site: clang's kCFI
 * calls all go through %r11):
 *
 *  - the slow loop calls through the idle bytes of a real CALL site of
 *    vmlinux that calls through that register: what boot patching left
 *    there for this spectre_v2 mode (the retpoline or ITS thunk, or the
 *    inline "[lfence;] call *%rax"), at the same offset in a 64-byte line
 *    as the site (ITS decides by that offset), with its rel32 relocated;
 *  - the hit loop calls a stub that rp_stub_describe() and the encoder
 *    build for that site with relpoline_cal_callee as its one target and
 *    hits counted, as relpoline's own stubs are while profiling.
 *
 * The callee is in assembler: it starts with ENDBR (with IBT) and has no
 * kCFI or FineIBT preamble, so both loops may call its first byte as
 * assembler callers do, under every CFI mode.
 *
 * Each loop runs RP_CAL_RUNS times with interrupts off, alternately, and
 * the fastest run of each counts. Both loops run the same instructions
 * around the call, so the difference of their cycles per call is what one
 * promoted hit saves. The stub's per-CPU hit counter must then hold every
 * call of the hit loop, or there is no calibration (-EIO): the figure is
 * never that of a loop that missed.
 *
 * The page has no ORC data and no ksymbol: it lives for a few
 * milliseconds, runs only with interrupts off and is freed before
 * relpoline_calibrate() returns. Nothing of it is counted in
 * relpoline_stats (stub memory, per-CPU bytes): those counts stay exact.
 *
 * The cycles are TSC cycles of a single site and target, with warm caches
 * and predictors: Documentation/trace/relpoline.rst says what the estimate
 * built on them means and where it is wrong.
 *
 * Locking: rp_cal is written once, under relpoline_mutex.
 */
#include <linux/execmem.h>
#include <linux/irqflags.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/ibt.h>
#include <asm/insn.h>
#include <asm/linkage.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/set_memory.h>
#include <asm/text-patching.h>
#include <asm/tsc.h>

#include "relpoline_internal.h"

#define RP_CAL_CALLS	256	/* calls a timed run makes */
#define RP_CAL_RUNS	16	/* timed runs of each loop; the fastest counts */
#define RP_CAL_HIT_LOOP	128	/* where the hit loop starts in the page */
#define RP_CAL_STUB	256	/* where the stub starts */

/*
 * Both loops, for a CALL of the site's length at RP_CAL_CALL_AT (%rdi
 * calls, %rsi the target); callee-saved registers carry them across the
 * calls:
 */
static const u8 rp_cal_head[] = {
	0xf3, 0x0f, 0x1e, 0xfa,		/* endbr64: an indirect call enters */
	0x53,				/* push %rbx */
	0x41, 0x54,			/* push %r12 */
	0x48, 0x89, 0xfb,		/* mov %rdi,%rbx */
	0x49, 0x89, 0xf4,		/* mov %rsi,%r12 */
	0x4c, 0x89, 0xe0,		/* 1: mov %r12,%rax (%r11: 4d 89 e3) */
};

#define RP_CAL_LOOP_AT	13		/* label 1 */
#define RP_CAL_CALL_AT	sizeof(rp_cal_head)
#define RP_REG_R11	11

static const u8 rp_cal_tail[] = {
	0x48, 0xff, 0xcb,		/* dec %rbx */
	0x75, 0x00,			/* jnz 1b (rel8 set below) */
	0x41, 0x5c,			/* pop %r12 */
	0x5b,				/* pop %rbx */
};

/* A plain return, when no return thunk is wanted: as static calls have. */
static const u8 rp_cal_ret[JMP32_INSN_SIZE] = {
	RET_INSN_OPCODE, INT3_INSN_OPCODE, INT3_INSN_OPCODE, INT3_INSN_OPCODE,
	INT3_INSN_OPCODE,
};

#define RP_CAL_LOOP_LEN(len)	(RP_CAL_CALL_AT + (len) + sizeof(rp_cal_tail) + JMP32_INSN_SIZE)

static struct relpoline_calib rp_cal;
static bool rp_cal_done;

/* The target of both loops: an empty function (see the top of this file). */
asm(".pushsection .text, \"ax\"\n"
	".type relpoline_cal_callee, @function\n"
	"relpoline_cal_callee:\n\t"
	ASM_ENDBR
	ASM_RET
	".size relpoline_cal_callee, . - relpoline_cal_callee\n"
	".popsection\n");

/* @len bytes at @from, moved to @to: relocate their rel32 branches. */
static int rp_cal_move(u8 *buf, unsigned long to, const u8 *from_bytes,
		       unsigned long from, unsigned int len)
{
	unsigned int off;
	struct insn insn;
	unsigned long dest;
	s64 rel;

	memcpy(buf, from_bytes, len);
	for (off = 0; off < len; off += insn.length) {
		if (insn_decode_kernel(&insn, buf + off) < 0 || off + insn.length > len)
			return -EINVAL;
		if (insn.immediate.nbytes != 4 ||
		    (insn.opcode.bytes[0] != CALL_INSN_OPCODE &&
		     insn.opcode.bytes[0] != JMP32_INSN_OPCODE))
			continue;
		dest = from + off + insn.length + insn.immediate.value;
		rel = (s64)dest - (s64)(to + off + insn.length);
		if ((s32)rel != rel)
			return -ERANGE;
		*(s32 *)(buf + off + insn_offset_immediate(&insn)) = rel;
	}
	return 0;
}

/*
 * One loop at @at in @buf (the page's copy; the page is at @page): the
 * call is @call, @site's length, already encoded for its place.
 */
static void rp_cal_loop(u8 *buf, unsigned long page, unsigned int at, const u8 *call,
			const struct relpoline_site *site)
{
	static const u8 mov_r11[] = { 0x4d, 0x89, 0xe3 };	/* mov %r12,%r11 */
	unsigned long ret = page + at + RP_CAL_LOOP_LEN(site->len) - JMP32_INSN_SIZE;
	u8 *p = buf + at;

	memcpy(p, rp_cal_head, sizeof(rp_cal_head));
	if (site->reg == RP_REG_R11)
		memcpy(p + RP_CAL_LOOP_AT, mov_r11, sizeof(mov_r11));
	memcpy(p + RP_CAL_CALL_AT, call, site->len);
	p += RP_CAL_CALL_AT + site->len;
	memcpy(p, rp_cal_tail, sizeof(rp_cal_tail));
	p[4] = (u8)(RP_CAL_LOOP_AT - (RP_CAL_CALL_AT + site->len + 5));
	p += sizeof(rp_cal_tail);
	/* The return, as the kernel's own code returns in this mode. */
	if (cpu_wants_rethunk_at((void *)ret))
		__text_gen_insn(p, JMP32_INSN_OPCODE, (void *)ret, x86_return_thunk,
				JMP32_INSN_SIZE);
	else
		memcpy(p, rp_cal_ret, sizeof(rp_cal_ret));
}

/*
 * A CALL site of vmlinux, not refused, through %rax (5 bytes) or, if there
 * is none, through %r11 (6 bytes: CS prefix).
 */
static int rp_cal_find(struct relpoline_site *s, void *data)
{
	struct relpoline_site **found = data;

	if (s->mod || s->refused || s->form != RELPOLINE_FORM_CALL)
		return 0;
	if (s->reg == RP_REG_RAX && s->len == RP_CALL_INSN_SIZE) {
		*found = s;
		return 1;
	}
	if (s->reg == RP_REG_R11 && s->len == RP_CALL_INSN_SIZE + 1 &&
	    s->idle[0] == 0x2e && !*found)
		*found = s;
	return 0;
}

/* Cycles of one run of the loop at @loop. */
static __nocfi u64 rp_cal_run(void *loop)
{
	void (*fn)(unsigned long n, unsigned long target) = loop;
	unsigned long flags;
	u64 t0, t1;

	local_irq_save(flags);
	t0 = rdtsc_ordered();
	fn(RP_CAL_CALLS, (unsigned long)relpoline_cal_callee);
	t1 = rdtsc_ordered();
	local_irq_restore(flags);
	return t1 - t0;
}

struct rp_cal_ctx {
	struct relpoline_site	site;	/* the model site, moved into the page */
	struct relpoline_stub	stub;	/* its stub: described, never published */
	u8			*buf;	/* the page, as it is built */
	u8			*page;
	unsigned int		slow_at;	/* where the slow loop starts */
};

/* Build the two loops and the stub in ctx->buf. */
static int rp_cal_build(struct rp_cal_ctx *c, const struct relpoline_site *site)
{
	unsigned long page = (unsigned long)c->page, stub = page + RP_CAL_STUB;
	struct rp_stub_layout layout;
	struct rp_stub_desc d;
	u8 call[RP_CALL_INSN_SIZE + 1];
	unsigned int pfx;
	int ret;

	/* The slow loop's call at the site's offset in a 64-byte line. */
	c->slow_at = (site->addr - RP_CAL_CALL_AT) & 63;
	ret = rp_cal_move(call, page + c->slow_at + RP_CAL_CALL_AT, site->idle,
			  site->addr, site->len);
	if (ret)
		return ret;
	rp_cal_loop(c->buf, page, c->slow_at, call, site);

	c->site = *site;
	c->site.addr = page + RP_CAL_HIT_LOOP + RP_CAL_CALL_AT;
	c->stub.site = &c->site;
	c->stub.nr_targets = 1;
	c->stub.targets[0] = (unsigned long)relpoline_cal_callee;
	c->stub.count_hits = true;
	rp_stub_describe(&c->stub, stub, &d);
	ret = rp_encode_stub(&d, c->buf + RP_CAL_STUB, PAGE_SIZE - RP_CAL_STUB, &layout);
	if (ret < 0)
		return ret;
	call[0] = 0x2e;		/* CS prefix: a 6-byte site keeps it */
	pfx = site->len - RP_CALL_INSN_SIZE;
	ret = rp_encode_site(RELPOLINE_FORM_CALL, 0, c->site.addr + pfx, stub, call + pfx);
	if (ret < 0)
		return ret;
	rp_cal_loop(c->buf, page, RP_CAL_HIT_LOOP, call, site);
	return 0;
}

/* Time both loops; x100 cycles per call of each. */
static void rp_cal_measure(struct rp_cal_ctx *c, struct relpoline_calib *cal)
{
	u64 slow = U64_MAX, hit = U64_MAX;
	unsigned int i;

	migrate_disable();
	cal->cpu = raw_smp_processor_id();
	/* A first run of each warms caches and predictors. */
	for (i = 0; i <= RP_CAL_RUNS; i++) {
		u64 s = rp_cal_run(c->page + c->slow_at);
		u64 h = rp_cal_run(c->page + RP_CAL_HIT_LOOP);

		if (!i)
			continue;
		slow = min(slow, s);
		hit = min(hit, h);
	}
	migrate_enable();
	cal->slow_x100 = div_u64(slow * 100, RP_CAL_CALLS);
	cal->hit_x100 = div_u64(hit * 100, RP_CAL_CALLS);
}

/* Every call of the hit loop took the target, on the CPU that ran it. */
static int rp_cal_verify(struct rp_cal_ctx *c, const struct relpoline_calib *cal)
{
	const struct rp_ctr_block *b = per_cpu_ptr(c->stub.ctrs, cal->cpu);
	u64 want = (u64)(RP_CAL_RUNS + 1) * RP_CAL_CALLS;

	return b->hits[0] == want && !b->misses ? 0 : -EIO;
}

static int rp_cal_page(struct rp_cal_ctx *c, const struct relpoline_site *site,
		       struct relpoline_calib *cal)
{
	int ret;

	c->buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	c->stub.ctrs = alloc_percpu(struct rp_ctr_block);
	c->page = execmem_alloc(EXECMEM_MODULE_TEXT, PAGE_SIZE);
	ret = -ENOMEM;
	if (!c->buf || !c->stub.ctrs || !c->page)
		goto out;
	memset(c->buf, INT3_INSN_OPCODE, PAGE_SIZE);
	ret = rp_cal_build(c, site);
	if (ret)
		goto out;
	memcpy(c->page, c->buf, PAGE_SIZE);
	set_memory_rox((unsigned long)c->page, 1);
	rp_cal_measure(c, cal);
	ret = rp_cal_verify(c, cal);
out:
	execmem_free(c->page);
	free_percpu(c->stub.ctrs);
	kfree(c->buf);
	return ret;
}

/**
 * relpoline_calibrate - measure what a promoted hit saves, once
 *
 * The first call measures (see the top of this file); later calls return
 * what it found. Takes a few milliseconds natively.
 *
 * Context: relpoline_lock() held; sleeps.
 * Return: 0, or why there is no calibration: -ENODEV (no CALL site through
 * %rax to model), -ENOMEM, -ERANGE (a branch out of rel32 reach), -EIO
 * (the stub did not count every call of the hit loop).
 */
int relpoline_calibrate(void)
{
	struct relpoline_site *site = NULL;
	struct rp_cal_ctx *c;
	int ret;

	lockdep_assert_held(&relpoline_mutex);
	if (rp_cal_done)
		return rp_cal.err;
	rp_cal_done = true;
	relpoline_walk_sites(rp_cal_find, &site);
	if (!site) {
		rp_cal.err = -ENODEV;
		return rp_cal.err;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		rp_cal.err = -ENOMEM;
		return rp_cal.err;
	}
	rp_cal.site = site->id;
	rp_cal.khz = tsc_khz;
	ret = rp_cal_page(c, site, &rp_cal);
	kfree(c);
	rp_cal.err = ret;
	return ret;
}
EXPORT_SYMBOL_NS_GPL(relpoline_calibrate, RELPOLINE_INTERNAL);

/**
 * relpoline_calibration - the result of relpoline_calibrate()
 *
 * Context: relpoline_lock() held.
 * Return: NULL before the first relpoline_calibrate(), else the result
 * (its @err says whether the figures hold).
 */
const struct relpoline_calib *relpoline_calibration(void)
{
	lockdep_assert_held(&relpoline_mutex);
	return rp_cal_done ? &rp_cal : NULL;
}
EXPORT_SYMBOL_NS_GPL(relpoline_calibration, RELPOLINE_INTERNAL);
