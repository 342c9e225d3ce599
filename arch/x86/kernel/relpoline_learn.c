// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline: the sampling path and the learning tables.
 *
 * A stub's slow path counts down a per-CPU sampling countdown in its
 * counter block and, when it reaches zero, calls relpoline_sample_thunk
 * (relpoline_64.S), which saves the registers and calls relpoline_sample():
 * the sample (site, target, cgroup of the caller) goes into a small
 * per-CPU table that the policy drains (relpoline_drain_samples()), or,
 * when that has no room (a burst over thousands of sites), into the
 * overflow table that all CPUs share, sized with the managed sites.
 *
 * Memory: per CPU, 2 x RP_LEARN_SIZE entries of 24 bytes (12 KiB),
 * allocated with the first stub; shared, two overflow tables of 36 bytes
 * an entry (entry and index), 2 entries per stubbed site rounded up to a
 * power of two, at least RP_OVER_MIN and at most RP_OVER_MAX (9 MiB),
 * grown after a batch that leaves more stubs than it has room for (the
 * one it replaces is drained by the next drain), resized by the drains,
 * freed by the first drain after no site is stubbed.
 *
 * Adaptive sampling: a stub that compares no target (its site is still
 * learning) samples its first misses one by one, not one in
 * sample_period: rp_boost of them (the policy sets min_samples), then one
 * in sample_period again. So a site called at all has the evidence the
 * policy asks for within its first interval, where it would otherwise
 * need min_samples x sample_period calls per CPU. The first stub with
 * targets after a learning one boosts too, until the next drain
 * (rp_stub_boost_init()). It costs at most rp_boost samples per boosting
 * stub and re-arming (a new stub, enable, a reset or a change of
 * min_samples: relpoline_rearm_sample_boost()), not a steady cost. Each
 * sample says what it stands for: its CPU's counter
 * block keeps the period the countdown was loaded with, and a sample
 * taken after a countdown of one is recorded apart, with
 * RELPOLINE_SAMPLE_BOOSTED in its site id, so that the policy counts it
 * as one call and any other as sample_period calls. The budget is per
 * stub, counted without atomics: CPUs racing on it may take a few more
 * boosted samples than rp_boost, never fewer; each CPU's first miss of a
 * boosting stub is sampled too (the countdown starts at one).
 */
#define pr_fmt(fmt) "relpoline: " fmt

#include <linux/cgroup.h>
#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <trace/events/relpoline.h>

#include "relpoline_internal.h"

/*
 * Learned samples: a small open-addressed table per CPU, in two halves.
 * Writers (any context, NMI included) add to the active half with
 * preemption disabled and a per-CPU nesting guard: a sample that would
 * nest (an NMI during a sample) or find no free entry is dropped and
 * counted. The drainer flips every CPU's active half, waits for the
 * writers of the old half with synchronize_rcu(), then owns it.
 */
#define RP_LEARN_SIZE	256
#define RP_LEARN_PROBE	8

struct rp_learn {
	struct relpoline_sample	ent[2][RP_LEARN_SIZE];
	unsigned int		active;
	unsigned int		nesting;
	unsigned long		dropped;
};

/* Allocated with the first stub (rp_learn_init()): nothing while idle. */
static struct rp_learn __percpu *rp_learn;
static unsigned int rp_period = 16;
static unsigned int rp_boost;		/* 0: no adaptive sampling */
static unsigned int rp_boost_gen = 1;	/* stubs re-arm when it changes */
/* Drains so far: written under relpoline_mutex, read by rp_boosting(). */
static unsigned int rp_drain_gen;

/*
 * The overflow table. Writers (any context, NMI included; preemption off,
 * so an RCU read side) claim a free entry by cmpxchg() of its key, a
 * 64-bit hash of (site, target, cgroup), then fill it and count with
 * atomics; an entry whose key matches is the same sample unless its
 * target, once written, differs. idx lists the claimed entries, so a
 * drain visits what was sampled, not the whole table. The drainer swaps
 * rp_over with its spare and waits, like the per-CPU halves.
 */
#define RP_OVER_PROBE	16
#define RP_OVER_MIN	1024
#define RP_OVER_MAX	131072U

struct rp_over_ent {
	u64		key;		/* 0: free */
	unsigned long	target;		/* 0 until the claimer wrote it */
	u64		cgroup_id;
	u32		site_id;
	atomic_t	count;
};

struct rp_over {
	unsigned int		mask;
	atomic_t		used;		/* claimed entries: idx[0..used) */
	u32			*idx;
	struct rp_over_ent	ent[];
};

static struct rp_over __rcu *rp_over;	/* writers add here */
/* relpoline_mutex: */
static struct rp_over *rp_over_spare;	/* drained, to be reused */
static struct rp_over *rp_over_retired;	/* outgrown; the next drain drains it */

/**
 * rp_sample_period - misses between two samples of a stub, per CPU
 *
 * Return: the period.
 */
unsigned int rp_sample_period(void)
{
	return READ_ONCE(rp_period);
}

/**
 * rp_stub_boost_init - does a new stub boost?
 * @stub:	the stub, not published yet
 * @req:	what it is built for; @req->site->stub is the stub it replaces
 *
 * A learning stub samples its first misses one by one, and so does the
 * first stub with targets after it until the next drain: its targets were
 * chosen on about one interval's samples, which may be a start-up phase,
 * and a wrong choice is seen in the next interval rather than after
 * sample_period times more misses. Later stubs of a promoted site do not
 * boost: their misses are its steady state. relpoline_mutex held.
 */
void rp_stub_boost_init(struct relpoline_stub *stub, const struct relpoline_req *req)
{
	const struct relpoline_stub *old = req->site->stub;

	lockdep_assert_held(&relpoline_mutex);
	stub->boost = req->sample && (!req->nr_targets || (old && !old->nr_targets));
	stub->boost_drain = rp_drain_gen;
}

/* Does @stub sample misses one by one (the adaptive boost)? */
static bool rp_boosting(const struct relpoline_stub *stub)
{
	if (!stub->boost || !READ_ONCE(rp_boost) || READ_ONCE(rp_period) <= 1)
		return false;
	return !stub->nr_targets || READ_ONCE(rp_drain_gen) == stub->boost_drain;
}

/**
 * rp_sample_first - the first countdown of a new stub
 * @stub:	the stub, not published yet
 *
 * Return: 1 for a stub that learns with the adaptive boost, else the
 * sample period.
 */
unsigned int rp_sample_first(const struct relpoline_stub *stub)
{
	return rp_boosting(stub) ? 1 : rp_sample_period();
}

/* The next countdown of @stub, which has just been sampled. */
static unsigned int rp_sample_next(struct relpoline_stub *stub)
{
	unsigned int gen = READ_ONCE(rp_boost_gen), left;

	if (!rp_boosting(stub))
		return rp_sample_period();
	if (READ_ONCE(stub->boost_gen) != gen) {
		WRITE_ONCE(stub->boost_left, READ_ONCE(rp_boost));
		WRITE_ONCE(stub->boost_gen, gen);
	}
	left = READ_ONCE(stub->boost_left);
	if (!left)
		return rp_sample_period();
	WRITE_ONCE(stub->boost_left, left - 1);
	return 1;
}

/**
 * relpoline_set_sample_boost - how many misses a boosting stub samples one by one
 * @samples:	0 (off) or more; the policy passes min_samples
 *
 * Re-arms every stub. Must be called with relpoline_lock() held.
 */
void relpoline_set_sample_boost(unsigned int samples)
{
	WRITE_ONCE(rp_boost, samples);
	relpoline_rearm_sample_boost();
}
EXPORT_SYMBOL_NS_GPL(relpoline_set_sample_boost, RELPOLINE_INTERNAL);

/**
 * relpoline_rearm_sample_boost - let every boosting stub boost again
 *
 * For a reset: what was learned is gone. Every boosting stub (a learning
 * one, or the first with targets after it) samples its next miss (its
 * countdowns restart at one) and the rp_boost after it.
 * Must be called with relpoline_lock() held.
 */
void relpoline_rearm_sample_boost(void)
{
	lockdep_assert_held(&relpoline_mutex);
	WRITE_ONCE(rp_boost_gen, rp_boost_gen + 1 ?: 1);
	rp_stubs_set_countdown();
}
EXPORT_SYMBOL_NS_GPL(relpoline_rearm_sample_boost, RELPOLINE_INTERNAL);

/**
 * rp_learn_init - allocate the learning tables, once
 *
 * relpoline_mutex held.
 *
 * Return: 0 or -ENOMEM.
 */
int rp_learn_init(void)
{
	struct rp_learn __percpu *l;

	lockdep_assert_held(&relpoline_mutex);
	if (rp_learn)
		return 0;
	l = alloc_percpu(struct rp_learn);
	if (!l)
		return -ENOMEM;
	/* Pairs with smp_load_acquire() in relpoline_record_sample(). */
	smp_store_release(&rp_learn, l);
	rp_stats.percpu_bytes += sizeof(struct rp_learn);
	return 0;
}

/**
 * relpoline_set_sample_period - sample one of every @period slow-path calls
 * @period:	1 or more; per stub and CPU
 *
 * Restarts every countdown and re-arms the boost of boosting stubs
 * (relpoline_rearm_sample_boost()). Must be called with relpoline_lock()
 * held.
 */
void relpoline_set_sample_period(unsigned int period)
{
	WRITE_ONCE(rp_period, max(period, 1U));
	relpoline_rearm_sample_boost();
}

static u64 rp_current_cgroup_id(void)
{
	u64 id = 0;

#ifdef CONFIG_CGROUPS
	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
#endif
	return id;
}

static u64 rp_over_key(u32 site_id, unsigned long target, u64 cg)
{
	u64 k = hash_64((u64)target ^ ((u64)site_id << 32), 64) ^ hash_64(cg + site_id, 64);

	return k ?: 1;
}

/* Add one sample to the overflow table: false when it has no room. */
static bool rp_over_add(u32 site_id, unsigned long target, u64 cg)
{
	struct rp_over *o = rcu_dereference_sched(rp_over);
	u64 key = rp_over_key(site_id, target, cg), k;
	struct rp_over_ent *e;
	unsigned int i, at;

	if (!o)
		return false;
	for (i = 0; i < RP_OVER_PROBE; i++) {
		at = (key + i) & o->mask;
		e = &o->ent[at];
		k = READ_ONCE(e->key);
		if (!k && !cmpxchg(&e->key, 0, key)) {
			WRITE_ONCE(e->site_id, site_id);
			WRITE_ONCE(e->cgroup_id, cg);
			WRITE_ONCE(e->target, target);
			o->idx[atomic_inc_return(&o->used) - 1] = at;
			atomic_inc(&e->count);
			return true;
		}
		k = READ_ONCE(e->key);
		if (k == key && (READ_ONCE(e->target) == target || !READ_ONCE(e->target))) {
			atomic_inc(&e->count);
			return true;
		}
	}
	return false;
}

/**
 * relpoline_record_sample - record that @site was called with @target
 * @site:	the site
 * @target:	the value of its target register
 * @boosted:	the sample stands for one call, not sample_period calls
 *
 * Any context, NMI included; never sleeps, locks or calls indirectly.
 */
notrace void relpoline_record_sample(struct relpoline_site *site, unsigned long target,
				     bool boosted)
{
	u32 sid = site->id | (boosted ? RELPOLINE_SAMPLE_BOOSTED : 0);
	struct relpoline_sample *half, *e;
	struct rp_learn *l;
	unsigned int h, i;
	u64 cg;

	/* Pairs with smp_store_release() in rp_learn_init(). */
	struct rp_learn __percpu *tab = smp_load_acquire(&rp_learn);

	if (!tab)
		return;
	preempt_disable_notrace();
	l = this_cpu_ptr(tab);
	if (l->nesting++) {
		l->dropped++;
		goto out;
	}
	barrier();
	cg = rp_current_cgroup_id();
	half = l->ent[READ_ONCE(l->active)];
	h = hash_64((u64)target ^ ((u64)sid << 32) ^ cg, ilog2(RP_LEARN_SIZE));
	for (i = 0; i < RP_LEARN_PROBE; i++) {
		e = &half[(h + i) % RP_LEARN_SIZE];
		if (!e->count) {
			e->site_id = sid;
			e->target = target;
			e->cgroup_id = cg;
			e->count = 1;
			break;
		}
		if (e->site_id == sid && e->target == target && e->cgroup_id == cg) {
			e->count++;
			break;
		}
	}
	if (i == RP_LEARN_PROBE && !rp_over_add(sid, target, cg))
		l->dropped++;
	trace_relpoline_miss(site->addr, target, cg);
	barrier();
out:
	l->nesting--;
	preempt_enable_notrace();
}

NOKPROBE_SYMBOL(relpoline_record_sample);

/* The bytes of an overflow table of @n entries: entries and index. */
static size_t rp_over_bytes(unsigned int n)
{
	return sizeof(struct rp_over) + n * (sizeof(struct rp_over_ent) + sizeof(u32));
}

static void rp_over_free(struct rp_over *o)
{
	if (!o)
		return;
	rp_stats.learn_bytes -= rp_over_bytes(o->mask + 1);
	kvfree(o->idx);
	kvfree(o);
}

/* Entries of the overflow table for @stubbed stubbed sites */
static unsigned int rp_over_size(unsigned int stubbed)
{
	return clamp_t(unsigned int, roundup_pow_of_two(2 * max(stubbed, 1U)),
		       RP_OVER_MIN, RP_OVER_MAX);
}

/* An empty overflow table for @stubbed stubbed sites, or NULL. */
static struct rp_over *rp_over_alloc(unsigned int stubbed)
{
	unsigned int n = rp_over_size(stubbed);
	struct rp_over *o = kvzalloc(struct_size(o, ent, n), GFP_KERNEL);

	if (!o)
		return NULL;
	o->idx = kvcalloc(n, sizeof(*o->idx), GFP_KERNEL);
	if (!o->idx) {
		kvfree(o);
		return NULL;
	}
	o->mask = n - 1;
	rp_stats.learn_bytes += rp_over_bytes(n);
	return o;
}

/* The table to make active for the next round, sized for @stubbed sites. */
static struct rp_over *rp_over_next(unsigned int stubbed)
{
	struct rp_over *o = rp_over_spare;

	rp_over_spare = NULL;
	if (o && stubbed && o->mask + 1 == rp_over_size(stubbed))
		return o;
	rp_over_free(o);
	return stubbed ? rp_over_alloc(stubbed) : NULL;
}

/**
 * rp_learn_grow - give the writers an overflow table big enough for the stubs
 *
 * After a batch that made stubs, so that a burst before the next drain
 * finds room. relpoline_mutex held; may sleep.
 */
void rp_learn_grow(void)
{
	struct rp_over *o, *n;

	lockdep_assert_held(&relpoline_mutex);
	o = rcu_dereference_protected(rp_over, lockdep_is_held(&relpoline_mutex));
	if (!rp_stats.stubbed || rp_over_retired ||
	    (o && o->mask + 1 >= rp_over_size(rp_stats.stubbed)))
		return;
	n = rp_over_next(rp_stats.stubbed);
	if (!n)
		return;
	/* Writers may still add to the old one: the next drain waits for them. */
	rcu_assign_pointer(rp_over, n);
	rp_over_retired = o;
}

/* Hand @o's samples to @fn and empty it. */
static void rp_over_drain(struct rp_over *o, relpoline_sample_fn_t fn, void *data)
{
	unsigned int i, n;

	if (!o)
		return;
	n = min_t(unsigned int, atomic_read(&o->used), o->mask + 1);
	for (i = 0; i < n; i++) {
		struct rp_over_ent *e = &o->ent[o->idx[i]];
		struct relpoline_sample smp = {
			.target = e->target, .cgroup_id = e->cgroup_id,
			.site_id = e->site_id, .count = atomic_read(&e->count),
		};

		if (smp.count)
			fn(&smp, data);
		memset(e, 0, sizeof(*e));
	}
	atomic_set(&o->used, 0);
}

/**
 * relpoline_drain_samples - hand every sample recorded so far to @fn
 * @fn:		called once per (site, target, cgroup) entry of each CPU
 * @data:	passed to @fn
 *
 * Process context; sleeps (one RCU grace period). Drains are serialised
 * by relpoline_lock(), which must be held.
 *
 * Return: samples dropped since the last drain (table full or nested).
 */
unsigned long relpoline_drain_samples(relpoline_sample_fn_t fn, void *data)
{
	unsigned long dropped = 0;
	struct rp_over *over, *retired = rp_over_retired;
	unsigned int old, i;
	int cpu;

	lockdep_assert_held(&relpoline_mutex);
	if (!rp_learn)
		return 0;
	rp_over_retired = NULL;
	over = rcu_replace_pointer(rp_over, rp_over_next(rp_stats.stubbed),
				   lockdep_is_held(&relpoline_mutex));
	old = per_cpu_ptr(rp_learn, 0)->active;
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu_ptr(rp_learn, cpu)->active, !old);
	/* A first promotion's boost ends: its interval is being drained. */
	WRITE_ONCE(rp_drain_gen, rp_drain_gen + 1);
	synchronize_rcu();
	rp_over_drain(retired, fn, data);
	rp_over_free(retired);
	rp_over_drain(over, fn, data);
	if (rp_stats.stubbed)
		rp_over_spare = over;
	else
		rp_over_free(over);
	for_each_possible_cpu(cpu) {
		struct rp_learn *l = per_cpu_ptr(rp_learn, cpu);

		for (i = 0; i < RP_LEARN_SIZE; i++)
			if (l->ent[old][i].count)
				fn(&l->ent[old][i], data);
		memset(l->ent[old], 0, sizeof(l->ent[old]));
		dropped += xchg(&l->dropped, 0);
	}
	return dropped;
}

/**
 * relpoline_sample - slow-path sample, called by relpoline_sample_thunk
 * @regs:	the registers at the stub, indexed by x86 register number
 * @ret:	return address into the stub that called
 *
 * Any context: the stub is live while this CPU is in it.
 */
__visible notrace void relpoline_sample(unsigned long *regs, unsigned long ret)
{
	struct relpoline_stub *stub = rp_stub_at(ret);
	unsigned int loaded, next;

	if (!stub)
		return;
	loaded = this_cpu_read(stub->ctrs->loaded);
	next = rp_sample_next(stub);
	this_cpu_write(stub->ctrs->countdown, next);
	this_cpu_write(stub->ctrs->loaded, next);
	relpoline_record_sample(stub->site, regs[stub->site->reg],
				loaded == 1 && rp_sample_period() > 1);
}

NOKPROBE_SYMBOL(relpoline_sample);

