/* SPDX-License-Identifier: GPL-2.0 */
/*
 * relpoline-top model: rates, filtering, sorting, column layout and
 * text/JSON formatting. No ncurses and no tracefs here, so it is unit
 * tested. Dependencies run one way: relpoline-top.c (main) -> top_ui.c /
 * top_batch.c -> top_source.c (tracefs) -> top_model.c -> librelpoline.
 */
#ifndef RELPOLINE_TOP_MODEL_H
#define RELPOLINE_TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "relpoline.h"

struct vkey;

/* target slots whose interval hits are precomputed per row */
#define TOP_TDELTA	4

enum top_col {
	TC_ID,
	TC_SITE,
	TC_MODULE,
	TC_STATE,
	TC_HITS,		/* hits per second */
	TC_MISSES,		/* misses per second */
	TC_CALLS,		/* (hits + misses) per second */
	TC_HITPCT,		/* hits / (hits + misses) over the interval */
	TC_TARGETS,		/* number of targets, then the first one's name */
	TC_NR,
};

#define TOP_DEFAULT_SORT	TC_CALLS

const char *top_col_name(enum top_col c);	/* "id", "site", ... */
const char *top_col_title(enum top_col c);	/* "ID", "SITE", ... */
int top_col_parse(const char *name);		/* -1 if unknown */
/* numeric columns sort descending by default */
bool top_col_numeric(enum top_col c);

/*
 * Which columns a screen of 'width' columns shows, where and how wide.
 * ID, SITE, STATE, CALLS/s, HIT% and TARGETS always; HITS/s, MISS/s and
 * MODULE when there is room; SITE grows to 40 columns when there is
 * room to spare. width 0: every column (batch output).
 */
struct top_layout {
	bool shown[TC_NR];
	int start[TC_NR];
	int width[TC_NR];		/* TARGETS: what is left, -1 unbounded */
	int total;			/* 0: unbounded */
};
void top_layout(struct top_layout *l, int width);

struct top_row {
	const struct rp_site *s;
	const struct rp_site *prev;	/* same site in the previous sample */
	double hits_rate;		/* per second; < 0: unknown */
	double miss_rate;
	double hit_pct;			/* 0..100; < 0: no calls / unknown */
	long long tdelta[TOP_TDELTA];	/* hits per target slot in the interval, -1 unknown */
	bool visible;			/* passes the filter */
};

struct top_totals {
	long long states[RP_STATE_NR];
	uint64_t hits, misses;		/* counters summed over all sites */
	double hits_rate, miss_rate;	/* < 0: unknown (first sample) */
};

struct top_model {
	struct rp_sites cur, prev;
	bool have_cur, have_prev;
	double interval;		/* seconds between prev and cur */

	struct top_row *rows;		/* rows[i] is cur.v[i] */
	size_t nr_rows, cap_rows;
	size_t *view;			/* filtered + sorted indices into rows */
	size_t nr_view, cap_view;

	struct top_totals tot;

	enum top_col sort;
	bool invert;
	char filter[256];

	struct vkey *keys;		/* sort scratch space */
	size_t cap_keys;
};

void top_model_init(struct top_model *m);
void top_model_free(struct top_model *m);
/*
 * Take ownership of *sites (zeroed on return) as the newest sample taken
 * interval seconds after the previous one, recompute rows and totals and
 * rebuild the view. Returns 0 or -ENOMEM.
 */
int top_model_update(struct top_model *m, struct rp_sites *sites, double interval);
/* Re-apply filter and sort (after changing m->sort/invert/filter). */
int top_model_view(struct top_model *m);
/* Back to the default sort, no filter. */
int top_model_reset_view(struct top_model *m);
bool top_row_matches(const struct top_row *r, const char *filter);
int top_row_cmp(const struct top_row *a, const struct top_row *b, enum top_col c, bool invert);
/* hits of target i during the last interval, -1 if unknown */
long long top_target_delta(const struct top_row *r, unsigned int i);
/* index into view of the row with this site id, or -1 */
long top_model_find(const struct top_model *m, unsigned long id);
/* the row of the site with this id, or NULL */
const struct top_row *top_model_row(const struct top_model *m, unsigned long id);

/* the refresh delays '+' and '-' step through; dir > 0 longer */
double top_delay_step(double delay, int dir);

/* ------------------------------------------------------------------ */
/* formatting                                                           */

/* value formatters: write into buf (>= 16 bytes), return length */
size_t top_fmt_rate(double r, char *buf);	/* "-", "12.3", "45.6k", "7.8M" */
size_t top_fmt_pct(double p, char *buf);	/* "-", "99.5" */
#define top_fmt_u64 rp_fmt_u64
size_t top_fmt_bytes(long long v, char *buf);	/* "-", "512 B", "4.0 KiB" */

struct top_info {
	time_t now;
	long long enabled;		/* -1 unknown */
	char mode[16];
	struct rp_stat stat;		/* values -1 when missing */
	double delay;
	bool paused;
	bool holding;			/* we hold profile_hold */
};

#define TOP_HEADER_LINES	6
/* header lines (TOP_HEADER_LINES, no trailing blank line) */
void top_fmt_header(struct obuf *b, const struct top_model *m, const struct top_info *in);
/* column titles */
void top_fmt_colhdr(struct obuf *b, const struct top_layout *l);
/* where column c starts and how wide its title is; false if not shown */
bool top_col_span(const struct top_layout *l, enum top_col c, int *start, int *len);
/* one table row (no newline), cut at l->total when it is not 0 */
void top_fmt_row(struct obuf *b, const struct top_row *r, const struct top_layout *l);
/* targets as "name:share%" list */
void top_fmt_targets(struct obuf *b, const struct top_row *r);
/* batch frame: header, blank, titles, the first 'rows' rows in view (0: all), blank */
void top_fmt_batch(struct obuf *b, const struct top_model *m, const struct top_info *in,
		   size_t rows);
/* the same in parts: header + blank + titles ... */
void top_fmt_batch_head(struct obuf *b, const struct top_model *m, const struct top_info *in);
/* ... and every visible row, in row (not sort) order: row i is
 * rows->p[(*off)[i] .. (*off)[i + 1]); *off is grown as needed */
int top_fmt_rows(const struct top_model *m, struct obuf *rows, size_t **off, size_t *cap_off);
/* one JSON document (schema RP_JSON_SCHEMA, kind "top") on one line */
void top_fmt_json(struct obuf *b, const struct top_model *m, const struct top_info *in,
		  size_t rows);

#endif
