// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the relpoline core: the site table, patching a live site
 * and restoring it byte for byte, busy detection, and unwinding through a
 * stub. They patch sites inside this file only.
 */
#include <kunit/test.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <asm/insn.h>
#include <asm/nospec-branch.h>
#include <asm/relpoline.h>
#include <trace/events/relpoline.h>

typedef int (*rpk_fn_t)(int);

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
	unsigned int n, refused, bad;
	unsigned int last_id;
};

static int rpk_check_site(struct relpoline_site *s, void *data)
{
	struct rpk_inv *inv = data;
	struct insn insn;
	unsigned long dest;
	const u8 *p = s->boot;

	inv->n++;
	if (inv->n > 1 && s->id <= inv->last_id && !s->mod)
		inv->bad++;
	inv->last_id = s->id;
	if (s->refused) {
		inv->refused++;
		return 0;
	}
	/* Unstubbed sites hold their boot bytes; boot bytes decode to the form and register. */
	if (!s->stub && memcmp((void *)s->addr, s->boot, s->len)) {
		kunit_err(inv->test, "site %pS does not hold its boot bytes\n", (void *)s->addr);
		inv->bad++;
	}
	if (insn_decode_kernel(&insn, p) < 0 || insn.length != s->len) {
		inv->bad++;
		return 0;
	}
	dest = s->addr + insn.length + insn.immediate.value;
	if (dest != s->slow || s->reg == 4 || s->reg > 15)
		inv->bad++;
	switch (s->form) {
	case RELPOLINE_FORM_CALL:
		if (insn.opcode.bytes[0] != 0xe8)
			inv->bad++;
		break;
	case RELPOLINE_FORM_JMP:
		if (insn.opcode.bytes[0] != 0xe9)
			inv->bad++;
		break;
	default:
		if (insn.opcode.bytes[0] != 0x0f || (insn.opcode.bytes[1] & 0xf) != s->cc)
			inv->bad++;
	}
	/* A retpoline thunk's register is its index in the thunk array. */
	dest -= (unsigned long)__x86_indirect_thunk_array;
	if (dest < 16 * sizeof(retpoline_thunk_t) && dest / sizeof(retpoline_thunk_t) != s->reg)
		inv->bad++;
	return 0;
}

static void rpk_site_table(struct kunit *test)
{
	struct relpoline_stats st;
	struct rpk_inv inv = { .test = test };

	rpk_skip_if_unavailable(test);
	relpoline_lock();
	relpoline_walk_sites(rpk_check_site, &inv);
	relpoline_unlock();
	relpoline_get_stats(&st);
	kunit_info(test, "sites %u, refused %u\n", inv.n, inv.refused);
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
	KUNIT_ASSERT_EQ(test, memcmp(before, site->boot, site->len), 0);

	relpoline_lock();
	ret = rpk_apply_one(site, true, 2, (unsigned long)rpk_add_one,
			    (unsigned long)rpk_double, true);
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
	ret = rpk_apply_one(site, true, 1, (unsigned long)rpk_negate, 0, false);
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
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, site->boot, site->len), 0);
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
	ret = rpk_apply_one(site, true, 1, (unsigned long)rpk_add_one, 0, false);
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
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, site->boot, site->len), 0);
	ret = rpk_apply_one(site, true, 1, (unsigned long)rpk_add_one, 0, false);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_FALSE(test, site->busy);
	ret = rpk_apply_one(site, false, 0, 0, 0, false);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, memcmp((void *)site->addr, site->boot, site->len), 0);
	relpoline_unlock();
}

/* Unwinding: a reliable stack trace taken inside the sampling call of a stub. */
static struct {
	int calls;
	int reliable;
	bool saw_caller;
	bool saw_stub;
} rpk_unwind;

static void rpk_miss_probe(void *data, unsigned long site, unsigned long target, u64 cg)
{
	unsigned long entries[32];
	unsigned long size, off;
	int n, i;

	if (target != (unsigned long)rpk_negate || current != data)
		return;
	rpk_unwind.calls++;
	n = stack_trace_save_tsk_reliable(current, entries, ARRAY_SIZE(entries));
	if (n <= 0)
		return;
	rpk_unwind.reliable++;
	kallsyms_lookup_size_offset((unsigned long)rpk_call, &size, &off);
	for (i = 0; i < n; i++) {
		if (entries[i] - (unsigned long)rpk_call < size)
			rpk_unwind.saw_caller = true;
		if (is_relpoline_stub(entries[i]))
			rpk_unwind.saw_stub = true;
	}
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

	relpoline_lock();
	r.stub = false;
	r.sample = false;
	relpoline_apply(&r, 1);
	relpoline_set_sample_period(16);
	relpoline_unlock();
	unregister_trace_relpoline_miss(rpk_miss_probe, current);
	tracepoint_synchronize_unregister();

	KUNIT_EXPECT_EQ(test, rpk_unwind.calls, 4);
	KUNIT_EXPECT_EQ(test, rpk_unwind.reliable, rpk_unwind.calls);
	KUNIT_EXPECT_TRUE(test, rpk_unwind.saw_stub);
	KUNIT_EXPECT_TRUE(test, rpk_unwind.saw_caller);
}

static struct kunit_case relpoline_core_cases[] = {
	KUNIT_CASE(rpk_site_table),
	KUNIT_CASE(rpk_patch_restore_call),
	KUNIT_CASE(rpk_patch_restore_tail),
	KUNIT_CASE(rpk_bad_targets),
	KUNIT_CASE(rpk_busy),
	KUNIT_CASE(rpk_unwind_through_stub),
	{}
};

static struct kunit_suite relpoline_core_suite = {
	.name = "relpoline_core",
	.test_cases = relpoline_core_cases,
};

kunit_test_suites(&relpoline_core_suite);

MODULE_DESCRIPTION("KUnit tests for relpoline");
MODULE_LICENSE("GPL");
