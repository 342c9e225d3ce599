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

/* ------------------------------------------------------------------ */
/* output buffer                                                        */

static void ob_grow_slow(struct obuf *b, size_t n)
{
	size_t ncap;
	char *np;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < b->len + n + 1)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (!np) {
		fprintf(stderr, "relpoline-top: out of memory\n");
		exit(1);
	}
	b->p = np;
	b->cap = ncap;
}

static inline void ob_grow(struct obuf *b, size_t n)
{
	if (__builtin_expect(b->len + n + 1 > b->cap, 0))
		ob_grow_slow(b, n);
}

void ob_free(struct obuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void ob_reset(struct obuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static inline void obn(struct obuf *b, const char *s, size_t n)
{
	ob_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void ob_putn(struct obuf *b, const char *s, size_t n)
{
	obn(b, s, n);
}

void ob_puts(struct obuf *b, const char *s)
{
	obn(b, s, strlen(s));
}

static inline void ob_putc(struct obuf *b, char c)
{
	ob_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

#define ob_putn(b, s, n)	obn(b, s, n)
#define ob_puts(b, s)		obn(b, s, strlen(s))

static inline void ob_pad(struct obuf *b, int n)
{
	if (n <= 0)
		return;
	ob_grow(b, n);
	memset(b->p + b->len, ' ', n);
	b->len += n;
	b->p[b->len] = '\0';
}

void ob_printf(struct obuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ob_grow(b, n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
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

size_t top_fmt_u64(uint64_t v, char *buf)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

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
	m->sort = TC_CALLS;
}

void top_model_free(struct top_model *m)
{
	if (m->have_cur)
		rp_sites_free(&m->cur);
	if (m->have_prev)
		rp_sites_free(&m->prev);
	free(m->rows);
	free(m->view);
	free(m->map);
	free(m->keys);
	memset(m, 0, sizeof(*m));
}

static inline size_t hash_id(unsigned long id, size_t mask)
{
	return (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 17) & mask;
}

static int build_map(struct top_model *m)
{
	size_t need = 16;

	while (need < m->prev.nr * 2)
		need *= 2;
	if (need != m->map_size) {
		uint32_t *nm = realloc(m->map, need * sizeof(*nm));

		if (!nm)
			return -ENOMEM;
		m->map = nm;
		m->map_size = need;
	}
	memset(m->map, 0xff, m->map_size * sizeof(*m->map));
	for (size_t i = 0; i < m->prev.nr; i++) {
		size_t h = hash_id(m->prev.v[i].id, m->map_size - 1);

		while (m->map[h] != UINT32_MAX)
			h = (h + 1) & (m->map_size - 1);
		m->map[h] = i;
	}
	return 0;
}

static const struct rp_site *lookup_prev(const struct top_model *m, const struct rp_site *s)
{
	size_t h;

	if (!m->have_prev || !m->map_size)
		return NULL;
	h = hash_id(s->id, m->map_size - 1);
	while (m->map[h] != UINT32_MAX) {
		const struct rp_site *p = &m->prev.v[m->map[h]];

		if (p->id == s->id) {
			/* same id reused for another site (module reload) */
			if (p->off != s->off || strcmp(p->sym, s->sym))
				return NULL;
			return p;
		}
		h = (h + 1) & (m->map_size - 1);
	}
	return NULL;
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

	if (m->have_prev && build_map(m))
		return -ENOMEM;

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

long top_model_find(const struct top_model *m, unsigned long id)
{
	for (size_t i = 0; i < m->nr_view; i++)
		if (m->rows[m->view[i]].s->id == id)
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* rows                                                                 */

/* column start offsets of the fixed layout (space separated) */
static const int col_w[TC_NR] = {
	[TC_ID] = TOP_W_ID, [TC_SITE] = TOP_W_SITE, [TC_MODULE] = TOP_W_MODULE,
	[TC_STATE] = TOP_W_STATE, [TC_HITS] = TOP_W_RATE, [TC_MISSES] = TOP_W_RATE,
	[TC_CALLS] = TOP_W_RATE, [TC_HITPCT] = TOP_W_PCT, [TC_TARGETS] = 7,
};

void top_col_span(enum top_col c, int *start, int *len)
{
	int pos = 0;

	for (int i = 0; i < (int)c && i < TC_NR; i++)
		pos += col_w[i] + (i == TC_HITPCT ? 2 : 1);
	*start = pos;
	*len = c < TC_NR ? col_w[c] : 0;
}

void top_fmt_colhdr(struct obuf *b, int width)
{
	size_t start = b->len;

	for (int c = 0; c < TC_NR; c++) {
		const char *t = cols[c].title;

		if (cols[c].numeric || c == TC_ID)
			put_right(b, t, strlen(t), col_w[c]);
		else
			put_left(b, t, strlen(t), c == TC_TARGETS ? -1 : col_w[c], false);
		if (c != TC_TARGETS)
			ob_puts(b, c == TC_HITPCT ? "  " : " ");
	}
	if (width > 0 && b->len - start > (size_t)width) {
		b->len = start + width;
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

void top_fmt_row(struct obuf *b, const struct top_row *r, int width)
{
	const struct rp_site *s = r->s;
	size_t start = b->len, n;
	char num[48];
	bool trunc = width > 0;

	n = top_fmt_u64(s->id, num);
	put_right(b, num, n, TOP_W_ID);
	ob_putc(b, ' ');

	/* sym+0xOFF/0xSIZE without printf */
	{
		size_t l0 = b->len;
		static const char hex[] = "0123456789abcdef";
		char h[40];
		int k;

		ob_puts(b, s->sym);
		ob_puts(b, "+0x");
		k = 0;
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
		if (trunc && n > TOP_W_SITE) {
			b->len = l0 + TOP_W_SITE;
			b->p[b->len] = '\0';
			n = TOP_W_SITE;
		}
		ob_pad(b, TOP_W_SITE - (int)n);
		ob_putc(b, ' ');
	}

	put_left(b, s->mod ? s->mod : "-", s->mod ? strlen(s->mod) : 1, TOP_W_MODULE, trunc);
	ob_putc(b, ' ');
	put_left(b, rp_state_name(s->state), strlen(rp_state_name(s->state)), TOP_W_STATE, trunc);
	ob_putc(b, ' ');
	n = top_fmt_rate(r->hits_rate, num);
	put_right(b, num, n, TOP_W_RATE);
	ob_putc(b, ' ');
	n = top_fmt_rate(r->miss_rate, num);
	put_right(b, num, n, TOP_W_RATE);
	ob_putc(b, ' ');
	n = top_fmt_rate(r->hits_rate < 0 ? -1 : r->hits_rate + r->miss_rate, num);
	put_right(b, num, n, TOP_W_RATE);
	ob_putc(b, ' ');
	n = top_fmt_pct(r->hit_pct, num);
	put_right(b, num, n, TOP_W_PCT);
	ob_puts(b, "  ");
	top_fmt_targets(b, r);

	/* batch rows keep no trailing blanks */
	while (b->len > start && b->p[b->len - 1] == ' ')
		b->len--;
	if (trunc && b->len - start > (size_t)width)
		b->len = start + width;
	b->p[b->len] = '\0';
}

/* ------------------------------------------------------------------ */
/* frames                                                               */

static double pct(uint64_t a, uint64_t b)
{
	return (a + b) ? 100.0 * a / (double)(a + b) : -1;
}

void top_fmt_header(struct obuf *b, const struct top_model *m, const struct top_info *in)
{
	const struct top_totals *t = &m->tot;
	char tbuf[32], r1[24], r2[24], p1[24], p2[24], by[24];
	struct tm tm;

	localtime_r(&in->now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	ob_printf(b, "relpoline-top - %s  relpoline %s  mode %s  delay %.1fs%s%s\n", tbuf,
		  in->enabled < 0 ? "?" : in->enabled ? "enabled" : "disabled",
		  in->mode[0] ? in->mode : "?", in->delay, in->paused ? "  [paused]" : "",
		  m->filter[0] ? "  [filtered]" : "");
	ob_printf(b, "Sites: %zu total, %lld off, %lld learning, %lld promoted, %lld pinned, "
		  "%lld blocked, %lld busy", m->nr_rows, t->states[RP_STATE_OFF],
		  t->states[RP_STATE_LEARNING], t->states[RP_STATE_PROMOTED],
		  t->states[RP_STATE_PINNED], t->states[RP_STATE_BLOCKED], t->states[RP_STATE_BUSY]);
	if (m->filter[0])
		ob_printf(b, "; %zu shown", m->nr_view);
	ob_puts(b, "\n");
	top_fmt_rate(t->hits_rate, r1);
	top_fmt_rate(t->miss_rate, r2);
	top_fmt_pct(t->hits_rate < 0 ? -1 :
		    (t->hits_rate + t->miss_rate > 0 ?
		     100.0 * t->hits_rate / (t->hits_rate + t->miss_rate) : -1), p1);
	top_fmt_pct(pct(t->hits, t->misses), p2);
	if (strcmp(p1, "-"))
		strcat(p1, "%");
	if (strcmp(p2, "-"))
		strcat(p2, "%");
	ob_printf(b, "Hit rate: now %s (%s hits/s, %s misses/s), total %s (%" PRIu64
		  " hits, %" PRIu64 " misses)\n", p1, r1, r2, p2, t->hits, t->misses);
	{
		const struct rp_stat *st = &in->stat;
		char lr[32];

		if (st->last_retrain_ns < 0)
			strcpy(lr, "-");
		else if (st->last_retrain_ns < 1000000)
			snprintf(lr, sizeof(lr), "%.1f us", st->last_retrain_ns / 1e3);
		else
			snprintf(lr, sizeof(lr), "%.2f ms", st->last_retrain_ns / 1e6);
		top_fmt_bytes(st->stub_bytes, by);
		ob_puts(b, "Retrains: ");
		if (st->retrains < 0)
			ob_puts(b, "-");
		else
			ob_printf(b, "%lld", st->retrains);
		ob_printf(b, " (last %s)  Patch batches: ", lr);
		if (st->batches < 0)
			ob_puts(b, "-");
		else
			ob_printf(b, "%lld", st->batches);
		ob_puts(b, "  IPI rounds: ");
		if (st->ipi_rounds < 0)
			ob_puts(b, "-");
		else
			ob_printf(b, "%lld", st->ipi_rounds);
		ob_printf(b, "  Stub memory: %s\n", by);
	}
}

int top_fmt_rows(const struct top_model *m, struct obuf *rows, size_t **off, size_t *cap_off)
{
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
	ob_reset(rows);
	for (size_t i = 0; i < m->nr_rows; i++) {
		(*off)[i] = rows->len;
		if (m->rows[i].visible) {
			top_fmt_row(rows, &m->rows[i], 0);
			ob_putc(rows, '\n');
		}
	}
	(*off)[m->nr_rows] = rows->len;
	return 0;
}

void top_fmt_batch_head(struct obuf *b, const struct top_model *m, const struct top_info *in)
{
	top_fmt_header(b, m, in);
	ob_putc(b, '\n');
	top_fmt_colhdr(b, 0);
	ob_putc(b, '\n');
}

void top_fmt_batch(struct obuf *b, const struct top_model *m, const struct top_info *in)
{
	struct obuf rows = { 0 };
	size_t *off = NULL, cap_off = 0;

	top_fmt_batch_head(b, m, in);
	if (top_fmt_rows(m, &rows, &off, &cap_off)) {
		fprintf(stderr, "relpoline-top: out of memory\n");
		exit(1);
	}
	ob_grow(b, rows.len + 1);
	for (size_t i = 0; i < m->nr_view; i++) {
		size_t k = m->view[i];

		memcpy(b->p + b->len, rows.p + off[k], off[k + 1] - off[k]);
		b->len += off[k + 1] - off[k];
	}
	b->p[b->len] = '\0';
	ob_putc(b, '\n');
	ob_free(&rows);
	free(off);
}

static void json_chars(struct obuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			ob_putc(b, '\\');
			ob_putc(b, c);
		} else if (c < 0x20) {
			ob_printf(b, "\\u%04x", c);
		} else {
			ob_putc(b, c);
		}
	}
}

static void json_str(struct obuf *b, const char *s)
{
	if (!s) {
		ob_puts(b, "null");
		return;
	}
	ob_putc(b, '"');
	json_chars(b, s);
	ob_putc(b, '"');
}

/* non-negative number with 3 decimals, or null */
static void json_num(struct obuf *b, double v)
{
	char num[32];
	uint64_t t;
	size_t n;

	if (v < 0) {
		ob_puts(b, "null");
		return;
	}
	t = (uint64_t)(v * 1000 + 0.5);
	n = top_fmt_u64(t / 1000, num);
	num[n++] = '.';
	num[n++] = '0' + (t / 100) % 10;
	num[n++] = '0' + (t / 10) % 10;
	num[n++] = '0' + t % 10;
	ob_putn(b, num, n);
}

static void json_ll(struct obuf *b, long long v)
{
	char num[32];

	if (v < 0)
		ob_puts(b, "null");
	else
		ob_putn(b, num, top_fmt_u64(v, num));
}

void top_fmt_json(struct obuf *b, const struct top_model *m, const struct top_info *in)
{
	const struct top_totals *t = &m->tot;
	const struct rp_stat *st = &in->stat;
	char num[32];

	ob_printf(b, "{\"time\":%lld,\"interval\":", (long long)in->now);
	json_num(b, m->have_prev ? m->interval : -1);
	ob_puts(b, ",\"enabled\":");
	ob_puts(b, in->enabled < 0 ? "null" : in->enabled ? "true" : "false");
	ob_puts(b, ",\"mode\":");
	json_str(b, in->mode[0] ? in->mode : NULL);
	ob_puts(b, ",\"states\":{");
	for (int s = 0; s < RP_STATE_NR; s++)
		ob_printf(b, "%s\"%s\":%lld", s ? "," : "", rp_state_name(s), t->states[s]);
	ob_printf(b, "},\"hits\":%" PRIu64 ",\"misses\":%" PRIu64 ",\"hits_per_s\":", t->hits,
		  t->misses);
	json_num(b, t->hits_rate);
	ob_puts(b, ",\"misses_per_s\":");
	json_num(b, t->miss_rate);
	ob_puts(b, ",\"hit_pct_now\":");
	json_num(b, t->hits_rate < 0 || t->hits_rate + t->miss_rate <= 0 ? -1 :
		 100.0 * t->hits_rate / (t->hits_rate + t->miss_rate));
	ob_puts(b, ",\"hit_pct_total\":");
	json_num(b, pct(t->hits, t->misses));
	ob_puts(b, ",\"retrains\":");
	json_ll(b, st->retrains);
	ob_puts(b, ",\"last_retrain_ns\":");
	json_ll(b, st->last_retrain_ns);
	ob_puts(b, ",\"patch_batches\":");
	json_ll(b, st->batches);
	ob_puts(b, ",\"ipi_rounds\":");
	json_ll(b, st->ipi_rounds);
	ob_puts(b, ",\"stub_bytes\":");
	json_ll(b, st->stub_bytes);
	ob_puts(b, ",\"sort\":");
	json_str(b, top_col_name(m->sort));
	ob_puts(b, ",\"sites\":[");
	for (size_t i = 0; i < m->nr_view; i++) {
		const struct top_row *r = &m->rows[m->view[i]];
		const struct rp_site *s = r->s;

		ob_puts(b, i ? ",{\"id\":" : "{\"id\":");
		ob_putn(b, num, top_fmt_u64(s->id, num));
		ob_puts(b, ",\"site\":\"");
		json_chars(b, s->sym);
		ob_printf(b, "+0x%lx/0x%lx\",\"module\":", s->off, s->size);
		json_str(b, s->mod);
		ob_puts(b, ",\"state\":\"");
		ob_puts(b, rp_state_name(s->state));
		ob_puts(b, "\",\"hits\":");
		ob_putn(b, num, top_fmt_u64(s->hits, num));
		ob_puts(b, ",\"misses\":");
		ob_putn(b, num, top_fmt_u64(s->misses, num));
		ob_puts(b, ",\"hits_per_s\":");
		json_num(b, r->hits_rate);
		ob_puts(b, ",\"misses_per_s\":");
		json_num(b, r->miss_rate);
		ob_puts(b, ",\"hit_pct\":");
		json_num(b, r->hit_pct);
		ob_puts(b, ",\"targets\":[");
		for (unsigned int k = 0; k < s->nr_targets; k++) {
			const struct rp_target *tg = &s->targets[k];

			ob_puts(b, k ? ",{\"symbol\":" : "{\"symbol\":");
			json_str(b, tg->sym);
			ob_puts(b, ",\"module\":");
			json_str(b, tg->mod);
			ob_puts(b, ",\"hits\":");
			ob_putn(b, num, top_fmt_u64(tg->hits, num));
			ob_puts(b, ",\"hits_per_s\":");
			{
				long long d = top_target_delta(r, k);

				json_num(b, d < 0 || m->interval <= 0 ? -1 : d / m->interval);
			}
			ob_putc(b, '}');
		}
		ob_puts(b, "]}");
	}
	ob_puts(b, "]}\n");
}
