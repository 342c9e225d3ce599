/* SPDX-License-Identifier: GPL-2.0 */
/*
 * relpoline: what the files of the tracing side share (like trace.h).
 *
 *   relpoline_policy.c  what each site should be: the knobs, the filter,
 *                       the cgroup weights, learning, the policy round and
 *                       its worker, and the sync of sites to their state
 *   relpoline_ftrace.c  the tracefs interface (uses the policy)
 *   relpoline_stat.c    trace_stat/relpoline (uses both)
 *
 * Locking: the policy's state (the knobs, the policy state of every site,
 * the filter, the cgroup weight table, the totals) and the tracefs side's
 * error-message table are protected by relpoline_lock(), the arch mutex
 * that also serialises patching and protects the arch's site table. Every
 * function declared here must be called with relpoline_lock() held,
 * except rp_policy_init() and the rp_text helpers (which lock nothing and
 * need the lock only for what they print). The worker takes the lock for a
 * whole round; tracefs writes take it for the whole write, so a write is
 * applied atomically with respect to retrains.
 */
#ifndef _KERNEL_TRACE_RELPOLINE_INTERNAL_H
#define _KERNEL_TRACE_RELPOLINE_INTERNAL_H

#include <linux/init.h>
#include <linux/relpoline_parse.h>
#include <linux/seq_file.h>
#include <linux/types.h>
#include <asm/relpoline.h>

/* ---- relpoline_policy.c ---- */

/* The state of a site, as the policy keeps it and as files show it. */
enum rp_state {
	RPS_OFF,		/* not managed: boot bytes */
	RPS_LEARNING,		/* stub without targets, sampling */
	RPS_PROMOTED,		/* stub with targets chosen by policy or command */
	RPS_PINNED,		/* stub with targets the policy leaves alone */
	RPS_BLOCKED,		/* never promoted: boot bytes */
	RPS_BUSY,		/* shown only: someone else's bytes (a kprobe) */
	RPS_NR_STATES,
};

extern const char * const rp_state_names[RPS_NR_STATES];

/* The policy's knobs; enable and mode too (mode: 0 auto, 1 manual). */
enum rp_knob {
	RPK_ENABLE, RPK_MODE, RPK_MAX_TARGETS, RPK_INTERVAL, RPK_MIN_SAMPLES,
	RPK_THRESHOLD, RPK_SAMPLE_PERIOD, RPK_PROFILE, RPK_NR_KNOBS,
};

unsigned int rp_policy_get(enum rp_knob knob);
int rp_policy_set(enum rp_knob knob, unsigned int val);
int rp_policy_hold_profile(bool hold);
unsigned int rp_policy_profile_holders(void);
bool rp_policy_counting(unsigned int *epoch);

/* Totals since boot (samples and dropped: since the last reset). */
struct rp_totals {
	unsigned long	retrains;
	u64		last_retrain_us;
	unsigned long	samples;
	unsigned long	dropped;
	/* sites the last round visited (decided on and aged) */
	unsigned int	round_sites;
	/* the policy's state of the sites that have one */
	unsigned long	policy_bytes;
};

const struct rp_totals *rp_policy_totals(void);

/* set_relpoline_filter: the patterns, replaced whole. */
unsigned int rp_policy_filter(const struct rp_filter_pat **pats);
int rp_policy_set_filter(struct rp_filter_pat *pats, unsigned int nr);

/* cgroup_weights: entries by cgroup id (stops matching when deleted). */
#define RP_MAX_WEIGHTS	64

struct rp_weight {
	u64		id;
	char		path[RP_CGROUP_PATH_MAX + 1];
	unsigned int	weight;
	u64		samples;	/* attributed since reset */
};

struct rp_weight_table {
	unsigned int		nr;
	struct rp_weight	ent[RP_MAX_WEIGHTS];
	unsigned int		dflt;		/* for cgroups without an entry */
	u64			dflt_samples;	/* theirs, since reset */
};

const struct rp_weight_table *rp_policy_weights(void);
void rp_policy_set_weights(const struct rp_weight_table *t);

/* Sites: their state, and commands on them */
const char *rp_site_func(struct relpoline_site *site, char *name,
			 unsigned long *off, unsigned long *size, const char **modname);
bool rp_selected(struct relpoline_site *site);
bool rp_site_managed(struct relpoline_site *site);
enum rp_state rp_site_state(struct relpoline_site *site);
int rp_policy_prepare(struct relpoline_site *site);
void rp_policy_command(enum rp_cmd_op op, struct relpoline_site *site,
		       const unsigned long *targets, unsigned int nr);
int rp_policy_sync(void);
int __init rp_policy_init(void);

/* ---- relpoline_ftrace.c ---- */

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
void rp_print_target(struct rp_text *t, unsigned long addr);

#endif /* _KERNEL_TRACE_RELPOLINE_INTERNAL_H */
