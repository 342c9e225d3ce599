// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the relpoline core: the site table, patching a live site
 * and restoring it byte for byte, busy detection, and unwinding through a
 * stub. They patch sites inside this file only.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/filter.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <asm/insn.h>
#include <asm/cfi.h>
#include <asm/current.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/orc_types.h>
#include <asm/relpoline.h>
#include <asm/text-patching.h>
#include <asm/text_poke_site.h>
#include <trace/events/relpoline.h>

#include "relpoline_internal.h"

typedef int (*rpk_fn_t)(int);

/* The address a site's register holds when it calls @fn (FineIBT: fn - 16) */
#define RPK_T(fn)	relpoline_target_entry((unsigned long)(fn))

static noinline int rpk_add_one(int x)
{
	return x + 1;
}

static noinline int rpk_double(int x)
{
	return x * 2;
}

static noinline int rpk_negate(int x)
{
	return -x;
}

/* One call site (not a tail call: the result is used) and one tail call. */
static noinline int rpk_call(rpk_fn_t fn, int x)
{
	return fn(x) + 1000;
}

static noinline int rpk_tail(rpk_fn_t fn, int x)
{
	return fn(x);
}

struct rpk_find {
	unsigned long start, end;
	struct relpoline_site *site;
};

static int rpk_find_fn(struct relpoline_site *site, void *data)
{
	struct rpk_find *f = data;

	if (site->addr >= f->start && site->addr < f->end) {
		f->site = site;
		return 1;
	}
	return 0;
}

/*
 * The (only) site inside @fn, which must not be managed by anyone else.
 * Called without relpoline_lock(): KUnit assertions and skips end the
 * test thread, so they must never run with the mutex held. vmlinux sites
 * are never freed, so the pointer stays valid.
 */
static struct relpoline_site *rpk_site_in(struct kunit *test, void *fn)
{
	unsigned long size, off;
	struct rpk_find f = {};
	bool stubbed;

	KUNIT_ASSERT_TRUE(test, kallsyms_lookup_size_offset((unsigned long)fn, &size, &off));
	f.start = (unsigned long)fn;
	f.end = f.start + size;
	relpoline_lock();
	relpoline_walk_sites(rpk_find_fn, &f);
	stubbed = f.site && (f.site->stub || f.site->policy);
	relpoline_unlock();
	KUNIT_ASSERT_NOT_NULL_MSG(test, f.site, "no relpoline site in %ps", fn);
	if (stubbed)
		kunit_skip(test, "%ps is managed by the policy (relpoline enabled at boot)", fn);
	return f.site;
}

static int rpk_apply_one(struct relpoline_site *site, bool stub, int nr,
			 unsigned long t0, unsigned long t1, bool count)
{
	struct relpoline_req r = {
		.site = site, .stub = stub, .nr_targets = nr,
		.targets = { t0, t1 }, .count_hits = count,
	};

	relpoline_apply(&r, 1);
	return r.result;
}

static void rpk_skip_if_unavailable(struct kunit *test)
{
	if (relpoline_unavailable())
		kunit_skip(test, "relpoline unavailable: %s", relpoline_unavailable());
}

struct rpk_inv {
	struct kunit *test;
	unsigned int n, refused, bad, inlined, landings;
	unsigned int last_id;
};

/* An idle site that boot patching left as a rel32 branch to a thunk. */
static bool rpk_thunk_site_ok(struct relpoline_site *s)
{
	struct insn insn;
	unsigned long dest;

	if (insn_decode_kernel(&insn, s->idle) < 0 || insn.length != s->len)
		return false;
	dest = s->addr + insn.length + insn.immediate.value;
	if (dest != s->slow || s->landing || s->quiesce)
		return false;
	switch (s->form) {
	case RELPOLINE_FORM_CALL:
		return insn.opcode.bytes[0] == CALL_INSN_OPCODE;
	case RELPOLINE_FORM_JMP:
		return insn.opcode.bytes[0] == JMP32_INSN_OPCODE;
	default:
		return insn.opcode.bytes[0] == 0x0f && (insn.opcode.bytes[1] & 0xf) == s->cc;
	}
}

/* An idle site that boot patching inlined: its indirect branch is on @reg. */
static bool rpk_inline_site_ok(struct relpoline_site *s)
{
	unsigned int i = s->form == RELPOLINE_FORM_JCC ? 2 : 0;
	const u8 *p = s->idle;
	bool rex, high;
	u8 modrm;

	if (s->slow != (unsigned long)&__x86_indirect_thunk_array[s->reg])
		return false;
	if (p[i] == 0x0f && p[i + 1] == 0xae && p[i + 2] == 0xe8)
		i += 3;
	rex = p[i] == 0x41;
	high = s->reg >= 8;
	if (rex != high)
		return false;
	i += rex;
	modrm = (s->form == RELPOLINE_FORM_CALL ? 0xd0 : 0xe0) + (s->reg & 7);
	if (p[i] != 0xff || p[i + 1] != modrm)
		return false;
	/* A CALL followed by padding returns inside the site: its landing. */
	return s->landing == (s->form == RELPOLINE_FORM_CALL && i + 2 < s->len ? i + 2 : 0);
}

static int rpk_check_site(struct relpoline_site *s, void *data)
{
	struct rpk_inv *inv = data;

	inv->n++;
	if (inv->n > 1 && s->id <= inv->last_id && !s->mod)
		inv->bad++;
	inv->last_id = s->id;
	if (s->refused) {
		inv->refused++;
		return 0;
	}
	inv->inlined += s->inlined;
	inv->landings += !!s->landing;
	/* Unmanaged sites hold exactly what boot patching left there. */
	if (!s->stub && memcmp((void *)s->addr, s->idle, s->len)) {
		kunit_err(inv->test, "site %pS does not hold its idle bytes\n", (void *)s->addr);
		inv->bad++;
	}
	if (s->reg == 4 || s->reg > 15 || (s->len != 5 && s->len != 6) ||
	    (s->inlined ? !rpk_inline_site_ok(s) : !rpk_thunk_site_ok(s))) {
		kunit_err(inv->test, "site %pS: bad record %*ph\n", (void *)s->addr, s->len,
			  s->idle);
		inv->bad++;
	}
	return 0;
}

static void rpk_site_table(struct kunit *test)
{
	struct relpoline_stats st;
	struct rpk_inv inv = { .test = test };
	struct relpoline_site_iter it = {};
	struct relpoline_site *s, *last = NULL;
	unsigned int n = 0;

	rpk_skip_if_unavailable(test);
	relpoline_lock();
	relpoline_walk_sites(rpk_check_site, &inv);
	/* The iterator relpoline_walk_sites() is built on: a finished walk stays finished. */
	while ((s = relpoline_next_site(&it))) {
		n++;
		last = s;
	}
	KUNIT_EXPECT_NULL(test, relpoline_next_site(&it));
	KUNIT_EXPECT_TRUE(test, last && last->id == inv.last_id);
	relpoline_unlock();
	KUNIT_EXPECT_EQ(test, n, inv.n);
	relpoline_get_stats(&st);
	kunit_info(test, "sites %u, refused %u, inlined %u, with a landing %u\n",
		   inv.n, inv.refused, inv.inlined, inv.landings);
	/* Boot patching inlines every site, or none, but for what does not fit. */
	if (cpu_feature_enabled(X86_FEATURE_RETPOLINE) &&
	    !cpu_feature_enabled(X86_FEATURE_RETPOLINE_LFENCE))
		KUNIT_EXPECT_EQ(test, inv.inlined, 0U);
	else if (!cpu_feature_enabled(X86_FEATURE_INDIRECT_THUNK_ITS))
		KUNIT_EXPECT_GT(test, inv.inlined, (inv.n - inv.refused) / 2);
	KUNIT_EXPECT_GT(test, inv.n, 1000U);
	KUNIT_EXPECT_EQ(test, inv.n, st.sites);
	KUNIT_EXPECT_EQ(test, inv.refused, st.refused);
	KUNIT_EXPECT_LT(test, inv.refused, inv.n / 10);
	KUNIT_EXPECT_EQ(test, inv.bad, 0U);
}

static void rpk_patch_restore(struct kunit *test, void *fn, bool tail)
{
	int (*call)(rpk_fn_t fn, int x) = tail ? rpk_tail : rpk_call;
	int extra = tail ? 0 : 1000;
	struct relpoline_site *site;
	u8 before[TEXT_POKE_SITE_MAX];
	u64 hits, misses;
	int ret;

	rpk_skip_if_unavailable(test);
	site = rpk_site_in(test, fn);
	KUNIT_ASSERT_NULL(test, site->refused);
	KUNIT_EXPECT_EQ(test, site->form, tail ? RELPOLINE_FORM_JMP : RELPOLINE_FORM_CALL);
	memcpy(before, (void *)site->addr, site->len);
	KUNIT_ASSERT_EQ(test, memcmp(before, site->idle, site->len), 0);

	relpoline_lock();
	ret = rpk_apply_one(site, true, 2, RPK_T(rpk_add_one),
			    RPK_T(rpk_double), true);
	relpoline_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_NOT_NULL(test, site->stub);
	KUNIT_EXPECT_NE(test, memcmp((void *)site->addr, before, site->len), 0);

	/* Both promoted targets, and the slow path for a third. */
	KUNIT_EXPECT_EQ(test, call(rpk_add_one, 41), 42 + extra);
	KUNIT_EXPECT_EQ(test, call(rpk_double, 21), 42 + extra);
	KUNIT_EXPECT_EQ(test, call(rpk_double, 4), 8 + extra);
	KUNIT_EXPECT_EQ(test, call(rpk_negate, 42), -42 + extra);

	relpoline_lock();
	relpoline_site_counts(site, &hits, &misses);
	KUNIT_EXPECT_GE(test, hits, 3ULL);
	KUNIT_EXPECT_GE(test, misses, 1ULL);

	/* Re-promote in place (a new stub; the old one is retired). */
	ret = rpk_apply_one(site, true, 1, RPK_T(rpk_negate), 0, false);
	KUNIT_EXPECT_EQ(test, ret, 0);
	relpoline_unlock();
	KUNIT_EXPECT_EQ(test, call(rpk_negate, 7), -7 + extra);
	KUNIT_EXPECT_EQ(test, call(rpk_add_one, 7), 8 + extra);

	relpoline_lock();
	ret = rpk_apply_one(site, false, 0, 0, 0, false);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, site->stub);
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, before, site->len), 0);
	relpoline_unlock();
	KUNIT_EXPECT_EQ(test, call(rpk_add_one, 1), 2 + extra);
}

static void rpk_patch_restore_call(struct kunit *test)
{
	rpk_patch_restore(test, rpk_call, false);
}

static void rpk_patch_restore_tail(struct kunit *test)
{
	rpk_patch_restore(test, rpk_tail, true);
}

static void rpk_bad_targets(struct kunit *test)
{
	unsigned long inside = (unsigned long)rpk_add_one + 1;
	unsigned long nowhere = (unsigned long)rpk_double + 0x100000000UL;
	struct relpoline_site *site;

	rpk_skip_if_unavailable(test);
	site = rpk_site_in(test, rpk_call);
	relpoline_lock();
	/* Not a function entry, and not text at all. */
	KUNIT_EXPECT_EQ(test, rpk_apply_one(site, true, 1, inside, 0, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, rpk_apply_one(site, true, 1, nowhere, 0, false), -EINVAL);
	KUNIT_EXPECT_NULL(test, site->stub);
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, site->idle, site->len), 0);
	relpoline_unlock();
}

#ifdef CONFIG_X86_KERNEL_IBT
struct rpk_sealed {
	unsigned long	addr;
	unsigned int	seen;
};

/* A function of core text whose entry IBT refuses: its ENDBR was sealed. */
static int rpk_find_sealed(void *data, const char *name, unsigned long addr)
{
	struct rpk_sealed *f = data;
	bool fineibt = IS_ENABLED(CONFIG_FINEIBT) && cfi_mode == CFI_FINEIBT;
	u32 insn;

	/* Under FineIBT the entry of a function is its __cfi_ preamble. */
	if (fineibt != !!str_has_prefix(name, "__cfi_") || !core_kernel_text(addr) ||
	    is_kernel_inittext(addr) || str_has_prefix(name, "__pfx_"))
		return 0;
	if (get_kernel_nofault(insn, (u32 *)addr) || insn != gen_endbr_poison())
		return 0;
	f->seen++;
	if (!f->addr)
		f->addr = addr;
	return 0;
}

static void rpk_sealed_refused(struct kunit *test)
{
	struct rpk_sealed f = {};
	const char *why;

	kallsyms_on_each_symbol(rpk_find_sealed, &f);
	KUNIT_ASSERT_GT_MSG(test, f.seen, 0U, "IBT kernel without a sealed function");
	why = relpoline_target_refusal(f.addr);
	KUNIT_EXPECT_NOT_NULL(test, why);
	if (why)
		KUNIT_EXPECT_NOT_NULL(test, strstr(why, "no ENDBR"));
	kunit_info(test, "%u sealed functions, e.g. %ps: %s", f.seen, (void *)f.addr, why);
}
#else
static void rpk_sealed_refused(struct kunit *test) { }
#endif

/*
 * relpoline_target_refusal(): a function's entry is accepted (under
 * FineIBT, its preamble, where the callers' registers point), the bytes
 * around it are not: its second byte, the padding before it (__pfx_), its
 * kCFI hash (__cfi_, outside FineIBT), its first byte under FineIBT (no
 * ENDBR: callers enter 16 bytes before), and with IBT a sealed function.
 */
static void rpk_target_rules(struct kunit *test)
{
	bool fineibt = IS_ENABLED(CONFIG_FINEIBT) && cfi_mode == CFI_FINEIBT;
	unsigned long fn = (unsigned long)rpk_add_one;
	const char *why;

	/* fn - 16 as a constant would be a relocation objtool reports (!ENDBR) */
	OPTIMIZER_HIDE_VAR(fn);

	KUNIT_EXPECT_NULL(test, relpoline_target_refusal(RPK_T(rpk_add_one)));
	KUNIT_EXPECT_EQ(test, RPK_T(rpk_add_one), fineibt ? fn - 16 : fn);
	KUNIT_EXPECT_NOT_NULL(test, relpoline_target_refusal(fn + 1));
	why = relpoline_target_refusal(fn - 16);
	if (IS_ENABLED(CONFIG_PREFIX_SYMBOLS)) {
		KUNIT_ASSERT_NOT_NULL(test, why);
		KUNIT_EXPECT_NOT_NULL(test, strstr(why, "(__pfx_)"));
	} else if (IS_ENABLED(CONFIG_CFI_CLANG) && !fineibt) {
		KUNIT_ASSERT_NOT_NULL(test, why);
		KUNIT_EXPECT_NOT_NULL(test, strstr(why, "kCFI hash"));
	}
	if (fineibt) {
		why = relpoline_target_refusal(fn);
		KUNIT_ASSERT_NOT_NULL(test, why);
		KUNIT_EXPECT_NOT_NULL(test, strstr(why, "FineIBT"));
	}
	rpk_sealed_refused(test);
}

/* distinct targets of one site: more than a CPU's 256-entry table */
#define RPK_BURST	600U
struct rpk_drained {
	u32		site_id;
	unsigned int	entries, bad;
	u64		samples;
};

static void rpk_count_sample(const struct relpoline_sample *s, void *data)
{
	struct rpk_drained *d = data;

	if (s->site_id != d->site_id)
		return;		/* another site's: the policy's loss, not ours */
	d->entries++;
	d->samples += s->count;
	d->bad += s->count != 2;
}

/*
 * A burst over more (site, target) pairs than a CPU's learning table
 * holds (256 entries): every sample lands, in the per-CPU table or in the
 * shared overflow table, and comes back from one drain, once per pair
 * with its exact count; nothing is dropped.
 */
static void rpk_learn_overflow(struct kunit *test)
{
	struct rpk_drained d = {};
	struct relpoline_site *site;
	unsigned long dropped;
	unsigned int i, pass;

	rpk_skip_if_unavailable(test);
	site = rpk_site_in(test, rpk_call);
	if (site->stub || site->policy)
		kunit_skip(test, "the site is managed by the policy");
	d.site_id = site->id;
	relpoline_lock();
	KUNIT_EXPECT_EQ(test, rpk_apply_one(site, true, 1, RPK_T(rpk_add_one), 0, false), 0);
	relpoline_drain_samples(rpk_count_sample, &(struct rpk_drained){ .site_id = U32_MAX });
	migrate_disable();
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < RPK_BURST; i++)
			relpoline_record_sample(site, 0x10000 + 16 * i, false);
	migrate_enable();
	dropped = relpoline_drain_samples(rpk_count_sample, &d);
	KUNIT_EXPECT_EQ(test, rpk_apply_one(site, false, 0, 0, 0, false), 0);
	relpoline_unlock();
	KUNIT_EXPECT_EQ(test, dropped, 0UL);
	KUNIT_EXPECT_EQ(test, d.entries, RPK_BURST);
	KUNIT_EXPECT_EQ(test, d.samples, 2ULL * RPK_BURST);
	KUNIT_EXPECT_EQ(test, d.bad, 0U);
}

/* Samples of one site for one target: boosted ones and the others. */
struct rpk_boosted {
	u32		site_id;
	unsigned long	target;
	u64		boosted, normal;
};

static void rpk_count_boosted(const struct relpoline_sample *s, void *data)
{
	struct rpk_boosted *b = data;

	if ((s->site_id & ~RELPOLINE_SAMPLE_BOOSTED) != b->site_id || s->target != b->target)
		return;
	if (s->site_id & RELPOLINE_SAMPLE_BOOSTED)
		b->boosted += s->count;
	else
		b->normal += s->count;
}

/* A sampling stub for @site, comparing @nr (0 or 1) targets: rpk_add_one. */
static int rpk_apply_sampling(struct relpoline_site *site, int nr)
{
	struct relpoline_req r = {
		.site = site, .stub = true, .nr_targets = nr,
		.targets = { RPK_T(rpk_add_one) }, .sample = true,
	};

	relpoline_apply(&r, 1);
	return r.result;
}

/* @n calls of rpk_negate through @site's stub on this CPU, then a drain. */
static void rpk_boost_calls(struct relpoline_site *site, unsigned int n, struct rpk_boosted *b)
{
	unsigned int i;

	*b = (struct rpk_boosted){ .site_id = site->id, .target = RPK_T(rpk_negate) };
	migrate_disable();
	for (i = 0; i < n; i++)
		rpk_call(rpk_negate, i);
	migrate_enable();
	relpoline_lock();
	relpoline_drain_samples(rpk_count_boosted, b);
	relpoline_unlock();
}

enum rpk_boost_do { RPK_CALLS, RPK_REARM, RPK_NEW_STUB };

/* @what, then @n calls of @site: @boosted and @normal samples expected */
static void rpk_boost_step(struct kunit *test, struct relpoline_site *site,
			   enum rpk_boost_do what, unsigned int n, u64 boosted, u64 normal)
{
	struct rpk_boosted b;

	relpoline_lock();
	if (what == RPK_REARM)
		relpoline_rearm_sample_boost();
	else if (what == RPK_NEW_STUB)
		KUNIT_EXPECT_EQ(test, rpk_apply_sampling(site, 1), 0);
	relpoline_unlock();
	rpk_boost_calls(site, n, &b);
	KUNIT_EXPECT_EQ(test, b.boosted, boosted);
	KUNIT_EXPECT_EQ(test, b.normal, normal);
}

/*
 * Adaptive sampling: a learning stub samples its first misses one by one
 * (boosted), then one in sample_period; a reset re-arms it once the
 * countdown runs out; so does the first stub with a target after a
 * learning one, until the next drain, and no later one. With a period of
 * 16 and a boost of 8, from the first call on one CPU: calls 1 to 9 are
 * boosted samples (the first countdown is 1, then the 8 of the budget),
 * then calls 25, 41, ... 185 are normal ones: 9 + 11 in 200 calls.
 */
static void rpk_sample_boost(struct kunit *test)
{
	struct relpoline_site *site;
	int ret;

	rpk_skip_if_unavailable(test);
	site = rpk_site_in(test, rpk_call);
	if (site->stub || site->policy)
		kunit_skip(test, "the site is managed by the policy");
	relpoline_lock();
	relpoline_set_sample_period(16);
	relpoline_set_sample_boost(8);
	ret = rpk_apply_sampling(site, 0);
	relpoline_drain_samples(rpk_count_boosted, &(struct rpk_boosted){ .site_id = U32_MAX });
	relpoline_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);

	rpk_boost_step(test, site, RPK_CALLS, 200, 9, 11);
	/* re-armed: calls 201-209 boosted (the countdown restarts at 1), 225 */
	rpk_boost_step(test, site, RPK_REARM, 40, 9, 1);
	/* the first stub with a target after learning: calls 1-9 and 25 */
	rpk_boost_step(test, site, RPK_NEW_STUB, 40, 9, 1);
	/* its boost ended with that drain: re-armed, it samples 16 and 32 */
	rpk_boost_step(test, site, RPK_REARM, 40, 0, 2);
	/* the next one: its misses are sampled one in 16 from the start */
	rpk_boost_step(test, site, RPK_NEW_STUB, 40, 0, 2);

	relpoline_lock();
	KUNIT_EXPECT_EQ(test, rpk_apply_one(site, false, 0, 0, 0, false), 0);
	relpoline_set_sample_boost(0);
	relpoline_unlock();
}

static void rpk_busy(struct kunit *test)
{
	struct relpoline_site *site;
	struct kprobe kp = {};
	struct relpoline_stats st0, st1;
	int ret;

	rpk_skip_if_unavailable(test);
	site = rpk_site_in(test, rpk_call);

	kp.addr = (kprobe_opcode_t *)site->addr;
	ret = register_kprobe(&kp);
	KUNIT_ASSERT_EQ(test, ret, 0);

	relpoline_get_stats(&st0);
	relpoline_lock();
	ret = rpk_apply_one(site, true, 1, RPK_T(rpk_add_one), 0, false);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	KUNIT_EXPECT_TRUE(test, site->busy);
	KUNIT_EXPECT_NULL(test, site->stub);
	relpoline_unlock();
	relpoline_get_stats(&st1);
	KUNIT_EXPECT_EQ(test, st1.busy, st0.busy + 1);
	KUNIT_EXPECT_EQ(test, st1.patched, st0.patched);
	/* The probe's bytes were left alone and the call still works. */
	KUNIT_EXPECT_EQ(test, rpk_call(rpk_add_one, 1), 1002);

	unregister_kprobe(&kp);
	relpoline_lock();
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, site->idle, site->len), 0);
	ret = rpk_apply_one(site, true, 1, RPK_T(rpk_add_one), 0, false);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_FALSE(test, site->busy);
	ret = rpk_apply_one(site, false, 0, 0, 0, false);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, site->idle, site->len), 0);
	relpoline_unlock();
}

/*
 * A kprobe registered but not armed (kprobe_events creates probes
 * disabled) holds a copy of the managed site and its first byte: the site
 * stays as it is until the kprobe is gone. Were it restored meanwhile, in
 * an inlined mode arming and disarming the kprobe would write "call"'s
 * opcode over "call *%reg" (a call to a wild address).
 */
static void rpk_busy_disarmed(struct kunit *test)
{
	struct kprobe kp = { .flags = KPROBE_FLAG_DISABLED };
	u8 managed[TEXT_POKE_SITE_MAX];
	struct relpoline_site *site;
	int ret;

	rpk_skip_if_unavailable(test);
	site = rpk_site_in(test, rpk_call);
	relpoline_lock();
	ret = rpk_apply_one(site, true, 1, RPK_T(rpk_add_one), 0, false);
	relpoline_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);
	memcpy(managed, (void *)site->addr, site->len);

	kp.addr = (kprobe_opcode_t *)site->addr;
	ret = register_kprobe(&kp);
	KUNIT_ASSERT_EQ(test, ret, 0);
	relpoline_lock();
	KUNIT_EXPECT_EQ(test, rpk_apply_one(site, false, 0, 0, 0, false), -EBUSY);
	KUNIT_EXPECT_TRUE(test, site->busy);
	KUNIT_EXPECT_NOT_NULL(test, site->stub);
	KUNIT_EXPECT_TRUE(test, relpoline_site_recheck_busy(site));
	relpoline_unlock();
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, managed, site->len), 0);
	/* Armed and disarmed: the kprobe's saved byte is still the site's. */
	KUNIT_EXPECT_EQ(test, enable_kprobe(&kp), 0);
	KUNIT_EXPECT_EQ(test, rpk_call(rpk_add_one, 1), 1002);
	KUNIT_EXPECT_EQ(test, disable_kprobe(&kp), 0);
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, managed, site->len), 0);
	KUNIT_EXPECT_EQ(test, rpk_call(rpk_add_one, 1), 1002);

	unregister_kprobe(&kp);
	relpoline_lock();
	KUNIT_EXPECT_FALSE(test, relpoline_site_recheck_busy(site));
	KUNIT_EXPECT_EQ(test, rpk_apply_one(site, false, 0, 0, 0, false), 0);
	KUNIT_EXPECT_NULL(test, site->stub);
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, site->idle, site->len), 0);
	relpoline_unlock();
	KUNIT_EXPECT_EQ(test, rpk_call(rpk_add_one, 1), 1002);
}

/* What reliable stack traces taken inside a stub's sampling call showed. */
struct rpk_unwind_seen {
	int calls;
	int reliable;
	bool saw_caller;	/* a frame of the function given */
	bool saw_stub;		/* a frame in a stub */
};

/* Take a reliable stack trace of current and note what it holds into @u. */
static void rpk_unwind_note(struct rpk_unwind_seen *u, void *caller)
{
	unsigned long entries[32], size, off;
	int n, i;

	u->calls++;
	n = stack_trace_save_tsk_reliable(current, entries, ARRAY_SIZE(entries));
	if (n <= 0)
		return;
	u->reliable++;
	kallsyms_lookup_size_offset((unsigned long)caller, &size, &off);
	for (i = 0; i < n; i++) {
		if (entries[i] - (unsigned long)caller < size)
			u->saw_caller = true;
		if (is_relpoline_stub(entries[i]))
			u->saw_stub = true;
	}
}

/* Take @r's site back to idle, the default sample period and @probe off. */
static void rpk_sampling_stop(struct relpoline_req *r,
			      void (*probe)(void *, unsigned long, unsigned long, u64))
{
	relpoline_lock();
	r->stub = false;
	r->sample = false;
	relpoline_apply(r, 1);
	relpoline_set_sample_period(16);
	relpoline_unlock();
	unregister_trace_relpoline_miss(probe, current);
	tracepoint_synchronize_unregister();
}

/* Unwinding: a reliable stack trace taken inside the sampling call of a stub. */
static struct rpk_unwind_seen rpk_unwind;

static void rpk_miss_probe(void *data, unsigned long site, unsigned long target, u64 cg)
{
	if (target != RPK_T(rpk_negate) || current != data)
		return;
	rpk_unwind_note(&rpk_unwind, rpk_call);
}

static void rpk_unwind_through_stub(struct kunit *test)
{
	struct relpoline_site *site;
	struct relpoline_req r = {};
	int ret, i;

	rpk_skip_if_unavailable(test);
	memset(&rpk_unwind, 0, sizeof(rpk_unwind));
	site = rpk_site_in(test, rpk_call);
	ret = register_trace_relpoline_miss(rpk_miss_probe, current);
	KUNIT_ASSERT_EQ(test, ret, 0);

	relpoline_lock();
	relpoline_set_sample_period(1);
	r.site = site;
	r.stub = true;
	r.sample = true;
	relpoline_apply(&r, 1);
	KUNIT_EXPECT_EQ(test, r.result, 0);
	relpoline_unlock();

	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, rpk_call(rpk_negate, i), 1000 - i);

	rpk_sampling_stop(&r, rpk_miss_probe);

	KUNIT_EXPECT_EQ(test, rpk_unwind.calls, 4);
	KUNIT_EXPECT_EQ(test, rpk_unwind.reliable, rpk_unwind.calls);
	KUNIT_EXPECT_TRUE(test, rpk_unwind.saw_stub);
	KUNIT_EXPECT_TRUE(test, rpk_unwind.saw_caller);
}

/*
 * A task that called through the idle site and sleeps in the callee while
 * the site gets a stub (and back): it must return where its call left off.
 * When boot patching inlined the call and padding follows it, the task
 * returns to the site's landing, an INT3 while the site has a stub.
 */
static struct {
	struct completion in, out, done;
	int result;
} rpk_sleeper;

static noinline int rpk_block(int x)
{
	complete(&rpk_sleeper.in);
	wait_for_completion(&rpk_sleeper.out);
	return x + 7;
}

static int rpk_sleeper_fn(void *data)
{
	rpk_sleeper.result = rpk_call(rpk_block, 35);
	complete(&rpk_sleeper.done);
	return 0;
}

/* Start a task sleeping in rpk_block() called from rpk_call(). */
static void rpk_sleeper_start(struct kunit *test)
{
	struct task_struct *t;

	init_completion(&rpk_sleeper.in);
	init_completion(&rpk_sleeper.out);
	init_completion(&rpk_sleeper.done);
	rpk_sleeper.result = 0;
	t = kthread_run(rpk_sleeper_fn, NULL, "rpk-sleeper");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&rpk_sleeper.in);
}

/* Wake it: it must return through the rewritten site. */
static int rpk_sleeper_finish(void)
{
	complete(&rpk_sleeper.out);
	wait_for_completion(&rpk_sleeper.done);
	return rpk_sleeper.result;
}

static void rpk_landing(struct kunit *test)
{
	struct relpoline_stats st0, st1;
	struct relpoline_site *site;
	u8 before[TEXT_POKE_SITE_MAX];

	rpk_skip_if_unavailable(test);
	site = rpk_site_in(test, rpk_call);
	KUNIT_ASSERT_NULL(test, site->refused);
	memcpy(before, (void *)site->addr, site->len);
	kunit_info(test, "site %*ph, landing at +%u\n", site->len, before, site->landing);

	/* Called through the idle site, returns through the stub's site. */
	rpk_sleeper_start(test);
	relpoline_get_stats(&st0);
	relpoline_lock();
	KUNIT_EXPECT_EQ(test, rpk_apply_one(site, true, 1, RPK_T(rpk_add_one), 0, true), 0);
	relpoline_unlock();
	if (site->landing)
		KUNIT_EXPECT_EQ(test, ((u8 *)site->addr)[site->landing], INT3_INSN_OPCODE);
	KUNIT_EXPECT_EQ(test, rpk_sleeper_finish(), 35 + 7 + 1000);
	relpoline_get_stats(&st1);
	KUNIT_EXPECT_EQ(test, st1.landings - st0.landings, site->landing ? 1UL : 0UL);
	/* A promotion from an inlined form with boundaries inside waits for tasks. */
	KUNIT_EXPECT_EQ(test, st1.quiesced - st0.quiesced, site->quiesce ? 1UL : 0UL);

	/* Called through the stub, returns through the idle site. */
	rpk_sleeper_start(test);
	relpoline_lock();
	KUNIT_EXPECT_EQ(test, rpk_apply_one(site, false, 0, 0, 0, false), 0);
	relpoline_unlock();
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, before, site->len), 0);
	KUNIT_EXPECT_EQ(test, rpk_sleeper_finish(), 35 + 7 + 1000);
	relpoline_get_stats(&st0);
	KUNIT_EXPECT_EQ(test, st0.landings, st1.landings);
	KUNIT_EXPECT_EQ(test, rpk_call(rpk_add_one, 1), 1002);
}

/*
 * Calls that meet the INT3 on the first byte of a site being rewritten
 * (promoted, retargeted, restored) run the site's branch, emulated.
 */
static struct {
	int calls, right, skips;
	int step2, behind_ok, on_busy;
	struct relpoline_site *site[2];
} rpk_emu;

/*
 * Step 2 of a batch that waits for tasks to leave its sites' old forms,
 * text_mutex released: a kprobe behind the call site (its end is the next
 * instruction) can be registered, which needs can_probe() to step over
 * the half-rewritten site, and one on either site's first byte is EBUSY.
 */
static void rpk_emu_step2(void)
{
	struct relpoline_site *call = rpk_emu.site[0];
	struct kprobe behind = { .addr = (void *)(call->addr + call->len) };
	int i;

	rpk_emu.step2++;
	if (!register_kprobe(&behind)) {
		rpk_emu.behind_ok++;
		unregister_kprobe(&behind);
	}
	for (i = 0; i < 2; i++) {
		struct kprobe on = { .addr = (void *)rpk_emu.site[i]->addr };
		int ret = register_kprobe(&on);

		rpk_emu.on_busy += ret == -EBUSY;
		if (!ret)
			unregister_kprobe(&on);
	}
}

/*
 * Also: decoders of live text (kprobes' can_probe()) are told to step over
 * both sites as a whole, and only over their first bytes.
 */
static void rpk_emu_hook(unsigned int step)
{
	int i;

	if (step == 2) {
		rpk_emu_step2();
		return;
	}
	if (step == 4)		/* after each first byte: rpk_first_byte_last */
		return;
	rpk_emu.calls += 2;
	rpk_emu.right += rpk_call(rpk_negate, step) == 1000 - (int)step;
	rpk_emu.right += rpk_tail(rpk_double, step) == 2 * (int)step;
	for (i = 0; i < 2; i++) {
		unsigned long a = rpk_emu.site[i]->addr;

		rpk_emu.skips += text_poke_sites_skip(a) == a + rpk_emu.site[i]->len &&
				 !text_poke_sites_skip(a + 1);
	}
}

static void rpk_int3_emulation(struct kunit *test)
{
	struct relpoline_site *call, *tail;
	unsigned long e0, e1;
	struct relpoline_req r[2] = {};
	int i, j;

	rpk_skip_if_unavailable(test);
	call = rpk_site_in(test, rpk_call);
	tail = rpk_site_in(test, rpk_tail);
	memset(&rpk_emu, 0, sizeof(rpk_emu));
	rpk_emu.site[0] = call;
	rpk_emu.site[1] = tail;
	e0 = text_poke_sites_emulations();
	relpoline_lock();
	text_poke_sites_test_hook = rpk_emu_hook;
	/* Promote, retarget, restore: three batches, two hooks each. */
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 2; j++) {
			r[j].site = j ? tail : call;
			r[j].stub = i < 2;
			r[j].nr_targets = i < 2;
			r[j].targets[0] = RPK_T(i ? rpk_negate : rpk_add_one);
		}
		KUNIT_EXPECT_EQ(test, relpoline_apply(r, 2), 0);
	}
	text_poke_sites_test_hook = NULL;
	relpoline_unlock();
	e1 = text_poke_sites_emulations();
	KUNIT_EXPECT_EQ(test, rpk_emu.calls, 12);
	KUNIT_EXPECT_EQ(test, rpk_emu.right, rpk_emu.calls);
	KUNIT_EXPECT_EQ(test, rpk_emu.skips, rpk_emu.calls);
	KUNIT_EXPECT_EQ(test, e1 - e0, (unsigned long)rpk_emu.calls);
	/* Promoting an inlined site waits for tasks in step 2 (off, lfence). */
	KUNIT_EXPECT_EQ(test, rpk_emu.step2, call->quiesce || tail->quiesce ? 1 : 0);
	KUNIT_EXPECT_EQ(test, rpk_emu.behind_ok, rpk_emu.step2);
	KUNIT_EXPECT_EQ(test, rpk_emu.on_busy, 2 * rpk_emu.step2);
	/* No batch: nothing to step over. */
	KUNIT_EXPECT_EQ(test, text_poke_sites_skip(call->addr), 0UL);
	KUNIT_EXPECT_NULL(test, call->stub);
	KUNIT_EXPECT_EQ(test, memcmp((void *)call->addr, call->idle, call->len), 0);
	KUNIT_EXPECT_EQ(test, memcmp((void *)tail->addr, tail->idle, tail->len), 0);
}

static struct {
	struct text_poke_site	*tps;
	unsigned int		finished, torn;
} rpk_fb;

/* After a first byte of step 4: a site whose first byte is final is all final. */
static void rpk_fb_hook(unsigned int step)
{
	struct text_poke_site *t = rpk_fb.tps;

	if (step != 4 || *(u8 *)t->addr == INT3_INSN_OPCODE)
		return;
	rpk_fb.finished++;
	rpk_fb.torn += !!memcmp(t->addr, t->new, t->len);
}

/*
 * The first byte of a site is written last. A rel32 byte that happens to
 * be 0xcc looks like an INT3 of the text (a landing) to text_poke_sites():
 * one that goes away must be written before the first byte, or the site
 * holds for a moment a CALL to a mix of the old and the new distance (the
 * old order crashed random-write runs in __schedule()). Take a site from
 * its idle form to "call <its thunk>" (A), to the same with a rel32 byte
 * set to 0xcc (B), back to A and to idle, with a hook after each first
 * byte of step 4. B is never executed: nothing calls the site meanwhile,
 * and the INT3's emulation goes to the thunk.
 */
static void rpk_first_byte_last(struct kunit *test)
{
	struct text_poke_site t = {}, *vec[1] = { &t };
	u8 forms[4][TEXT_POKE_SITE_MAX];	/* idle, A, B, A: then idle */
	struct relpoline_site *site;
	unsigned int at, i, pfx, want = 0;
	int n = 0;

	rpk_skip_if_unavailable(test);
	site = rpk_site_in(test, rpk_call);
	/* 6 bytes: a CS-prefixed call (%r8..%r15; every kCFI call) */
	pfx = site->len - RP_CALL_INSN_SIZE;
	KUNIT_ASSERT_LE(test, pfx, 1U);
	KUNIT_ASSERT_NE(test, site->slow, 0UL);
	memcpy(forms[0], site->idle, site->len);
	forms[1][0] = 0x2e;
	__text_gen_insn(forms[1] + pfx, CALL_INSN_OPCODE, (void *)site->addr + pfx,
			(void *)site->slow, CALL_INSN_SIZE);
	/* A byte of the rel32 that is not 0xcc becomes 0xcc. */
	for (at = pfx + 1; at < site->len && forms[1][at] == INT3_INSN_OPCODE; at++)
		;
	KUNIT_ASSERT_LT(test, at, (unsigned int)site->len);
	memcpy(forms[2], forms[1], site->len);
	forms[2][at] = INT3_INSN_OPCODE;
	memcpy(forms[3], forms[1], site->len);
	memset(&rpk_fb, 0, sizeof(rpk_fb));
	rpk_fb.tps = &t;
	relpoline_lock();
	text_poke_sites_test_hook = rpk_fb_hook;
	for (i = 0; i < 4; i++) {
		memset(&t, 0, sizeof(t));
		t.addr = (void *)site->addr;
		t.len = site->len;
		memcpy(t.old, forms[i], site->len);
		memcpy(t.new, i == 3 ? forms[0] : forms[i + 1], site->len);
		t.form = RELPOLINE_FORM_CALL;
		t.dest = site->slow;
		t.quiesce = !i && site->quiesce;
		/* idle is A when the mode calls a thunk: no rewrite then */
		want += !!memcmp(t.old, t.new, t.len);
		n += text_poke_sites(vec, 1, NULL);
	}
	text_poke_sites_test_hook = NULL;
	relpoline_unlock();
	KUNIT_EXPECT_GE(test, want, 2U);	/* A -> B -> A at least */
	KUNIT_EXPECT_EQ(test, n, (int)want);
	KUNIT_EXPECT_EQ(test, rpk_fb.finished, want);
	KUNIT_EXPECT_EQ(test, rpk_fb.torn, 0U);
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, site->idle, site->len), 0);
}

#ifdef CONFIG_MITIGATION_CALL_DEPTH_TRACKING
/*
 * Call depth tracking (retbleed=stuff): every call is accounted once (the
 * per-CPU depth shifted right by 5) and every return once (shifted left).
 * From a depth whose low bits are clear, a call that returns leaves it as
 * it was only if its path accounted exactly once: a missing accounting
 * leaves it shifted left, a double one shifted right. Without call depth
 * tracking nothing accounts or shifts, and a stub must not either: the
 * same checks hold.
 */
#define RPK_DEPTH	(0x8000000000000000ULL >> 20)

static u64 rpk_depth_after(int (*call)(rpk_fn_t fn, int x), rpk_fn_t fn, int *res)
{
	unsigned long flags;
	u64 d;

	local_irq_save(flags);
	this_cpu_write(pcpu_hot.call_depth, RPK_DEPTH);
	*res = call(fn, 5);
	d = this_cpu_read(pcpu_hot.call_depth);
	local_irq_restore(flags);
	return d;
}

static void rpk_call_depth(struct kunit *test)
{
	struct relpoline_site *call, *tail;
	struct relpoline_req r[2] = {};
	int res, i;

	rpk_skip_if_unavailable(test);
	kunit_info(test, "call depth tracking %s\n",
		   cpu_feature_enabled(X86_FEATURE_CALL_DEPTH) ? "on" : "off");
	call = rpk_site_in(test, rpk_call);
	tail = rpk_site_in(test, rpk_tail);
	/* The idle sites, as upstream accounts them. */
	KUNIT_EXPECT_EQ(test, rpk_depth_after(rpk_call, rpk_add_one, &res), RPK_DEPTH);
	KUNIT_EXPECT_EQ(test, res, 1006);
	KUNIT_EXPECT_EQ(test, rpk_depth_after(rpk_tail, rpk_add_one, &res), RPK_DEPTH);

	relpoline_lock();
	relpoline_set_sample_period(1);
	r[0].site = call;
	r[1].site = tail;
	for (i = 0; i < 2; i++) {
		r[i].stub = true;
		r[i].nr_targets = 1;
		r[i].targets[0] = RPK_T(rpk_add_one);
		r[i].sample = true;
	}
	r[0].count_hits = true;
	KUNIT_EXPECT_EQ(test, relpoline_apply(r, 2), 0);
	relpoline_unlock();

	/* Hit, miss with a sample call, through both forms. */
	KUNIT_EXPECT_EQ(test, rpk_depth_after(rpk_call, rpk_add_one, &res), RPK_DEPTH);
	KUNIT_EXPECT_EQ(test, res, 1006);
	KUNIT_EXPECT_EQ(test, rpk_depth_after(rpk_call, rpk_double, &res), RPK_DEPTH);
	KUNIT_EXPECT_EQ(test, res, 1010);
	KUNIT_EXPECT_EQ(test, rpk_depth_after(rpk_tail, rpk_add_one, &res), RPK_DEPTH);
	KUNIT_EXPECT_EQ(test, rpk_depth_after(rpk_tail, rpk_negate, &res), RPK_DEPTH);
	KUNIT_EXPECT_EQ(test, res, -5);

	relpoline_lock();
	r[0].stub = false;
	r[1].stub = false;
	KUNIT_EXPECT_EQ(test, relpoline_apply(r, 2), 0);
	relpoline_set_sample_period(16);
	relpoline_unlock();
}
#else
static void rpk_call_depth(struct kunit *test)
{
	kunit_skip(test, "CONFIG_MITIGATION_CALL_DEPTH_TRACKING is not set");
}
#endif

/*
 * Unwinding from a stub of a JMP site that is not a tail call: the BPF
 * interpreter's computed goto jumps with ___bpf_prog_run()'s frame in
 * place, so the stub must unwind with the state at the site, not a
 * function entry's. A reliable stack trace taken in the stub's sampling
 * call must reach the function that ran the program.
 */
static struct {
	unsigned long site;
	struct rpk_unwind_seen u;
} rpk_goto;

static noinline u32 rpk_run_bpf(struct bpf_prog *fp, void *ctx)
{
	u32 ret = bpf_prog_run(fp, ctx);

	barrier();	/* not a tail call: stay on the stack */
	return ret;
}

static void rpk_goto_probe(void *data, unsigned long site, unsigned long target, u64 cg)
{
	if (site != rpk_goto.site || current != data)
		return;
	rpk_unwind_note(&rpk_goto.u, rpk_run_bpf);
}

static int rpk_find_jmp(struct relpoline_site *site, void *data)
{
	struct relpoline_site **out = data;

	if (site->form != RELPOLINE_FORM_JMP || site->refused)
		return 0;
	*out = site;
	return 1;
}

static void rpk_unwind_computed_goto(struct kunit *test)
{
	struct sock_filter insns[] = { BPF_STMT(BPF_RET | BPF_K, 42) };
	struct sock_fprog_kern fprog = { .len = ARRAY_SIZE(insns), .filter = insns };
	struct relpoline_site *site = NULL;
	struct relpoline_req r = {};
	unsigned long run = kallsyms_lookup_name("___bpf_prog_run");
	struct bpf_prog *fp;
	u64 ctx[8] = {};
	int i, ret;

	rpk_skip_if_unavailable(test);
	KUNIT_ASSERT_NE_MSG(test, run, 0UL, "no ___bpf_prog_run (BPF interpreter)");
	relpoline_lock();
	relpoline_walk_function(run, rpk_find_jmp, &site);
	relpoline_unlock();
	/*
	 * Clang expands an indirectbr (computed goto) into direct branches
	 * when it makes retpolines: its interpreter has no JMP site at all.
	 */
	if (IS_ENABLED(CONFIG_CC_IS_CLANG)) {
		KUNIT_EXPECT_NULL(test, site);
		kunit_info(test, "clang: no computed-goto site in ___bpf_prog_run");
		return;
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, site, "no JMP site in ___bpf_prog_run");
	if (site->stub || site->policy)
		kunit_skip(test, "the site is managed by the policy");
	/* Not a function entry's state: the frame of ___bpf_prog_run is there. */
	KUNIT_EXPECT_TRUE(test, site->orc.sp_reg != ORC_REG_SP || site->orc.sp_offset > 8);
	KUNIT_ASSERT_EQ(test, bpf_prog_create(&fp, &fprog), 0);

	memset(&rpk_goto, 0, sizeof(rpk_goto));
	rpk_goto.site = site->addr;
	ret = register_trace_relpoline_miss(rpk_goto_probe, current);
	KUNIT_ASSERT_EQ(test, ret, 0);
	relpoline_lock();
	relpoline_set_sample_period(1);
	r.site = site;
	r.stub = true;
	r.sample = true;
	r.nr_targets = 1;
	r.targets[0] = RPK_T(rpk_negate);	/* no opcode handler: all miss */
	relpoline_apply(&r, 1);
	KUNIT_EXPECT_EQ(test, r.result, 0);
	relpoline_unlock();

	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, rpk_run_bpf(fp, ctx), 42U);

	rpk_sampling_stop(&r, rpk_goto_probe);
	bpf_prog_destroy(fp);

	kunit_info(test, "site %pS: %d samples, %d reliable\n", (void *)site->addr,
		   rpk_goto.u.calls, rpk_goto.u.reliable);
	KUNIT_EXPECT_GE(test, rpk_goto.u.calls, 4);
	KUNIT_EXPECT_EQ(test, rpk_goto.u.reliable, rpk_goto.u.calls);
	KUNIT_EXPECT_TRUE(test, rpk_goto.u.saw_stub);
	KUNIT_EXPECT_TRUE(test, rpk_goto.u.saw_caller);
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, site->idle, site->len), 0);
}

/*
 * Every form boot patching leaves a site in, whatever this boot's mode:
 * the bytes patch_retpoline() writes for each spectre_v2 mode (thunk calls
 * of the retpoline, call depth and ITS thunk arrays; inlined forms of off,
 * eIBRS, IBRS and retpoline,lfence), decoded by rp_capture() from a buffer
 * in kernel data (within rel32 reach of the thunks). A JMP or Jcc there
 * has no unwind state, which rp_capture() says after decoding the rest.
 */
static u8 rpk_buf[16] __aligned(16);

struct rpk_form {
	const char *name;
	u8 bytes[TEXT_POKE_SITE_MAX];
	u8 n;			/* bytes before a rel32 to @thunk, or all */
	void *thunk;		/* NULL: an inlined form */
	u8 len, form, reg, cc, landing;
	bool quiesce;
	const char *refused;	/* expected prefix of the reason, or NULL */
};

static void rpk_capture_one(struct kunit *test, const struct rpk_form *f)
{
	struct relpoline_site s = {};
	const char *why;

	memset(rpk_buf, 0xcc, sizeof(rpk_buf));
	memcpy(rpk_buf, f->bytes, f->n);
	if (f->thunk) {
		s32 rel = (unsigned long)f->thunk - ((unsigned long)rpk_buf + f->n + 4);

		memcpy(rpk_buf + f->n, &rel, 4);
	}
	why = rp_capture(&s, NULL, (unsigned long)rpk_buf, true);
	if (f->refused && (!why || strncmp(why, f->refused, strlen(f->refused))))
		KUNIT_FAIL(test, "%s: refused \"%s\", expected \"%s\"", f->name,
			   why ?: "(nothing)", f->refused);
	if (!f->refused && why && (f->form == RELPOLINE_FORM_CALL ||
				   strcmp(why, "no usable unwind state at the site")))
		KUNIT_FAIL(test, "%s: refused: %s", f->name, why);
	if (f->refused && strcmp(f->refused, "no usable unwind state"))
		return;
	KUNIT_EXPECT_EQ_MSG(test, s.len, f->len, "%s: length", f->name);
	KUNIT_EXPECT_EQ_MSG(test, s.form, f->form, "%s: form", f->name);
	KUNIT_EXPECT_EQ_MSG(test, s.reg, f->reg, "%s: register", f->name);
	KUNIT_EXPECT_EQ_MSG(test, s.cc, f->cc, "%s: condition", f->name);
	KUNIT_EXPECT_EQ_MSG(test, s.inlined, !f->thunk, "%s: inlined", f->name);
	KUNIT_EXPECT_EQ_MSG(test, s.landing, f->landing, "%s: landing", f->name);
	KUNIT_EXPECT_EQ_MSG(test, s.quiesce, f->quiesce, "%s: quiesce", f->name);
	KUNIT_EXPECT_EQ_MSG(test, s.slow, f->thunk ? (unsigned long)f->thunk :
			    (unsigned long)&__x86_indirect_thunk_array[f->reg],
			    "%s: slow path", f->name);
}

#define RPK_CALL	RELPOLINE_FORM_CALL
#define RPK_JMP		RELPOLINE_FORM_JMP
#define RPK_JCC		RELPOLINE_FORM_JCC
#define RPK_NOUNWIND	"no usable unwind state"

static void rpk_capture_forms(struct kunit *test)
{
	const struct rpk_form forms[] = {
		{ "retpoline call rax", { 0xe8 }, 1, __x86_indirect_thunk_array[0],
		  5, RPK_CALL, 0 },
		{ "retpoline cs call r11", { 0x2e, 0xe8 }, 2, __x86_indirect_thunk_array[11],
		  6, RPK_CALL, 11 },
		{ "retpoline jne rdx", { 0x0f, 0x85 }, 2, __x86_indirect_thunk_array[2],
		  6, RPK_JCC, 2, 5, .refused = RPK_NOUNWIND },
		{ "retpoline jmp rcx", { 0xe9 }, 1, __x86_indirect_thunk_array[1],
		  5, RPK_JMP, 1, .refused = RPK_NOUNWIND },
#ifdef CONFIG_MITIGATION_CALL_DEPTH_TRACKING
		{ "stuff call rbx", { 0xe8 }, 1, __x86_indirect_call_thunk_array[3],
		  5, RPK_CALL, 3 },
		{ "stuff jmp r12", { 0x2e, 0xe9 }, 2, __x86_indirect_jump_thunk_array[12],
		  6, RPK_JMP, 12, .refused = RPK_NOUNWIND },
#endif
#ifdef CONFIG_MITIGATION_ITS
		{ "ITS call rsi", { 0xe8 }, 1, __x86_indirect_its_thunk_array[6],
		  5, RPK_CALL, 6 },
		{ "ITS cs call r9", { 0x2e, 0xe8 }, 2, __x86_indirect_its_thunk_array[9],
		  6, RPK_CALL, 9 },
#endif
		{ "off call rax", { 0xff, 0xd0, 0x0f, 0x1f, 0x00 }, 5, NULL,
		  5, RPK_CALL, 0, 0, 2 },
		{ "off call r11", { 0x41, 0xff, 0xd3, 0x0f, 0x1f, 0x00 }, 6, NULL,
		  6, RPK_CALL, 11, 0, 3 },
		{ "off call r11 in 5 bytes", { 0x41, 0xff, 0xd3, 0x66, 0x90 }, 5, NULL,
		  .refused = "a callee returns into" },
		{ "off jmp rcx", { 0xff, 0xe1, 0xcc, 0x66, 0x90 }, 5, NULL,
		  5, RPK_JMP, 1, .refused = RPK_NOUNWIND },
		{ "off jmp r10", { 0x41, 0xff, 0xe2, 0xcc, 0x66, 0x90 }, 6, NULL,
		  6, RPK_JMP, 10, .refused = RPK_NOUNWIND },
		{ "off jne rax", { 0x74, 0x04, 0xff, 0xe0, 0xcc, 0x90 }, 6, NULL,
		  6, RPK_JCC, 0, 5, 0, true, .refused = RPK_NOUNWIND },
		{ "lfence call rax", { 0x0f, 0xae, 0xe8, 0xff, 0xd0 }, 5, NULL,
		  5, RPK_CALL, 0, 0, 0, true },
		{ "lfence call r11", { 0x0f, 0xae, 0xe8, 0x41, 0xff, 0xd3 }, 6, NULL,
		  6, RPK_CALL, 11, 0, 0, true },
		{ "not a site", { 0x90, 0x90, 0x90, 0x90, 0x90 }, 5, NULL,
		  .refused = "not a retpoline site" },
		{ "call rsp", { 0xff, 0xd4, 0x0f, 0x1f, 0x00 }, 5, NULL,
		  .refused = "not a retpoline site" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(forms); i++)
		rpk_capture_one(test, &forms[i]);
}

/*
 * The calibration (relpoline_calib.c) in this boot's mode: both loops ran
 * and the stub counted every call of the hit loop (-EIO otherwise), and
 * none of relpoline's counts moved (the first calibration of the boot
 * unless relpoline was enabled before the tests ran). Its cycles mean
 * nothing under TCG; that they exist, and the hit loop's count, do.
 */
static void rpk_calibrate(struct kunit *test)
{
	struct relpoline_stats before, after;
	const struct relpoline_calib *c;
	struct relpoline_calib cal = {};
	bool site_ok;
	int ret;

	rpk_skip_if_unavailable(test);
	relpoline_lock();
	relpoline_get_stats_locked(&before);
	ret = relpoline_calibrate();
	relpoline_get_stats_locked(&after);
	c = relpoline_calibration();
	if (c)
		cal = *c;
	site_ok = c && relpoline_find_site_id(cal.site);
	relpoline_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, cal.err, 0);
	KUNIT_EXPECT_TRUE(test, site_ok);
	KUNIT_EXPECT_GT(test, cal.slow_x100, 0ULL);
	KUNIT_EXPECT_GT(test, cal.hit_x100, 0ULL);
	/* Its page, stub and counters are its own: relpoline's counts stay. */
	KUNIT_EXPECT_EQ(test, memcmp(&before, &after, sizeof(before)), 0);
	kunit_info(test, "slow path %llu.%02llu, hit %llu.%02llu cycles a call (CPU %u, site %u)",
		   cal.slow_x100 / 100, cal.slow_x100 % 100, cal.hit_x100 / 100,
		   cal.hit_x100 % 100, cal.cpu, cal.site);
}

static struct kunit_case relpoline_core_cases[] = {
	KUNIT_CASE(rpk_site_table),
	KUNIT_CASE(rpk_patch_restore_call),
	KUNIT_CASE(rpk_patch_restore_tail),
	KUNIT_CASE(rpk_bad_targets),
	KUNIT_CASE(rpk_learn_overflow),
	KUNIT_CASE(rpk_sample_boost),
	KUNIT_CASE(rpk_busy),
	KUNIT_CASE(rpk_busy_disarmed),
	KUNIT_CASE(rpk_unwind_through_stub),
	KUNIT_CASE(rpk_unwind_computed_goto),
	KUNIT_CASE(rpk_landing),
	KUNIT_CASE(rpk_int3_emulation),
	KUNIT_CASE(rpk_first_byte_last),
	KUNIT_CASE(rpk_call_depth),
	KUNIT_CASE(rpk_calibrate),
	{}
};

static struct kunit_suite relpoline_core_suite = {
	.name = "relpoline_core",
	.test_cases = relpoline_core_cases,
};

/*
 * Decoding and the target rules need no relpoline: they run in every
 * boot, relpoline=off ones included, where relpoline_core skips.
 */
static struct kunit_case relpoline_capture_cases[] = {
	KUNIT_CASE(rpk_capture_forms),
	KUNIT_CASE(rpk_target_rules),
	{}
};

static struct kunit_suite relpoline_capture_suite = {
	.name = "relpoline_capture",
	.test_cases = relpoline_capture_cases,
};

kunit_test_suites(&relpoline_core_suite, &relpoline_capture_suite);

MODULE_DESCRIPTION("KUnit tests for relpoline");
MODULE_LICENSE("GPL");
