// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline: the sampling path and the learning tables.
 *
 * A stub's slow path counts down a per-CPU sampling countdown in its
 * counter block and, when it reaches zero, calls relpoline_sample_thunk
 * (relpoline_64.S), which saves the registers and calls relpoline_sample():
 * the sample (site, target, cgroup of the caller) goes into a small
 * per-CPU table that the policy drains (relpoline_drain_samples()).
 */
#define pr_fmt(fmt) "relpoline: " fmt

#include <linux/cgroup.h>
#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
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
 * Must be called with relpoline_lock() held.
 */
void relpoline_set_sample_period(unsigned int period)
{
	WRITE_ONCE(rp_period, max(period, 1U));
	rp_stubs_set_countdown(rp_period);
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

/**
 * relpoline_record_sample - record that @site was called with @target
 * @site:	the site
 * @target:	the value of its target register
 *
 * Any context, NMI included; never sleeps, locks or calls indirectly.
 */
notrace void relpoline_record_sample(struct relpoline_site *site, unsigned long target)
{
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
	h = hash_64((u64)target ^ ((u64)site->id << 32) ^ cg, ilog2(RP_LEARN_SIZE));
	for (i = 0; i < RP_LEARN_PROBE; i++) {
		e = &half[(h + i) % RP_LEARN_SIZE];
		if (!e->count) {
			e->site_id = site->id;
			e->target = target;
			e->cgroup_id = cg;
			e->count = 1;
			break;
		}
		if (e->site_id == site->id && e->target == target && e->cgroup_id == cg) {
			e->count++;
			break;
		}
	}
	if (i == RP_LEARN_PROBE)
		l->dropped++;
	trace_relpoline_miss(site->addr, target, cg);
	barrier();
out:
	l->nesting--;
	preempt_enable_notrace();
}

NOKPROBE_SYMBOL(relpoline_record_sample);

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
	unsigned int old, i;
	int cpu;

	lockdep_assert_held(&relpoline_mutex);
	if (!rp_learn)
		return 0;
	old = per_cpu_ptr(rp_learn, 0)->active;
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu_ptr(rp_learn, cpu)->active, !old);
	synchronize_rcu();
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

	if (!stub)
		return;
	this_cpu_write(stub->ctrs->countdown, rp_sample_period());
	relpoline_record_sample(stub->site, regs[stub->site->reg]);
}

NOKPROBE_SYMBOL(relpoline_sample);

