// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kernel/trace/relpoline_parse.c.
 *
 * The input is split into lines at '\n'; every line goes, in a heap buffer
 * of exactly its length (so that ASan catches any read past it), to each
 * parser, and the results are checked:
 *
 * - the return value is 0, 1 or -EINVAL and agrees with the error struct;
 *   an error has a message and a position inside the line;
 * - an accepted line is well formed (counts, NUL-terminated names from the
 *   right character sets, distinct targets) and survives a round trip
 *   through its canonical text (tests/unit/parse/rp_fmt.h);
 * - blanks added around a line change nothing but the error position,
 *   which moves with a leading blank;
 * - glob_match() (the kernel's lib/glob.c, which set_relpoline_filter
 *   uses) behaves on "PATTERN STRING" lines: a pattern without
 *   metacharacters matches only itself, "*" everything;
 * - the weights accepted so far form a table, and rp_weight_lookup() is
 *   compared with a reference implementation for every path seen.
 *
 * The same bytes also drive rp_policy_decide(): its output is checked
 * against the policy rules, for independence from the candidates' order
 * and for idempotence (deciding again on the same scores changes nothing).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/glob.h>
#include <linux/relpoline_parse.h>

#include "../unit/parse/rp_fmt.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
			__LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#define MAX_LINE	8192
#define FMT_SIZE	8192
#define MAX_WEIGHTS	8

static struct rp_cmd cmd, cmd2;
static struct rp_filter_pat pat, pat2;
static struct rp_weight_line wl, wl2;
static char fmt1[FMT_SIZE], fmt2[FMT_SIZE], tmp[MAX_LINE + 8];
static struct rp_weight_ent wtab[MAX_WEIGHTS];
static unsigned int nr_wtab;
static char paths[MAX_WEIGHTS * 2][RP_CGROUP_PATH_MAX + 1];
static unsigned int nr_paths;

static void check_err(int ret, const struct rp_parse_err *e, unsigned int len)
{
	CHECK(ret == 0 || ret == 1 || ret == -EINVAL);
	if (ret >= 0) {
		CHECK(e->err == 0 && e->msg == NULL && e->pos == 0);
	} else {
		CHECK(e->err == -EINVAL && e->msg != NULL && e->msg[0]);
		CHECK(e->pos <= len);
	}
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool sym_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > KSYM_NAME_LEN - 1 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.$", s[i]))
			return false;
	return true;
}

static bool mod_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n > MODULE_NAME_LEN - 1)
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_-", s[i]))
			return false;
	return true;
}

/* Parse @len bytes from an exact-size heap copy */
typedef int (*parse_fn)(const char *, unsigned int, void *,
			struct rp_parse_err *);

static int parse_exact(parse_fn fn, const char *s, unsigned int len, void *out,
		       struct rp_parse_err *e)
{
	char *p = malloc(len ? len : 1);
	int ret;

	CHECK(p);
	memcpy(p, s, len);
	ret = fn(p, len, out, e);
	free(p);
	return ret;
}

static int p_cmd(const char *s, unsigned int n, void *o, struct rp_parse_err *e)
{
	return rp_parse_cmd(s, n, o, e);
}

static int p_filter(const char *s, unsigned int n, void *o,
		    struct rp_parse_err *e)
{
	return rp_parse_filter(s, n, o, e);
}

static int p_weight(const char *s, unsigned int n, void *o,
		    struct rp_parse_err *e)
{
	return rp_parse_weight(s, n, o, e);
}

typedef const char *(*fmt_fn)(char *, size_t, const void *);

static const char *f_cmd(char *s, size_t n, const void *o)
{
	return rp_fmt_cmd(s, n, o);
}

static const char *f_filter(char *s, size_t n, const void *o)
{
	return rp_fmt_filter(s, n, o);
}

static const char *f_weight(char *s, size_t n, const void *o)
{
	return rp_fmt_weight(s, n, o);
}

/*
 * The properties shared by all parsers: error contract, round trip,
 * blanks around the line, no error struct.
 */
static int check_parser(parse_fn fn, fmt_fn fmt, void *o1, void *o2,
			const char *line, unsigned int len)
{
	struct rp_parse_err e, e2;
	int ret, ret2;

	ret = parse_exact(fn, line, len, o1, &e);
	check_err(ret, &e, len);
	if (ret == 0)
		fmt(fmt1, sizeof(fmt1), o1);

	/* no error struct */
	CHECK(parse_exact(fn, line, len, o2, NULL) == ret);

	/* trailing blanks and CRLF change nothing */
	memcpy(tmp, line, len);
	memcpy(tmp + len, " \t\r\n", 4);
	ret2 = parse_exact(fn, tmp, len + 4, o2, &e2);
	CHECK(ret2 == ret);
	if (ret < 0)
		CHECK(e2.pos == e.pos && !strcmp(e2.msg, e.msg));
	else if (ret == 0)
		CHECK(!strcmp(fmt(fmt2, sizeof(fmt2), o2), fmt1));

	/* a leading blank moves the error by one */
	tmp[0] = '\t';
	memcpy(tmp + 1, line, len);
	ret2 = parse_exact(fn, tmp, len + 1, o2, &e2);
	CHECK(ret2 == ret);
	if (ret < 0)
		CHECK(e2.pos == e.pos + 1 && !strcmp(e2.msg, e.msg));
	else if (ret == 0)
		CHECK(!strcmp(fmt(fmt2, sizeof(fmt2), o2), fmt1));

	/* the canonical text parses to the same thing */
	if (ret == 0) {
		ret2 = parse_exact(fn, fmt1, strlen(fmt1), o2, &e2);
		CHECK(ret2 == 0);
		CHECK(!strcmp(fmt(fmt2, sizeof(fmt2), o2), fmt1));
	}
	return ret;
}

static void check_cmd(const char *line, unsigned int len)
{
	unsigned int i, j;

	if (check_parser(p_cmd, f_cmd, &cmd, &cmd2, line, len))
		return;
	CHECK(cmd.op >= RP_CMD_PROMOTE && cmd.op <= RP_CMD_RESET);
	CHECK(cmd.nr_targets <= RELPOLINE_MAX_TARGETS);
	switch (cmd.op) {
	case RP_CMD_PROMOTE:
	case RP_CMD_PIN:
		CHECK(cmd.has_site && cmd.nr_targets >= 1);
		break;
	case RP_CMD_RETRAIN:
		CHECK(cmd.nr_targets == 0);
		break;
	case RP_CMD_RESET:
		CHECK(!cmd.has_site && cmd.nr_targets == 0);
		break;
	default:
		CHECK(cmd.has_site && cmd.nr_targets == 0);
	}
	CHECK(terminated(cmd.site.sym, sizeof(cmd.site.sym)));
	if (cmd.has_site && cmd.site.kind == RP_REF_SYM)
		CHECK(sym_ok(cmd.site.sym));
	else
		CHECK(!cmd.site.sym[0]);
	for (i = 0; i < cmd.nr_targets; i++) {
		const struct rp_target_ref *t = &cmd.targets[i];

		CHECK(terminated(t->sym, sizeof(t->sym)));
		CHECK(terminated(t->mod, sizeof(t->mod)));
		CHECK(t->kind == RP_REF_SYM || t->kind == RP_REF_ADDR);
		if (t->kind == RP_REF_SYM)
			CHECK(sym_ok(t->sym) && mod_ok(t->mod));
		else
			CHECK(!t->sym[0] && !t->mod[0]);
		for (j = 0; j < i; j++) {
			const struct rp_target_ref *u = &cmd.targets[j];

			CHECK(t->kind != u->kind ||
			      (t->kind == RP_REF_ADDR ? t->addr != u->addr :
			       strcmp(t->sym, u->sym) || strcmp(t->mod, u->mod)));
		}
	}
}

static void check_filter(const char *line, unsigned int len)
{
	if (check_parser(p_filter, f_filter, &pat, &pat2, line, len))
		return;
	CHECK(terminated(pat.glob, sizeof(pat.glob)));
	CHECK(terminated(pat.mod, sizeof(pat.mod)));
	CHECK(pat.glob[0] && mod_ok(pat.mod));
	CHECK(!pat.mod_only || (pat.mod[0] && !strcmp(pat.glob, "*")));
	/* a glob without wildcards matches itself only */
	if (!strpbrk(pat.glob, "*?[")) {
		CHECK(glob_match(pat.glob, pat.glob));
		snprintf(fmt2, sizeof(fmt2), "%sx", pat.glob);
		CHECK(!glob_match(pat.glob, fmt2));
	}
}

static void check_weight(const char *line, unsigned int len)
{
	size_t n;

	if (check_parser(p_weight, f_weight, &wl, &wl2, line, len))
		return;
	CHECK(terminated(wl.path, sizeof(wl.path)));
	CHECK(!(wl.remove && wl.is_default));
	if (!wl.remove)
		CHECK(wl.weight <= RP_WEIGHT_MAX);
	if (wl.is_default) {
		CHECK(!wl.path[0]);
		return;
	}
	n = strlen(wl.path);
	CHECK(n >= 1 && n <= RP_CGROUP_PATH_MAX && wl.path[0] == '/');
	CHECK(n == 1 || wl.path[n - 1] != '/');
	CHECK(!strstr(wl.path, "//") && !strstr(wl.path, "/./") &&
	      !strstr(wl.path, "/../"));
	if (nr_paths < MAX_WEIGHTS * 2)
		strcpy(paths[nr_paths++], wl.path);
	if (!wl.remove && nr_wtab < MAX_WEIGHTS) {
		strcpy(wtab[nr_wtab].path, wl.path);
		wtab[nr_wtab++].weight = wl.weight;
	}
}

/* Reference: is @anc the path @p itself or one of its ancestors? */
static bool ref_ancestor(const char *anc, const char *p)
{
	size_t n = strlen(anc);

	if (!strcmp(anc, "/"))
		return p[0] == '/';
	return !strncmp(anc, p, n) && (p[n] == '\0' || p[n] == '/');
}

static void check_lookup(void)
{
	unsigned int i, j, depth, best_depth;
	char child[RP_CGROUP_PATH_MAX + 8];
	int idx, best, w;

	for (i = 0; i < nr_paths * 2; i++) {
		const char *p = paths[i / 2];

		if (i & 1) {	/* a child and a sibling-prefix of the path */
			snprintf(child, sizeof(child), "%s%s", p,
				 (i & 2) ? "/c" : "c");
			p = child;
		}
		best = -1;
		best_depth = 0;
		for (j = 0; j < nr_wtab; j++) {
			if (!ref_ancestor(wtab[j].path, p))
				continue;
			depth = strlen(wtab[j].path);
			if (best < 0 || depth > best_depth) {
				best = j;
				best_depth = depth;
			}
		}
		w = rp_weight_lookup(wtab, nr_wtab, 4242, p, &idx);
		CHECK(idx == best);
		CHECK(w == (best < 0 ? 4242 : (int)wtab[best].weight));
	}
}

static void check_glob(const char *line, unsigned int len)
{
	char *s, *sp;

	/* "PATTERN STRING", up to the first NUL */
	if (len > 1024)
		return;
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	sp = strchr(tmp, ' ');
	if (!sp)
		return;
	*sp = '\0';
	s = sp + 1;
	/* the same again, both strings in exact-size buffers */
	{
		char *g = strdup(tmp), *t = strdup(s);
		bool m;

		CHECK(g && t);
		m = glob_match(g, t);
		if (!strpbrk(g, "*?[\\"))
			CHECK(m == !strcmp(g, t));
		if (!strcmp(g, "*"))
			CHECK(m);
		free(g);
		free(t);
	}
}

/* ---- policy ---- */

struct reader {
	const uint8_t *p;
	size_t n, i;
};

static unsigned int rd8(struct reader *r)
{
	return r->n ? r->p[r->i++ % r->n] : 0;
}

static u64 rd_score(struct reader *r)
{
	unsigned int kind = rd8(r) & 3;
	u64 v = (rd8(r) << 8) | rd8(r);

	if (kind == 3)		/* huge values, to exercise exact arithmetic */
		v = (v << 48) | ((u64)rd8(r) << 40) | 0xffffffffffULL;
	else if (kind == 2)
		v <<= rd8(r) % 40;
	return v;
}

static bool in_list(const u64 *v, unsigned int n, u64 x)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* a * m >= b * k, with 128-bit arithmetic */
static bool ge128(u64 a, unsigned int m, u64 b, unsigned int k)
{
	return (unsigned __int128)a * m >= (unsigned __int128)b * k;
}

static void check_policy(const uint8_t *data, size_t size)
{
	struct reader r = { data, size, 0 };
	struct rp_cand cand[8], rev[8];
	u64 cur[6], out[RELPOLINE_MAX_TARGETS + 1], out2[RELPOLINE_MAX_TARGETS + 1];
	struct rp_policy p;
	unsigned int nr_cand, nr_cur, n, n2, i, j, max, thr;
	u64 total = 0, samples, score;
	bool same, better;

	if (size < 4)
		return;
	p.max_targets = rd8(&r) % 6;
	p.min_samples = rd8(&r) % 8;
	p.threshold_pct = rd8(&r) % 104;
	samples = rd8(&r) % 10;
	nr_cand = rd8(&r) % 9;
	for (i = 0; i < nr_cand; i++) {
		/* distinct targets from a small set */
		u64 t = 0x1000 + (rd8(&r) % 12) * 0x10;

		for (j = 0; j < i; j++)
			if (cand[j].target == t)
				t += 0x1000 * (i + 1);
		cand[i].target = t;
		cand[i].score = rd_score(&r);
		if (total + cand[i].score < total)
			total = ~0ULL;
		else
			total += cand[i].score;
	}
	switch (rd8(&r) % 4) {
	case 0:
		break;
	case 1:		/* targets not in cand */
		score = rd_score(&r);
		total = total + score < total ? ~0ULL : total + score;
		break;
	case 2:
		total = 0;
		break;
	default:	/* inconsistent: anything */
		total = rd_score(&r);
	}
	nr_cur = rd8(&r) % 7;
	for (i = 0; i < nr_cur; i++)
		cur[i] = 0x1000 + (rd8(&r) % 14) * 0x10;

	max = p.max_targets < 1 ? 1 :
	      p.max_targets > RELPOLINE_MAX_TARGETS ? RELPOLINE_MAX_TARGETS :
	      p.max_targets;
	thr = p.threshold_pct < 1 ? 1 :
	      p.threshold_pct > 100 ? 100 : p.threshold_pct;

	out[RELPOLINE_MAX_TARGETS] = 0xdead;
	n = rp_policy_decide(cand, nr_cand, total, samples, cur, nr_cur, &p,
			     out);
	CHECK(n <= RELPOLINE_MAX_TARGETS);
	CHECK(out[RELPOLINE_MAX_TARGETS] == 0xdead);
	if (samples < p.min_samples) {
		CHECK(n == (nr_cur < RELPOLINE_MAX_TARGETS ? nr_cur :
			   RELPOLINE_MAX_TARGETS));
		CHECK(!memcmp(out, cur, n * sizeof(u64)));
		return;
	}
	if (!total) {
		CHECK(n == 0);
		return;
	}
	if (nr_cur > RELPOLINE_MAX_TARGETS)	/* the rest is ignored */
		nr_cur = RELPOLINE_MAX_TARGETS;
	CHECK(n <= max);
	for (i = 0; i < n; i++) {
		for (j = 0; j < nr_cand && cand[j].target != out[i]; j++)
			;
		CHECK(j < nr_cand);
		score = cand[j].score;
		CHECK(score > 0);
		if (in_list(cur, nr_cur, out[i]))
			CHECK(ge128(score, 200, total, thr));
		else
			CHECK(ge128(score, 100, total, thr));
		for (j = 0; j < i; j++)
			CHECK(out[j] != out[i]);
	}
	/*
	 * Every eligible candidate left out has a reason: the slots are full,
	 * a new one is not 1.25x any current one kept and worse than every
	 * new one taken, a current one is worse than every current one kept
	 * and every new one taken has 1.25x its score.
	 */
	for (i = 0; i < nr_cand; i++) {
		const struct rp_cand *x = &cand[i];
		bool x_cur = in_list(cur, nr_cur, x->target);

		if (!x->score || in_list(out, n, x->target) ||
		    !ge128(x->score, x_cur ? 200 : 100, total, thr))
			continue;
		CHECK(n == max);
		for (j = 0; j < nr_cand; j++) {
			const struct rp_cand *k = &cand[j];

			if (!in_list(out, n, k->target))
				continue;
			better = k->score > x->score ||
				 (k->score == x->score && k->target < x->target);
			if (in_list(cur, nr_cur, k->target) && !x_cur)
				CHECK(!ge128(x->score, 4, k->score, 5));
			else
				CHECK(better);
			/* a current one only gives way to 1.25x its score */
			if (x_cur && !in_list(cur, nr_cur, k->target))
				CHECK(ge128(k->score, 4, x->score, 5));
		}
	}
	/* order: the current order for the current set, else best first */
	same = true;
	for (i = 0; i < n; i++)
		same = same && in_list(cur, nr_cur, out[i]);
	for (i = 0; i < nr_cur; i++)
		same = same && in_list(out, n, cur[i]);
	if (!same) {
		for (i = 1; i < n; i++) {
			u64 a = 0, b = 0;

			for (j = 0; j < nr_cand; j++) {
				if (cand[j].target == out[i - 1])
					a = cand[j].score;
				if (cand[j].target == out[i])
					b = cand[j].score;
			}
			better = a > b || (a == b && out[i - 1] < out[i]);
			CHECK(better);
		}
	}
	/* independent of the candidates' order */
	for (i = 0; i < nr_cand; i++)
		rev[i] = cand[nr_cand - 1 - i];
	n2 = rp_policy_decide(rev, nr_cand, total, samples, cur, nr_cur, &p,
			      out2);
	CHECK(n2 == n && !memcmp(out, out2, n * sizeof(u64)));
	/* idempotent */
	n2 = rp_policy_decide(cand, nr_cand, total, samples, out, n, &p, out2);
	CHECK(n2 == n && !memcmp(out, out2, n * sizeof(u64)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *nl;
	size_t left = size;
	unsigned int len;

	nr_wtab = 0;
	nr_paths = 0;
	while (left) {
		nl = memchr(s, '\n', left);
		len = nl ? (unsigned int)(nl - s) : (unsigned int)left;
		if (len <= MAX_LINE) {
			check_cmd(s, len);
			check_filter(s, len);
			check_weight(s, len);
			check_glob(s, len);
		}
		if (!nl)
			break;
		left -= len + 1;
		s = nl + 1;
	}
	check_lookup();
	check_policy(data, size);
	return 0;
}
