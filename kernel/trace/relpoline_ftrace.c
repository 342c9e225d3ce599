// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline: learning policy and the tracefs interface.
 *
 * /sys/kernel/tracing/relpoline/ lets users enable relpoline, choose the
 * sites it manages (set_relpoline_filter), promote, pin, demote and block
 * sites (control), tune the policy, weigh cgroups, and read per-site state
 * (sites, available_sites, trace_stat/relpoline). See
 * Documentation/trace/relpoline.rst for the contract.
 *
 * The arch code (arch/x86/kernel/relpoline.c) owns the sites, the stubs and
 * text patching; this file owns what each managed site should be (struct
 * rp_pol) and decides it: in auto mode a worker drains the per-CPU samples
 * every interval_ms, scores each target as the sum of its samples times the
 * weight of their cgroup, halves old scores, and applies the promotions and
 * demotions of rp_policy_decide() as one batch.
 *
 * Locking: everything here (knobs, the policy state of every site, the
 * filter, the cgroup weight table, the error-message table) is protected by
 * relpoline_lock(), the arch mutex that also serialises patching. The
 * worker takes it for a whole round; tracefs writes take it for the whole
 * write, so a write is applied atomically with respect to retrains.
 */
#define pr_fmt(fmt) "relpoline: " fmt

#include <linux/cgroup.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/relpoline_parse.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracefs.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/relpoline.h>
#include <trace/events/relpoline.h>

#include "trace.h"
#include "trace_stat.h"

/* Desired state of a managed site. */
enum rp_state {
	RPS_OFF,		/* not managed: boot bytes */
	RPS_LEARNING,		/* stub without targets, sampling */
	RPS_PROMOTED,		/* stub with targets chosen by policy or command */
	RPS_PINNED,		/* stub with targets the policy leaves alone */
	RPS_BLOCKED,		/* never promoted: boot bytes */
};

static const char * const rp_state_names[] = {
	[RPS_OFF] = "off", [RPS_LEARNING] = "learning", [RPS_PROMOTED] = "promoted",
	[RPS_PINNED] = "pinned", [RPS_BLOCKED] = "blocked",
};

#define RP_CANDS	8

/* Per-site policy state (site->policy), allocated on first use. */
struct rp_pol {
	u8			state;
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
};

/* Knobs, with their ranges. */
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
} rp = {
	.max_targets = 2, .interval_ms = 1000, .min_samples = 32,
	.threshold_pct = 10, .sample_period = 16,
};

static struct {
	unsigned long	retrains;
	u64		last_retrain_us;
	unsigned long	samples;
	unsigned long	dropped;
} rp_totals;

/* set_relpoline_filter patterns; none means every site. */
static struct rp_filter_pat *rp_filter;
/* Bumped by every filter change: the verdicts cached in rp_pol expire. */
static unsigned long rp_filter_gen = 1;
static unsigned int rp_nr_filter;

/* cgroup_weights: entries by cgroup id (stops matching when deleted). */
#define RP_MAX_WEIGHTS	64
struct rp_weight {
	u64		id;
	char		path[RP_CGROUP_PATH_MAX + 1];
	unsigned int	weight;
	u64		samples;
};

static struct rp_weight rp_weights[RP_MAX_WEIGHTS];
static unsigned int rp_nr_weights;
static unsigned int rp_default_weight = 1;
static u64 rp_default_samples;

static struct dentry *rp_dir;

static void rp_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(rp_work, rp_work_fn);

/* ---- error log ---- */

/* Messages handed to tracing_log_err(), which keeps the pointer. */
static const char *rp_err_msgs[64] = { "invalid input" };
static unsigned int rp_nr_err_msgs = 1;

static void rp_log_err(const char *file, const char *cmd, const char *msg, unsigned int pos)
{
	char loc[40];
	u8 i;

	for (i = 0; i < rp_nr_err_msgs; i++)
		if (!strcmp(rp_err_msgs[i], msg))
			break;
	if (i == rp_nr_err_msgs) {
		if (rp_nr_err_msgs < ARRAY_SIZE(rp_err_msgs))
			rp_err_msgs[rp_nr_err_msgs++] = msg;
		else
			i = 0;
	}
	snprintf(loc, sizeof(loc), "relpoline/%s", file);
	tracing_log_err(NULL, loc, cmd, rp_err_msgs, i, min_t(unsigned int, pos, strlen(cmd)));
}

/* The error_log entry of a write whose text changes failed with @err. */
static void rp_log_sync_err(const char *file, const char *cmd, int err)
{
	const char *msg;

	switch (err) {
	case -EBUSY:
		msg = "a site is modified by someone else (kprobe?)";
		break;
	case -ENOSPC:
		msg = "no stub counter left (CONFIG_RELPOLINE_NR_COUNTERS)";
		break;
	case -ENOMEM:
		msg = "out of memory";
		break;
	default:
		msg = "a site could not be patched";
	}
	rp_log_err(file, cmd, msg, 0);
}

/* ---- sites ---- */

static struct rp_pol *rp_pol_get(struct relpoline_site *site)
{
	struct rp_pol *pol = site->policy;

	if (!pol) {
		pol = kzalloc(sizeof(*pol), GFP_KERNEL);
		site->policy = pol;
	}
	return pol;
}

static const char *rp_site_func(struct relpoline_site *site, char *name,
				unsigned long *off, unsigned long *size, const char **modname)
{
	char *mod = NULL;

	if (!kallsyms_lookup(site->addr, size, off, &mod, name))
		return NULL;
	*modname = mod;
	return name;
}

static bool rp_filter_match(struct relpoline_site *site);

/* Is @site selected by set_relpoline_filter? relpoline_lock() held. */
static bool rp_selected(struct relpoline_site *site)
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
			m = rp_glob_match(p->glob, name);
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

/* Do stubs count hits per target: the profile knob, or a profile_hold open? */
static bool rp_profiling(void)
{
	return rp.profile || rp.profile_holders;
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
	r->count_hits = rp_profiling();
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

static void rp_emit(struct relpoline_site *site, struct rp_pol *pol, unsigned int old_nr,
		    const char *reason)
{
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

/*
 * Bring every site's text in line with its policy state, in one batch.
 * Return: 0, -EBUSY when a site was found modified by someone else (it is
 * marked busy; sites already marked busy are left out and not reported),
 * or the errno of another failure.
 */
static int rp_sync_all(void)
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
	unsigned int i, w = rp_default_weight;
	int e = -1, j;

	for (i = 0; i < rd->nr_cache; i++) {
		if (rd->cache[i].id == id) {
			*entry = rd->cache[i].entry;
			return rd->cache[i].weight;
		}
	}
	if (rp_nr_weights && id) {
		cg = cgroup_get_from_id(id);
		if (!IS_ERR(cg)) {
			for (pos = cg; pos && e < 0; pos = cgroup_parent(pos)) {
				for (j = 0; j < rp_nr_weights; j++) {
					if (rp_weights[j].id == cgroup_id(pos)) {
						e = j;
						w = rp_weights[j].weight;
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

static void rp_take_sample(const struct relpoline_sample *s, void *data)
{
	struct rp_round *rd = data;
	struct relpoline_site *site = relpoline_find_site_id(s->site_id);
	struct rp_pol *pol;
	unsigned int i, w;
	int entry;

	rd->samples += s->count;
	if (!site || !site->policy)
		return;
	pol = site->policy;
	w = rp_weight_of(rd, s->cgroup_id, &entry);
	if (entry >= 0)
		rp_weights[entry].samples += s->count;
	else
		rp_default_samples += s->count;
	pol->seen += s->count;
	if (!w)
		return;
	pol->total += (u64)s->count * w;
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
	pol->cand[i].score += (u64)s->count * w;
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

static int rp_decide_one(struct relpoline_site *site, void *data)
{
	struct rp_decide *d = data;
	struct rp_pol *pol = site->policy;
	struct rp_policy p = {
		.max_targets = rp.max_targets, .min_samples = rp.min_samples,
		.threshold_pct = rp.threshold_pct,
	};
	u64 cur[RELPOLINE_MAX_TARGETS], out[RELPOLINE_MAX_TARGETS];
	struct relpoline_req r;
	unsigned int i, n, old_nr;

	if (d->only && site != d->only)
		return 0;
	if (!pol || !site->stub || relpoline_site_recheck_busy(site))
		return 0;
	if (pol->state != RPS_LEARNING && pol->state != RPS_PROMOTED)
		return 0;
	old_nr = pol->state == RPS_PROMOTED ? pol->nr : 0;
	for (i = 0; i < old_nr; i++)
		cur[i] = pol->targets[i];
	n = rp_policy_decide(pol->cand, pol->nr_cand, pol->total, pol->seen,
			     cur, old_nr, &p, out);
	/* Only live function entries: a candidate may be stale. */
	for (i = 0; i < n; i++)
		if (!relpoline_valid_target(out[i]))
			return 0;
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
static int rp_decay_one(struct relpoline_site *site, void *data)
{
	struct rp_pol *pol = site->policy;
	unsigned int i, k = 0;
	u64 held = 0, rest;

	if (!pol)
		return 0;
	for (i = 0; i < pol->nr_cand; i++) {
		if (rp_is_promoted(pol, pol->cand[i].target))
			held += pol->cand[i].score;
		else
			rp_decay(&pol->cand[i].score);
		if (pol->cand[i].score)
			pol->cand[k++] = pol->cand[i];
	}
	pol->nr_cand = k;
	rest = pol->total > held ? pol->total - held : 0;
	rp_decay(&rest);
	pol->total = rest + held;
	return 0;
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
	if (decide && rp.enabled) {
		s0.batches = 0;
		relpoline_get_stats_locked(&s0);
		ret = relpoline_walk_sites(rp_decide_one, &d);
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
	if (!only)
		relpoline_walk_sites(rp_decay_one, NULL);
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

/* ---- enable, knobs ---- */

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
	if (on) {
		if (!was)
			relpoline_set_sample_period(rp.sample_period);
		ret = rp_sync_all();
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

/* ---- tracefs: generic helpers ---- */

#define RP_MAX_WRITE	(64 * 1024)

/*
 * Copy a write from user space, NUL-terminated. An empty write changes
 * nothing (NULL: the caller returns 0); one over RP_MAX_WRITE is an error.
 */
static char *rp_get_user(const char *file, const char __user *ubuf, size_t cnt)
{
	if (!cnt)
		return NULL;
	if (cnt > RP_MAX_WRITE) {
		rp_log_err(file, "", "write too long (64 KiB max)", 0);
		return ERR_PTR(-EINVAL);
	}
	return memdup_user_nul(ubuf, cnt);
}

static int rp_open_check(struct inode *inode, struct file *filp)
{
	return tracing_check_open_get_tr(NULL);
}

/* A text buffer built at open and read with simple_read_from_buffer(). */
struct rp_text {
	char	*buf;
	size_t	len, size;
	bool	fixed;		/* @buf is not ours: truncate, never grow */
	bool	replace;	/* opened for write with O_TRUNC, without O_APPEND */
	struct seq_file *seq;	/* if set, print there instead of @buf */
};

static __printf(2, 3) void rp_printf(struct rp_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->seq) {
		va_start(ap, fmt);
		seq_vprintf(t->seq, fmt, ap);
		va_end(ap);
		return;
	}
	if (!t->buf)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
		va_end(ap);
		if (t->len + n < t->size)
			break;
		if (t->fixed) {
			t->len = t->size - 1;
			return;
		}
		t->size = max(t->size * 2, t->len + n + 1);
		t->buf = kvrealloc(t->buf, t->size, GFP_KERNEL);
		if (!t->buf)
			return;
	}
	t->len += n;
}

static ssize_t rp_text_read(struct file *filp, char __user *ubuf, size_t cnt, loff_t *ppos)
{
	struct rp_text *t = filp->private_data;

	return simple_read_from_buffer(ubuf, cnt, ppos, t->buf, t->len);
}

static int rp_text_release(struct inode *inode, struct file *filp)
{
	struct rp_text *t = filp->private_data;

	if (t) {
		kvfree(t->buf);
		kfree(t);
	}
	return 0;
}

static struct rp_text *rp_text_new(void)
{
	struct rp_text *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->size = PAGE_SIZE;
	t->buf = kvmalloc(t->size, GFP_KERNEL);
	if (!t->buf) {
		kfree(t);
		return NULL;
	}
	t->buf[0] = 0;
	return t;
}

/* Open a read-only snapshot of @fill's text, built under relpoline_lock(). */
static int rp_text_open(struct inode *inode, struct file *filp,
			void (*fill)(struct rp_text *t))
{
	struct rp_text *t;
	int ret = rp_open_check(inode, filp);

	if (ret)
		return ret;
	t = rp_text_new();
	if (!t)
		return -ENOMEM;
	relpoline_lock();
	fill(t);
	relpoline_unlock();
	if (!t->buf) {
		kfree(t);
		return -ENOMEM;
	}
	filp->private_data = t;
	return 0;
}

static void rp_print_target(struct rp_text *t, unsigned long addr)
{
	char name[KSYM_NAME_LEN];
	unsigned long size, off;
	char *mod = NULL;

	if (!kallsyms_lookup(addr, &size, &off, &mod, name) || off)
		rp_printf(t, "0x%lx", addr);
	else if (mod)
		rp_printf(t, "%s[%s]", name, mod);
	else
		rp_printf(t, "%s", name);
}

static const char *rp_form_name(struct relpoline_site *s)
{
	return s->form == RELPOLINE_FORM_CALL ? "call" :
	       s->form == RELPOLINE_FORM_JMP ? "jmp" : "jcc";
}

static const char * const rp_reg_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static void rp_print_site(struct rp_text *t, struct relpoline_site *s)
{
	char name[KSYM_NAME_LEN];
	unsigned long off, size;
	const char *mod = NULL;

	if (rp_site_func(s, name, &off, &size, &mod))
		rp_printf(t, "%u %s+0x%lx/0x%lx %s %s %s", s->id, name, off, size,
			  mod ? mod : "-", rp_form_name(s), rp_reg_names[s->reg & 15]);
	else
		rp_printf(t, "%u 0x%lx - %s %s", s->id, s->addr, rp_form_name(s),
			  rp_reg_names[s->reg & 15]);
}

/* ---- sites, available_sites ---- */

static const char *rp_state_of(struct relpoline_site *s)
{
	struct rp_pol *pol = s->policy;

	if (s->busy)
		return "busy";
	if (!rp.enabled || !pol || !rp_selected(s))
		return pol && pol->state == RPS_BLOCKED ? "blocked" : "off";
	return rp_state_names[pol->state];
}

static int rp_show_site(struct relpoline_site *s, void *data)
{
	struct rp_text *t = data;
	unsigned long tg[RELPOLINE_MAX_TARGETS];
	u64 th[RELPOLINE_MAX_TARGETS], hits, misses;
	unsigned int n, i;

	if (!s->stub && !s->busy && !(s->policy && rp.enabled && rp_selected(s)))
		return 0;
	relpoline_site_counts(s, &hits, &misses);
	n = relpoline_site_targets(s, tg, th);
	rp_print_site(t, s);
	rp_printf(t, " %s %llu %llu", rp_state_of(s), hits, misses);
	for (i = 0; i < n; i++) {
		rp_printf(t, " ");
		rp_print_target(t, tg[i]);
		rp_printf(t, ":%llu", th[i]);
	}
	rp_printf(t, "\n");
	return 0;
}

static void rp_fill_sites(struct rp_text *t)
{
	rp_printf(t, "# relpoline: %s, mode %s, max_targets %u, profile %d\n",
		  rp.enabled ? "enabled" : "disabled", rp.manual ? "manual" : "auto",
		  rp.max_targets, rp.profile);
	rp_printf(t, "# id site module form reg state hits misses targets...\n");
	relpoline_walk_sites(rp_show_site, t);
}

static int rp_sites_open(struct inode *inode, struct file *filp)
{
	return rp_text_open(inode, filp, rp_fill_sites);
}

static const struct file_operations rp_sites_fops = {
	.open = rp_sites_open,
	.read = rp_text_read,
	.llseek = default_llseek,
	.release = rp_text_release,
};

static int rp_show_avail(struct relpoline_site *s, void *data)
{
	if (s->refused)
		return 0;
	rp_print_site(data, s);
	rp_printf(data, "\n");
	return 0;
}

static void rp_fill_avail(struct rp_text *t)
{
	rp_printf(t, "# id site module form reg\n");
	relpoline_walk_sites(rp_show_avail, t);
}

static int rp_avail_open(struct inode *inode, struct file *filp)
{
	return rp_text_open(inode, filp, rp_fill_avail);
}

static const struct file_operations rp_avail_fops = {
	.open = rp_avail_open,
	.read = rp_text_read,
	.llseek = default_llseek,
	.release = rp_text_release,
};

/* ---- control ---- */

static struct relpoline_site *rp_resolve_site(struct rp_site_ref *ref, const char **msg)
{
	struct relpoline_site *site = NULL;
	unsigned long a;

	switch (ref->kind) {
	case RP_REF_ID:
		site = ref->val <= UINT_MAX ? relpoline_find_site_id(ref->val) : NULL;
		break;
	case RP_REF_ADDR:
		site = relpoline_find_site(ref->val);
		break;
	case RP_REF_SYM:
		a = kallsyms_lookup_name(ref->sym);
		if (!a)
			a = module_kallsyms_lookup_name(ref->sym);
		site = a ? relpoline_find_site(a + ref->off) : NULL;
		break;
	}
	*msg = "no such site";
	/* A module's sites exist for commands only while it is live. */
	if (site && site->mod && READ_ONCE(site->mod->state) != MODULE_STATE_LIVE)
		return NULL;
	return site;
}

static int rp_resolve_target(struct rp_target_ref *ref, unsigned long *out, const char **msg)
{
	char buf[MODULE_NAME_LEN + KSYM_NAME_LEN + 2];
	unsigned long a;

	if (ref->kind == RP_REF_ADDR) {
		a = ref->addr;
	} else if (ref->mod[0]) {
		snprintf(buf, sizeof(buf), "%s:%s", ref->mod, ref->sym);
		a = module_kallsyms_lookup_name(buf);
	} else {
		a = kallsyms_lookup_name(ref->sym);
	}
	if (!a && ref->kind != RP_REF_ADDR) {
		*msg = "no such target";
		return -ENOENT;
	}
	if (!relpoline_valid_target(a)) {
		*msg = "target is not a function entry in kernel or module text";
		return -EINVAL;
	}
	*out = a;
	return 0;
}

struct rp_line {
	struct rp_cmd		cmd;
	struct relpoline_site	*site;
	unsigned long		targets[RELPOLINE_MAX_TARGETS];
	const char		*text;
	unsigned int		len;
};

/* Validate one parsed command against the current state. */
static int rp_check_cmd(struct rp_line *l, const char **msg, unsigned int *pos)
{
	struct rp_cmd *c = &l->cmd;
	unsigned int i;
	int ret;

	*pos = 0;
	if (c->op == RP_CMD_RESET)
		return 0;
	if (!rp.enabled && c->op != RP_CMD_BLOCK && c->op != RP_CMD_UNBLOCK) {
		*msg = "relpoline is disabled (write 1 to enable)";
		return -ENODEV;
	}
	if (c->has_site) {
		*pos = c->site.pos;
		l->site = rp_resolve_site(&c->site, msg);
		if (!l->site)
			return -ENOENT;
		if (l->site->refused) {
			*msg = "site cannot be managed";
			return -EINVAL;
		}
		if (!rp_pol_get(l->site)) {
			*msg = "out of memory";
			return -ENOMEM;
		}
		if ((c->op == RP_CMD_PROMOTE || c->op == RP_CMD_PIN || c->op == RP_CMD_DEMOTE ||
		     c->op == RP_CMD_RETRAIN) && !rp_selected(l->site)) {
			*msg = "site is not selected by set_relpoline_filter";
			return -EINVAL;
		}
		/*
		 * Not an error here: a busy site gets its new policy state
		 * and is patched once its other user is gone (the write then
		 * fails with EBUSY, see rp_control_write()). A stale busy mark
		 * (the kprobe has gone since) is dropped.
		 */
		relpoline_site_recheck_busy(l->site);
	}
	for (i = 0; i < c->nr_targets; i++) {
		ret = rp_resolve_target(&c->targets[i], &l->targets[i], msg);
		if (!ret && i) {
			unsigned int j;

			for (j = 0; j < i; j++) {
				if (l->targets[j] == l->targets[i]) {
					*msg = "duplicate target";
					ret = -EINVAL;
				}
			}
		}
		if (ret) {
			*pos = c->targets[i].pos;
			return ret;
		}
	}
	return 0;
}

/* Apply one validated command to the policy state. */
static void rp_exec_cmd(struct rp_line *l)
{
	struct rp_pol *pol = l->site ? l->site->policy : NULL;
	unsigned int old_nr = pol && (pol->state == RPS_PROMOTED || pol->state == RPS_PINNED) ?
			      pol->nr : 0;

	switch (l->cmd.op) {
	case RP_CMD_PROMOTE:
	case RP_CMD_PIN:
		pol->state = l->cmd.op == RP_CMD_PIN ? RPS_PINNED : RPS_PROMOTED;
		pol->nr = l->cmd.nr_targets;
		memcpy(pol->targets, l->targets, sizeof(pol->targets));
		rp_emit(l->site, pol, old_nr, "command");
		break;
	case RP_CMD_DEMOTE:
	case RP_CMD_UNBLOCK:
		pol->state = RPS_LEARNING;
		pol->nr = 0;
		rp_emit(l->site, pol, old_nr, "command");
		break;
	case RP_CMD_BLOCK:
		pol->state = RPS_BLOCKED;
		pol->nr = 0;
		rp_emit(l->site, pol, old_nr, "blocked");
		break;
	default:
		break;
	}
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
	unsigned int i;

	relpoline_drain_samples(rp_take_sample, &rd);
	relpoline_walk_sites(rp_clear_learned, NULL);
	relpoline_reset_counts();
	for (i = 0; i < rp_nr_weights; i++)
		rp_weights[i].samples = 0;
	rp_default_samples = 0;
	rp_totals.samples = 0;
	rp_totals.dropped = 0;
}

static ssize_t rp_control_write(struct file *filp, const char __user *ubuf, size_t cnt,
				loff_t *ppos)
{
	struct rp_line *lines = NULL;
	unsigned int nr = 0, i, pos;
	char *buf, *p, *nl;
	struct rp_parse_err e;
	const char *msg = NULL;
	int ret = 0;

	buf = rp_get_user("control", ubuf, cnt);
	if (IS_ERR_OR_NULL(buf))
		return PTR_ERR_OR_ZERO(buf);
	lines = kvcalloc(128, sizeof(*lines), GFP_KERNEL);
	if (!lines) {
		kfree(buf);
		return -ENOMEM;
	}
	relpoline_lock();
	/* Parse every line first: a bad line rejects the whole write. */
	for (p = buf; p < buf + cnt; p = nl + 1) {
		unsigned int len;

		nl = memchr(p, '\n', buf + cnt - p);
		if (!nl)
			nl = buf + cnt;
		len = nl - p;
		if (nr == 128) {
			rp_log_err("control", "", "too many commands in one write (128 max)", 0);
			ret = -EINVAL;
			goto out;
		}
		ret = rp_parse_cmd(p, len, &lines[nr].cmd, &e);
		*nl = 0;
		if (ret < 0) {
			rp_log_err("control", p, e.msg, e.pos);
			goto out;
		}
		if (ret == 1) {
			ret = 0;
			continue;
		}
		lines[nr].text = p;
		lines[nr].len = len;
		nr++;
	}
	for (i = 0; i < nr; i++) {
		ret = rp_check_cmd(&lines[i], &msg, &pos);
		if (ret) {
			rp_log_err("control", lines[i].text, msg, pos);
			goto out;
		}
	}
	/* Then apply them, and the text they ask for, as one batch. */
	for (i = 0; i < nr; i++) {
		switch (lines[i].cmd.op) {
		case RP_CMD_RESET:
			rp_reset();
			break;
		case RP_CMD_RETRAIN:
			if (lines[i].site)
				rp_clear_learned(lines[i].site, NULL);
			ret = rp_round(true, lines[i].site, NULL);
			break;
		default:
			rp_exec_cmd(&lines[i]);
		}
	}
	ret = rp_sync_all();
	/* A command on a busy site is kept for later, and reported. */
	for (i = 0; i < nr; i++)
		if (lines[i].site && lines[i].site->busy)
			break;
	if (i < nr && (!ret || ret == -EBUSY)) {
		ret = -EBUSY;
		rp_log_err("control", lines[i].text, "site is modified by someone else (kprobe?)",
			   lines[i].cmd.site.pos);
	} else if (ret) {
		rp_log_sync_err("control", nr ? lines[0].text : "", ret);
	}
out:
	relpoline_unlock();
	kvfree(lines);
	kfree(buf);
	return ret ? ret : cnt;
}

static const struct file_operations rp_control_fops = {
	.open = rp_open_check,
	.write = rp_control_write,
	.llseek = noop_llseek,
};

/* ---- knobs ---- */

enum rp_knob {
	RPK_ENABLE, RPK_MODE, RPK_MAX_TARGETS, RPK_INTERVAL, RPK_MIN_SAMPLES,
	RPK_THRESHOLD, RPK_SAMPLE_PERIOD, RPK_PROFILE,
};

static const struct {
	const char	*name;
	unsigned int	min, max;
	const char	*range;		/* the error message */
} rp_knobs[] = {
	[RPK_ENABLE] = { "enable", 0, 1, "enable is 0 or 1" },
	[RPK_MODE] = { "mode", 0, 0, "mode is auto or manual" },
	[RPK_MAX_TARGETS] = { "max_targets", 1, RELPOLINE_MAX_TARGETS, "max_targets is 1..4" },
	[RPK_INTERVAL] = { "interval_ms", 10, 60000, "interval_ms is 10..60000" },
	[RPK_MIN_SAMPLES] = { "min_samples", 1, 1000000, "min_samples is 1..1000000" },
	[RPK_THRESHOLD] = { "threshold_pct", 1, 100, "threshold_pct is 1..100" },
	[RPK_SAMPLE_PERIOD] = { "sample_period", 1, 1000000, "sample_period is 1..1000000" },
	[RPK_PROFILE] = { "profile", 0, 1, "profile is 0 or 1" },
};

static unsigned int rp_knob_val(enum rp_knob k)
{
	switch (k) {
	case RPK_ENABLE: return rp.enabled;
	case RPK_MAX_TARGETS: return rp.max_targets;
	case RPK_INTERVAL: return rp.interval_ms;
	case RPK_MIN_SAMPLES: return rp.min_samples;
	case RPK_THRESHOLD: return rp.threshold_pct;
	case RPK_SAMPLE_PERIOD: return rp.sample_period;
	case RPK_PROFILE: return rp.profile;
	default: return 0;
	}
}

static ssize_t rp_knob_read(struct file *filp, char __user *ubuf, size_t cnt, loff_t *ppos)
{
	enum rp_knob k = (long)filp->private_data;
	char buf[32];
	int len;

	relpoline_lock();
	if (k == RPK_MODE)
		len = snprintf(buf, sizeof(buf), "%s\n", rp.manual ? "manual" : "auto");
	else
		len = snprintf(buf, sizeof(buf), "%u\n", rp_knob_val(k));
	relpoline_unlock();
	return simple_read_from_buffer(ubuf, cnt, ppos, buf, len);
}

static ssize_t rp_knob_write(struct file *filp, const char __user *ubuf, size_t cnt,
			     loff_t *ppos)
{
	enum rp_knob k = (long)filp->private_data;
	char *buf, *s;
	unsigned int v = 0;
	int ret = 0;

	/* Unlike the list files, a knob needs a value (like tracing_on). */
	if (!cnt) {
		rp_log_err(rp_knobs[k].name, "", "empty write: a value is needed", 0);
		return -EINVAL;
	}
	buf = rp_get_user(rp_knobs[k].name, ubuf, cnt);
	if (IS_ERR_OR_NULL(buf))
		return PTR_ERR_OR_ZERO(buf);
	s = strim(buf);
	relpoline_lock();
	if (k == RPK_MODE) {
		if (strcmp(s, "auto") && strcmp(s, "manual")) {
			rp_log_err("mode", s, rp_knobs[k].range, 0);
			ret = -EINVAL;
		}
	} else if (kstrtouint(s, 10, &v) || v < rp_knobs[k].min || v > rp_knobs[k].max) {
		rp_log_err(rp_knobs[k].name, s, rp_knobs[k].range, 0);
		ret = -EINVAL;
	}
	if (ret)
		goto out;
	switch (k) {
	case RPK_ENABLE:
		ret = rp_set_enabled(v);
		if (ret)
			rp_log_sync_err("enable", s, ret);
		break;
	case RPK_MODE:
		rp.manual = !strcmp(s, "manual");
		break;
	case RPK_MAX_TARGETS:
		rp.max_targets = v;
		break;
	case RPK_INTERVAL:
		rp.interval_ms = v;
		if (rp.enabled)
			mod_delayed_work(system_unbound_wq, &rp_work, msecs_to_jiffies(v));
		break;
	case RPK_MIN_SAMPLES:
		rp.min_samples = v;
		break;
	case RPK_THRESHOLD:
		rp.threshold_pct = v;
		break;
	case RPK_SAMPLE_PERIOD:
		rp.sample_period = v;
		relpoline_set_sample_period(v);
		break;
	case RPK_PROFILE:
		if (rp.profile != v) {
			bool was = rp_profiling();

			rp.profile = v;
			if (rp_profiling() == was)
				break;
			ret = rp_sync_all();
			if (!ret && rp_any_busy())
				ret = -EBUSY;
			if (ret)
				rp_log_sync_err("profile", s, ret);
		}
		break;
	}
out:
	relpoline_unlock();
	kfree(buf);
	return ret ? ret : cnt;
}

static int rp_knob_open(struct inode *inode, struct file *filp)
{
	filp->private_data = inode->i_private;
	return rp_open_check(inode, filp);
}

static const struct file_operations rp_knob_fops = {
	.open = rp_knob_open,
	.read = rp_knob_read,
	.write = rp_knob_write,
	.llseek = default_llseek,
};

/* ---- profile_hold ---- */

/*
 * Hits are counted while profile is 1 or while any file descriptor opened
 * for writing on profile_hold is open: a viewer holds profiling for as
 * long as it runs, even when killed, and two viewers never switch it off
 * under each other. Reading shows the number of holders and holds nothing.
 */
static int rp_hold_open(struct inode *inode, struct file *filp)
{
	int ret = rp_open_check(inode, filp);

	if (ret || !(filp->f_mode & FMODE_WRITE))
		return ret;
	relpoline_lock();
	if (!rp.profile_holders++ && !rp.profile) {
		ret = rp_sync_all();
		if (ret == -EBUSY) {
			/* the busy sites get hit counting once they are free */
			ret = 0;
		} else if (ret) {
			rp_log_sync_err("profile_hold", "open", ret);
			rp.profile_holders--;
			rp_sync_all();
		}
	}
	relpoline_unlock();
	return ret;
}

static int rp_hold_release(struct inode *inode, struct file *filp)
{
	int ret;

	if (!(filp->f_mode & FMODE_WRITE))
		return 0;
	relpoline_lock();
	if (!--rp.profile_holders && !rp.profile) {
		ret = rp_sync_all();
		if (ret && ret != -EBUSY)
			rp_log_sync_err("profile_hold", "close", ret);
	}
	relpoline_unlock();
	return 0;
}

static ssize_t rp_hold_read(struct file *filp, char __user *ubuf, size_t cnt, loff_t *ppos)
{
	char buf[16];
	int len;

	relpoline_lock();
	len = snprintf(buf, sizeof(buf), "%u\n", rp.profile_holders);
	relpoline_unlock();
	return simple_read_from_buffer(ubuf, cnt, ppos, buf, len);
}

/* A holder writes nothing: keeping the descriptor open is the request. */
static ssize_t rp_hold_write(struct file *filp, const char __user *ubuf, size_t cnt,
			     loff_t *ppos)
{
	if (!cnt)
		return 0;
	rp_log_err("profile_hold", "", "nothing to write: keep it open to hold", 0);
	return -EINVAL;
}

static const struct file_operations rp_hold_fops = {
	.open = rp_hold_open,
	.read = rp_hold_read,
	.write = rp_hold_write,
	.release = rp_hold_release,
	.llseek = default_llseek,
};

/* ---- set_relpoline_filter ---- */

static void rp_fill_filter(struct rp_text *t)
{
	unsigned int i;

	if (!rp_nr_filter)
		rp_printf(t, "#### all sites enabled ####\n");
	for (i = 0; i < rp_nr_filter; i++) {
		struct rp_filter_pat *p = &rp_filter[i];

		rp_printf(t, "%s%s", p->negate ? "!" : "", p->mod_only ? "" : p->glob);
		if (p->mod[0])
			rp_printf(t, ":mod:%s", p->mod);
		rp_printf(t, "\n");
	}
}

/*
 * Open a list file (set_relpoline_filter, cgroup_weights): a read snapshot
 * if opened for reading, and for writing whether the first write replaces
 * the list ("> file") or adds to it (">> file"). The VFS clears O_TRUNC from
 * f_flags once ->open() returns, so it is recorded here.
 */
static int rp_list_open(struct inode *inode, struct file *filp,
			void (*fill)(struct rp_text *t))
{
	struct rp_text *t;
	int ret;

	if (filp->f_mode & FMODE_READ) {
		ret = rp_text_open(inode, filp, fill);
		if (ret)
			return ret;
	} else {
		ret = rp_open_check(inode, filp);
		if (ret)
			return ret;
		filp->private_data = kzalloc(sizeof(*t), GFP_KERNEL);
		if (!filp->private_data)
			return -ENOMEM;
	}
	t = filp->private_data;
	t->replace = (filp->f_mode & FMODE_WRITE) && (filp->f_flags & O_TRUNC) &&
		     !(filp->f_flags & O_APPEND);
	return 0;
}

/* "> file" replaces with the first write, ">> file" appends. */
static bool rp_replacing(struct file *filp, loff_t *ppos)
{
	struct rp_text *t = filp->private_data;

	return *ppos == 0 && t->replace;
}

static ssize_t rp_filter_write(struct file *filp, const char __user *ubuf, size_t cnt,
			       loff_t *ppos)
{
	bool append = !rp_replacing(filp, ppos);
	struct rp_filter_pat *pats, *n;
	unsigned int nr = 0, max = 256, i;
	struct rp_parse_err e;
	char *buf, *p, *nl;
	int ret = 0;

	buf = rp_get_user("set_relpoline_filter", ubuf, cnt);
	if (IS_ERR_OR_NULL(buf))
		return PTR_ERR_OR_ZERO(buf);
	pats = kvcalloc(max, sizeof(*pats), GFP_KERNEL);
	if (!pats) {
		kfree(buf);
		return -ENOMEM;
	}
	relpoline_lock();
	for (p = buf; p < buf + cnt; p = nl + 1) {
		nl = memchr(p, '\n', buf + cnt - p);
		if (!nl)
			nl = buf + cnt;
		if (nr == max) {
			rp_log_err("set_relpoline_filter", "", "too many patterns (256 max)", 0);
			ret = -EINVAL;
			goto out;
		}
		ret = rp_parse_filter(p, nl - p, &pats[nr], &e);
		*nl = 0;
		if (ret < 0) {
			rp_log_err("set_relpoline_filter", p, e.msg, e.pos);
			goto out;
		}
		if (!ret)
			nr++;
		ret = 0;
	}
	if (append && rp_nr_filter + nr > max) {
		rp_log_err("set_relpoline_filter", "", "too many patterns (256 max)", 0);
		ret = -EINVAL;
		goto out;
	}
	n = kvcalloc(max, sizeof(*n), GFP_KERNEL);
	if (!n) {
		ret = -ENOMEM;
		goto out;
	}
	i = 0;
	if (append) {
		memcpy(n, rp_filter, rp_nr_filter * sizeof(*n));
		i = rp_nr_filter;
	}
	memcpy(n + i, pats, nr * sizeof(*n));
	kvfree(rp_filter);
	rp_filter = n;
	rp_nr_filter = i + nr;
	rp_filter_gen++;
	ret = rp_sync_all();
	if (ret)
		rp_log_sync_err("set_relpoline_filter", buf, ret);
out:
	relpoline_unlock();
	kvfree(pats);
	kfree(buf);
	if (ret)
		return ret;
	*ppos += cnt;
	return cnt;
}

static int rp_filter_fopen(struct inode *inode, struct file *filp)
{
	return rp_list_open(inode, filp, rp_fill_filter);
}

static const struct file_operations rp_filter_fops = {
	.open = rp_filter_fopen,
	.read = rp_text_read,
	.write = rp_filter_write,
	.llseek = default_llseek,
	.release = rp_text_release,
};

/* ---- cgroup_weights ---- */

static void rp_fill_weights(struct rp_text *t)
{
	struct cgroup *cg;
	unsigned int i;

	rp_printf(t, "# path weight samples\n");
	for (i = 0; i < rp_nr_weights; i++) {
		struct rp_weight *w = &rp_weights[i];
		bool gone;

		cg = cgroup_get_from_id(w->id);
		gone = IS_ERR(cg);
		if (!gone)
			cgroup_put(cg);
		rp_printf(t, "%s %u %llu%s\n", w->path, w->weight, w->samples,
			  gone ? " (deleted)" : "");
	}
	rp_printf(t, "* %u %llu\n", rp_default_weight, rp_default_samples);
}

static int rp_weights_open(struct inode *inode, struct file *filp)
{
	return rp_list_open(inode, filp, rp_fill_weights);
}

static ssize_t rp_weights_write(struct file *filp, const char __user *ubuf, size_t cnt,
				loff_t *ppos)
{
	struct rp_weight_line *wl;
	struct rp_weight *tab;
	unsigned int nr, dflt, i, j;
	struct rp_parse_err e;
	char *buf, *p, *nl;
	int ret = 0;

	buf = rp_get_user("cgroup_weights", ubuf, cnt);
	if (IS_ERR_OR_NULL(buf))
		return PTR_ERR_OR_ZERO(buf);
	wl = kmalloc(sizeof(*wl), GFP_KERNEL);
	tab = kvmalloc_array(RP_MAX_WEIGHTS, sizeof(*tab), GFP_KERNEL);
	if (!wl || !tab) {
		ret = -ENOMEM;
		goto free;
	}
	relpoline_lock();
	/* Work on a copy: a failed write changes nothing. */
	nr = 0;
	dflt = 1;
	if (!rp_replacing(filp, ppos)) {
		memcpy(tab, rp_weights, sizeof(rp_weights));
		nr = rp_nr_weights;
		dflt = rp_default_weight;
	}
	for (p = buf; p < buf + cnt; p = nl + 1) {
		struct cgroup *cg;

		nl = memchr(p, '\n', buf + cnt - p);
		if (!nl)
			nl = buf + cnt;
		ret = rp_parse_weight(p, nl - p, wl, &e);
		*nl = 0;
		if (ret < 0) {
			rp_log_err("cgroup_weights", p, e.msg, e.pos);
			goto out;
		}
		if (ret == 1) {
			ret = 0;
			continue;
		}
		if (wl->is_default) {
			dflt = wl->weight;
			continue;
		}
		for (i = 0; i < nr; i++)
			if (!strcmp(tab[i].path, wl->path))
				break;
		if (wl->remove) {
			if (i == nr) {
				rp_log_err("cgroup_weights", p, "no such entry", 1);
				ret = -ENOENT;
				goto out;
			}
			for (j = i; j + 1 < nr; j++)
				tab[j] = tab[j + 1];
			nr--;
			continue;
		}
		cg = cgroup_get_from_path(wl->path);
		if (IS_ERR(cg)) {
			rp_log_err("cgroup_weights", p, "no such cgroup (cgroup v2 path)", 0);
			ret = -ENOENT;
			goto out;
		}
		if (i == nr) {
			if (nr == RP_MAX_WEIGHTS) {
				cgroup_put(cg);
				rp_log_err("cgroup_weights", p, "too many entries (64 max)", 0);
				ret = -EINVAL;
				goto out;
			}
			nr++;
			tab[i].samples = 0;
		}
		tab[i].id = cgroup_id(cg);
		strscpy(tab[i].path, wl->path, sizeof(tab[i].path));
		tab[i].weight = wl->weight;
		cgroup_put(cg);
	}
	memcpy(rp_weights, tab, sizeof(rp_weights));
	rp_nr_weights = nr;
	rp_default_weight = dflt;
	*ppos += cnt;
out:
	relpoline_unlock();
free:
	kvfree(tab);
	kfree(wl);
	kfree(buf);
	return ret ? ret : cnt;
}

static const struct file_operations rp_weights_fops = {
	.open = rp_weights_open,
	.read = rp_text_read,
	.write = rp_weights_write,
	.llseek = default_llseek,
	.release = rp_text_release,
};

/* ---- trace_stat/relpoline ---- */

/*
 * One row per stubbed site. The site is named when the row is shown, not
 * when the rows are collected: naming a module site is a kallsyms lookup,
 * a linear scan of the module's symbols, and only the rows read need it.
 */
struct rp_stat_row {
	u64		hits, misses;
	unsigned int	id;
};

struct rp_stat_iter {
	struct rp_stat_row	**rows;
	unsigned int		nr, max;
};

static struct rp_stat_iter rp_stat_it;

static int rp_stat_collect(struct relpoline_site *s, void *data)
{
	struct rp_stat_iter *it = data;
	struct rp_stat_row *row, **n;

	if (!s->stub)
		return 0;
	if (it->nr == it->max) {
		it->max = max(64U, it->max * 2);
		n = kvrealloc(it->rows, it->max * sizeof(*n), GFP_KERNEL);
		if (!n)
			return -ENOMEM;
		it->rows = n;
	}
	row = kzalloc(sizeof(*row), GFP_KERNEL);
	if (!row)
		return -ENOMEM;
	relpoline_site_counts(s, &row->hits, &row->misses);
	row->id = s->id;
	it->rows[it->nr++] = row;
	return 0;
}

static void *rp_stat_start(struct tracer_stat *trace)
{
	unsigned int i;

	for (i = 0; i < rp_stat_it.nr; i++)
		rp_stat_it.rows[i] = NULL;
	rp_stat_it.nr = 0;
	relpoline_lock();
	relpoline_walk_sites(rp_stat_collect, &rp_stat_it);
	relpoline_unlock();
	return rp_stat_it.nr ? rp_stat_it.rows[0] : NULL;
}

static void *rp_stat_next(void *prev, int idx)
{
	return idx < rp_stat_it.nr ? rp_stat_it.rows[idx] : NULL;
}

static int rp_stat_cmp(const void *a, const void *b)
{
	const struct rp_stat_row *x = a, *y = b;
	u64 cx = x->hits + x->misses, cy = y->hits + y->misses;

	return cx > cy ? 1 : cx < cy ? -1 : 0;
}

static int rp_stat_show(struct seq_file *m, void *p)
{
	struct rp_stat_row *row = p;
	u64 n = row->hits + row->misses;
	struct rp_text t = { .seq = m };
	struct relpoline_site *site;

	seq_printf(m, "%12llu %12llu %5llu.%01llu%%  ", row->hits, row->misses,
		   n ? div64_u64(row->hits * 100, n) : 0,
		   n ? div64_u64(row->hits * 1000, n) % 10 : 0);
	relpoline_lock();
	site = relpoline_find_site_id(row->id);
	if (site)
		rp_print_site(&t, site);
	else
		rp_printf(&t, "%u (gone)", row->id);
	relpoline_unlock();
	seq_putc(m, '\n');
	return 0;
}

static void rp_stat_release(void *p)
{
	kfree(p);
}

struct rp_count {
	unsigned int	state[RPS_BLOCKED + 2];
	u64		hits, misses;
};

static int rp_count_one(struct relpoline_site *s, void *data)
{
	struct rp_count *c = data;
	struct rp_pol *pol = s->policy;
	u64 h, m;

	if (s->refused)
		return 0;
	if (s->busy)
		c->state[RPS_BLOCKED + 1]++;
	else if (!rp.enabled || !pol || !rp_selected(s))
		c->state[pol && pol->state == RPS_BLOCKED ? RPS_BLOCKED : RPS_OFF]++;
	else
		c->state[pol->state]++;
	relpoline_site_counts(s, &h, &m);
	c->hits += h;
	c->misses += m;
	return 0;
}

static int rp_stat_headers(struct seq_file *m)
{
	struct relpoline_stats st;
	struct rp_count c = {};
	unsigned int i;

	relpoline_lock();
	relpoline_get_stats_locked(&st);
	relpoline_walk_sites(rp_count_one, &c);
	seq_puts(m, "# totals:");
	for (i = RPS_OFF; i <= RPS_BLOCKED; i++)
		seq_printf(m, " %s=%u", rp_state_names[i], c.state[i]);
	seq_printf(m, " busy=%u refused=%u sites=%u\n", c.state[RPS_BLOCKED + 1], st.refused,
		   st.sites);
	seq_printf(m, "# hits=%llu misses=%llu retrains=%lu last_retrain_us=%llu batches=%lu ipi_rounds=%lu patched=%lu stub_bytes=%lu stub_pool_bytes=%lu samples=%lu dropped=%lu\n",
		   c.hits, c.misses, rp_totals.retrains, rp_totals.last_retrain_us,
		   st.batches, st.ipi_rounds, st.patched, st.stub_bytes, st.stub_pool_bytes,
		   rp_totals.samples, rp_totals.dropped);
	relpoline_unlock();
	seq_puts(m, "#         hits       misses    hit%  id site module form reg\n");
	return 0;
}

static struct tracer_stat rp_stat = {
	.name = "relpoline",
	.stat_start = rp_stat_start,
	.stat_next = rp_stat_next,
	.stat_cmp = rp_stat_cmp,
	.stat_show = rp_stat_show,
	.stat_release = rp_stat_release,
	.stat_headers = rp_stat_headers,
};

/* ---- modules ---- */

static int rp_mod_one(struct relpoline_site *site, void *data)
{
	struct module *mod = data;
	struct rp_pol *pol = site->policy;
	unsigned int i, k = 0, old_nr;

	if (!pol)
		return 0;
	if (site->mod == mod) {
		kfree(pol);
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
		rp_sync_all();
	relpoline_unlock();
	return NOTIFY_OK;
}

/* Runs before the arch notifier (priority -1), which frees the sites. */
static struct notifier_block rp_module_nb = {
	.notifier_call = rp_module_notify,
};

/* ---- init ---- */

static __init int rp_init_tracefs(void)
{
	int i;

	if (relpoline_unavailable())
		return 0;
	if (tracing_init_dentry())
		return 0;
	rp_dir = tracefs_create_dir("relpoline", NULL);
	if (!rp_dir) {
		pr_warn("could not create tracefs directory\n");
		return -ENOMEM;
	}
	for (i = 0; i < ARRAY_SIZE(rp_knobs); i++)
		trace_create_file(rp_knobs[i].name, TRACE_MODE_WRITE, rp_dir,
				  (void *)(long)i, &rp_knob_fops);
	trace_create_file("sites", TRACE_MODE_READ, rp_dir, NULL, &rp_sites_fops);
	trace_create_file("available_sites", TRACE_MODE_READ, rp_dir, NULL, &rp_avail_fops);
	trace_create_file("control", 0200, rp_dir, NULL, &rp_control_fops);
	trace_create_file("profile_hold", TRACE_MODE_WRITE, rp_dir, NULL, &rp_hold_fops);
	trace_create_file("set_relpoline_filter", TRACE_MODE_WRITE, rp_dir, NULL,
			  &rp_filter_fops);
	trace_create_file("cgroup_weights", TRACE_MODE_WRITE, rp_dir, NULL, &rp_weights_fops);
	register_stat_tracer(&rp_stat);
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
late_initcall(rp_init_tracefs);
