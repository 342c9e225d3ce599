/* SPDX-License-Identifier: GPL-2.0 */
/*
 * librelpoline - userspace access to the relpoline tracefs interface
 *
 * Layout:
 *   rp_ctx.c      locate the tracing dir, read/write relpoline files,
 *                 send control commands and collect new error_log lines
 *   rp_sites.c    parse "sites" / "available_sites"       (pure)
 *   rp_stat.c     parse trace_stat/relpoline totals        (pure)
 *   rp_errlog.c   diff two error_log snapshots             (pure)
 *   rp_profile.c  profile parse/format/merge (pure), save/load (tracefs)
 *   rp_events.c   follow relpoline trace events (libtracefs/libtraceevent)
 *   rp_json.c     tiny JSON output helpers                 (pure)
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
#define RP_PROFILE_VERSION	1

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

/* All values -1 when not present in the file. */
struct rp_stat {
	long long state[RP_STATE_NR];
	long long hits;
	long long misses;
	long long retrains;
	long long batches;
	long long ipi_rounds;
	long long last_retrain_ns;
	long long stub_bytes;
};

void rp_stat_init(struct rp_stat *st);
/* Tolerant: unknown lines are ignored. Returns number of values found. */
int rp_stat_parse(const char *text, size_t len, struct rp_stat *st);

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

/* Read and parse sites (available=false) or available_sites. */
int rp_read_sites(const struct rp_ctx *ctx, bool available, struct rp_sites *out,
		  struct rp_syntax_err *err);
int rp_read_stat(const struct rp_ctx *ctx, struct rp_stat *st);

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
};

void rp_profile_free(struct rp_profile *p);
/* Parse profile text; strict; 0 or -EINVAL with err set. */
int rp_profile_parse(const char *text, size_t len, struct rp_profile *p,
		     struct rp_syntax_err *err);
/* Build a profile from parsed sites: promoted and pinned sites only. */
int rp_profile_from_sites(const struct rp_sites *s, struct rp_profile *p);
/* Write profile text. comment: optional extra header line(s). */
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

/* Symbol table from a kallsyms-format file (for rp_symbol_exists_fn). */
struct rp_symtab;
struct rp_symtab *rp_symtab_load(const char *path);
void rp_symtab_free(struct rp_symtab *t);
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
 * Create a private ftrace instance with the relpoline events in 'mask'
 * enabled (those that exist). Fails with a message if the tracing dir is
 * not a real tracefs or has no relpoline events.
 */
struct rp_events *rp_events_open(struct rp_ctx *ctx, unsigned int mask,
				 char *msg, size_t msglen);
/* Consume all pending events, calling cb for each. Non-blocking. */
int rp_events_poll(struct rp_events *e, rp_event_cb cb, void *data);
void rp_events_close(struct rp_events *e);

/* ------------------------------------------------------------------ */
/* JSON output                                                         */

void rp_json_str(FILE *f, const char *s);	/* quoted + escaped, NULL -> null */
void rp_json_ll_or_null(FILE *f, long long v);	/* v < 0 -> null */
void rp_json_site(FILE *f, const struct rp_site *s);

#endif /* RELPOLINE_H */
