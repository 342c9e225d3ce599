/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Relpoline: parsers of the tracefs control files and the promotion policy.
 *
 * Everything declared here is pure: no allocation, no locking and no global
 * state, so that kernel/trace/relpoline_parse.c also builds in userspace
 * (tests/unit/parse, tests/fuzz), where the shims of tests/kshim stand in
 * for the kernel headers it includes.
 *
 * All parsers take a line as (pointer, length): the length is authoritative,
 * the line needs no terminating NUL and a NUL byte inside it is an error.
 * They return 0 when the line holds an entry, 1 when it is empty, blank or a
 * comment (first non-blank character '#'), and -EINVAL otherwise, with the
 * details in the optional struct rp_parse_err.
 */
#ifndef _LINUX_RELPOLINE_PARSE_H
#define _LINUX_RELPOLINE_PARSE_H

#include <linux/errno.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/relpoline_types.h>
#include <linux/types.h>

/* Longest cgroup path accepted in the weights file, without the NUL */
#define RP_CGROUP_PATH_MAX	255
/* Largest cgroup weight */
#define RP_WEIGHT_MAX		1000

/* Policy defaults (see rp_decay() for what they imply) */
#define RP_POLICY_DEFAULT_MAX_TARGETS	2
#define RP_POLICY_DEFAULT_MIN_SAMPLES	32
#define RP_POLICY_DEFAULT_THRESHOLD_PCT	10

enum rp_cmd_op {
	RP_CMD_PROMOTE,		/* promote SITE TARGET[,TARGET...] */
	RP_CMD_PIN,		/* pin SITE TARGET[,TARGET...] */
	RP_CMD_DEMOTE,		/* demote SITE */
	RP_CMD_BLOCK,		/* block SITE */
	RP_CMD_UNBLOCK,		/* unblock SITE */
	RP_CMD_RETRAIN,		/* retrain [SITE] */
	RP_CMD_RESET,		/* reset */
};

enum rp_ref_kind {
	RP_REF_ID,		/* decimal site id */
	RP_REF_SYM,		/* symbol (+0xOFF for a site, [module] for a target) */
	RP_REF_ADDR,		/* 0xADDRESS */
};

/**
 * struct rp_site_ref - a call site as named on a command line
 * @kind: how the site is named
 * @val: the site id (RP_REF_ID) or the address (RP_REF_ADDR)
 * @sym: the symbol (RP_REF_SYM), "" otherwise
 * @off: the offset from @sym (RP_REF_SYM)
 * @pos: byte offset of the site in the line (for error carets)
 */
struct rp_site_ref {
	enum rp_ref_kind kind;
	u64 val;
	char sym[KSYM_NAME_LEN];
	u64 off;
	unsigned int pos;
};

/**
 * struct rp_target_ref - a call target as named on a command line
 * @kind: RP_REF_SYM or RP_REF_ADDR
 * @addr: the address (RP_REF_ADDR)
 * @sym: the symbol (RP_REF_SYM), "" otherwise
 * @mod: the module of @sym when written symbol[module], "" otherwise
 * @pos: byte offset of the target in the line (for error carets)
 */
struct rp_target_ref {
	enum rp_ref_kind kind;
	u64 addr;
	char sym[KSYM_NAME_LEN];
	char mod[MODULE_NAME_LEN];
	unsigned int pos;
};

/**
 * struct rp_cmd - one parsed command
 * @op: the command
 * @has_site: a site was given (always for all but retrain and reset)
 * @site: the site, if @has_site
 * @nr_targets: number of entries in @targets (1..RELPOLINE_MAX_TARGETS for
 *	promote and pin)
 * @targets: the targets of promote and pin, distinct, in the order given
 *
 * About 3 KiB: allocate it, do not put it on the kernel stack.
 */
struct rp_cmd {
	enum rp_cmd_op op;
	bool has_site;
	struct rp_site_ref site;
	unsigned int nr_targets;
	struct rp_target_ref targets[RELPOLINE_MAX_TARGETS];
};

/**
 * struct rp_parse_err - why a line was rejected
 * @err: the error returned, -EINVAL (0 when the line was accepted)
 * @pos: byte offset in the line of the offending token, list element or
 *	 character ("bad character"); the end of the line when something is
 *	 missing
 * @msg: a static string saying what is wrong (NULL when accepted)
 */
struct rp_parse_err {
	int err;
	unsigned int pos;
	const char *msg;
};

int rp_parse_cmd(const char *line, unsigned int len, struct rp_cmd *cmd,
		 struct rp_parse_err *e);

/**
 * struct rp_filter_pat - one line of the site filter (set_ftrace_filter syntax)
 * @negate: the line started with '!' (remove matching functions)
 * @glob: the glob for the containing function; "*" when @mod_only
 * @mod: the module, "" for any (vmlinux and all modules)
 * @mod_only: the line was ":mod:NAME" or "!:mod:NAME"
 */
struct rp_filter_pat {
	bool negate;
	char glob[KSYM_NAME_LEN];
	char mod[MODULE_NAME_LEN];
	bool mod_only;
};

int rp_parse_filter(const char *line, unsigned int len, struct rp_filter_pat *p,
		    struct rp_parse_err *e);

/**
 * struct rp_weight_line - one line of the cgroup weights file
 * @remove: the line was "!PATH"
 * @is_default: the line was "* WEIGHT"; @path is ""
 * @path: the absolute cgroup v2 path
 * @weight: 0..RP_WEIGHT_MAX (unset for @remove)
 */
struct rp_weight_line {
	bool remove;
	bool is_default;
	char path[RP_CGROUP_PATH_MAX + 1];
	unsigned int weight;
};

/**
 * struct rp_weight_ent - one entry of the cgroup weight table
 * @path: absolute cgroup v2 path, as validated by rp_parse_weight()
 * @weight: its weight
 */
struct rp_weight_ent {
	char path[RP_CGROUP_PATH_MAX + 1];
	unsigned int weight;
};

int rp_parse_weight(const char *line, unsigned int len,
		    struct rp_weight_line *w, struct rp_parse_err *e);
int rp_weight_lookup(const struct rp_weight_ent *tab, unsigned int n,
		     unsigned int dflt, const char *cgpath, int *match);

/**
 * struct rp_cand - a target observed at a site
 * @target: its address
 * @score: decayed, weighted sample count
 */
struct rp_cand {
	u64 target;
	u64 score;
};

/**
 * struct rp_policy - promotion policy knobs
 * @max_targets: targets per site, 1..RELPOLINE_MAX_TARGETS (clamped)
 * @min_samples: raw samples a site needs in a window before it is changed
 * @threshold_pct: share of the site's score a target needs, 1..100 (clamped)
 */
struct rp_policy {
	unsigned int max_targets;
	unsigned int min_samples;
	unsigned int threshold_pct;
};

unsigned int rp_policy_decide(const struct rp_cand *cand, unsigned int nr_cand,
			      u64 site_total, u64 site_samples,
			      const u64 *cur, unsigned int nr_cur,
			      const struct rp_policy *p, u64 *out);
void rp_decay(u64 *score);

/**
 * struct rp_saved_win - the window over which the rate of saved cycles is
 *			 measured (trace_stat/relpoline's estimate)
 * @saved:	saved cycles when the window opened
 * @at_ms:	when it opened (ms, a monotonic clock)
 * @epoch:	the hit counting epoch it belongs to (see rp_saved_rate())
 * @open:	a window is open
 * @have_rate:	@rate and @window_ms hold the rate of a closed window
 * @rate:	saved cycles per second over that window
 * @window_ms:	its length
 */
struct rp_saved_win {
	u64		saved;
	u64		at_ms;
	unsigned int	epoch;
	bool		open;
	bool		have_rate;
	u64		rate;
	u64		window_ms;
};

#define RP_SAVED_MIN_WINDOW_MS	1000

u64 rp_saved_cycles(u64 hits, u64 slow_x100, u64 hit_x100);
void rp_saved_rate(struct rp_saved_win *w, u64 saved, u64 now_ms, bool counting,
		   unsigned int epoch);
u64 rp_saved_share_ppm(u64 rate, u64 khz);

#endif /* _LINUX_RELPOLINE_PARSE_H */
