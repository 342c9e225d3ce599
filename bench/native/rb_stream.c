// SPDX-License-Identifier: GPL-2.0
/*
 * The native replay's stream files (rb_replay.h has the format): a strict
 * reader.  Every deviation from the format stops relreplay with the file,
 * the line and what is wrong: a replay of a stream that was not what the
 * recording meant would measure something else without saying so.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rb.h"
#include "rb_replay.h"

#define HEADER		"# relpoline replay stream 1"
#define HEADER_ANY	"# relpoline replay stream "
#define MAX_FIELDS	32

enum stage { ST_P, ST_T, ST_S, ST_C };
static const char *const stage_rec = "PTSC";

struct reader {
	struct rr_stream *s;
	unsigned long line;
	enum stage stage;
	bool have_p;
	u64 cap_t, cap_s, cap_c;	/* allocated entries */
};

static void __attribute__((noreturn, format(printf, 2, 3)))
bad(const struct reader *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s:%lu: ", program_invocation_short_name,
		r->s->path, r->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Grow *@p (entries of @size) to hold @n, doubling */
static void grow(const struct reader *r, void **p, u64 *cap, u64 n, size_t size)
{
	void *q;

	if (n <= *cap)
		return;
	*cap = *cap ? 2 * *cap : 1024;
	q = realloc(*p, *cap * size);
	if (!q)
		bad(r, "out of memory");
	*p = q;
}

/* Split @line at blanks; returns the number of fields */
static int split(const struct reader *r, char *line, char **f)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == MAX_FIELDS)
			bad(r, "more than %d fields", MAX_FIELDS);
		f[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = 0;
	}
}

/* @t as a decimal number in [@lo, @hi], else an error naming @what */
static u64 num(const struct reader *r, const char *t, u64 lo, u64 hi,
	       const char *what)
{
	u64 v = 0;
	const char *p;

	for (p = t; *p; p++) {
		u64 d = *p - '0';

		if (*p < '0' || *p > '9')
			bad(r, "%s: '%s' is not a decimal number", what, t);
		if (d > hi || v > (hi - d) / 10)	/* v * 10 + d > hi */
			bad(r, "%s: %s is above %llu", what, t, (unsigned long long)hi);
		v = v * 10 + d;
	}
	if (p == t)
		bad(r, "%s: empty number", what);
	if (v < lo)
		bad(r, "%s: %s is below %llu", what, t, (unsigned long long)lo);
	return v;
}

static void want_fields(const struct reader *r, int n, int want, const char *rec)
{
	if (n != want)
		bad(r, "%s line: %d fields, want %d", rec, n, want);
}

/* P workload=W sample_period=N count_hits=B max_targets=M [k=v...] */
static void rec_p(struct reader *r, char **f, int n)
{
	static const char *const keys[] = {
		"workload", "sample_period", "count_hits", "max_targets",
	};
	struct rr_stream *s = r->s;
	bool seen[4] = { false };
	int i, k;

	if (r->have_p)
		bad(r, "a second P line");
	r->have_p = true;
	for (i = 1; i < n; i++) {
		char *eq = strchr(f[i], '=');
		const char *v;

		if (!eq || eq == f[i] || !eq[1])
			bad(r, "P line: '%s' is not key=value", f[i]);
		*eq = 0;
		v = eq + 1;
		for (k = 0; k < 4 && strcmp(f[i], keys[k]); k++)
			;
		if (k == 4)
			continue;	/* another knob: not used */
		if (seen[k])
			bad(r, "P line: %s given twice", keys[k]);
		seen[k] = true;
		switch (k) {
		case 0:
			if (strlen(v) >= RR_NAME_MAX ||
			    strspn(v, "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") != strlen(v))
				bad(r, "P line: workload '%s': want at most %d of [A-Za-z0-9_.+-]",
				    v, RR_NAME_MAX - 1);
			strcpy(s->workload, v);
			break;
		case 1:
			s->sample_period = num(r, v, 1, RR_MAX_PERIOD, "sample_period");
			break;
		case 2:
			s->count_hits = num(r, v, 0, 1, "count_hits");
			break;
		default:
			s->max_targets = num(r, v, 1, RR_MAX_TARGETS, "max_targets");
			break;
		}
	}
	for (k = 0; k < 4; k++)
		if (!seen[k])
			bad(r, "P line: no %s=", keys[k]);
}

/* T <tid> <name> */
static void rec_t(struct reader *r, char **f, int n)
{
	struct rr_stream *s = r->s;

	want_fields(r, n, 3, "T");
	if (num(r, f[1], 0, RR_MAX_IDS - 1, "target id") != s->nt)
		bad(r, "target id %s out of order: want %u", f[1], s->nt);
	grow(r, (void **)&s->tnames, &r->cap_t, s->nt + 1, sizeof(*s->tnames));
	s->tnames[s->nt] = strdup(f[2]);
	if (!s->tnames[s->nt])
		bad(r, "out of memory");
	s->nt++;
}

/* S <sid> <name> <n> [tid...] */
static void rec_s(struct reader *r, char **f, int n)
{
	struct rr_stream *s = r->s;
	struct rr_site *site;
	int i, k, nr;

	if (n < 4)
		bad(r, "S line: %d fields, want at least 4", n);
	if (num(r, f[1], 0, RR_MAX_IDS - 1, "site id") != s->ns)
		bad(r, "site id %s out of order: want %u", f[1], s->ns);
	nr = num(r, f[3], 0, RR_MAX_TARGETS, "promoted targets");
	if (n != 4 + nr)
		bad(r, "S line: %d promoted targets but %d target ids", nr, n - 4);
	grow(r, (void **)&s->sites, &r->cap_s, s->ns + 1, sizeof(*s->sites));
	site = &s->sites[s->ns];
	memset(site, 0, sizeof(*site));
	site->n = nr;
	for (i = 0; i < nr; i++) {
		site->tids[i] = num(r, f[4 + i], 0, RR_MAX_IDS - 1, "target id");
		if (site->tids[i] >= s->nt)
			bad(r, "site %u promotes target %u, which has no T line",
			    s->ns, site->tids[i]);
		for (k = 0; k < i; k++)
			if (site->tids[k] == site->tids[i])
				bad(r, "site %u promotes target %u twice", s->ns,
				    site->tids[i]);
	}
	site->name = strdup(f[2]);
	if (!site->name)
		bad(r, "out of memory");
	s->ns++;
}

/* C <sid> <tid> */
static void rec_c(struct reader *r, char **f, int n)
{
	struct rr_stream *s = r->s;
	struct rr_call *c;

	want_fields(r, n, 3, "C");
	if (s->nc == RR_MAX_CALLS)
		bad(r, "more than %u calls", RR_MAX_CALLS);
	grow(r, (void **)&s->calls, &r->cap_c, s->nc + 1, sizeof(*s->calls));
	c = &s->calls[s->nc++];
	c->sid = num(r, f[1], 0, RR_MAX_IDS - 1, "site id");
	c->tid = num(r, f[2], 0, RR_MAX_IDS - 1, "target id");
	if (c->sid >= s->ns)
		bad(r, "call of site %u, which has no S line", c->sid);
	if (c->tid >= s->nt)
		bad(r, "call of target %u, which has no T line", c->tid);
}

/* One record; the records of each kind come after those of the kind before */
static void record(struct reader *r, char *line)
{
	static void (*const rec[])(struct reader *, char **, int) = {
		rec_p, rec_t, rec_s, rec_c,
	};
	char *f[MAX_FIELDS];
	int n = split(r, line, f);
	const char *p;
	enum stage st;

	if (!n)
		bad(r, "empty line");
	p = strlen(f[0]) == 1 ? strchr(stage_rec, f[0][0]) : NULL;
	if (!p || !*p)
		bad(r, "unknown record '%s' (want P, T, S, C or a # comment)", f[0]);
	st = p - stage_rec;
	if (st < r->stage)
		bad(r, "%c line after the %c lines", stage_rec[st], stage_rec[r->stage]);
	if (st == ST_T && !r->have_p)
		bad(r, "T line before the P line");
	if (st == ST_S && !r->s->nt)
		bad(r, "S line before any T line");
	if (st == ST_C && !r->s->ns)
		bad(r, "C line before any S line");
	r->stage = st;
	rec[st](r, f, n);
}

void rr_parse(const char *path, struct rr_stream *s)
{
	struct reader r = { .s = s };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *fp;

	memset(s, 0, sizeof(*s));
	s->path = path;
	fp = fopen(path, "r");
	if (!fp)
		die(path);
	while ((len = getline(&line, &cap, fp)) >= 0) {
		r.line++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if ((size_t)len != strlen(line))
			bad(&r, "a NUL byte");
		if (r.line == 1) {
			if (!strncmp(line, HEADER_ANY, strlen(HEADER_ANY)) &&
			    strcmp(line, HEADER))
				bad(&r, "unsupported version: '%s' (this reads '%s')",
				    line, HEADER);
			if (strcmp(line, HEADER))
				bad(&r, "not a relpoline replay stream: the first line must be '%s'",
				    HEADER);
			continue;
		}
		if (line[0] == '#')
			continue;
		record(&r, line);
	}
	if (ferror(fp))
		die(path);
	free(line);
	fclose(fp);
	if (r.line == 0)
		bad(&r, "empty file");
	if (!s->nc)
		bad(&r, "end of file before %s", !r.have_p ? "the P line" :
		    !s->nt ? "any T line" : !s->ns ? "any S line" : "any C line");
}

void rr_free(struct rr_stream *s)
{
	u32 i;

	for (i = 0; i < s->nt; i++)
		free(s->tnames[i]);
	for (i = 0; i < s->ns; i++)
		free(s->sites[i].name);
	free(s->tnames);
	free(s->sites);
	free(s->calls);
	memset(s, 0, sizeof(*s));
}
