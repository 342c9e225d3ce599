// SPDX-License-Identifier: GPL-2.0
/*
 * Parser for the header totals of trace_stat/relpoline, in exactly the
 * format the kernel prints (see relpoline.h), and for cgroup_weights.
 *
 * Header lines start with '#' and hold "key=value" tokens (the first
 * may be preceded by a "label:"); per-site rows do not start with '#'
 * and are skipped. Keys this table does not know are skipped too, so a
 * newer kernel's additions do not break older tools, but a known key
 * with a malformed value, or a missing required key, is an error: the
 * tools then say the file is not what they expect instead of showing
 * wrong numbers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "relpoline.h"

#define F(x) offsetof(struct rp_stat, x)

const struct rp_stat_key rp_stat_keys[] = {
	{ "sites",		F(sites),		true },
	{ "refused",		F(refused),		true },
	{ "hits",		F(hits),		true },
	{ "misses",		F(misses),		true },
	{ "retrains",		F(retrains),		true },
	{ "last_retrain_us",	F(last_retrain_us),	true },
	{ "round_sites",	F(round_sites),		false },
	{ "batches",		F(batches),		true },
	{ "ipi_rounds",		F(ipi_rounds),		true },
	{ "patched",		F(patched),		true },
	{ "stub_bytes",		F(stub_bytes),		true },
	{ "stub_pool_bytes",	F(stub_pool_bytes),	true },
	{ "samples",		F(samples),		true },
	{ "dropped",		F(dropped),		true },
	{ "saved_cycles",	F(saved_cycles),	false },
	{ "saved_cycles_per_sec", F(saved_cycles_per_sec), false },
	{ "cpu_share_ppm",	F(cpu_share_ppm),	false },
	{ "saved_window_ms",	F(saved_window_ms),	false },
	{ "slow_cycles_x100",	F(slow_cycles_x100),	false },
	{ "hit_cycles_x100",	F(hit_cycles_x100),	false },
	{ "cycle_khz",		F(cycle_khz),		false },
};
const size_t rp_nr_stat_keys = sizeof(rp_stat_keys) / sizeof(rp_stat_keys[0]);

void rp_stat_init(struct rp_stat *st)
{
	for (int i = 0; i < RP_STATE_NR; i++)
		st->state[i] = -1;
	for (size_t i = 0; i < rp_nr_stat_keys; i++)
		*(long long *)((char *)st + rp_stat_keys[i].off) = -1;
}

static long long *slot(struct rp_stat *st, const char *k, size_t klen)
{
	for (size_t i = 0; i < rp_nr_stat_keys; i++)
		if (strlen(rp_stat_keys[i].name) == klen && !memcmp(rp_stat_keys[i].name, k, klen))
			return (long long *)((char *)st + rp_stat_keys[i].off);
	for (int s = 0; s < RP_STATE_NR; s++)
		if (strlen(rp_state_name(s)) == klen && !memcmp(rp_state_name(s), k, klen))
			return &st->state[s];
	return NULL;
}

/* one "key=value" token [t, e); 0, or -EINVAL for a malformed known key */
static int parse_token(struct rp_stat *st, const char *t, const char *e,
		       unsigned int line, struct rp_syntax_err *err)
{
	const char *eq = memchr(t, '=', e - t);
	long long *dst, v = 0;

	if (!eq)
		return 0;		/* a label ("totals:") or a column title */
	dst = slot(st, t, eq - t);
	if (!dst)
		return 0;		/* a newer kernel's value */
	if (eq + 1 == e)
		goto bad;
	for (const char *p = eq + 1; p < e; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
			goto bad;
		v = v * 10 + (*p - '0');
	}
	*dst = v;
	return 0;
bad:
	return rp_syntax_error(err, line, "trace_stat/relpoline: bad value in '%.*s'",
			       (int)(e - t > 60 ? 60 : e - t), t);
}

int rp_stat_parse(const char *text, size_t len, struct rp_stat *st, struct rp_syntax_err *err)
{
	const char *p = text, *end = text + len;
	unsigned int line = 0;

	rp_stat_init(st);
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *le = nl ? nl : end, *q = p;

		line++;
		p = le + 1;
		if (q >= le || *q != '#')
			continue;	/* a site row, or blank */
		q++;
		while (q < le) {
			const char *t;
			int r;

			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			t = q;
			while (q < le && *q != ' ' && *q != '\t')
				q++;
			if (q > t) {
				r = parse_token(st, t, q, line, err);
				if (r)
					return r;
			}
		}
	}
	for (size_t i = 0; i < rp_nr_stat_keys; i++)
		if (rp_stat_keys[i].required && rp_stat_val(st, &rp_stat_keys[i]) < 0)
			return rp_syntax_error(err, 0,
					       "trace_stat/relpoline has no '%s' total: not the format of this relpoline",
					       rp_stat_keys[i].name);
	for (int s = 0; s < RP_STATE_NR; s++)
		if (st->state[s] < 0)
			return rp_syntax_error(err, 0,
					       "trace_stat/relpoline has no '%s' site count: not the format of this relpoline",
					       rp_state_name(s));
	return 0;
}

/* ------------------------------------------------------------------ */
/* cgroup_weights: "# path weight samples", then PATH WEIGHT SAMPLES[ (deleted)] */

void rp_cgroups_free(struct rp_cgroups *cg)
{
	free(cg->v);
	free(cg->buf);
	memset(cg, 0, sizeof(*cg));
}

static int num(const char *s, long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return *end || errno ? -1 : 0;
}

int rp_cgroups_parse(const char *text, size_t len, struct rp_cgroups *cg,
		     struct rp_syntax_err *err)
{
	unsigned int line = 0;
	char *p, *save = NULL;
	size_t n = 1;

	memset(cg, 0, sizeof(*cg));
	cg->buf = strndup(text, len);
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	cg->v = calloc(n, sizeof(*cg->v));
	if (!cg->buf || !cg->v) {
		rp_cgroups_free(cg);
		return -ENOMEM;
	}
	for (p = strtok_r(cg->buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		struct rp_cgroup *c = &cg->v[cg->nr];
		char *f[4], *s2 = NULL;
		int nf = 0;

		line++;
		if (*p == '#' || !*p)
			continue;
		for (char *t = strtok_r(p, " ", &s2); t && nf < 4; t = strtok_r(NULL, " ", &s2))
			f[nf++] = t;
		if (nf < 3 || (nf == 4 && strcmp(f[3], "(deleted)")) ||
		    num(f[1], &c->weight) || num(f[2], &c->samples)) {
			rp_cgroups_free(cg);
			return rp_syntax_error(err, line, "cgroup_weights: expected 'PATH WEIGHT SAMPLES'");
		}
		c->path = f[0];
		c->deleted = nf == 4;
		cg->nr++;
	}
	return 0;
}
