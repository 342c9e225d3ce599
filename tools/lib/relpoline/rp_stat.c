// SPDX-License-Identifier: GPL-2.0
/*
 * Tolerant parser for the totals in trace_stat/relpoline.
 *
 * The per-site rows are skipped (any line mentioning "+0x"). Totals are
 * recognised in three shapes, keys compared after lower-casing and
 * turning every run of non-alphanumerics into '_':
 *
 *	retrains: 12            "key: value[unit]"
 *	ipi rounds = 40         "key = value[unit]"
 *	# sites: off=3 learning=10 promoted=7   "word=value" pairs
 *
 * Durations accept ns/us/ms/s units (value or key suffix, default ns);
 * sizes accept B/KB/KiB/MB/MiB (default bytes). Unknown keys are ignored.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "relpoline.h"

void rp_stat_init(struct rp_stat *st)
{
	for (int i = 0; i < RP_STATE_NR; i++)
		st->state[i] = -1;
	st->hits = st->misses = st->retrains = st->batches = -1;
	st->ipi_rounds = st->last_retrain_ns = st->stub_bytes = -1;
}

enum kind { K_COUNT, K_TIME, K_SIZE };

struct key {
	const char *name;
	size_t off;
	enum kind kind;
};

#define F(x) offsetof(struct rp_stat, x)
#define S(x) (offsetof(struct rp_stat, state) + (x) * sizeof(long long))

static const struct key keys[] = {
	{ "hits",			F(hits),		K_COUNT },
	{ "total_hits",			F(hits),		K_COUNT },
	{ "misses",			F(misses),		K_COUNT },
	{ "total_misses",		F(misses),		K_COUNT },
	{ "retrains",			F(retrains),		K_COUNT },
	{ "total_retrains",		F(retrains),		K_COUNT },
	{ "nr_retrains",		F(retrains),		K_COUNT },
	{ "retrain_count",		F(retrains),		K_COUNT },
	{ "patch_batches",		F(batches),		K_COUNT },
	{ "batches",			F(batches),		K_COUNT },
	{ "nr_batches",			F(batches),		K_COUNT },
	{ "ipi_rounds",			F(ipi_rounds),		K_COUNT },
	{ "ipis",			F(ipi_rounds),		K_COUNT },
	{ "nr_ipis",			F(ipi_rounds),		K_COUNT },
	{ "last_retrain_duration",	F(last_retrain_ns),	K_TIME },
	{ "last_retrain",		F(last_retrain_ns),	K_TIME },
	{ "last_retrain_time",		F(last_retrain_ns),	K_TIME },
	{ "stub_bytes",			F(stub_bytes),		K_SIZE },
	{ "stub_memory",		F(stub_bytes),		K_SIZE },
	{ "stubs_bytes",		F(stub_bytes),		K_SIZE },
	{ "stub_mem",			F(stub_bytes),		K_SIZE },
	{ "off",			S(RP_STATE_OFF),	K_COUNT },
	{ "learning",			S(RP_STATE_LEARNING),	K_COUNT },
	{ "promoted",			S(RP_STATE_PROMOTED),	K_COUNT },
	{ "pinned",			S(RP_STATE_PINNED),	K_COUNT },
	{ "blocked",			S(RP_STATE_BLOCKED),	K_COUNT },
	{ "busy",			S(RP_STATE_BUSY),	K_COUNT },
};

/* normalise [s, e) into out: lower case, non-alnum runs -> '_', trimmed */
static void norm(const char *s, const char *e, char *out, size_t len)
{
	size_t n = 0;
	bool us = false;

	for (; s < e && n + 1 < len; s++) {
		unsigned char c = *s;

		if (isalnum(c)) {
			if (us && n)
				out[n++] = '_';
			us = false;
			if (n + 1 < len)
				out[n++] = tolower(c);
		} else {
			us = true;
		}
	}
	out[n] = '\0';
}

/* strip a unit suffix from a normalised key, return multiplier (ns/bytes) */
static long long key_unit(char *k, enum kind kind)
{
	static const struct { const char *sfx; long long mul; enum kind kind; } units[] = {
		{ "_ns", 1, K_TIME }, { "_us", 1000, K_TIME },
		{ "_ms", 1000000, K_TIME }, { "_s", 1000000000, K_TIME },
		{ "_bytes", 1, K_SIZE }, { "_kb", 1024, K_SIZE },
		{ "_kib", 1024, K_SIZE },
	};
	size_t n = strlen(k);

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t m = strlen(units[i].sfx);

		if (units[i].kind != kind || n <= m)
			continue;
		if (!strcmp(k + n - m, units[i].sfx)) {
			/* keep "stub_bytes" intact: it is itself a key */
			if (!strcmp(k, "stub_bytes") || !strcmp(k, "stubs_bytes"))
				return 1;
			k[n - m] = '\0';
			return units[i].mul;
		}
	}
	return 0;	/* no unit in key */
}

static const struct key *find_key(char *k, long long *kmul)
{
	for (int pass = 0; pass < 2; pass++) {
		char tmp[64];

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (pass == 0 && !strcmp(k, keys[i].name)) {
				*kmul = 0;
				return &keys[i];
			}
			if (pass == 1 && keys[i].kind != K_COUNT) {
				long long m;

				snprintf(tmp, sizeof(tmp), "%s", k);
				m = key_unit(tmp, keys[i].kind);
				if (m && !strcmp(tmp, keys[i].name)) {
					*kmul = m;
					return &keys[i];
				}
			}
		}
		/* "sites_promoted" / "sites_off" style */
		if (pass == 0 && !strncmp(k, "sites_", 6) &&
		    rp_state_parse(k + 6) >= 0) {
			memmove(k, k + 6, strlen(k + 6) + 1);
			return find_key(k, kmul);
		}
	}
	return NULL;
}

/* parse number + optional unit at p; returns end or NULL */
static const char *parse_val(const char *p, const char *e, enum kind kind,
			     long long kmul, long long *out)
{
	char *end;
	double v;
	long long mul = kmul ? kmul : 1;
	char unit[8];
	size_t n = 0;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= e || !(isdigit((unsigned char)*p) || *p == '.'))
		return NULL;
	v = strtod(p, &end);
	if (end == p || end > e)
		return NULL;
	p = end;
	while (p < e && *p == ' ')
		p++;
	while (p < e && isalpha((unsigned char)*p) && n + 1 < sizeof(unit))
		unit[n++] = tolower((unsigned char)*p++);
	unit[n] = '\0';
	if (kind == K_TIME && n) {
		if (!strcmp(unit, "ns"))
			mul = 1;
		else if (!strcmp(unit, "us") || !strcmp(unit, "usecs"))
			mul = 1000;
		else if (!strcmp(unit, "ms") || !strcmp(unit, "msecs"))
			mul = 1000000;
		else if (!strcmp(unit, "s") || !strcmp(unit, "secs"))
			mul = 1000000000;
	} else if (kind == K_SIZE && n) {
		if (!strcmp(unit, "kb") || !strcmp(unit, "kib") || !strcmp(unit, "k"))
			mul = 1024;
		else if (!strcmp(unit, "mb") || !strcmp(unit, "mib") || !strcmp(unit, "m"))
			mul = 1024 * 1024;
		else if (!strcmp(unit, "b") || !strcmp(unit, "bytes"))
			mul = 1;
	}
	*out = (long long)(v * mul + 0.5);
	return p;
}

static int store(struct rp_stat *st, const char *ks, const char *ke,
		 const char *vs, const char *ve)
{
	const struct key *k;
	char name[64];
	long long kmul, v;

	norm(ks, ke, name, sizeof(name));
	if (!name[0])
		return 0;
	k = find_key(name, &kmul);
	if (!k || !parse_val(vs, ve, k->kind, kmul, &v))
		return 0;
	*(long long *)((char *)st + k->off) = v;
	return 1;
}

static int parse_pairs(struct rp_stat *st, const char *s, const char *e)
{
	int found = 0;

	while (s < e) {
		const char *eq = memchr(s, '=', e - s), *ks, *ve;

		if (!eq)
			break;
		ks = eq;
		while (ks > s && (isalnum((unsigned char)ks[-1]) || ks[-1] == '_'))
			ks--;
		ve = eq + 1;
		while (ve < e && *ve != ' ' && *ve != '\t' && *ve != ',')
			ve++;
		found += store(st, ks, eq, eq + 1, ve);
		s = ve;
	}
	return found;
}

int rp_stat_parse(const char *text, size_t len, struct rp_stat *st)
{
	const char *p = text, *end = text + len;
	int found = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *le = nl ? nl : end;
		const char *s = p, *sep;

		p = le + 1;
		while (s < le && (*s == ' ' || *s == '\t' || *s == '#'))
			s++;
		/* per-site rows: start with a number or name a site */
		if (s >= le || (*s >= '0' && *s <= '9') || memmem(s, le - s, "+0x", 3))
			continue;
		sep = memchr(s, ':', le - s);
		if (sep && !memchr(sep, '=', le - sep)) {
			found += store(st, s, sep, sep + 1, le);
			continue;
		}
		if (memchr(s, '=', le - s)) {
			const char *eq = memchr(s, '=', le - s);
			const char *q = s;
			int before = found;

			/* "key = value" (one pair with blanks around '=') */
			while (q < eq && *q != ':')
				q++;
			if (q == eq && (eq > s && eq[-1] == ' '))
				found += store(st, s, eq, eq + 1, le);
			if (found == before)
				found += parse_pairs(st, sep ? sep + 1 : s, le);
		}
	}
	return found;
}
