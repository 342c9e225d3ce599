// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline-top model: per-site rates from two samples of
 * relpoline/sites, filter, sort and formatting.
 *
 * It runs every refresh over every site (30,000+), so the hot paths
 * avoid stdio: rows are formatted with the small appenders below.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "top_model.h"

static const struct {
	const char *name;
	const char *title;
	bool numeric;
} cols[TC_NR] = {
	[TC_ID]		= { "id",	"ID",		false },
	[TC_SITE]	= { "site",	"SITE",		false },
	[TC_MODULE]	= { "module",	"MODULE",	false },
	[TC_STATE]	= { "state",	"STATE",	false },
	[TC_HITS]	= { "hits",	"HITS/s",	true },
	[TC_MISSES]	= { "misses",	"MISS/s",	true },
	[TC_CALLS]	= { "calls",	"CALLS/s",	true },
	[TC_HITPCT]	= { "hitpct",	"HIT%",		true },
	[TC_TARGETS]	= { "targets",	"TARGETS",	false },
};

const char *top_col_name(enum top_col c)
{
	return c < TC_NR ? cols[c].name : "?";
}

const char *top_col_title(enum top_col c)
{
	return c < TC_NR ? cols[c].title : "?";
}

int top_col_parse(const char *name)
{
	for (int i = 0; i < TC_NR; i++)
		if (!strcasecmp(name, cols[i].name) || !strcasecmp(name, cols[i].title))
			return i;
	if (!strcasecmp(name, "hit%") || !strcasecmp(name, "hit"))
		return TC_HITPCT;
	if (!strcasecmp(name, "miss"))
		return TC_MISSES;
	return -1;
}

bool top_col_numeric(enum top_col c)
{
	return c < TC_NR && cols[c].numeric;
}

/* left aligned in w columns; w < 0: no padding; trunc: cut at w */
static inline void put_left(struct obuf *b, const char *s, size_t n, int w, bool trunc)
{
	if (trunc && w >= 0 && n > (size_t)w)
		n = w;
	ob_putn(b, s, n);
	if (w >= 0)
		ob_pad(b, w - (int)n);
}

static inline void put_right(struct obuf *b, const char *s, size_t n, int w)
{
	ob_pad(b, w - (int)n);
	ob_putn(b, s, n);
}

/* ------------------------------------------------------------------ */
/* value formatting                                                     */

/* x with one decimal, x >= 0 */
static size_t fmt_1dec(double x, char *buf)
{
	uint64_t t = (uint64_t)(x * 10 + 0.5);
	size_t n = top_fmt_u64(t / 10, buf);

	buf[n++] = '.';
	buf[n++] = '0' + t % 10;
	buf[n] = '\0';
	return n;
}

size_t top_fmt_rate(double r, char *buf)
{
	static const char sfx[] = "kMGT";
	size_t n;
	int u = -1;

	if (r < 0) {
		strcpy(buf, "-");
		return 1;
	}
	while (r >= 9999.95 && u < 3) {
		r /= 1000;
		u++;
	}
	n = fmt_1dec(r, buf);
	if (u >= 0) {
		buf[n++] = sfx[u];
		buf[n] = '\0';
	}
	return n;
}

size_t top_fmt_pct(double p, char *buf)
{
	if (p < 0) {
		strcpy(buf, "-");
		return 1;
	}
	return fmt_1dec(p > 100 ? 100 : p, buf);
}

size_t top_fmt_bytes(long long v, char *buf)
{
	size_t n;

	if (v < 0) {
		strcpy(buf, "-");
		return 1;
	}
	if (v < 1024) {
		n = top_fmt_u64(v, buf);
		strcpy(buf + n, " B");
		return n + 2;
	}
	if (v < 1024 * 1024) {
		n = fmt_1dec(v / 1024.0, buf);
		strcpy(buf + n, " KiB");
		return n + 4;
	}
	n = fmt_1dec(v / (1024.0 * 1024.0), buf);
	strcpy(buf + n, " MiB");
	return n + 4;
}

/* ------------------------------------------------------------------ */
/* model                                                                */

void top_model_init(struct top_model *m)
{
	memset(m, 0, sizeof(*m));
	m->sort = TOP_DEFAULT_SORT;
}

void top_model_free(struct top_model *m)
{
	if (m->have_cur)
		rp_sites_free(&m->cur);
	if (m->have_prev)
		rp_sites_free(&m->prev);
	free(m->rows);
	free(m->view);
	free(m->keys);
	memset(m, 0, sizeof(*m));
}

static const struct rp_site *lookup_prev(const struct top_model *m, const struct rp_site *s)
{
	const struct rp_site *p;

	if (!m->have_prev)
		return NULL;
	p = rp_sites_find_id(&m->prev, s->id);
	/* same id reused for another site (module reload) */
	if (p && (p->off != s->off || strcmp(p->sym, s->sym)))
		return NULL;
	return p;
}

static long long compute_tdelta(const struct top_row *r, unsigned int i);
static int cmp_s(const char *a, const char *b);

/* counters only grow between resets; a smaller value means a reset */
static inline uint64_t delta(uint64_t now, uint64_t before)
{
	return now >= before ? now - before : now;
}

int top_model_update(struct top_model *m, struct rp_sites *sites, double interval)
{
	struct top_totals *t = &m->tot;
	uint64_t dh = 0, dm = 0;

	if (m->have_prev)
		rp_sites_free(&m->prev);
	m->prev = m->cur;
	m->have_prev = m->have_cur;
	m->cur = *sites;
	m->have_cur = true;
	memset(sites, 0, sizeof(*sites));
	m->interval = interval;

	if (m->cur.nr > m->cap_rows) {
		size_t nc = m->cur.nr + m->cur.nr / 4 + 16;
		struct top_row *nr = realloc(m->rows, nc * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		m->rows = nr;
		m->cap_rows = nc;
	}
	memset(t, 0, sizeof(*t));
	m->nr_rows = m->cur.nr;
	for (size_t i = 0; i < m->cur.nr; i++) {
		struct top_row *r = &m->rows[i];
		const struct rp_site *s = &m->cur.v[i];

		r->s = s;
		r->prev = lookup_prev(m, s);
		t->states[s->state < RP_STATE_NR ? s->state : 0]++;
		t->hits += s->hits;
		t->misses += s->misses;
		if (r->prev && interval > 0) {
			uint64_t h = delta(s->hits, r->prev->hits);
			uint64_t x = delta(s->misses, r->prev->misses);

			r->hits_rate = h / interval;
			r->miss_rate = x / interval;
			r->hit_pct = (h + x) ? 100.0 * h / (double)(h + x) : -1;
			dh += h;
			dm += x;
		} else {
			r->hits_rate = r->miss_rate = r->hit_pct = -1;
		}
		/* done here, in memory order, rather than when printing in sort order */
		for (unsigned int k = 0; k < TOP_TDELTA; k++)
			r->tdelta[k] = k < s->nr_targets ? compute_tdelta(r, k) : -1;
	}
	if (m->have_prev && interval > 0) {
		t->hits_rate = dh / interval;
		t->miss_rate = dm / interval;
	} else {
		t->hits_rate = t->miss_rate = -1;
	}
	return top_model_view(m);
}

static const char *match_ci(const char *hay, const char *needle)
{
	return hay ? strcasestr(hay, needle) : NULL;
}

bool top_row_matches(const struct top_row *r, const char *filter)
{
	const struct rp_site *s = r->s;

	if (!filter || !*filter)
		return true;
	if (match_ci(s->sym, filter) || match_ci(s->mod, filter) ||
	    match_ci(rp_state_name(s->state), filter))
		return true;
	for (unsigned int i = 0; i < s->nr_targets; i++)
		if (match_ci(s->targets[i].sym, filter) || match_ci(s->targets[i].mod, filter))
			return true;
	return false;
}

static int cmp_d(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int cmp_s(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : (b ? -1 : 0);
	return strcmp(a, b);
}

/*
 * Natural order (ascending). top_row_cmp() reverses numeric columns so
 * the busiest sites come first, and 'invert' flips that again.
 */
static int natural_cmp(const struct top_row *a, const struct top_row *b, enum top_col c)
{
	const struct rp_site *x = a->s, *y = b->s;
	int r = 0;

	switch (c) {
	case TC_ID:
		r = x->id < y->id ? -1 : x->id > y->id;
		break;
	case TC_SITE:
		r = strcmp(x->sym, y->sym);
		if (!r)
			r = x->off < y->off ? -1 : x->off > y->off;
		break;
	case TC_MODULE:
		r = cmp_s(x->mod, y->mod);
		break;
	case TC_STATE:
		r = strcmp(rp_state_name(x->state), rp_state_name(y->state));
		break;
	case TC_HITS:
		r = cmp_d(a->hits_rate, b->hits_rate);
		break;
	case TC_MISSES:
		r = cmp_d(a->miss_rate, b->miss_rate);
		break;
	case TC_CALLS: {
		double ca = a->hits_rate < 0 ? -1 : a->hits_rate + a->miss_rate;
		double cb = b->hits_rate < 0 ? -1 : b->hits_rate + b->miss_rate;

		r = cmp_d(ca, cb);
		break;
	}
	case TC_HITPCT:
		r = cmp_d(a->hit_pct, b->hit_pct);
		break;
	case TC_TARGETS:
		/* more targets first, then by the first target's name */
		r = (int)y->nr_targets - (int)x->nr_targets;
		if (!r && x->nr_targets)
			r = strcmp(x->targets[0].sym, y->targets[0].sym);
		break;
	default:
		break;
	}
	return r;
}

int top_row_cmp(const struct top_row *a, const struct top_row *b, enum top_col c, bool invert)
{
	int r = natural_cmp(a, b, c);

	if (top_col_numeric(c))
		r = -r;
	if (invert)
		r = -r;
	if (!r)		/* stable, deterministic tie break */
		r = a->s->id < b->s->id ? -1 : a->s->id > b->s->id;
	return r;
}

static struct top_model *sort_model;

static int view_cmp(const void *pa, const void *pb)
{
	const struct top_model *m = sort_model;

	return top_row_cmp(&m->rows[*(const size_t *)pa], &m->rows[*(const size_t *)pb],
			   m->sort, m->invert);
}

/*
 * Numeric sort keys are quantised to 1/1000 (rates per second, percent):
 * closer values count as equal and fall back to the id order. Unknown
 * values (< 0) are smallest.
 */
struct vkey {
	uint64_t u;		/* radix key: ascending order of u is the wanted order */
	uint32_t idx;		/* row index */
	uint32_t pad;
};

static inline uint64_t qkey(double v)
{
	if (!(v >= 0))
		return 0;
	if (v > 1e15)
		v = 1e15;
	return (uint64_t)(v * 1000 + 0.5) + 1;
}

static double row_key(const struct top_row *r, enum top_col c)
{
	switch (c) {
	case TC_HITS:	return r->hits_rate;
	case TC_MISSES:	return r->miss_rate;
	case TC_CALLS:	return r->hits_rate < 0 ? -1 : r->hits_rate + r->miss_rate;
	case TC_HITPCT:	return r->hit_pct;
	default:	return 0;
	}
}

static int vkey_cmp(const void *pa, const void *pb)
{
	const struct vkey *a = pa, *b = pb;
	unsigned long ia, ib;

	if (a->u != b->u)
		return a->u < b->u ? -1 : 1;
	ia = sort_model->rows[a->idx].s->id;
	ib = sort_model->rows[b->idx].s->id;
	return ia < ib ? -1 : ia > ib;
}

/*
 * Stable LSD radix sort of (key, idx) pairs, byte by byte, skipping the
 * bytes all keys share. With the input in id order, stability gives the
 * id tie break for free.
 */
static void radix_sort(struct vkey *a, struct vkey *tmp, size_t n)
{
	for (int shift = 0; shift < 64; shift += 8) {
		size_t cnt[256] = { 0 }, pos = 0;
		bool skip = false;

		for (size_t i = 0; i < n; i++)
			cnt[(a[i].u >> shift) & 255]++;
		for (int b = 0; b < 256; b++) {
			size_t c = cnt[b];

			if (c == n)
				skip = true;
			cnt[b] = pos;
			pos += c;
		}
		if (skip)
			continue;
		for (size_t i = 0; i < n; i++)
			tmp[cnt[(a[i].u >> shift) & 255]++] = a[i];
		memcpy(a, tmp, n * sizeof(*a));
	}
}

/* numeric columns: sort (key, index) pairs, much cheaper than the generic path */
static int view_numeric(struct top_model *m)
{
	struct vkey *vk;
	bool id_order = true;
	unsigned long last_id = 0;

	if (2 * m->nr_view > m->cap_keys) {
		struct vkey *nk = realloc(m->keys, 2 * m->cap_view * sizeof(*nk));

		if (!nk)
			return -ENOMEM;
		m->keys = nk;
		m->cap_keys = 2 * m->cap_view;
	}
	vk = m->keys;
	for (size_t i = 0; i < m->nr_view; i++) {
		const struct top_row *r = &m->rows[m->view[i]];
		uint64_t q = qkey(row_key(r, m->sort));

		/* busiest first unless inverted */
		vk[i].u = m->invert ? q : ~q;
		vk[i].idx = m->view[i];
		if (i && r->s->id <= last_id)
			id_order = false;
		last_id = r->s->id;
	}
	if (id_order) {
		radix_sort(vk, vk + m->nr_view, m->nr_view);
	} else {
		sort_model = m;
		qsort(vk, m->nr_view, sizeof(*vk), vkey_cmp);
		sort_model = NULL;
	}
	for (size_t i = 0; i < m->nr_view; i++)
		m->view[i] = vk[i].idx;
	return 0;
}

int top_model_view(struct top_model *m)
{
	if (m->nr_rows > m->cap_view) {
		size_t nc = m->cap_rows > m->nr_rows ? m->cap_rows : m->nr_rows;
		size_t *nv = realloc(m->view, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		m->view = nv;
		m->cap_view = nc;
	}
	m->nr_view = 0;
	for (size_t i = 0; i < m->nr_rows; i++) {
		m->rows[i].visible = top_row_matches(&m->rows[i], m->filter);
		if (m->rows[i].visible)
			m->view[m->nr_view++] = i;
	}
	if (top_col_numeric(m->sort))
		return view_numeric(m);
	/* qsort has no context argument in C11: the model is single threaded */
	sort_model = m;
	qsort(m->view, m->nr_view, sizeof(*m->view), view_cmp);
	sort_model = NULL;
	return 0;
}

static long long compute_tdelta(const struct top_row *r, unsigned int i)
{
	const struct rp_target *t;

	if (!r->prev || i >= r->s->nr_targets)
		return -1;
	t = &r->s->targets[i];
	/* slot i of the previous sample, if it held the same target */
	if (i < r->prev->nr_targets) {
		const struct rp_target *p = &r->prev->targets[i];

		if (!strcmp(p->sym, t->sym) && !cmp_s(p->mod, t->mod))
			return delta(t->hits, p->hits);
	}
	/* newly promoted target: everything it has was counted since */
	return t->hits;
}

long long top_target_delta(const struct top_row *r, unsigned int i)
{
	if (i < TOP_TDELTA)
		return i < r->s->nr_targets ? r->tdelta[i] : -1;
	return compute_tdelta(r, i);
}

const struct top_row *top_model_row(const struct top_model *m, unsigned long id)
{
	const struct rp_site *s = m->have_cur ? rp_sites_find_id(&m->cur, id) : NULL;

	return s ? &m->rows[s - m->cur.v] : NULL;
}

int top_model_reset_view(struct top_model *m)
{
	m->sort = TOP_DEFAULT_SORT;
	m->invert = false;
	m->filter[0] = '\0';
	return top_model_view(m);
}

static const double delays[] = { 0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 30, 60 };
#define NR_DELAYS ((int)(sizeof(delays) / sizeof(delays[0])))

double top_delay_step(double delay, int dir)
{
	int i;

	if (dir > 0) {
		/* the next step up; a delay beyond the steps stays */
		for (i = 0; i < NR_DELAYS; i++)
			if (delays[i] > delay + 1e-9)
				return delays[i];
		return delay;
	}
	for (i = NR_DELAYS - 1; i >= 0; i--)
		if (delays[i] < delay - 1e-9)
			return delays[i];
	return delay;
}

long top_model_find(const struct top_model *m, unsigned long id)
{
	for (size_t i = 0; i < m->nr_view; i++)
		if (m->rows[m->view[i]].s->id == id)
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* layout and rows                                                      */

#define W_ID		6
#define W_SITE_MIN	24
#define W_SITE_MAX	40
#define W_MODULE	12
#define W_STATE		8
#define W_RATE		8
#define W_PCT		6
#define W_TARGETS_MIN	20

static const int fixed_w[TC_NR] = {
	[TC_ID] = W_ID, [TC_SITE] = W_SITE_MIN, [TC_MODULE] = W_MODULE, [TC_STATE] = W_STATE,
	[TC_HITS] = W_RATE, [TC_MISSES] = W_RATE, [TC_CALLS] = W_RATE, [TC_HITPCT] = W_PCT,
	[TC_TARGETS] = W_TARGETS_MIN,
};

/* the space a column takes with its separator (two before TARGETS) */
static int cost(enum top_col c, int w)
{
	return w + (c == TC_HITPCT ? 2 : c == TC_TARGETS ? 0 : 1);
}

void top_layout(struct top_layout *l, int width)
{
	static const enum top_col optional[] = { TC_HITS, TC_MISSES, TC_MODULE };
	int used = 0, pos = 0;

	memset(l, 0, sizeof(*l));
	for (int c = 0; c < TC_NR; c++) {
		l->width[c] = fixed_w[c];
		l->shown[c] = c == TC_ID || c == TC_SITE || c == TC_STATE || c == TC_CALLS ||
			      c == TC_HITPCT || c == TC_TARGETS;
		if (l->shown[c])
			used += cost(c, l->width[c]);
	}
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		enum top_col c = optional[i];

		if (!width || used + cost(c, l->width[c]) <= width) {
			l->shown[c] = true;
			used += cost(c, l->width[c]);
		}
	}
	/* the site name gets what is left up to its full width */
	l->width[TC_SITE] = W_SITE_MAX;
	if (width && used - W_SITE_MIN + W_SITE_MAX > width)
		l->width[TC_SITE] = W_SITE_MIN + (width > used ? width - used : 0);
	for (int c = 0; c < TC_NR; c++) {
		if (!l->shown[c])
			continue;
		l->start[c] = pos;
		if (c == TC_TARGETS)
			l->width[c] = width ? (width > pos ? width - pos : 0) : -1;
		else
			pos += cost(c, l->width[c]);
	}
	l->total = width;
}

bool top_col_span(const struct top_layout *l, enum top_col c, int *start, int *len)
{
	if (c >= TC_NR || !l->shown[c])
		return false;
	*start = l->start[c];
	*len = c == TC_TARGETS ? (int)strlen(cols[c].title) : l->width[c];
	return true;
}

void top_fmt_colhdr(struct obuf *b, const struct top_layout *l)
{
	size_t start = b->len;

	for (int c = 0; c < TC_NR; c++) {
		const char *t = cols[c].title;

		if (!l->shown[c])
			continue;
		if (cols[c].numeric || c == TC_ID)
			put_right(b, t, strlen(t), l->width[c]);
		else
			put_left(b, t, strlen(t), c == TC_TARGETS ? -1 : l->width[c], false);
		if (c != TC_TARGETS)
			ob_puts(b, c == TC_HITPCT ? "  " : " ");
	}
	if (l->total > 0 && b->len - start > (size_t)l->total) {
		b->len = start + l->total;
		b->p[b->len] = '\0';
	}
}

void top_fmt_targets(struct obuf *b, const struct top_row *r)
{
	const struct rp_site *s = r->s;
	uint64_t sum = 0;
	long long d[64];
	bool use_delta = r->prev != NULL;
	unsigned int n = s->nr_targets < 64 ? s->nr_targets : 64;
	char num[32];

	for (unsigned int i = 0; i < n; i++) {
		d[i] = top_target_delta(r, i);
		if (d[i] < 0)
			use_delta = false;
	}
	if (use_delta)
		for (unsigned int i = 0; i < n; i++)
			sum += d[i];
	if (!use_delta || !sum) {
		use_delta = false;
		sum = 0;
		for (unsigned int i = 0; i < n; i++)
			sum += s->targets[i].hits;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct rp_target *t = &s->targets[i];
		uint64_t h = use_delta ? (uint64_t)d[i] : t->hits;

		if (i)
			ob_putc(b, ' ');
		ob_puts(b, t->sym);
		if (t->mod) {
			ob_putc(b, '[');
			ob_puts(b, t->mod);
			ob_putc(b, ']');
		}
		if (sum) {
			ob_putc(b, ':');
			ob_putn(b, num, top_fmt_u64((h * 100 + sum / 2) / sum, num));
			ob_putc(b, '%');
		}
	}
}

/* sym+0xOFF/0xSIZE without printf, cut at w columns when trunc */
static void put_site(struct obuf *b, const struct rp_site *s, int w, bool trunc)
{
	static const char hex[] = "0123456789abcdef";
	size_t l0 = b->len, n;
	char h[40];
	int k = 0;

	ob_puts(b, s->sym);
	ob_puts(b, "+0x");
	for (unsigned long v = s->off; ; v >>= 4) {
		h[k++] = hex[v & 15];
		if (v < 16)
			break;
	}
	while (k)
		ob_putc(b, h[--k]);
	ob_puts(b, "/0x");
	for (unsigned long v = s->size; ; v >>= 4) {
		h[k++] = hex[v & 15];
		if (v < 16)
			break;
	}
	while (k)
		ob_putc(b, h[--k]);
	n = b->len - l0;
	if (trunc && n > (size_t)w) {
		b->len = l0 + w;
		b->p[b->len] = '\0';
		n = w;
	}
	ob_pad(b, w - (int)n);
}

static void put_rate(struct obuf *b, double r, int w)
{
	char num[48];

	put_right(b, num, top_fmt_rate(r, num), w);
}

void top_fmt_row(struct obuf *b, const struct top_row *r, const struct top_layout *l)
{
	const struct rp_site *s = r->s;
	bool trunc = l->total > 0;
	size_t start = b->len;
	const char *t;
	char num[48];

	for (int c = 0; c < TC_NR; c++) {
		if (!l->shown[c])
			continue;
		switch (c) {
		case TC_ID:
			put_right(b, num, top_fmt_u64(s->id, num), l->width[c]);
			break;
		case TC_SITE:
			put_site(b, s, l->width[c], trunc);
			break;
		case TC_MODULE:
			put_left(b, s->mod ? s->mod : "-", s->mod ? strlen(s->mod) : 1, l->width[c], trunc);
			break;
		case TC_STATE:
			t = rp_state_name(s->state);
			put_left(b, t, strlen(t), l->width[c], trunc);
			break;
		case TC_HITS:
			put_rate(b, r->hits_rate, l->width[c]);
			break;
		case TC_MISSES:
			put_rate(b, r->miss_rate, l->width[c]);
			break;
		case TC_CALLS:
			put_rate(b, r->hits_rate < 0 ? -1 : r->hits_rate + r->miss_rate, l->width[c]);
			break;
		case TC_HITPCT:
			put_right(b, num, top_fmt_pct(r->hit_pct, num), l->width[c]);
			break;
		case TC_TARGETS:
			top_fmt_targets(b, r);
			break;
		}
		if (c != TC_TARGETS)
			ob_puts(b, c == TC_HITPCT ? "  " : " ");
	}
	/* rows keep no trailing blanks */
	while (b->len > start && b->p[b->len - 1] == ' ')
		b->len--;
	if (trunc && b->len - start > (size_t)l->total)
		b->len = start + l->total;
	b->p[b->len] = '\0';
}

/* ------------------------------------------------------------------ */
/* frames                                                               */

static double pct(uint64_t a, uint64_t b)
{
	return (a + b) ? 100.0 * a / (double)(a + b) : -1;
}

static void put_ll(struct obuf *b, long long v)
{
	if (v < 0)
		ob_puts(b, "-");
	else
		ob_printf(b, "%lld", v);
}

/*
 * The kernel's estimate (trace_stat's "# estimate:" line) applied to the
 * hit rate shown: hits/s times what a hit saves, as the kernel computes
 * its saved_cycles from the hits.
 */
static void top_fmt_saved(struct obuf *b, const struct top_model *m, const struct rp_stat *st)
{
	long long d = rp_stat_saved_per_hit_x100(st);
	double rate;
	char r[24];

	ob_puts(b, "Saved (estimate): ");
	if (d < 0) {
		ob_puts(b, "- (not calibrated)\n");
		return;
	}
	if (m->tot.hits_rate < 0) {
		ob_printf(b, "- cycles/s (hits not counted); a hit saves %.2f cycles\n", d / 100.0);
		return;
	}
	rate = m->tot.hits_rate * d / 100.0;
	top_fmt_rate(rate, r);
	ob_printf(b, "%s cycles/s", r);
	if (st->cycle_khz > 0)
		ob_printf(b, ", %.3f%% of one CPU", 100.0 * rate / (st->cycle_khz * 1e3));
	ob_printf(b, "; a hit saves %.2f cycles\n", d / 100.0);
}

void top_fmt_header(struct obuf *b, const struct top_model *m, const struct top_info *in)
{
	const struct top_totals *t = &m->tot;
	const struct rp_stat *st = &in->stat;
	char tbuf[32], r1[24], r2[24], p1[24], p2[24], by[24], pool[24];
	struct tm tm;

	localtime_r(&in->now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	ob_printf(b, "relpoline-top - %s  %s  mode %s  delay %gs%s%s%s\n", tbuf,
		  in->enabled < 0 ? "?" : in->enabled ? "enabled" : "disabled",
		  in->mode[0] ? in->mode : "?", in->delay, in->paused ? "  [paused]" : "",
		  m->filter[0] ? "  [filtered]" : "", in->holding ? "" : "  [hits not counted]");
	ob_printf(b, "Sites: %zu managed: %lld learning, %lld promoted, %lld pinned, "
		  "%lld blocked, %lld busy, %lld off", m->nr_rows, t->states[RP_STATE_LEARNING],
		  t->states[RP_STATE_PROMOTED], t->states[RP_STATE_PINNED],
		  t->states[RP_STATE_BLOCKED], t->states[RP_STATE_BUSY], t->states[RP_STATE_OFF]);
	if (m->filter[0])
		ob_printf(b, "; %zu shown", m->nr_view);
	ob_putc(b, '\n');
	top_fmt_rate(t->hits_rate, r1);
	top_fmt_rate(t->miss_rate, r2);
	top_fmt_pct(t->hits_rate < 0 ? -1 :
		    (t->hits_rate + t->miss_rate > 0 ?
		     100.0 * t->hits_rate / (t->hits_rate + t->miss_rate) : -1), p1);
	top_fmt_pct(pct(t->hits, t->misses), p2);
	ob_printf(b, "Hit rate: now %s%s (%s hits/s, %s misses/s), total %s%s\n", p1,
		  strcmp(p1, "-") ? "%" : "", r1, r2, p2, strcmp(p2, "-") ? "%" : "");
	ob_puts(b, "Learning: ");
	put_ll(b, st->samples);
	ob_puts(b, " samples, ");
	put_ll(b, st->dropped);
	ob_puts(b, st->dropped > 0 ? " dropped (starved!)  Retrains: " : " dropped  Retrains: ");
	put_ll(b, st->retrains);
	ob_puts(b, " (last ");
	put_ll(b, st->last_retrain_us);
	ob_puts(b, " us)\n");
	top_fmt_bytes(st->stub_bytes, by);
	top_fmt_bytes(st->stub_pool_bytes, pool);
	ob_puts(b, "Patching: ");
	put_ll(b, st->batches);
	ob_puts(b, " batches, ");
	put_ll(b, st->ipi_rounds);
	ob_puts(b, " IPI rounds, ");
	put_ll(b, st->patched);
	ob_printf(b, " patched  Stubs: %s of %s\n", by, pool);
	top_fmt_saved(b, m, st);
}

int top_fmt_rows(const struct top_model *m, struct obuf *rows, size_t **off, size_t *cap_off)
{
	struct top_layout l;

	/*
	 * Rows are formatted in memory order and only copied out in sort
	 * order afterwards: walking 30,000 sites in sort order touches the
	 * site, target and symbol memory at random, which costs more than
	 * the formatting itself.
	 */
	if (m->nr_rows + 1 > *cap_off) {
		size_t *no = realloc(*off, (m->nr_rows + 1) * sizeof(**off));

		if (!no)
			return -ENOMEM;
		*off = no;
		*cap_off = m->nr_rows + 1;
	}
	top_layout(&l, 0);
	ob_reset(rows);
	for (size_t i = 0; i < m->nr_rows; i++) {
		(*off)[i] = rows->len;
		if (m->rows[i].visible) {
			top_fmt_row(rows, &m->rows[i], &l);
			ob_putc(rows, '\n');
		}
	}
	(*off)[m->nr_rows] = rows->len;
	return 0;
}

void top_fmt_batch_head(struct obuf *b, const struct top_model *m, const struct top_info *in)
{
	struct top_layout l;

	top_layout(&l, 0);
	top_fmt_header(b, m, in);
	ob_putc(b, '\n');
	top_fmt_colhdr(b, &l);
	ob_putc(b, '\n');
}

void top_fmt_batch(struct obuf *b, const struct top_model *m, const struct top_info *in,
		   size_t rows)
{
	struct top_layout l;
	size_t n = rows && rows < m->nr_view ? rows : m->nr_view;

	top_layout(&l, 0);
	top_fmt_batch_head(b, m, in);
	for (size_t i = 0; i < n; i++) {
		top_fmt_row(b, &m->rows[m->view[i]], &l);
		ob_putc(b, '\n');
	}
	if (n < m->nr_view)
		ob_printf(b, "(%zu more sites)\n", m->nr_view - n);
	ob_putc(b, '\n');
}

void top_fmt_json(struct obuf *b, const struct top_model *m, const struct top_info *in,
		  size_t rows)
{
	const struct top_totals *t = &m->tot;
	size_t n = rows && rows < m->nr_view ? rows : m->nr_view;
	struct rp_json j;

	rp_json_begin(&j, b, "top");
	rp_json_ll(&j, "time", (long long)in->now);
	rp_json_num(&j, "interval_s", m->have_prev ? m->interval : -1, 3);
	rp_json_bool(&j, "enabled", in->enabled < 0 ? -1 : !!in->enabled);
	rp_json_str(&j, "mode", in->mode[0] ? in->mode : NULL);
	rp_json_bool(&j, "hits_counted", in->holding);
	rp_json_states(&j, in->stat.state);
	rp_json_totals(&j, &in->stat);
	rp_json_obj(&j, "now");
	rp_json_num(&j, "hits_per_s", t->hits_rate, 3);
	rp_json_num(&j, "misses_per_s", t->miss_rate, 3);
	rp_json_num(&j, "hit_pct", t->hits_rate < 0 || t->hits_rate + t->miss_rate <= 0 ? -1 :
		    100.0 * t->hits_rate / (t->hits_rate + t->miss_rate), 3);
	rp_json_close(&j, '}');
	rp_json_str(&j, "sort", top_col_name(m->sort));
	rp_json_u64(&j, "sites_shown", n);
	rp_json_u64(&j, "sites_total", m->nr_view);
	rp_json_arr(&j, "sites");
	for (size_t i = 0; i < n; i++) {
		const struct top_row *r = &m->rows[m->view[i]];
		long long d[64];
		struct rp_site_rates rt = {
			.hits_per_s = r->hits_rate, .misses_per_s = r->miss_rate,
			.hit_pct_now = r->hit_pct, .target_hits_delta = d,
			.interval = m->interval,
		};

		for (unsigned int k = 0; k < r->s->nr_targets && k < 64; k++)
			d[k] = top_target_delta(r, k);
		if (r->s->nr_targets > 64)
			rt.target_hits_delta = NULL;
		rp_json_site(&j, r->s, &rt);
	}
	rp_json_end(&j);
}
