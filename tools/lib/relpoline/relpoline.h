/* SPDX-License-Identifier: GPL-2.0 */
/*
 * librelpoline - userspace access to the relpoline tracefs interface
 *
 * Layout:
 *   rp_ctx.c      locate the tracing dir, read/write relpoline files,
 *                 send control commands (batched) and collect new
 *                 error_log lines, the running kernel's build identity
 *   rp_sites.c    parse "sites" / "available_sites", find a site (pure)
 *   rp_stat.c     parse trace_stat/relpoline's header totals (pure)
 *   rp_knobs.c    the knob table: names, ranges, defaults   (pure)
 *   rp_errlog.c   diff two error_log snapshots             (pure)
 *   rp_profile.c  profile parse/format/merge (pure), save/load (tracefs)
 *   rp_symtab.c   kallsyms-format symbol tables             (pure)
 *   rp_events.c   follow relpoline trace events (libtracefs/libtraceevent)
 *   rp_obuf.c     growable output buffer                   (pure)
 *   rp_json.c     the one JSON writer and schema           (pure)
 *
 * "Pure" files do no I/O on the tracing dir and are unit tested directly.
 */
#ifndef RELPOLINE_H
#define RELPOLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RP_VERSION		"0.1"

/* Longest line accepted in sites/available_sites/profile files. */
#define RP_MAX_LINE		8192
/* Contract: max_targets is 1..4. Parsers accept more (future kernels). */
#define RP_MAX_TARGETS_KNOB	4
#define RP_PROFILE_VERSION	2
/* Lines per control write (the kernel takes up to 128, 64 KiB). */
#define RP_CONTROL_BATCH	128
#define RP_MAX_WRITE		(64 * 1024)
/* The JSON schema version of every --json / --format json output. */
#define RP_JSON_SCHEMA		1

/* ------------------------------------------------------------------ */
/* enums                                                               */

enum rp_state {
	RP_STATE_OFF,
	RP_STATE_LEARNING,
	RP_STATE_PROMOTED,
	RP_STATE_PINNED,
	RP_STATE_BLOCKED,
	RP_STATE_BUSY,
	RP_STATE_NR,
	RP_STATE_NONE = RP_STATE_NR,	/* available_sites lines carry no state */
};

enum rp_form {
	RP_FORM_CALL,
	RP_FORM_JMP,
	RP_FORM_JCC,
	RP_FORM_NR,
};

const char *rp_state_name(enum rp_state s);
int rp_state_parse(const char *s);		/* -1 if unknown */
const char *rp_form_name(enum rp_form f);
int rp_form_parse(const char *s);		/* -1 if unknown */

/* ------------------------------------------------------------------ */
/* sites                                                               */

struct rp_target {
	const char *sym;
	const char *mod;		/* NULL: vmlinux */
	uint64_t hits;
};

struct rp_site {
	unsigned long id;
	const char *sym;		/* containing function */
	unsigned long off;
	unsigned long size;
	const char *mod;		/* NULL: vmlinux ("-" in the file) */
	enum rp_form form;
	const char *reg;
	enum rp_state state;		/* RP_STATE_NONE for available_sites */
	uint64_t hits;
	uint64_t misses;
	unsigned int nr_targets;
	struct rp_target *targets;
	unsigned int nr_extra;		/* unknown (future) columns skipped */
	unsigned int line;		/* 1-based line in the source text */
};

struct rp_sites {
	size_t nr;
	struct rp_site *v;
	/* private storage: tokens point into buf */
	char *buf;
	struct rp_target *tv;
	size_t ntv;
	bool ascending;			/* ids strictly ascending */
};

struct rp_syntax_err {
	unsigned int line;		/* 0: not line specific */
	char msg[256];
};

/*
 * Fill err (if not NULL) with "line N: " (when line is not 0) and the
 * formatted message; returns -EINVAL, for "return rp_syntax_error(...)".
 */
int rp_syntax_error(struct rp_syntax_err *err, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parse the text of relpoline/sites (available == false) or
 * relpoline/available_sites (available == true).
 *
 * Lines starting with '#' and blank lines are ignored. Every other line
 * must be well formed; the first malformed one fails the whole parse with
 * -EINVAL and err->line/err->msg describe it ("line 12: bad state 'foo'").
 * Unknown columns between the known ones and the trailing targets are
 * tolerated (counted in nr_extra) as long as they contain no ':' -- once
 * a token contains ':' every following token must be a valid target.
 * Returns 0 or -errno. out must be freed with rp_sites_free() on success.
 */
int rp_sites_parse(const char *text, size_t len, bool available,
		   struct rp_sites *out, struct rp_syntax_err *err);
/* Same, parsing buf in place; buf (malloc'd, len + 1 bytes) is owned by
 * out afterwards, or freed on error. */
int rp_sites_parse_owned(char *buf, size_t len, bool available,
			 struct rp_sites *out, struct rp_syntax_err *err);
void rp_sites_free(struct rp_sites *s);

/* The site with this id, or NULL (binary search when ids ascend). */
const struct rp_site *rp_sites_find_id(const struct rp_sites *s, unsigned long id);
/* Order of site identities: module (vmlinux first), symbol, offset. */
int rp_site_key_cmp(const char *sym1, unsigned long off1, const char *mod1,
		    const char *sym2, unsigned long off2, const char *mod2);
/* Sites sorted by (module, symbol, offset), for rp_sites_find_key(). */
const struct rp_site **rp_sites_by_key(const struct rp_sites *s);
const struct rp_site *rp_sites_find_key(const struct rp_site * const *idx, size_t n,
					const char *sym, unsigned long off, const char *mod);

/* Format "sym+0xOFF/0xSIZE" / "sym+0xOFF" into buf; returns buf. */
char *rp_site_name(const struct rp_site *s, char *buf, size_t len);
char *rp_site_key(const struct rp_site *s, char *buf, size_t len);
/* "sym" or "sym[mod]" */
char *rp_target_name(const struct rp_target *t, char *buf, size_t len);

/* Parse a "symbol+0xOFF[/0xSIZE]" token. sym is copied into symbuf. */
int rp_parse_site_token(const char *tok, char *symbuf, size_t symlen,
			unsigned long *off, unsigned long *size);
/* Parse "sym[mod]:NUM" ("sym:NUM"); need_hits=false also accepts "sym[mod]". */
int rp_parse_target_token(char *tok, bool need_hits, const char **sym,
			  const char **mod, uint64_t *hits);

/* ------------------------------------------------------------------ */
/* trace_stat/relpoline totals                                         */

/*
 * The header lines of trace_stat/relpoline, as the kernel prints them:
 *
 *   # totals: off=N learning=N promoted=N pinned=N blocked=N busy=N refused=N sites=N
 *   # hits=N misses=N retrains=N last_retrain_us=N round_sites=N batches=N ipi_rounds=N patched=N
 *     stub_bytes=N stub_pool_bytes=N samples=N dropped=N ...
 *   [# estimate: slow_cycles_x100=N hit_cycles_x100=N saved_cycles=N
 *     [saved_cycles_per_sec=N cpu_share_ppm=N saved_window_ms=N] cycle_khz=N ...]
 *
 * Every value is -1 when the file does not have it.
 */
struct rp_stat {
	long long state[RP_STATE_NR];
	long long refused;
	long long sites;
	long long hits;
	long long misses;
	long long retrains;
	long long last_retrain_us;
	long long round_sites;		/* sites the last policy round visited */
	long long batches;
	long long ipi_rounds;
	long long patched;
	long long stub_bytes;
	long long stub_pool_bytes;
	long long samples;		/* slow-path calls recorded for learning */
	long long dropped;		/* samples lost: learning starved */
	long long saved_cycles;		/* kernel estimate, when it provides one */
	/* the rest of the kernel's "# estimate:" line (see relpoline.rst) */
	long long saved_cycles_per_sec;	/* over the kernel's last window */
	long long cpu_share_ppm;	/* that rate, per million of one CPU */
	long long saved_window_ms;	/* the window */
	long long slow_cycles_x100;	/* calibration: a call's slow path */
	long long hit_cycles_x100;	/* calibration: a promoted hit */
	long long cycle_khz;		/* the clock of those cycles */
};

/* key name and offset of every value of struct rp_stat (states excluded) */
struct rp_stat_key {
	const char *name;
	size_t off;
	bool required;			/* a kernel without it is not ours */
};
extern const struct rp_stat_key rp_stat_keys[];
extern const size_t rp_nr_stat_keys;
/*
 * What one promoted hit saves by the kernel's calibration, x100 cycles:
 * max(0, slow - hit), as the kernel computes saved_cycles; -1 when the
 * kernel has not calibrated (no "# estimate:" figures).
 */
static inline long long rp_stat_saved_per_hit_x100(const struct rp_stat *st)
{
	if (st->slow_cycles_x100 < 0 || st->hit_cycles_x100 < 0)
		return -1;
	return st->slow_cycles_x100 > st->hit_cycles_x100 ?
	       st->slow_cycles_x100 - st->hit_cycles_x100 : 0;
}

static inline long long rp_stat_val(const struct rp_stat *st, const struct rp_stat_key *k)
{
	return *(const long long *)((const char *)st + k->off);
}

void rp_stat_init(struct rp_stat *st);
/*
 * Parse the "# key=value ..." header lines (per-site rows are skipped).
 * Unknown keys are ignored (newer kernels); a malformed key=value token
 * or a missing required key fails with -EINVAL and err says which.
 */
int rp_stat_parse(const char *text, size_t len, struct rp_stat *st,
		  struct rp_syntax_err *err);

/* ------------------------------------------------------------------ */
/* knobs                                                               */

struct rp_knob {
	const char *name;
	long long min, max, def;
	const char *help;		/* one line, no range */
};
/* every numeric knob of relpoline/, in the order the tools show them */
extern const struct rp_knob rp_knobs[];
extern const size_t rp_nr_knobs;
const struct rp_knob *rp_knob_find(const char *name);

/* ------------------------------------------------------------------ */
/* error_log                                                           */

/*
 * Return (malloc'd) the entries present in 'after' that were not in
 * 'before'. error_log is a bounded FIFO of multi-line entries that each
 * start with '['; the longest suffix of before's entries that is a
 * prefix of after's entries is considered old. Returns NULL if nothing
 * is new (or on ENOMEM).
 */
char *rp_errlog_new(const char *before, const char *after);
/* First "error: <msg>" text of an error_log block (or its first line). */
void rp_errlog_summary(const char *log, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* context / tracefs access                                            */

enum rp_open_err {
	RP_OPEN_OK = 0,
	RP_OPEN_NO_TRACEFS,		/* tracefs not mounted */
	RP_OPEN_NO_RELPOLINE,		/* no relpoline/ in the tracing dir */
	RP_OPEN_NO_DIR,			/* -t DIR does not exist */
	RP_OPEN_PERM,			/* EACCES/EPERM looking at the dir */
	RP_OPEN_NOMEM,
};

struct rp_ctx {
	char *tracing_dir;
	char *dir;			/* tracing_dir/relpoline */
	bool fake;			/* dir given explicitly (-t / env) */
};

struct rp_result {
	int err;			/* positive errno, 0 on success */
	char msg[1024];			/* short reason (kernel error_log or strerror) */
	char *log;			/* malloc'd new error_log entries or NULL */
};

void rp_result_clear(struct rp_result *r);

/*
 * Open the relpoline interface. dir == NULL: find the tracefs mount with
 * libtracefs (without mounting it). Otherwise use dir as the tracing dir
 * (ctx->fake = true). On failure *why says what was wrong and msg holds
 * a human readable sentence.
 */
struct rp_ctx *rp_open(const char *dir, enum rp_open_err *why,
		       char *msg, size_t msglen);
void rp_close(struct rp_ctx *ctx);

/* path of NAME inside relpoline/ (or the tracing dir for rp_tpath) */
int rp_path(const struct rp_ctx *ctx, const char *name, char *buf, size_t len);
int rp_tpath(const struct rp_ctx *ctx, const char *name, char *buf, size_t len);
bool rp_exists(const struct rp_ctx *ctx, const char *name);

/* Growable read buffer, reused between reads (relpoline-top). */
struct rp_buf {
	char *p;
	size_t len;
	size_t cap;
};
void rp_buf_free(struct rp_buf *b);

/* Read a whole file (tracefs files report size 0). 0 or -errno. */
int rp_read_path(const char *path, struct rp_buf *b);
int rp_read(const struct rp_ctx *ctx, const char *name, struct rp_buf *b);
/* relative to the tracing dir, e.g. "trace_stat/relpoline" */
int rp_read_tracing(const struct rp_ctx *ctx, const char *name, struct rp_buf *b);
/* read a knob and strip whitespace; 0 or -errno */
int rp_read_str(const struct rp_ctx *ctx, const char *name, char *buf, size_t len);
int rp_read_ll(const struct rp_ctx *ctx, const char *name, long long *val);

/*
 * Write text to relpoline/NAME in a single write(2). append: O_APPEND
 * (">>"), otherwise O_TRUNC (">"). On failure res->err is the errno,
 * res->log the new error_log entries and res->msg a one line reason.
 * Returns 0 or -errno.
 */
int rp_write(struct rp_ctx *ctx, const char *name, const char *text,
	     bool append, struct rp_result *res);
/* One control command (newline added); same error semantics. */
int rp_control(struct rp_ctx *ctx, const char *cmd, struct rp_result *res);

/* called for each line of rp_control_lines() the kernel rejected */
typedef void (*rp_line_err_fn)(size_t i, const struct rp_result *res, void *data);
/*
 * Send n control lines (without newlines) in as few writes as the kernel
 * takes: RP_CONTROL_BATCH lines and RP_MAX_WRITE bytes per write (one
 * patch batch each). When a write fails, its lines are sent again one by
 * one, so that every rejected line is reported to err_cb (a rejected
 * write changes nothing; one that fails with EBUSY or ENOSPC made the
 * other changes, which the retries repeat harmlessly). Returns the number
 * of rejected lines, or -errno; *writes (if not NULL) counts the writes.
 */
int rp_control_lines(struct rp_ctx *ctx, const char * const *cmds, size_t n,
		     rp_line_err_fn err_cb, void *data, unsigned int *writes);

/*
 * The identity of the running kernel build: "RELEASE BUILD-ID" (the
 * GNU build id of vmlinux from /sys/kernel/notes, or the uname version
 * string when there is none). For a fake tree (-t / --tracing-dir), the
 * first line of the tree's file "kernel_id". 0 or -errno.
 */
int rp_kernel_id(const struct rp_ctx *ctx, char *buf, size_t len);

/* Read and parse sites (available=false) or available_sites. */
int rp_read_sites(const struct rp_ctx *ctx, bool available, struct rp_sites *out,
		  struct rp_syntax_err *err);
/* 0, -errno, or -EINVAL with err set when the format is not the kernel's */
int rp_read_stat(const struct rp_ctx *ctx, struct rp_stat *st, struct rp_syntax_err *err);
/* Read and parse cgroup_weights (see rp_cgroups_parse). */
struct rp_cgroups;
int rp_read_cgroups(const struct rp_ctx *ctx, struct rp_cgroups *cg, struct rp_syntax_err *err);

/* ------------------------------------------------------------------ */
/* profiles                                                            */

enum rp_pstate {
	RP_P_PROMOTED,
	RP_P_PINNED,
};

struct rp_ptarget {
	char *name;			/* "sym" or "sym[mod]" */
	uint64_t hits;
};

struct rp_pentry {
	char *sym;			/* site function */
	unsigned long off;
	char *mod;			/* NULL: vmlinux */
	enum rp_pstate state;
	unsigned int nr_targets;
	struct rp_ptarget *targets;
	unsigned int line;
};

struct rp_profile {
	size_t nr;
	struct rp_pentry *v;
	char *kernel;			/* "RELEASE BUILD-ID" it was saved on, or NULL (v1) */
};

void rp_profile_free(struct rp_profile *p);
/* Parse profile text; strict; 0 or -EINVAL with err set. */
int rp_profile_parse(const char *text, size_t len, struct rp_profile *p,
		     struct rp_syntax_err *err);
/* Build a profile from parsed sites: promoted and pinned sites only. */
int rp_profile_from_sites(const struct rp_sites *s, struct rp_profile *p);
/* Write profile text (with a "kernel" line if p->kernel). comment:
 * optional extra header line(s). */
int rp_profile_write(FILE *f, const struct rp_profile *p, const char *comment);
/*
 * Merge n profiles: hits are summed per site (sym, off, mod) and target;
 * each site keeps its max_targets hottest targets (ties: name order).
 * A site pinned in any input is pinned and keeps only targets that some
 * input pinned (ranked by their summed hits from all inputs).
 * Output sites are ordered by total hits (descending), then by key.
 */
int rp_profile_merge(const struct rp_profile *in, size_t n,
		     unsigned int max_targets, struct rp_profile *out);

/* Target-existence check used by rp_profile_load (NULL: skip check). */
typedef bool (*rp_symbol_exists_fn)(const char *sym, const char *mod, void *data);

struct rp_load_report {
	unsigned int applied;		/* commands accepted */
	unsigned int failed;		/* sites skipped or rejected */
	unsigned int missing_targets;	/* targets dropped */
};

/*
 * Apply a profile: for each entry resolve the site in available_sites
 * (by symbol, offset and module) and send "promote ID T1,T2" or
 * "pin ID T1,T2". Sites that no longer exist and targets for which
 * exists() returns false are reported on 'log' and skipped; the rest
 * is applied. Targets beyond the current max_targets are dropped with
 * a warning. Returns 0 if everything was applied, 1 otherwise, -errno
 * if nothing could be tried (e.g. available_sites unreadable).
 */
int rp_profile_load(struct rp_ctx *ctx, const struct rp_profile *p,
		    rp_symbol_exists_fn exists, void *exists_data,
		    FILE *log, struct rp_load_report *rep);
/*
 * Is the profile for the running kernel? 0 if so (or if either identity
 * is unknown), -ESTALE with msg saying which builds differ.
 */
int rp_profile_check_kernel(const struct rp_ctx *ctx, const struct rp_profile *p,
			    char *msg, size_t len);

/* ------------------------------------------------------------------ */
/* symbols (the one kallsyms reader)                                   */

struct rp_sym {
	unsigned long long addr;
	char type;
	const char *name;
	const char *mod;		/* NULL: vmlinux */
};

struct rp_symtab {
	size_t nr;
	struct rp_sym *v;		/* sorted by (name, module) */
	char *buf;
};

/* Symbol table from a kallsyms-format file. NULL with errno on failure. */
struct rp_symtab *rp_symtab_load(const char *path);
void rp_symtab_free(struct rp_symtab *t);
/* rp_symbol_exists_fn over a struct rp_symtab */
bool rp_symtab_exists(const char *sym, const char *mod, void *symtab);

/* ------------------------------------------------------------------ */
/* events                                                              */

enum rp_event_type {
	RP_EV_PROMOTE	= 1 << 0,
	RP_EV_DEMOTE	= 1 << 1,
	RP_EV_RETRAIN	= 1 << 2,
	RP_EV_MISS	= 1 << 3,
	RP_EV_OTHER	= 1 << 4,
};

struct rp_event {
	enum rp_event_type type;
	const char *name;		/* event name */
	unsigned long long ts;		/* ns */
	int cpu;
	long long site_id;		/* -1: unknown */
	char site[256];			/* symbolic site or "" */
	char targets[512];		/* promote/miss: targets text or "" */
	char reason[128];		/* demote: reason or "" */
	long long changed;		/* retrain: -1 if missing */
	long long batches;
	long long duration_ns;
	long long ipi_rounds;		/* retrain: -1 if missing */
	int pinned;			/* promote: 1/0, -1 if missing */
	long long cgroup;		/* miss: -1 if missing */
	char info[1024];		/* the kernel's own rendering of the event */
};

struct tep_handle;
struct tep_event;
struct tep_record;

/* Pure: fill ev from a record using fields looked up by name. */
void rp_event_decode(struct tep_handle *tep, struct tep_event *event,
		     struct tep_record *record, struct rp_event *ev);

typedef int (*rp_event_cb)(const struct rp_event *ev, void *data);

struct rp_events;
/*
 * Create a private ftrace instance ("relpoline_PID") with the relpoline
 * events in 'mask' enabled (those that exist). Instances left behind by
 * relpoline processes that are gone (SIGKILL) are removed first. Fails
 * with a message if the tracing dir is not a real tracefs or has no
 * relpoline events.
 */
struct rp_events *rp_events_open(struct rp_ctx *ctx, unsigned int mask,
				 char *msg, size_t msglen);
/* Consume all pending events, calling cb for each. Non-blocking. */
int rp_events_poll(struct rp_events *e, rp_event_cb cb, void *data);
void rp_events_close(struct rp_events *e);
/* Remove the instances of relpoline processes that are gone; returns how many. */
int rp_events_reap(struct rp_ctx *ctx);

/* ------------------------------------------------------------------ */
/* cgroup_weights                                                      */

struct rp_cgroup {
	const char *path;		/* "*" for the default entry */
	long long weight;
	long long samples;
	bool deleted;
};

struct rp_cgroups {
	size_t nr;
	struct rp_cgroup *v;		/* the default ("*") entry last */
	char *buf;
};

/* Parse the text of cgroup_weights ("PATH WEIGHT SAMPLES[ (deleted)]"). */
int rp_cgroups_parse(const char *text, size_t len, struct rp_cgroups *cg,
		     struct rp_syntax_err *err);
void rp_cgroups_free(struct rp_cgroups *cg);

/* ------------------------------------------------------------------ */
/* output buffer                                                       */

struct obuf {
	char *p;
	size_t len, cap;
};

void ob_grow_slow(struct obuf *b, size_t n);	/* exits on ENOMEM */
void ob_free(struct obuf *b);
void ob_reset(struct obuf *b);
void ob_printf(struct obuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* write the buffer to f; 0 or -1 */
int ob_write(const struct obuf *b, FILE *f);

static inline void ob_grow(struct obuf *b, size_t n)
{
	if (__builtin_expect(b->len + n + 1 > b->cap, 0))
		ob_grow_slow(b, n);
}

static inline void ob_putn(struct obuf *b, const char *s, size_t n)
{
	ob_grow(b, n);
	__builtin_memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void ob_puts(struct obuf *b, const char *s)
{
	ob_putn(b, s, __builtin_strlen(s));
}

static inline void ob_putc(struct obuf *b, char c)
{
	ob_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

static inline void ob_pad(struct obuf *b, int n)
{
	if (n <= 0)
		return;
	ob_grow(b, n);
	__builtin_memset(b->p + b->len, ' ', n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* decimal digits of v into buf (>= 21 bytes); returns the length */
size_t rp_fmt_u64(uint64_t v, char *buf);

/* ------------------------------------------------------------------ */
/* JSON: the one writer and schema of every tool                       */

/*
 * Every document is one object {"schema":RP_JSON_SCHEMA,"kind":KIND,...}
 * on one line. Field names and scales are the same wherever a value
 * appears: counts are integers, percentages are *_pct in 0..100, rates
 * are *_per_s, and a value the kernel does not provide is null (or, for
 * saved_cycles, absent).
 */
#define RP_JSON_DEPTH	16

struct rp_json {
	struct obuf *b;
	unsigned int depth;
	bool first[RP_JSON_DEPTH];
	char closer[RP_JSON_DEPTH];	/* '}' or ']' of each open level */
};

/* start a document: {"schema":N,"kind":"KIND" */
void rp_json_begin(struct rp_json *j, struct obuf *b, const char *kind);
/* close it: }\n */
void rp_json_end(struct rp_json *j);
/* "key":{ / "key":[ (key NULL inside an array) and their ends */
void rp_json_obj(struct rp_json *j, const char *key);
void rp_json_arr(struct rp_json *j, const char *key);
void rp_json_close(struct rp_json *j, char c);
void rp_json_str(struct rp_json *j, const char *key, const char *s);	/* NULL: null */
void rp_json_u64(struct rp_json *j, const char *key, uint64_t v);
void rp_json_ll(struct rp_json *j, const char *key, long long v);	/* < 0: null */
void rp_json_bool(struct rp_json *j, const char *key, int v);		/* < 0: null */
/* non-negative number with 'dec' decimals (0..6); < 0: null */
void rp_json_num(struct rp_json *j, const char *key, double v, int dec);

/* per-interval values of a site (relpoline-top), < 0 when unknown */
struct rp_site_rates {
	double hits_per_s, misses_per_s, hit_pct_now;
	const long long *target_hits_delta;	/* per target, or NULL */
	double interval;
};

/* a site object: id, site, symbol, offset, size, module, form, reg and
 * (sites only) state, hits, misses, hit_pct, targets[]; rates if given */
void rp_json_site(struct rp_json *j, const struct rp_site *s, const struct rp_site_rates *r);
/* "states":{...} */
void rp_json_states(struct rp_json *j, const long long *states);
/* "totals":{...}: every trace_stat value; hit_pct from hits and misses */
void rp_json_totals(struct rp_json *j, const struct rp_stat *st);

#endif /* RELPOLINE_H */
