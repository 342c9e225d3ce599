// SPDX-License-Identifier: GPL-2.0
/*
 * Parser for relpoline/sites and relpoline/available_sites.
 *
 * sites:           id site module form reg state hits misses [extra...] [target:HITS...]
 * available_sites: id site module form reg [extra...]
 *
 * The text is copied once and tokenized in place, so a 30,000 line file
 * costs one allocation for the text, one for the site array and one for
 * the target pool.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relpoline.h"

static const char * const state_names[RP_STATE_NR] = {
	[RP_STATE_OFF]		= "off",
	[RP_STATE_LEARNING]	= "learning",
	[RP_STATE_PROMOTED]	= "promoted",
	[RP_STATE_PINNED]	= "pinned",
	[RP_STATE_BLOCKED]	= "blocked",
	[RP_STATE_BUSY]		= "busy",
};

static const char * const form_names[RP_FORM_NR] = {
	[RP_FORM_CALL]	= "call",
	[RP_FORM_JMP]	= "jmp",
	[RP_FORM_JCC]	= "jcc",
};

const char *rp_state_name(enum rp_state s)
{
	if (s < RP_STATE_NR)
		return state_names[s];
	return "-";
}

int rp_state_parse(const char *s)
{
	int i;

	/* the first letter tells them apart; check the whole word */
	switch (s[0]) {
	case 'o': i = RP_STATE_OFF; break;
	case 'l': i = RP_STATE_LEARNING; break;
	case 'p': i = s[1] == 'r' ? RP_STATE_PROMOTED : RP_STATE_PINNED; break;
	case 'b': i = s[1] == 'l' ? RP_STATE_BLOCKED : RP_STATE_BUSY; break;
	default: return -1;
	}
	return strcmp(s, state_names[i]) ? -1 : i;
}

const char *rp_form_name(enum rp_form f)
{
	if (f < RP_FORM_NR)
		return form_names[f];
	return "-";
}

int rp_form_parse(const char *s)
{
	int i;

	switch (s[0]) {
	case 'c': i = RP_FORM_CALL; break;
	case 'j': i = s[1] == 'm' ? RP_FORM_JMP : RP_FORM_JCC; break;
	default: return -1;
	}
	return strcmp(s, form_names[i]) ? -1 : i;
}

int rp_syntax_error(struct rp_syntax_err *err, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!err)
		return -EINVAL;
	err->line = line;
	if (line)
		n = snprintf(err->msg, sizeof(err->msg), "line %u: ", line);
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* decimal u64, whole token, no sign, overflow checked */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned int d = (unsigned char)*s - '0';

		if (d > 9)
			return -1;
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* hex digits (no prefix), whole [s, e) */
static int parse_hex(const char *s, const char *e, unsigned long *out)
{
	unsigned long v = 0;

	if (s == e || e - s > 16)
		return -1;
	for (; s < e; s++) {
		unsigned int c = (unsigned char)*s, d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = (v << 4) | d;
	}
	*out = v;
	return 0;
}

/* characters that may not appear in symbol and module names */
static const unsigned char bad_sym_char[256] = {
	[0 ... ' '] = 1, [':'] = 1, ['['] = 1, [']'] = 1, ['+'] = 1,
	['/'] = 1, [','] = 1, [0x7f] = 1,
};

static bool valid_symbol(const char *s, const char *e)
{
	if (s == e)
		return false;
	for (; s < e; s++)
		if (bad_sym_char[(unsigned char)*s])
			return false;
	return true;
}

/*
 * "sym+0xOFF/0xSIZE" or "sym+0xOFF". Returns the length of sym, -1 if
 * malformed; off/size (size 0 if absent) filled in.
 */
static int split_site(const char *tok, unsigned long *off, unsigned long *size)
{
	const char *plus = strchr(tok, '+');
	const char *slash, *end = tok + strlen(tok);

	if (!plus || !valid_symbol(tok, plus))
		return -1;
	if (plus[1] != '0' || (plus[2] != 'x' && plus[2] != 'X'))
		return -1;
	slash = strchr(plus, '/');
	if (parse_hex(plus + 3, slash ? slash : end, off))
		return -1;
	*size = 0;
	if (slash) {
		if (slash[1] != '0' || (slash[2] != 'x' && slash[2] != 'X'))
			return -1;
		if (parse_hex(slash + 3, end, size))
			return -1;
	}
	return plus - tok;
}

int rp_parse_site_token(const char *tok, char *symbuf, size_t symlen,
			unsigned long *off, unsigned long *size)
{
	int n = split_site(tok, off, size);

	if (n < 0 || (size_t)n >= symlen)
		return -EINVAL;
	memcpy(symbuf, tok, n);
	symbuf[n] = '\0';
	return 0;
}

int rp_parse_target_token(char *tok, bool need_hits, const char **sym,
			  const char **mod, uint64_t *hits)
{
	char *colon = strrchr(tok, ':');
	char *name_end, *lb;

	*hits = 0;
	if (colon) {
		if (parse_u64(colon + 1, hits))
			return -EINVAL;
		name_end = colon;
	} else {
		if (need_hits)
			return -EINVAL;
		name_end = tok + strlen(tok);
	}
	*mod = NULL;
	if (name_end > tok && name_end[-1] == ']') {
		lb = memchr(tok, '[', name_end - tok);
		if (!lb || lb + 1 >= name_end - 1)
			return -EINVAL;
		if (!valid_symbol(lb + 1, name_end - 1))
			return -EINVAL;
		if (!valid_symbol(tok, lb))
			return -EINVAL;
		*lb = '\0';
		name_end[-1] = '\0';
		*mod = lb + 1;
	} else {
		if (!valid_symbol(tok, name_end))
			return -EINVAL;
	}
	*name_end = '\0';
	*sym = tok;
	return 0;
}

#define MAX_TOKENS	512

static const unsigned char blank[256] = { [' '] = 1, ['\t'] = 1, ['\r'] = 1 };
static const unsigned char sep[256] = { [0] = 1, [' '] = 1, ['\t'] = 1, ['\r'] = 1 };

static const char *excerpt(const char *tok, char *buf, size_t len)
{
	size_t n = strlen(tok);

	if (n < len) {
		memcpy(buf, tok, n + 1);
	} else {
		memcpy(buf, tok, len - 4);
		strcpy(buf + len - 4, "...");
	}
	return buf;
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static int check_dup_ids(struct rp_sites *out, struct rp_syntax_err *err)
{
	unsigned long *ids;
	size_t i;
	int ret = 0;

	for (i = 1; i < out->nr; i++)
		if (out->v[i].id <= out->v[i - 1].id)
			break;
	if (i >= out->nr) {
		out->ascending = true;	/* strictly increasing: fast path */
		return 0;
	}

	ids = malloc(out->nr * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < out->nr; i++)
		ids[i] = out->v[i].id;
	qsort(ids, out->nr, sizeof(*ids), cmp_ulong);
	for (i = 1; i < out->nr; i++) {
		if (ids[i] == ids[i - 1]) {
			unsigned int line = 0;

			for (size_t j = out->nr; j-- > 0;)
				if (out->v[j].id == ids[i]) {
					line = out->v[j].line;
					break;
				}
			ret = rp_syntax_error(err, line, "duplicate site id %lu", ids[i]);
			break;
		}
	}
	free(ids);
	return ret;
}

/* hex digit value + 1, 0 for anything else */
static const unsigned char hexv[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13,
	['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13,
	['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static const unsigned char regch[256] = {
	['a' ... 'z'] = 1, ['0' ... '9'] = 1,
};

#define UC(c)	((unsigned char)(c))

/* decimal u64 at *pp up to a separator; advances *pp. -1 if malformed */
static inline int scan_u64(char **pp, uint64_t *out)
{
	char *p = *pp, *s = p;
	uint64_t v = 0;

	while ((unsigned int)(UC(*p) - '0') <= 9) {
		unsigned int d = UC(*p) - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		p++;
	}
	if (p == s || !sep[UC(*p)])
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

/* hex digits at *pp (at most 16); advances *pp */
static inline int scan_hex(char **pp, unsigned long *out)
{
	char *p = *pp, *s = p;
	unsigned long v = 0;
	unsigned int d;

	while ((d = hexv[UC(*p)])) {
		v = (v << 4) | (d - 1);
		p++;
	}
	if (p == s || p - s > 16)
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

/* NUL-terminate the token ending at p (a separator) and step over it */
static inline char *term(char *p)
{
	if (*p)
		*p++ = '\0';
	return p;
}

static const char *tok_excerpt(char *t, char *buf, size_t len)
{
	char *e = t;

	while (!sep[UC(*e)])
		e++;
	*e = '\0';
	return excerpt(t, buf, len);
}

/* state of one line being parsed */
struct line {
	char *p;			/* next unparsed character */
	char *t;			/* current token */
	unsigned int col;		/* columns seen */
	unsigned int lineno;
	struct rp_site *s;
	struct rp_syntax_err *err;
	char ex[48];
};

static const char * const col_names[] = {
	"id", "site", "module", "form", "reg", "state", "hits", "misses",
};

/* step to the next token; false at the end of the line */
static inline bool next(struct line *l)
{
	while (blank[UC(*l->p)])
		l->p++;
	if (!*l->p)
		return false;
	l->t = l->p;
	l->col++;
	return true;
}

static int missing(struct line *l, unsigned int known)
{
	return rp_syntax_error(l->err, l->lineno, "missing columns: got %u, need at least %u (no '%s' column)",
			       l->col, known, col_names[l->col]);
}

static int bad(struct line *l, const char *what, const char *expect)
{
	return rp_syntax_error(l->err, l->lineno, "bad %s '%s'%s", what,
			       tok_excerpt(l->t, l->ex, sizeof(l->ex)), expect);
}

/* symbol+0xOFF/0xSIZE */
static int parse_site_col(struct line *l)
{
	char *p = l->p, *plus;

	while (!bad_sym_char[UC(*p)])
		p++;
	if (p == l->t || *p != '+' || p[1] != '0' || (p[2] != 'x' && p[2] != 'X'))
		goto bad;
	plus = p;
	*p = '\0';
	p += 3;
	if (scan_hex(&p, &l->s->off) || *p != '/' || p[1] != '0' || (p[2] != 'x' && p[2] != 'X') ||
	    (p += 3, scan_hex(&p, &l->s->size)) || !sep[UC(*p)]) {
		*plus = '+';
		goto bad;
	}
	l->s->sym = l->t;
	l->p = term(p);
	return 0;
bad:
	return bad(l, "site", " (expected symbol+0xOFF/0xSIZE)");
}

/* id site module form reg: the columns of both files */
static int parse_common(struct line *l, unsigned int known)
{
	struct rp_site *s = l->s;
	uint64_t id;
	size_t len;
	char *p;

	if (!next(l))
		return missing(l, known);
	if (scan_u64(&l->p, &id) || id > (unsigned long)-1)
		return bad(l, "id", " (expected a decimal number)");
	s->id = id;
	l->p = term(l->p);
	if (!next(l))
		return missing(l, known);
	if (parse_site_col(l))
		return -EINVAL;
	if (!next(l))
		return missing(l, known);
	for (p = l->p; !bad_sym_char[UC(*p)]; p++)
		;
	if (!sep[UC(*p)])
		return bad(l, "module", "");
	s->mod = (l->t[0] == '-' && p == l->t + 1) ? NULL : l->t;
	l->p = term(p);
	if (!next(l))
		return missing(l, known);
	for (p = l->p; !sep[UC(*p)]; p++)
		;
	len = p - l->t;
	if (len == 4 && !memcmp(l->t, "call", 4))
		s->form = RP_FORM_CALL;
	else if (len == 3 && !memcmp(l->t, "jmp", 3))
		s->form = RP_FORM_JMP;
	else if (len == 3 && !memcmp(l->t, "jcc", 3))
		s->form = RP_FORM_JCC;
	else
		return bad(l, "form", " (expected call, jmp or jcc)");
	l->p = term(p);
	if (!next(l))
		return missing(l, known);
	for (p = l->p; regch[UC(*p)]; p++)
		;
	if (!sep[UC(*p)] || p - l->t > 8)
		return bad(l, "register", "");
	s->reg = l->t;
	l->p = term(p);
	return 0;
}

/* state hits misses: the columns of sites only */
static int parse_state_counts(struct line *l)
{
	int v;

	if (!next(l))
		return missing(l, 8);
	while (!sep[UC(*l->p)])
		l->p++;
	l->p = term(l->p);
	v = rp_state_parse(l->t);
	if (v < 0)
		return rp_syntax_error(l->err, l->lineno,
				       "bad state '%s' (expected off, learning, promoted, pinned, blocked or busy)",
				       excerpt(l->t, l->ex, sizeof(l->ex)));
	l->s->state = v;
	if (!next(l))
		return missing(l, 8);
	if (scan_u64(&l->p, &l->s->hits))
		return bad(l, "hits counter", " (expected a decimal number)");
	l->p = term(l->p);
	if (!next(l))
		return missing(l, 8);
	if (scan_u64(&l->p, &l->s->misses))
		return bad(l, "misses counter", " (expected a decimal number)");
	l->p = term(l->p);
	return 0;
}

/* tok[first..ntok): "symbol[module]:HITS" targets into the pool */
static int parse_targets(struct rp_sites *out, size_t *tcap, struct line *l,
			 char **tok, unsigned int first, unsigned int ntok)
{
	struct rp_site *s = l->s;

	s->nr_targets = ntok - first;
	if (out->ntv + s->nr_targets > *tcap) {
		size_t ncap = *tcap ? *tcap * 2 : 256;
		struct rp_target *nt;

		while (ncap < out->ntv + s->nr_targets)
			ncap *= 2;
		nt = realloc(out->tv, ncap * sizeof(*nt));
		if (!nt)
			return -ENOMEM;
		out->tv = nt;
		*tcap = ncap;
	}
	/* targets are fixed up to pointers once the pool stops moving */
	s->targets = (struct rp_target *)(uintptr_t)out->ntv;
	for (unsigned int i = first; i < ntok; i++) {
		struct rp_target *tg = &out->tv[out->ntv];

		/* the token is left untouched when it is rejected */
		if (rp_parse_target_token(tok[i], true, &tg->sym, &tg->mod, &tg->hits))
			return rp_syntax_error(l->err, l->lineno,
					       "bad target '%s' (expected symbol:HITS or symbol[module]:HITS)",
					       excerpt(tok[i], l->ex, sizeof(l->ex)));
		out->ntv++;
	}
	return 0;
}

/*
 * One line, parsed in a single pass over the known columns (this runs
 * for every site on every refresh of relpoline-top).
 */
static int parse_line(struct rp_sites *out, size_t *tcap, char *p,
		      unsigned int lineno, bool available,
		      struct rp_syntax_err *err)
{
	unsigned int ntok = 0, known = available ? 5 : 8, i;
	struct line l = { .p = p, .lineno = lineno, .s = &out->v[out->nr], .err = err };
	char *tok[MAX_TOKENS];
	int r;

	memset(l.s, 0, sizeof(*l.s));
	l.s->line = lineno;
	l.s->state = RP_STATE_NONE;
	r = parse_common(&l, known);
	if (!r && !available)
		r = parse_state_counts(&l);
	if (r)
		return r;

	/* the rest: extra columns, then targets */
	while (next(&l)) {
		if (ntok == MAX_TOKENS)
			return rp_syntax_error(err, lineno, "too many columns (more than %d)", MAX_TOKENS + known);
		tok[ntok++] = l.t;
		while (!sep[UC(*l.p)])
			l.p++;
		l.p = term(l.p);
	}
	/* extra columns: tokens without ':' before the first target */
	for (i = 0; i < ntok && (available || !strchr(tok[i], ':')); i++)
		l.s->nr_extra++;
	r = parse_targets(out, tcap, &l, tok, i, ntok);
	if (!r)
		out->nr++;
	return r;
}

int rp_sites_parse(const char *text, size_t len, bool available,
		   struct rp_sites *out, struct rp_syntax_err *err)
{
	char *buf = malloc(len + 1);

	if (!buf) {
		memset(out, 0, sizeof(*out));
		return -ENOMEM;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	return rp_sites_parse_owned(buf, len, available, out, err);
}

int rp_sites_parse_owned(char *buf, size_t len, bool available,
			 struct rp_sites *out, struct rp_syntax_err *err)
{
	size_t nlines = 1, tcap = 0, i;
	unsigned int lineno = 0;
	char *p, *end, *nul;
	int ret;

	memset(out, 0, sizeof(*out));
	if (err) {
		err->line = 0;
		err->msg[0] = '\0';
	}
	out->buf = buf;
	buf[len] = '\0';

	for (p = out->buf; (p = memchr(p, '\n', out->buf + len - p)); p++)
		nlines++;
	nul = memchr(out->buf, '\0', len);
	out->v = malloc(nlines * sizeof(*out->v));
	/* room for two targets per line up front: no realloc copies usually */
	tcap = nlines * 2;
	out->tv = malloc(tcap * sizeof(*out->tv));
	if (!out->v || !out->tv) {
		ret = -ENOMEM;
		goto fail;
	}

	p = out->buf;
	end = out->buf + len;
	while (p < end) {
		char *nl = memchr(p, '\n', end - p);
		size_t llen = (nl ? nl : end) - p;
		char *q;

		lineno++;
		if (nl)
			*nl = '\0';
		if (llen > RP_MAX_LINE) {
			ret = rp_syntax_error(err, lineno, "line too long (%zu bytes, limit %d)",
				   llen, RP_MAX_LINE);
			goto fail;
		}
		if (nul && nul >= p && nul < p + llen) {
			ret = rp_syntax_error(err, lineno, "NUL byte inside the line");
			goto fail;
		}
		q = p;
		while (*q == ' ' || *q == '\t' || *q == '\r')
			q++;
		if (*q && *q != '#') {
			ret = parse_line(out, &tcap, q, lineno, available, err);
			if (ret)
				goto fail;
		}
		p += llen + 1;
	}

	for (i = 0; i < out->nr; i++) {
		uintptr_t idx = (uintptr_t)out->v[i].targets;

		out->v[i].targets = out->v[i].nr_targets ? out->tv + idx : NULL;
	}

	ret = check_dup_ids(out, err);
	if (ret)
		goto fail;
	return 0;
fail:
	rp_sites_free(out);
	return ret;
}

void rp_sites_free(struct rp_sites *s)
{
	free(s->buf);
	free(s->v);
	free(s->tv);
	memset(s, 0, sizeof(*s));
}

char *rp_site_name(const struct rp_site *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s+0x%lx/0x%lx", s->sym, s->off, s->size);
	return buf;
}

char *rp_site_key(const struct rp_site *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s+0x%lx", s->sym, s->off);
	return buf;
}

char *rp_target_name(const struct rp_target *t, char *buf, size_t len)
{
	if (t->mod)
		snprintf(buf, len, "%s[%s]", t->sym, t->mod);
	else
		snprintf(buf, len, "%s", t->sym);
	return buf;
}

const struct rp_site *rp_sites_find_id(const struct rp_sites *s, unsigned long id)
{
	size_t lo = 0, hi = s->nr;

	if (!s->ascending) {
		for (size_t i = 0; i < s->nr; i++)
			if (s->v[i].id == id)
				return &s->v[i];
		return NULL;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].id == id)
			return &s->v[mid];
		if (s->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int rp_site_key_cmp(const char *sym1, unsigned long off1, const char *mod1,
		   const char *sym2, unsigned long off2, const char *mod2)
{
	int c;

	if (!mod1 || !mod2)
		c = mod1 ? 1 : (mod2 ? -1 : 0);
	else
		c = strcmp(mod1, mod2);
	if (c)
		return c;
	c = strcmp(sym1, sym2);
	if (c)
		return c;
	return off1 < off2 ? -1 : off1 > off2;
}

static int cmp_site_ptr(const void *a, const void *b)
{
	const struct rp_site *x = *(const struct rp_site * const *)a;
	const struct rp_site *y = *(const struct rp_site * const *)b;

	return rp_site_key_cmp(x->sym, x->off, x->mod, y->sym, y->off, y->mod);
}

const struct rp_site **rp_sites_by_key(const struct rp_sites *s)
{
	const struct rp_site **idx = malloc((s->nr ? s->nr : 1) * sizeof(*idx));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < s->nr; i++)
		idx[i] = &s->v[i];
	qsort(idx, s->nr, sizeof(*idx), cmp_site_ptr);
	return idx;
}

const struct rp_site *rp_sites_find_key(const struct rp_site * const *idx, size_t n,
					const char *sym, unsigned long off, const char *mod)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = rp_site_key_cmp(sym, off, mod, idx[mid]->sym, idx[mid]->off, idx[mid]->mod);

		if (!c)
			return idx[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
