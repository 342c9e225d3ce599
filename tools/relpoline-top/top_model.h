/* SPDX-License-Identifier: GPL-2.0 */
/*
 * relpoline-top model: rates, filtering, sorting and text/JSON
 * formatting. No ncurses and no tracefs here, so it is unit tested.
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

const char *top_col_name(enum top_col c);	/* "id", "site", ... */
const char *top_col_title(enum top_col c);	/* "ID", "SITE", ... */
int top_col_parse(const char *name);		/* -1 if unknown */
/* numeric columns sort descending by default */
bool top_col_numeric(enum top_col c);

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

	struct top_row *rows;
	size_t nr_rows, cap_rows;
	size_t *view;			/* filtered + sorted indices into rows */
	size_t nr_view, cap_view;

	struct top_totals tot;

	enum top_col sort;
	bool invert;
	char filter[256];

	struct vkey *keys;		/* sort scratch space */
	size_t cap_keys;

	/* id -> index in prev (open addressing) */
	uint32_t *map;
	size_t map_size;
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
bool top_row_matches(const struct top_row *r, const char *filter);
int top_row_cmp(const struct top_row *a, const struct top_row *b, enum top_col c, bool invert);
/* hits of target i during the last interval, -1 if unknown */
long long top_target_delta(const struct top_row *r, unsigned int i);
/* index into view of the row with this site id, or -1 */
long top_model_find(const struct top_model *m, unsigned long id);

/* ------------------------------------------------------------------ */
/* formatting into a growable buffer                                    */

struct obuf {
	char *p;
	size_t len, cap;
};

void ob_free(struct obuf *b);
void ob_reset(struct obuf *b);
void ob_puts(struct obuf *b, const char *s);
void ob_putn(struct obuf *b, const char *s, size_t n);
void ob_printf(struct obuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* value formatters: write into buf (>= 16 bytes), return length */
size_t top_fmt_rate(double r, char *buf);	/* "-", "12.3", "45.6k", "7.8M" */
size_t top_fmt_pct(double p, char *buf);	/* "-", "99.5" */
size_t top_fmt_u64(uint64_t v, char *buf);
size_t top_fmt_bytes(long long v, char *buf);	/* "-", "512 B", "4.0 KiB" */

struct top_info {
	time_t now;
	long long enabled;		/* -1 unknown */
	char mode[16];
	struct rp_stat stat;		/* values -1 when missing */
	double delay;
	bool paused;
	bool profile_forced;		/* we switched profile on */
};

/* header lines (no trailing blank line) */
void top_fmt_header(struct obuf *b, const struct top_model *m, const struct top_info *in);
/* column titles */
void top_fmt_colhdr(struct obuf *b, int width);
/* where column c starts in a formatted row and how wide its title is */
void top_col_span(enum top_col c, int *start, int *len);
/* one table row; width 0: no truncation (batch mode) */
void top_fmt_row(struct obuf *b, const struct top_row *r, int width);
/* targets as "name:share%" list */
void top_fmt_targets(struct obuf *b, const struct top_row *r);
/* batch frame: header, blank, titles, all rows in view, blank */
void top_fmt_batch(struct obuf *b, const struct top_model *m, const struct top_info *in);
/* the same in parts: header + blank + titles ... */
void top_fmt_batch_head(struct obuf *b, const struct top_model *m, const struct top_info *in);
/* ... and every visible row, in row (not sort) order: row i is
 * rows->p[(*off)[i] .. (*off)[i + 1]); *off is grown as needed */
int top_fmt_rows(const struct top_model *m, struct obuf *rows, size_t **off, size_t *cap_off);
/* one JSON object on one line */
void top_fmt_json(struct obuf *b, const struct top_model *m, const struct top_info *in);

/* column layout, exposed for the UI */
#define TOP_W_ID	6
#define TOP_W_SITE	40
#define TOP_W_MODULE	12
#define TOP_W_STATE	8
#define TOP_W_RATE	8
#define TOP_W_PCT	6

#endif
