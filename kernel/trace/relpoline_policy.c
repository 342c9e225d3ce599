// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline: the learning policy.
 *
 * The arch code (arch/x86/kernel/relpoline.c) owns the sites, the stubs and
 * text patching; this file owns what each managed site should be (struct
 * rp_pol) and decides it: in auto mode a worker drains the per-CPU samples
 * every interval_ms, scores each target as the sum of its samples times the
 * weight of their cgroup, halves old scores, and applies the promotions and
 * demotions of rp_policy_decide() as one batch.
 *
 * A round costs in proportion to what was sampled, not to the number of
 * managed sites: it visits only the sites of rp_active, those whose scores
 * it must still age (sampled in the last rounds) or whose targets just
 * changed. A site leaves the list when a round leaves it only the held
 * scores of its promoted targets; without new samples nothing can change
 * its decision then (held scores do not age, and every other score is 0).
 * A change of the knobs the decision depends on (max_targets, min_samples,
 * threshold_pct) makes the next round visit every site once.
 *
 * Locking: see relpoline_internal.h.
 */
#define pr_fmt(fmt) "relpoline: " fmt

#include <linux/cgroup.h>
#include <linux/glob.h>
#include <linux/init.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <trace/events/relpoline.h>

#include "relpoline_internal.h"

const char * const rp_state_names[RPS_NR_STATES] = {
	[RPS_OFF] = "off", [RPS_LEARNING] = "learning", [RPS_PROMOTED] = "promoted",
	[RPS_PINNED] = "pinned", [RPS_BLOCKED] = "blocked", [RPS_BUSY] = "busy",
};

/*
 * Targets tracked per site: more than can be promoted, so that a target
 * challenging the promoted ones has room (promoted scores are held).
 */
#define RP_CANDS	8
static_assert(RP_CANDS > RELPOLINE_MAX_TARGETS);

/*
 * Per-site policy state (site->policy), allocated on first use and freed
 * with the site's module; relpoline_lock() held for all of it.
 */
struct rp_pol {
	u8			state;		/* enum rp_state, never RPS_BUSY */
	u8			nr;
	unsigned long		targets[RELPOLINE_MAX_TARGETS];
	u8			nr_cand;
	struct rp_cand		cand[RP_CANDS];
	u64			total;		/* weighted, decayed */
	/*
	 * Raw samples since the policy last changed the site's targets (or
	 * since reset/retrain), not decayed: the evidence min_samples asks
	 * for. A site that is sampled slowly (a few samples per interval)
	 * still gets there; the decayed scores decide what it gets.
	 */
	u64			seen;
	unsigned long		sel_gen;	/* rp_filter_gen of @sel, 0: none */
	bool			sel;		/* selected by the filter */
	struct relpoline_site	*site;
	struct list_head	active;		/* on rp_active, or empty */
};

/* Sites a round visits (rp_pol.active), relpoline_lock() held. */
static LIST_HEAD(rp_active);

/* The knobs (relpoline_lock() held), with the ranges tracefs enforces. */
static struct {
	bool		enabled;
	bool		manual;
	unsigned int	max_targets;
	unsigned int	interval_ms;
	unsigned int	min_samples;
	unsigned int	threshold_pct;
	unsigned int	sample_period;
	bool		profile;
	/* Open profile_hold files: hits are counted while there is one. */
	unsigned int	profile_holders;
	/*
	 * Bumped whenever hit counting may start or stop (enable, profile,
	 * the first hold and the last release) and by a reset of the counts:
	 * the rate of saved cycles restarts its window (rp_saved_rate()).
	 */
	unsigned int	count_epoch;
	/* A decision knob changed: the next round visits every site. */
	bool		full_round;
} rp = {
	.max_targets = RP_POLICY_DEFAULT_MAX_TARGETS, .interval_ms = 1000,
	.min_samples = RP_POLICY_DEFAULT_MIN_SAMPLES,
	.threshold_pct = RP_POLICY_DEFAULT_THRESHOLD_PCT, .sample_period = 16,
};

static_assert(RP_POLICY_DEFAULT_MAX_TARGETS >= 1 &&
	      RP_POLICY_DEFAULT_MAX_TARGETS <= RELPOLINE_MAX_TARGETS);

/* relpoline_lock() held for these too. */
static struct rp_totals rp_totals;

/* set_relpoline_filter patterns; none means every site. */
static struct rp_filter_pat *rp_filter;
/* Bumped by every filter change: the verdicts cached in rp_pol expire. */
static unsigned long rp_filter_gen = 1;
static unsigned int rp_nr_filter;

static struct rp_weight_table rp_wt = { .dflt = 1 };

static void rp_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(rp_work, rp_work_fn);

/* ---- sites and their sync ---- */

static struct rp_pol *rp_pol_get(struct relpoline_site *site)
{
	struct rp_pol *pol = site->policy;

	if (!pol) {
		pol = kzalloc(sizeof(*pol), GFP_KERNEL);
		if (!pol)
			return NULL;
		rp_totals.policy_bytes += sizeof(*pol);
		pol->site = site;
		INIT_LIST_HEAD(&pol->active);
		site->policy = pol;
	}
	return pol;
}

/* The next rounds visit @pol's site (its scores or targets changed). */
static void rp_activate(struct rp_pol *pol)
{
	if (list_empty(&pol->active))
		list_add_tail(&pol->active, &rp_active);
}

/**
 * rp_site_func() - the function that contains a site
 * @site: the site
 * @name: room for KSYM_NAME_LEN characters, where the name goes
 * @off: set to the offset of the site in the function
 * @size: set to the size of the function
 * @modname: set to the function's module name, NULL for vmlinux
 *
 * Return: @name, or NULL when kallsyms cannot name the function.
 */
const char *rp_site_func(struct relpoline_site *site, char *name,
			 unsigned long *off, unsigned long *size, const char **modname)
{
	char *mod = NULL;

	if (!kallsyms_lookup(site->addr, size, off, &mod, name))
		return NULL;
	*modname = mod;
	return name;
}

static bool rp_filter_match(struct relpoline_site *site);

/**
 * rp_selected() - is @site selected by set_relpoline_filter?
 * @site: the site
 *
 * Context: relpoline_lock() held.
 * Return: true if the filter selects it (an empty filter selects every site
 * that can be managed).
 */
bool rp_selected(struct relpoline_site *site)
{
	struct rp_pol *pol = site->policy;
	bool sel;

	if (site->refused)
		return false;
	if (!rp_nr_filter)
		return true;
	/*
	 * Naming a module site is a linear scan of the module's symbols: the
	 * verdict is kept until the filter changes, so that reads and syncs
	 * cost O(sites), not O(sites x symbols).
	 */
	if (pol && pol->sel_gen == rp_filter_gen)
		return pol->sel;
	sel = rp_filter_match(site);
	if (pol) {
		pol->sel_gen = rp_filter_gen;
		pol->sel = sel;
	}
	return sel;
}

static bool rp_filter_match(struct relpoline_site *site)
{
	const char *mod = site->mod ? module_name(site->mod) : NULL;
	bool pos = false, any_pos = false, named = false;
	char name[KSYM_NAME_LEN];
	unsigned long off, size;
	const char *kmod;
	unsigned int i;

	for (i = 0; i < rp_nr_filter; i++) {
		struct rp_filter_pat *p = &rp_filter[i];
		bool m;

		m = !p->mod[0] || (mod && !strcmp(p->mod, mod));
		if (m && !p->mod_only) {
			/* The function's name, only when a glob needs it. */
			if (!named) {
				if (!rp_site_func(site, name, &off, &size, &kmod))
					return false;
				named = true;
			}
			m = glob_match(p->glob, name);
		}
		if (p->negate) {
			if (m)
				return false;
			continue;
		}
		any_pos = true;
		pos |= m;
	}
	return pos || !any_pos;
}

/* The request that gives @site the text its policy state asks for. */
static void rp_req_for(struct relpoline_site *site, struct rp_pol *pol, bool managed,
		       struct relpoline_req *r)
{
	memset(r, 0, sizeof(*r));
	r->site = site;
	if (!managed || pol->state == RPS_OFF || pol->state == RPS_BLOCKED)
		return;
	r->stub = true;
	r->sample = true;
	r->count_hits = rp.profile || rp.profile_holders;
	if (pol->state == RPS_PROMOTED || pol->state == RPS_PINNED) {
		unsigned int i;

		/*
		 * A target in a module that is going is left out: between the
		 * module's state becoming GOING and rp_module_notify() dropping
		 * its targets from the policy, a sync would otherwise ask for
		 * a stub that relpoline_apply() refuses.
		 */
		for (i = 0; i < pol->nr; i++)
			if (!relpoline_in_dying_module(pol->targets[i]))
				r->targets[r->nr_targets++] = pol->targets[i];
	}
}

static void rp_emit(struct relpoline_site *site, struct rp_pol *pol,
		    unsigned int old_nr, const char *reason)
{
	/* Scores that were held (or not) age differently now. */
	rp_activate(pol);
	if (pol->nr && (pol->state == RPS_PROMOTED || pol->state == RPS_PINNED))
		trace_relpoline_promote(site->addr, pol->nr, pol->targets,
					pol->state == RPS_PINNED);
	else if (old_nr)
		trace_relpoline_demote(site->addr, reason);
}

/* A growable batch of requests. */
struct rp_batch {
	struct relpoline_req	*reqs;
	unsigned int		nr, max;
};

static int rp_batch_add(struct rp_batch *b, struct relpoline_req *r)
{
	if (b->nr == b->max) {
		unsigned int max = max(64U, b->max * 2);
		struct relpoline_req *n = kvrealloc(b->reqs, max * sizeof(*n), GFP_KERNEL);

		if (!n)
			return -ENOMEM;
		b->reqs = n;
		b->max = max;
	}
	b->reqs[b->nr++] = *r;
	return 0;
}

/*
 * Was @r refused only because a module started going away after the
 * request was built? A module's state changes without relpoline_lock(): a
 * request for its site, or with a target in it, can be valid when the
 * batch is built and refused (EINVAL) when it is applied. That is not the
 * writer's error: the module's notifier, waiting for relpoline_lock(),
 * drops the site or the target next.
 */
static bool rp_req_went_away(const struct relpoline_req *r)
{
	unsigned int i;

	if (relpoline_in_dying_module(r->site->addr))
		return true;
	for (i = 0; i < r->nr_targets; i++)
		if (relpoline_in_dying_module(r->targets[i]))
			return true;
	return false;
}

/*
 * The errno of a relpoline_apply() batch that returned @ret: a failure
 * other than a busy site (no counter or stub memory left: ENOSPC, ENOMEM;
 * a refused change: EINVAL) wins over EBUSY. A change refused because its
 * module is going away (rp_req_went_away()) is not a failure.
 */
static int rp_batch_errno(struct relpoline_req *reqs, unsigned int nr, int ret)
{
	unsigned int i;

	if (ret <= 0)
		return ret;
	ret = 0;
	for (i = 0; i < nr; i++) {
		if (!reqs[i].result)
			continue;
		if (reqs[i].result == -EINVAL && rp_req_went_away(&reqs[i]))
			continue;
		if (reqs[i].result != -EBUSY)
			return reqs[i].result;
		ret = -EBUSY;
	}
	return ret;
}

static int rp_sync_one(struct relpoline_site *site, void *data)
{
	struct rp_batch *b = data;
	struct relpoline_req r;
	struct rp_pol *pol;
	bool managed;

	if (site->refused)
		return 0;
	/*
	 * A module's sites are managed from MODULE_STATE_LIVE (rp_module_notify()
	 * syncs them then) until MODULE_STATE_GOING (the arch code restores
	 * them): not while it is coming or going.
	 */
	if (site->mod && READ_ONCE(site->mod->state) != MODULE_STATE_LIVE)
		return 0;
	/*
	 * A busy site keeps its policy state; it is brought in line once its
	 * other user has gone (its text is relpoline's again), not before:
	 * patching it would only fail again.
	 */
	if (relpoline_site_recheck_busy(site))
		return 0;
	managed = rp.enabled && rp_selected(site);
	if (!managed && !site->stub)
		return 0;
	pol = rp_pol_get(site);
	if (!pol)
		return -ENOMEM;
	if (managed && pol->state == RPS_OFF)
		pol->state = RPS_LEARNING;
	rp_req_for(site, pol, managed, &r);
	if (relpoline_req_noop(&r))
		return 0;
	return rp_batch_add(b, &r);
}

/**
 * rp_policy_sync() - bring every site's text in line with its policy state
 *
 * One relpoline_apply() batch for all the sites that are out of line.
 *
 * Context: relpoline_lock() held.
 * Return: 0, -EBUSY when a site was found modified by someone else (it is
 * marked busy; sites already marked busy are left out and not reported),
 * or the errno of another failure.
 */
int rp_policy_sync(void)
{
	struct rp_batch b = {};
	int ret;

	ret = relpoline_walk_sites(rp_sync_one, &b);
	if (!ret && b.nr)
		ret = rp_batch_errno(b.reqs, b.nr, relpoline_apply(b.reqs, b.nr));
	kvfree(b.reqs);
	return ret;
}

/* Is any site left busy? For writes that concern every site. */
static bool rp_any_busy(void)
{
	struct relpoline_stats st;

	relpoline_get_stats_locked(&st);
	return st.busy;
}

/* ---- learning and the policy round ---- */

struct rp_cgcache {
	u64		id;
	unsigned int	weight;
	int		entry;
};

struct rp_round {
	struct rp_cgcache	cache[32];
	unsigned int		nr_cache;
	unsigned long		samples;
};

static int rp_weight_of(struct rp_round *rd, u64 id, int *entry)
{
	struct cgroup *cg, *pos;
	unsigned int i, w = rp_wt.dflt;
	int e = -1, j;

	for (i = 0; i < rd->nr_cache; i++) {
		if (rd->cache[i].id == id) {
			*entry = rd->cache[i].entry;
			return rd->cache[i].weight;
		}
	}
	if (rp_wt.nr && id) {
		cg = cgroup_get_from_id(id);
		if (!IS_ERR(cg)) {
			for (pos = cg; pos && e < 0; pos = cgroup_parent(pos)) {
				for (j = 0; j < rp_wt.nr; j++) {
					if (rp_wt.ent[j].id == cgroup_id(pos)) {
						e = j;
						w = rp_wt.ent[j].weight;
						break;
					}
				}
			}
			cgroup_put(cg);
		}
	}
	if (rd->nr_cache < ARRAY_SIZE(rd->cache))
		rd->cache[rd->nr_cache++] = (struct rp_cgcache){ id, w, e };
	*entry = e;
	return w;
}

/*
 * A sample's weight in the scores is the calls it stands for: one for a
 * sample a learning stub took at every miss (RELPOLINE_SAMPLE_BOOSTED),
 * sample_period for any other; so the scores estimate calls whichever way
 * they were sampled. min_samples counts samples (pol->seen), unweighted.
 */
static void rp_take_sample(const struct relpoline_sample *s, void *data)
{
	struct rp_round *rd = data;
	bool boosted = s->site_id & RELPOLINE_SAMPLE_BOOSTED;
	struct relpoline_site *site =
		relpoline_find_site_id(s->site_id & ~RELPOLINE_SAMPLE_BOOSTED);
	u64 calls = boosted ? s->count : (u64)s->count * rp.sample_period;
	struct rp_pol *pol;
	unsigned int i, w;
	int entry;

	rd->samples += s->count;
	if (!site || !site->policy)
		return;
	pol = site->policy;
	rp_activate(pol);
	w = rp_weight_of(rd, s->cgroup_id, &entry);
	if (entry >= 0)
		rp_wt.ent[entry].samples += s->count;
	else
		rp_wt.dflt_samples += s->count;
	pol->seen += s->count;
	if (!w)
		return;
	pol->total += calls * w;
	for (i = 0; i < pol->nr_cand; i++)
		if (pol->cand[i].target == s->target)
			break;
	if (i == pol->nr_cand) {
		if (pol->nr_cand < RP_CANDS) {
			pol->nr_cand++;
		} else {
			/* Replace the weakest candidate. */
			unsigned int k, min = 0;

			for (k = 1; k < RP_CANDS; k++)
				if (pol->cand[k].score < pol->cand[min].score)
					min = k;
			i = min;
		}
		pol->cand[i].target = s->target;
		pol->cand[i].score = 0;
	}
	pol->cand[i].score += calls * w;
}

static void rp_drain(struct rp_round *rd)
{
	rp_totals.dropped += relpoline_drain_samples(rp_take_sample, rd);
	rp_totals.samples += rd->samples;
}

struct rp_decide {
	struct rp_batch		b;
	struct relpoline_site	*only;
	bool			force;
	unsigned int		changed;
};

static int rp_decide_one(struct relpoline_site *site, struct rp_decide *d)
{
	struct rp_pol *pol = site->policy;
	struct rp_policy p = {
		.max_targets = rp.max_targets, .min_samples = rp.min_samples,
		.threshold_pct = rp.threshold_pct,
	};
	u64 cur[RELPOLINE_MAX_TARGETS], out[RELPOLINE_MAX_TARGETS];
	struct relpoline_req r;
	unsigned int i, k, n, old_nr;

	if (!pol || !site->stub || relpoline_site_recheck_busy(site))
		return 0;
	if (pol->state != RPS_LEARNING && pol->state != RPS_PROMOTED)
		return 0;
	old_nr = pol->state == RPS_PROMOTED ? pol->nr : 0;
	for (i = 0; i < old_nr; i++)
		cur[i] = pol->targets[i];
	n = rp_policy_decide(pol->cand, pol->nr_cand, pol->total, pol->seen,
			     cur, old_nr, &p, out);
	/*
	 * Only targets relpoline_target_refusal() accepts: a candidate may be
	 * stale (its module went away) or one IBT forbids (no ENDBR). Such a
	 * candidate is left out; the others still get promoted.
	 */
	for (i = 0, k = 0; i < n; i++)
		if (relpoline_valid_target(out[i]))
			out[k++] = out[i];
	n = k;
	if (n == old_nr && !memcmp(cur, out, n * sizeof(u64)))
		return 0;
	pol->nr = n;
	for (i = 0; i < n; i++)
		pol->targets[i] = out[i];
	pol->state = n ? RPS_PROMOTED : RPS_LEARNING;
	pol->seen = 0;		/* the next change needs new evidence */
	rp_req_for(site, pol, true, &r);
	if (rp_batch_add(&d->b, &r))
		return -ENOMEM;
	d->changed++;
	rp_emit(site, pol, old_nr, "policy");
	return 0;
}

static bool rp_is_promoted(struct rp_pol *pol, unsigned long t)
{
	unsigned int i;

	if (pol->state != RPS_PROMOTED && pol->state != RPS_PINNED)
		return false;
	for (i = 0; i < pol->nr; i++)
		if (pol->targets[i] == t)
			return true;
	return false;
}

/*
 * Halve old scores, except those of promoted targets: only slow-path
 * calls are sampled, so a promoted target's hits are invisible and its
 * score is held while it stays promoted. It then goes only when a target
 * the samples show to be stronger displaces it (see rp_policy_decide()).
 */
static void rp_decay_one(struct rp_pol *pol)
{
	unsigned int i, k = 0, aging = 0;
	u64 held = 0, rest;

	for (i = 0; i < pol->nr_cand; i++) {
		if (rp_is_promoted(pol, pol->cand[i].target)) {
			held += pol->cand[i].score;
		} else {
			rp_decay(&pol->cand[i].score);
			aging += !!pol->cand[i].score;
		}
		if (pol->cand[i].score)
			pol->cand[k++] = pol->cand[i];
	}
	pol->nr_cand = k;
	rest = pol->total > held ? pol->total - held : 0;
	rp_decay(&rest);
	pol->total = rest + held;
	/* Only held scores left: nothing to age, nothing to decide. */
	if (!aging && !rest)
		list_del_init(&pol->active);
}

/*
 * Decide for the sites of rp_active (or for @d->only), then, unless only
 * one site was asked for, age their scores. Returns the errno of the
 * first decision that could not be queued; the count of sites visited goes
 * to rp_totals.round_sites.
 */
static int rp_visit(struct rp_decide *d, bool decide)
{
	struct relpoline_site_iter it = {};
	struct relpoline_site *s;
	struct rp_pol *pol, *tmp;
	unsigned int n = 0;
	int ret = 0;

	if (d->only) {
		rp_totals.round_sites = 1;
		return decide ? rp_decide_one(d->only, d) : 0;
	}
	if (rp.full_round) {
		while ((s = relpoline_next_site(&it)))
			if (s->policy)
				rp_activate(s->policy);
		rp.full_round = false;
	}
	list_for_each_entry(pol, &rp_active, active) {
		n++;
		if (decide && !ret)
			ret = rp_decide_one(pol->site, d);
	}
	list_for_each_entry_safe(pol, tmp, &rp_active, active)
		rp_decay_one(pol);
	rp_totals.round_sites = n;
	return ret;
}

/*
 * One policy round (relpoline_lock() held): drain samples, decide (auto
 * mode, or an explicit retrain), apply as one batch, decay.
 */
static int rp_round(bool decide, struct relpoline_site *only, unsigned int *changed)
{
	struct relpoline_stats s0, s1;
	struct rp_decide d = { .only = only };
	struct rp_round rd = {};
	u64 t0 = ktime_get_ns(), us;
	int ret = 0;

	rp_drain(&rd);
	decide = decide && rp.enabled;
	if (decide) {
		s0.batches = 0;
		relpoline_get_stats_locked(&s0);
	}
	ret = rp_visit(&d, decide);
	if (decide) {
		if (!ret && d.b.nr)
			ret = rp_batch_errno(d.b.reqs, d.b.nr,
					     relpoline_apply(d.b.reqs, d.b.nr));
		relpoline_get_stats_locked(&s1);
		us = div_u64(ktime_get_ns() - t0, NSEC_PER_USEC);
		rp_totals.retrains++;
		rp_totals.last_retrain_us = us;
		trace_relpoline_retrain(d.changed, s1.batches - s0.batches,
					s1.ipi_rounds - s0.ipi_rounds, us);
	}
	kvfree(d.b.reqs);
	if (changed)
		*changed = d.changed;
	return ret;
}

static void rp_work_fn(struct work_struct *work)
{
	relpoline_lock();
	if (rp.enabled) {
		rp_round(!rp.manual, NULL, NULL);
		queue_delayed_work(system_unbound_wq, &rp_work, msecs_to_jiffies(rp.interval_ms));
	}
	relpoline_unlock();
}

/* ---- enable ---- */

/*
 * Writing the value enable already has is not a no-op: it retries the sites
 * left busy by the last attempt (e.g. "echo 0 > enable" once a kprobe that
 * kept a site's stub is gone).
 */
static int rp_set_enabled(bool on)
{
	bool was = rp.enabled;
	int ret;

	rp.enabled = on;
	rp.count_epoch++;
	if (on) {
		if (!was) {
			relpoline_set_sample_period(rp.sample_period);
			relpoline_set_sample_boost(rp.min_samples);
			/* Once a boot; no estimate of the savings if it fails. */
			relpoline_calibrate();
		}
		ret = rp_policy_sync();
		/* The first round comes one interval_ms after the enable. */
		if (!was)
			mod_delayed_work(system_unbound_wq, &rp_work,
					 msecs_to_jiffies(rp.interval_ms));
		return ret ? ret : rp_any_busy() ? -EBUSY : 0;
	}
	/*
	 * No round while disabled. Not the _sync variant: rp_work_fn() takes
	 * relpoline_lock(), held here; a round already running finds
	 * rp.enabled false and does nothing.
	 */
	cancel_delayed_work(&rp_work);
	/* Policy state (pins, blocks, promotions) is kept for the next enable. */
	ret = relpoline_restore_all(NULL);
	return ret ? ret : rp_any_busy() ? -EBUSY : 0;
}

static int rp_clear_learned(struct relpoline_site *site, void *data)
{
	struct rp_pol *pol = site->policy;

	if (pol) {
		pol->nr_cand = 0;
		pol->total = 0;
		pol->seen = 0;
	}
	return 0;
}

static void rp_reset(void)
{
	struct rp_round rd = {};
	struct rp_pol *pol, *tmp;
	unsigned int i;

	relpoline_drain_samples(rp_take_sample, &rd);
	relpoline_walk_sites(rp_clear_learned, NULL);
	/* Nothing learned is left to age; promoted targets keep no score. */
	list_for_each_entry_safe(pol, tmp, &rp_active, active)
		list_del_init(&pol->active);
	relpoline_reset_counts();
	rp.count_epoch++;
	for (i = 0; i < rp_wt.nr; i++)
		rp_wt.ent[i].samples = 0;
	rp_wt.dflt_samples = 0;
	rp_totals.samples = 0;
	rp_totals.dropped = 0;
	/*
	 * As after enable, the next round comes one interval_ms from now, so
	 * that the first decision after a reset sees a whole interval of
	 * samples, not the tail of one that began before it.
	 */
	if (rp.enabled)
		mod_delayed_work(system_unbound_wq, &rp_work, msecs_to_jiffies(rp.interval_ms));
	/* and the learning stubs sample their first misses one by one again */
	relpoline_rearm_sample_boost();
}

/* ---- modules ---- */

static int rp_mod_one(struct relpoline_site *site, void *data)
{
	struct module *mod = data;
	struct rp_pol *pol = site->policy;
	unsigned int i, k = 0, old_nr;

	if (!pol)
		return 0;
	if (site->mod == mod) {
		list_del(&pol->active);
		kfree(pol);
		rp_totals.policy_bytes -= sizeof(*pol);
		site->policy = NULL;
		return 0;
	}
	old_nr = pol->nr;
	for (i = 0; i < pol->nr; i++)
		if (!within_module(pol->targets[i], mod))
			pol->targets[k++] = pol->targets[i];
	for (i = 0; i < pol->nr_cand; i++)
		if (within_module(pol->cand[i].target, mod))
			pol->cand[i].score = 0;
	if (k == old_nr)
		return 0;
	pol->nr = k;
	if (!k && (pol->state == RPS_PROMOTED || pol->state == RPS_PINNED))
		pol->state = RPS_LEARNING;
	rp_emit(site, pol, old_nr, "module");
	return 0;
}

static int rp_module_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	relpoline_lock();
	if (state == MODULE_STATE_GOING)
		relpoline_walk_sites(rp_mod_one, data);
	else if (state == MODULE_STATE_LIVE && rp.enabled)
		rp_policy_sync();
	relpoline_unlock();
	return NOTIFY_OK;
}

/* Runs before the arch notifier (priority -1), which frees the sites. */
static struct notifier_block rp_module_nb = {
	.notifier_call = rp_module_notify,
};

/* ---- what the tracefs side uses ---- */

static int rp_set_profile(bool on)
{
	int ret;

	if (rp.profile == on)
		return 0;
	rp.profile = on;
	rp.count_epoch++;
	/* A holder keeps hit counting on: nothing to rewrite. */
	if (rp.profile_holders)
		return 0;
	ret = rp_policy_sync();
	return ret ? ret : rp_any_busy() ? -EBUSY : 0;
}

/**
 * rp_policy_hold_profile() - take or drop a hold on hit counting
 * @hold: true to take one, false to drop one
 *
 * Hits are counted while the profile knob is 1 or any hold is taken
 * (relpoline/profile_hold). The first hold and the last release rewrite
 * the stubs when the knob is 0. A busy site gets its counting once it is
 * free, as for the knob.
 *
 * Context: relpoline_lock() held.
 * Return: 0, or the errno of the rewrite (the hold is then not taken).
 */
int rp_policy_hold_profile(bool hold)
{
	int ret;

	if (hold ? rp.profile_holders++ : --rp.profile_holders)
		return 0;
	rp.count_epoch++;
	if (rp.profile)
		return 0;
	ret = rp_policy_sync();
	if (ret == -EBUSY)
		ret = 0;
	if (ret && hold) {
		rp.profile_holders--;
		rp_policy_sync();
	}
	return ret;
}

/**
 * rp_policy_profile_holders() - how many hold hit counting
 *
 * Context: relpoline_lock() held.
 * Return: the number of holds.
 */
unsigned int rp_policy_profile_holders(void)
{
	return rp.profile_holders;
}

/**
 * rp_policy_counting() - are hits being counted?
 * @epoch: out: the counting epoch, which changes whenever counting may
 *	   start or stop and when the counts are reset
 *
 * Context: relpoline_lock() held.
 * Return: true while relpoline is enabled and profile is 1 or held.
 */
bool rp_policy_counting(unsigned int *epoch)
{
	*epoch = rp.count_epoch;
	return rp.enabled && (rp.profile || rp.profile_holders);
}

/**
 * rp_policy_set() - set a knob
 * @knob: the knob
 * @val: its new value, in the range the caller checked (mode: 0 auto, 1 manual)
 *
 * Context: relpoline_lock() held.
 * Return: 0, or for enable and profile (which resync every site) the errno
 * of the sync, -EBUSY when a site is left busy; the value is set anyway.
 */
int rp_policy_set(enum rp_knob knob, unsigned int val)
{
	switch (knob) {
	case RPK_ENABLE:
		return rp_set_enabled(val);
	case RPK_MODE:
		rp.manual = val;
		break;
	case RPK_MAX_TARGETS:
		rp.full_round |= rp.max_targets != val;
		rp.max_targets = val;
		break;
	case RPK_INTERVAL:
		rp.interval_ms = val;
		if (rp.enabled)
			mod_delayed_work(system_unbound_wq, &rp_work, msecs_to_jiffies(val));
		break;
	case RPK_MIN_SAMPLES:
		rp.full_round |= rp.min_samples != val;
		rp.min_samples = val;
		relpoline_set_sample_boost(val);
		break;
	case RPK_THRESHOLD:
		rp.full_round |= rp.threshold_pct != val;
		rp.threshold_pct = val;
		break;
	case RPK_SAMPLE_PERIOD:
		rp.sample_period = val;
		relpoline_set_sample_period(val);
		break;
	case RPK_PROFILE:
		return rp_set_profile(val);
	default:
		return -EINVAL;
	}
	return 0;
}

/**
 * rp_policy_get() - the value of a knob
 * @knob: the knob
 *
 * Context: relpoline_lock() held.
 * Return: its value (mode: 0 auto, 1 manual).
 */
unsigned int rp_policy_get(enum rp_knob knob)
{
	switch (knob) {
	case RPK_ENABLE: return rp.enabled;
	case RPK_MODE: return rp.manual;
	case RPK_MAX_TARGETS: return rp.max_targets;
	case RPK_INTERVAL: return rp.interval_ms;
	case RPK_MIN_SAMPLES: return rp.min_samples;
	case RPK_THRESHOLD: return rp.threshold_pct;
	case RPK_SAMPLE_PERIOD: return rp.sample_period;
	case RPK_PROFILE: return rp.profile;
	default: return 0;
	}
}

/**
 * rp_policy_totals() - the policy's running totals
 *
 * Context: relpoline_lock() held while the result is read.
 * Return: the totals.
 */
const struct rp_totals *rp_policy_totals(void)
{
	return &rp_totals;
}

/**
 * rp_policy_filter() - the set_relpoline_filter patterns
 * @pats: set to the patterns, valid until the lock is dropped
 *
 * Context: relpoline_lock() held.
 * Return: their number (0: every site is selected).
 */
unsigned int rp_policy_filter(const struct rp_filter_pat **pats)
{
	*pats = rp_filter;
	return rp_nr_filter;
}

/**
 * rp_policy_set_filter() - replace the filter and sync every site
 * @pats: the new patterns, from kvmalloc(): the policy owns them now
 * @nr: their number
 *
 * Context: relpoline_lock() held.
 * Return: the errno of the sync (see rp_policy_sync()).
 */
int rp_policy_set_filter(struct rp_filter_pat *pats, unsigned int nr)
{
	kvfree(rp_filter);
	rp_filter = pats;
	rp_nr_filter = nr;
	rp_filter_gen++;
	return rp_policy_sync();
}

/**
 * rp_policy_weights() - the cgroup weight table
 *
 * Context: relpoline_lock() held while the table is read.
 * Return: the table.
 */
const struct rp_weight_table *rp_policy_weights(void)
{
	return &rp_wt;
}

/**
 * rp_policy_set_weights() - replace the cgroup weight table
 * @t: the new table, copied; its entries name existing cgroups
 *
 * Context: relpoline_lock() held.
 */
void rp_policy_set_weights(const struct rp_weight_table *t)
{
	rp_wt = *t;
}

/**
 * rp_site_managed() - does relpoline manage @site now?
 * @site: the site
 *
 * Context: relpoline_lock() held.
 * Return: true if relpoline is enabled, the site has policy state and the
 * filter selects it.
 */
bool rp_site_managed(struct relpoline_site *site)
{
	return site->policy && rp.enabled && rp_selected(site);
}

/**
 * rp_site_state() - the state the tracefs files show for @site
 * @site: the site
 *
 * Context: relpoline_lock() held.
 * Return: RPS_BUSY for a busy site; the policy state of a managed site;
 * otherwise RPS_BLOCKED for a blocked site (blocks hold while disabled or
 * filtered out) and RPS_OFF.
 */
enum rp_state rp_site_state(struct relpoline_site *site)
{
	struct rp_pol *pol = site->policy;

	if (site->busy)
		return RPS_BUSY;
	if (!rp.enabled || !pol || !rp_selected(site))
		return pol && pol->state == RPS_BLOCKED ? RPS_BLOCKED : RPS_OFF;
	return pol->state;
}

/**
 * rp_policy_prepare() - get @site ready for rp_policy_command()
 * @site: the site a command names
 *
 * Allocates its policy state, so that applying a validated command cannot
 * fail.
 *
 * Context: relpoline_lock() held.
 * Return: 0 or -ENOMEM.
 */
int rp_policy_prepare(struct relpoline_site *site)
{
	return rp_pol_get(site) ? 0 : -ENOMEM;
}

/**
 * rp_policy_command() - apply a validated control command to the policy
 * @op: the command
 * @site: its site, passed to rp_policy_prepare() (NULL: reset, retrain)
 * @targets: the targets of promote and pin: function entries
 * @nr: their number, 1..RELPOLINE_MAX_TARGETS
 *
 * Changes the policy state only, except for retrain, whose round applies
 * its own batch; rp_policy_sync() then brings the text in line (and
 * reports what a retrain's batch could not do: those sites are still out
 * of line).
 *
 * Context: relpoline_lock() held.
 */
void rp_policy_command(enum rp_cmd_op op, struct relpoline_site *site,
		       const unsigned long *targets, unsigned int nr)
{
	struct rp_pol *pol = site ? site->policy : NULL;
	unsigned int old_nr = pol && (pol->state == RPS_PROMOTED || pol->state == RPS_PINNED) ?
			      pol->nr : 0;

	switch (op) {
	case RP_CMD_RESET:
		rp_reset();
		break;
	case RP_CMD_RETRAIN:
		if (site)
			rp_clear_learned(site, NULL);
		rp_round(true, site, NULL);
		break;
	case RP_CMD_PROMOTE:
	case RP_CMD_PIN:
		if (WARN_ON_ONCE(!nr || nr > RELPOLINE_MAX_TARGETS))
			break;
		pol->state = op == RP_CMD_PIN ? RPS_PINNED : RPS_PROMOTED;
		pol->nr = nr;
		memcpy(pol->targets, targets, nr * sizeof(*targets));
		rp_emit(site, pol, old_nr, "command");
		break;
	case RP_CMD_DEMOTE:
	case RP_CMD_UNBLOCK:
		pol->state = RPS_LEARNING;
		pol->nr = 0;
		rp_emit(site, pol, old_nr, "command");
		break;
	case RP_CMD_BLOCK:
		pol->state = RPS_BLOCKED;
		pol->nr = 0;
		rp_emit(site, pol, old_nr, "blocked");
		break;
	}
}

/**
 * rp_policy_init() - start the policy
 *
 * Follows modules, and enables relpoline in auto mode when the command line
 * asks for it (relpoline=on).
 *
 * Return: 0.
 */
int __init rp_policy_init(void)
{
	register_module_notifier(&rp_module_nb);
	if (relpoline_boot_enable()) {
		relpoline_lock();
		rp.manual = false;
		if (rp_set_enabled(true))
			pr_warn("enabling at boot: some sites could not be patched\n");
		relpoline_unlock();
		pr_info("enabled at boot (relpoline=on), auto mode\n");
	}
	return 0;
}
