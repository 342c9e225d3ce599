/* SPDX-License-Identifier: GPL-2.0 */
/*
 * relpoline: what the files of the tracing side share (like trace.h).
 *
 *   relpoline_policy.c  what each site should be: the knobs, the filter,
 *                       the cgroup weights, learning, the policy round and
 *                       its worker, and the sync of sites to their state
 *   relpoline_ftrace.c  the tracefs interface
 *   relpoline_stat.c    trace_stat/relpoline
 *
 * Locking: everything declared here (knobs, the policy state of every
 * site, the filter, the cgroup weight table) is protected by
 * relpoline_lock(), the arch mutex that also serialises patching. The
 * worker takes it for a whole round; tracefs writes take it for the whole
 * write, so a write is applied atomically with respect to retrains.
 */
#ifndef _KERNEL_TRACE_RELPOLINE_INTERNAL_H
#define _KERNEL_TRACE_RELPOLINE_INTERNAL_H

#include <linux/relpoline_parse.h>
#include <linux/seq_file.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <asm/relpoline.h>

/* Desired state of a managed site. */
enum rp_state {
	RPS_OFF,		/* not managed: boot bytes */
	RPS_LEARNING,		/* stub without targets, sampling */
	RPS_PROMOTED,		/* stub with targets chosen by policy or command */
	RPS_PINNED,		/* stub with targets the policy leaves alone */
	RPS_BLOCKED,		/* never promoted: boot bytes */
};

extern const char * const rp_state_names[];

/*
 * Targets tracked per site: more than can be promoted, so that a target
 * challenging the promoted ones has room (promoted scores are held).
 */
#define RP_CANDS	8
static_assert(RP_CANDS > RELPOLINE_MAX_TARGETS);

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
struct rp_knobs {
	bool		enabled;
	bool		manual;
	unsigned int	max_targets;
	unsigned int	interval_ms;
	unsigned int	min_samples;
	unsigned int	threshold_pct;
	unsigned int	sample_period;
	bool		profile;
};

extern struct rp_knobs rp;

struct rp_totals {
	unsigned long	retrains;
	u64		last_retrain_us;
	unsigned long	samples;
	unsigned long	dropped;
};

extern struct rp_totals rp_totals;

/* set_relpoline_filter patterns; none means every site. */
extern struct rp_filter_pat *rp_filter;
/* Bumped by every filter change: the verdicts cached in rp_pol expire. */
extern unsigned long rp_filter_gen;
extern unsigned int rp_nr_filter;

/* cgroup_weights: entries by cgroup id (stops matching when deleted). */
#define RP_MAX_WEIGHTS	64
struct rp_weight {
	u64		id;
	char		path[RP_CGROUP_PATH_MAX + 1];
	unsigned int	weight;
	u64		samples;
};

extern struct rp_weight rp_weights[RP_MAX_WEIGHTS];
extern unsigned int rp_nr_weights;
extern unsigned int rp_default_weight;
extern u64 rp_default_samples;

extern struct delayed_work rp_work;

/* relpoline_policy.c */
struct rp_pol *rp_pol_get(struct relpoline_site *site);
const char *rp_site_func(struct relpoline_site *site, char *name,
			 unsigned long *off, unsigned long *size, const char **modname);
bool rp_selected(struct relpoline_site *site);
void rp_emit(struct relpoline_site *site, struct rp_pol *pol, unsigned int old_nr,
	     const char *reason);
int rp_sync_all(void);
bool rp_any_busy(void);
int rp_round(bool decide, struct relpoline_site *only, unsigned int *changed);
int rp_set_enabled(bool on);
int rp_clear_learned(struct relpoline_site *site, void *data);
void rp_reset(void);
extern struct notifier_block rp_module_nb;

/* relpoline_ftrace.c */
/* A text buffer built at open and read with simple_read_from_buffer(). */
struct rp_text {
	char	*buf;
	size_t	len, size;
	bool	fixed;		/* @buf is not ours: truncate, never grow */
	bool	replace;	/* opened for write with O_TRUNC, without O_APPEND */
	struct seq_file *seq;	/* if set, print there instead of @buf */
};

__printf(2, 3) void rp_printf(struct rp_text *t, const char *fmt, ...);
void rp_print_site(struct rp_text *t, struct relpoline_site *s);

/* relpoline_stat.c */
extern struct tracer_stat rp_stat;

#endif /* _KERNEL_TRACE_RELPOLINE_INTERNAL_H */
