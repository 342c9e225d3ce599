// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline profiles: a symbolic, KASLR-independent record of which
 * sites are promoted or pinned and to which targets.
 *
 *	# relpoline profile v2
 *	# any comment
 *	kernel RELEASE BUILD-ID
 *	site SYMBOL+0xOFF MODULE|- promoted|pinned TARGET[:HITS]...
 *
 * v1 files (no kernel line) are still read. The kernel line names the
 * build the profile was saved on: loading it on another build is refused
 * (sites and targets may have moved) unless the caller says otherwise.
 *
 * TARGET is "symbol" (vmlinux) or "symbol[module]". The site token may
 * carry a "/0xSIZE" suffix (ignored) so lines can be pasted from sites.
 *
 * Parsing, formatting and merging are pure; rp_profile_load() talks to
 * the kernel through rp_control().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relpoline.h"

#define PROFILE_MAGIC	"relpoline profile v"

static void entry_free(struct rp_pentry *e)
{
	for (unsigned int i = 0; i < e->nr_targets; i++)
		free(e->targets[i].name);
	free(e->targets);
	free(e->sym);
	free(e->mod);
}

void rp_profile_free(struct rp_profile *p)
{
	for (size_t i = 0; i < p->nr; i++)
		entry_free(&p->v[i]);
	free(p->v);
	free(p->kernel);
	p->v = NULL;
	p->nr = 0;
	p->kernel = NULL;
}

static int push_entry(struct rp_profile *p, size_t *cap, struct rp_pentry *e)
{
	if (p->nr == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct rp_pentry *nv = realloc(p->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		p->v = nv;
		*cap = ncap;
	}
	p->v[p->nr++] = *e;
	return 0;
}

static int cmp_pentry_ptr(const void *a, const void *b)
{
	const struct rp_pentry *x = *(const struct rp_pentry * const *)a;
	const struct rp_pentry *y = *(const struct rp_pentry * const *)b;
	int c = rp_site_key_cmp(x->sym, x->off, x->mod, y->sym, y->off, y->mod);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int parse_site_line(char **tok, unsigned int ntok, unsigned int lineno,
			   struct rp_pentry *e, struct rp_syntax_err *err)
{
	char sym[512];
	unsigned long off, size;
	int st;

	memset(e, 0, sizeof(*e));
	e->line = lineno;
	if (ntok < 5)
		return rp_syntax_error(err, lineno, "missing columns: need 'site SYMBOL+0xOFF MODULE STATE TARGET...'");
	if (rp_parse_site_token(tok[1], sym, sizeof(sym), &off, &size))
		return rp_syntax_error(err, lineno, "bad site '%.60s' (expected symbol+0xOFF)", tok[1]);
	if (!strcmp(tok[3], "promoted"))
		st = RP_P_PROMOTED;
	else if (!strcmp(tok[3], "pinned"))
		st = RP_P_PINNED;
	else
		return rp_syntax_error(err, lineno, "bad state '%.40s' (expected promoted or pinned)", tok[3]);
	if (!strcmp(tok[2], "-"))
		e->mod = NULL;
	else if (strpbrk(tok[2], "[]:+/,"))
		return rp_syntax_error(err, lineno, "bad module '%.40s'", tok[2]);
	else if (!(e->mod = strdup(tok[2])))
		return -ENOMEM;
	e->sym = strdup(sym);
	e->off = off;
	e->state = st;
	e->targets = calloc(ntok - 4, sizeof(*e->targets));
	if (!e->sym || !e->targets) {
		entry_free(e);
		return -ENOMEM;
	}
	for (unsigned int i = 4; i < ntok; i++) {
		char copy[RP_MAX_LINE + 1], name[RP_MAX_LINE + 1];
		const char *tsym, *tmod;
		uint64_t hits;

		snprintf(copy, sizeof(copy), "%s", tok[i]);
		if (rp_parse_target_token(copy, false, &tsym, &tmod, &hits)) {
			entry_free(e);
			return rp_syntax_error(err, lineno,
				    "bad target '%.60s' (expected symbol[:HITS] or symbol[module][:HITS])",
				    tok[i]);
		}
		if (tmod)
			snprintf(name, sizeof(name), "%s[%s]", tsym, tmod);
		else
			snprintf(name, sizeof(name), "%s", tsym);
		for (unsigned int j = 0; j < e->nr_targets; j++)
			if (!strcmp(e->targets[j].name, name)) {
				entry_free(e);
				return rp_syntax_error(err, lineno, "duplicate target '%.60s'", name);
			}
		e->targets[e->nr_targets].name = strdup(name);
		e->targets[e->nr_targets].hits = hits;
		if (!e->targets[e->nr_targets].name) {
			entry_free(e);
			return -ENOMEM;
		}
		e->nr_targets++;
	}
	return 0;
}

/* "kernel RELEASE BUILD-ID": at most once, before the sites */
static int parse_kernel_line(char **tok, unsigned int ntok, unsigned int lineno,
			     struct rp_profile *p, struct rp_syntax_err *err)
{
	if (ntok != 3)
		return rp_syntax_error(err, lineno, "expected 'kernel RELEASE BUILD-ID'");
	if (p->kernel)
		return rp_syntax_error(err, lineno, "a second 'kernel' line");
	if (p->nr)
		return rp_syntax_error(err, lineno, "the 'kernel' line must come before the sites");
	if (asprintf(&p->kernel, "%s %s", tok[1], tok[2]) < 0) {
		p->kernel = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* "# relpoline profile vN" */
static int parse_header(const char *q, unsigned int lineno, struct rp_syntax_err *err)
{
	const char *h = q + (*q == '#');
	char *vend;
	long ver;

	while (*h == ' ' || *h == '\t')
		h++;
	if (q[0] != '#' || strncmp(h, PROFILE_MAGIC, strlen(PROFILE_MAGIC)))
		return rp_syntax_error(err, lineno, "not a relpoline profile (missing '# %s%d' header)",
				       PROFILE_MAGIC, RP_PROFILE_VERSION);
	ver = strtol(h + strlen(PROFILE_MAGIC), &vend, 10);
	if (vend == h + strlen(PROFILE_MAGIC) ||
	    (*vend && *vend != ' ' && *vend != '\t' && *vend != '\r'))
		return rp_syntax_error(err, lineno, "bad profile header");
	if (ver < 1 || ver > RP_PROFILE_VERSION)
		return rp_syntax_error(err, lineno, "unsupported profile version %ld (this tool reads v1 to v%d)",
				       ver, RP_PROFILE_VERSION);
	return 0;
}

/* split q in place into blank-separated tokens; returns their number */
static unsigned int tokenize(char *q, char **tok)
{
	unsigned int ntok = 0;

	for (;;) {
		while (*q == ' ' || *q == '\t' || *q == '\r')
			q++;
		if (!*q)
			return ntok;
		tok[ntok++] = q;
		while (*q && *q != ' ' && *q != '\t' && *q != '\r')
			q++;
		if (*q)
			*q++ = '\0';
	}
}

/* one record line: "site ..." or "kernel ..." */
static int parse_record(char *q, unsigned int lineno, struct rp_profile *p, size_t *cap,
			struct rp_syntax_err *err)
{
	char *tok[RP_MAX_LINE / 2 + 1];
	unsigned int ntok = tokenize(q, tok);
	struct rp_pentry e;
	int ret;

	if (!strcmp(tok[0], "kernel"))
		return parse_kernel_line(tok, ntok, lineno, p, err);
	if (strcmp(tok[0], "site"))
		return rp_syntax_error(err, lineno, "unknown record '%.40s' (expected 'site' or 'kernel')", tok[0]);
	ret = parse_site_line(tok, ntok, lineno, &e, err);
	if (ret)
		return ret;
	ret = push_entry(p, cap, &e);
	if (ret)
		entry_free(&e);
	return ret;
}

static int check_dup_sites(const struct rp_profile *p, struct rp_syntax_err *err)
{
	struct rp_pentry **idx;
	int ret = 0;

	if (p->nr < 2)
		return 0;
	idx = malloc(p->nr * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < p->nr; i++)
		idx[i] = &p->v[i];
	qsort(idx, p->nr, sizeof(*idx), cmp_pentry_ptr);
	for (size_t i = 1; i < p->nr && !ret; i++) {
		struct rp_pentry *a = idx[i - 1], *b = idx[i];

		if (!rp_site_key_cmp(a->sym, a->off, a->mod, b->sym, b->off, b->mod))
			ret = rp_syntax_error(err, b->line, "duplicate site %s+0x%lx (first on line %u)",
					      b->sym, b->off, a->line);
	}
	free(idx);
	return ret;
}

int rp_profile_parse(const char *text, size_t len, struct rp_profile *p,
		     struct rp_syntax_err *err)
{
	const char *s = text, *end = text + len;
	unsigned int lineno = 0;
	bool have_header = false;
	size_t cap = 0;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	err->line = 0;
	err->msg[0] = '\0';
	while (s < end && !ret) {
		const char *nl = memchr(s, '\n', end - s);
		size_t llen = (nl ? nl : end) - s;
		char line[RP_MAX_LINE + 1], *q;

		lineno++;
		if (llen > RP_MAX_LINE) {
			ret = rp_syntax_error(err, lineno, "line too long (%zu bytes, limit %d)", llen, RP_MAX_LINE);
			break;
		}
		memcpy(line, s, llen);
		line[llen] = '\0';
		s += llen + 1;
		if (strlen(line) != llen) {
			ret = rp_syntax_error(err, lineno, "NUL byte inside the line");
			break;
		}
		for (q = line; *q == ' ' || *q == '\t' || *q == '\r'; q++)
			;
		if (!*q)
			continue;
		if (!have_header) {
			ret = parse_header(q, lineno, err);
			have_header = true;
		} else if (*q != '#') {
			ret = parse_record(q, lineno, p, &cap, err);
		}
	}
	if (!ret && !have_header)
		ret = rp_syntax_error(err, 0, "empty file: not a relpoline profile");
	if (!ret)
		ret = check_dup_sites(p, err);
	if (ret)
		rp_profile_free(p);
	return ret;
}

int rp_profile_from_sites(const struct rp_sites *s, struct rp_profile *p)
{
	size_t cap = 0;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < s->nr; i++) {
		const struct rp_site *site = &s->v[i];
		struct rp_pentry e = { 0 };

		if (site->state != RP_STATE_PROMOTED && site->state != RP_STATE_PINNED)
			continue;
		if (!site->nr_targets)
			continue;
		e.sym = strdup(site->sym);
		e.mod = site->mod ? strdup(site->mod) : NULL;
		e.off = site->off;
		e.state = site->state == RP_STATE_PINNED ? RP_P_PINNED : RP_P_PROMOTED;
		e.targets = calloc(site->nr_targets, sizeof(*e.targets));
		e.line = site->line;
		if (!e.sym || (site->mod && !e.mod) || !e.targets)
			goto nomem;
		for (unsigned int j = 0; j < site->nr_targets; j++) {
			char name[1100];

			rp_target_name(&site->targets[j], name, sizeof(name));
			e.targets[j].name = strdup(name);
			e.targets[j].hits = site->targets[j].hits;
			if (!e.targets[j].name)
				goto nomem;
			e.nr_targets++;
		}
		if (push_entry(p, &cap, &e))
			goto nomem;
		continue;
nomem:
		entry_free(&e);
		rp_profile_free(p);
		return -ENOMEM;
	}
	return 0;
}

int rp_profile_write(FILE *f, const struct rp_profile *p, const char *comment)
{
	fprintf(f, "# %s%d\n", PROFILE_MAGIC, RP_PROFILE_VERSION);
	if (comment && *comment) {
		const char *c = comment;

		while (*c) {
			const char *nl = strchr(c, '\n');
			int n = nl ? (int)(nl - c) : (int)strlen(c);

			fprintf(f, "# %.*s\n", n, c);
			c += n + (nl ? 1 : 0);
		}
	}
	if (p->kernel)
		fprintf(f, "kernel %s\n", p->kernel);
	fprintf(f, "# site SYMBOL+0xOFF MODULE|- promoted|pinned TARGET[module]:HITS...\n");
	for (size_t i = 0; i < p->nr; i++) {
		const struct rp_pentry *e = &p->v[i];

		fprintf(f, "site %s+0x%lx %s %s", e->sym, e->off, e->mod ? e->mod : "-",
			e->state == RP_P_PINNED ? "pinned" : "promoted");
		for (unsigned int j = 0; j < e->nr_targets; j++)
			fprintf(f, " %s:%" PRIu64, e->targets[j].name, e->targets[j].hits);
		fputc('\n', f);
	}
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------ */
/* merge                                                               */

struct mtarget {
	const char *name;
	uint64_t hits;
	bool pinned;
};

static int cmp_mtarget(const void *a, const void *b)
{
	const struct mtarget *x = a, *y = b;

	if (x->pinned != y->pinned)
		return x->pinned ? -1 : 1;
	if (x->hits != y->hits)
		return x->hits > y->hits ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct mentry {
	struct rp_pentry e;
	uint64_t total;
};

static int cmp_mentry(const void *a, const void *b)
{
	const struct mentry *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return rp_site_key_cmp(x->e.sym, x->e.off, x->e.mod, y->e.sym, y->e.off, y->e.mod);
}

/* a growable list of the targets of one site, summed over the inputs */
struct mtargets {
	struct mtarget *v;
	size_t nr, cap;
};

static int add_target(struct mtargets *mt, const struct rp_ptarget *pt, bool pinned)
{
	size_t k;

	for (k = 0; k < mt->nr; k++)
		if (!strcmp(mt->v[k].name, pt->name))
			break;
	if (k == mt->nr) {
		if (mt->nr == mt->cap) {
			size_t nc = mt->cap ? mt->cap * 2 : 16;
			struct mtarget *tmp = realloc(mt->v, nc * sizeof(*tmp));

			if (!tmp)
				return -ENOMEM;
			mt->v = tmp;
			mt->cap = nc;
		}
		mt->v[k] = (struct mtarget){ .name = pt->name };
		mt->nr++;
	}
	mt->v[k].hits += pt->hits;
	mt->v[k].pinned |= pinned;
	return 0;
}

/* merge the entries grp[0..n) of one site into me */
static int merge_site(struct rp_pentry **grp, size_t n, unsigned int max_targets,
		      struct mtargets *mt, struct mentry *me)
{
	const struct rp_pentry *first = grp[0];
	bool pinned = false;
	size_t keep = 0;

	mt->nr = 0;
	for (size_t j = 0; j < n; j++) {
		pinned |= grp[j]->state == RP_P_PINNED;
		for (unsigned int t = 0; t < grp[j]->nr_targets; t++) {
			if (add_target(mt, &grp[j]->targets[t], grp[j]->state == RP_P_PINNED))
				return -ENOMEM;
			me->total += grp[j]->targets[t].hits;
		}
	}
	qsort(mt->v, mt->nr, sizeof(*mt->v), cmp_mtarget);
	while (keep < mt->nr && keep < max_targets && (!pinned || mt->v[keep].pinned))
		keep++;
	me->e.sym = strdup(first->sym);
	me->e.mod = first->mod ? strdup(first->mod) : NULL;
	me->e.off = first->off;
	me->e.state = pinned ? RP_P_PINNED : RP_P_PROMOTED;
	me->e.targets = calloc(keep ? keep : 1, sizeof(*me->e.targets));
	if (!me->e.sym || (first->mod && !me->e.mod) || !me->e.targets)
		return -ENOMEM;
	for (size_t k = 0; k < keep; k++) {
		me->e.targets[k].name = strdup(mt->v[k].name);
		me->e.targets[k].hits = mt->v[k].hits;
		if (!me->e.targets[k].name)
			return -ENOMEM;
		me->e.nr_targets++;
	}
	return 0;
}

int rp_profile_merge(const struct rp_profile *in, size_t n,
		     unsigned int max_targets, struct rp_profile *out)
{
	struct rp_pentry **all = NULL;
	struct mtargets mt = { 0 };
	struct mentry *m = NULL;
	size_t nall = 0, nm = 0, i, j;
	int ret = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!max_targets)
		return -EINVAL;
	for (i = 0; i < n; i++)
		nall += in[i].nr;
	if (!nall)
		return 0;
	all = malloc(nall * sizeof(*all));
	m = calloc(nall, sizeof(*m));
	if (!all || !m)
		goto out;
	nall = 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < in[i].nr; j++)
			all[nall++] = &in[i].v[j];
	/* group by site; stable within a group is irrelevant: sums commute */
	qsort(all, nall, sizeof(*all), cmp_pentry_ptr);
	for (i = 0; i < nall; i = j) {
		for (j = i; j < nall && !rp_site_key_cmp(all[i]->sym, all[i]->off, all[i]->mod,
							  all[j]->sym, all[j]->off, all[j]->mod); j++)
			;
		if (merge_site(all + i, j - i, max_targets, &mt, &m[nm++]))
			goto out;
	}
	qsort(m, nm, sizeof(*m), cmp_mentry);
	out->v = malloc(nm * sizeof(*out->v));
	if (!out->v)
		goto out;
	for (i = 0; i < nm; i++) {
		out->v[i] = m[i].e;
		out->v[i].line = 0;
	}
	out->nr = nm;
	nm = 0;
	ret = 0;
out:
	for (i = 0; i < nm; i++)
		entry_free(&m[i].e);
	free(m);
	free(mt.v);
	free(all);
	return ret;
}

/* ------------------------------------------------------------------ */
/* load                                                                */

static void print_log_block(FILE *log, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(log, "    %.*s\n", n, p);
		p += n + (nl ? 1 : 0);
	}
}

static void where(const struct rp_pentry *e, char *buf, size_t len)
{
	int n = e->line ? snprintf(buf, len, "line %u: ", e->line) : 0;

	snprintf(buf + n, len - n, "site %s+0x%lx%s%s%s", e->sym, e->off,
		 e->mod ? " [" : "", e->mod ? e->mod : "", e->mod ? "]" : "");
}

/* the command for entry e on site s into cmd; false if no target is left */
static bool build_cmd(const struct rp_pentry *e, const struct rp_site *s, long long maxt,
		      rp_symbol_exists_fn exists, void *exists_data, FILE *log,
		      struct rp_load_report *rep, char *cmd, size_t len)
{
	size_t n = snprintf(cmd, len, "%s %lu ", e->state == RP_P_PINNED ? "pin" : "promote", s->id);
	unsigned int used = 0;
	char w[640];

	where(e, w, sizeof(w));
	for (unsigned int t = 0; t < e->nr_targets; t++) {
		const struct rp_ptarget *pt = &e->targets[t];
		char copy[RP_MAX_LINE + 1];
		const char *tsym, *tmod;
		uint64_t h;

		snprintf(copy, sizeof(copy), "%s", pt->name);
		if (exists && !rp_parse_target_token(copy, false, &tsym, &tmod, &h) &&
		    !exists(tsym, tmod, exists_data)) {
			fprintf(log, "relpoline: %s: target %s no longer exists, dropped\n", w, pt->name);
			rep->missing_targets++;
			continue;
		}
		if (maxt && used >= maxt) {
			fprintf(log, "relpoline: %s: target %s dropped (max_targets is %lld)\n",
				w, pt->name, maxt);
			continue;
		}
		n += snprintf(cmd + n, n < len ? len - n : 0, "%s%s", used ? "," : "", pt->name);
		used++;
	}
	if (!used || n >= len) {
		fprintf(log, "relpoline: %s: %s, skipped\n", w, used ? "command too long" : "no target left");
		rep->failed++;
		return false;
	}
	return true;
}

struct load_batch {
	const struct rp_profile *p;
	size_t *entry;			/* profile entry of each command */
	char **cmds;
	FILE *log;
	struct rp_load_report *rep;
};

static void load_line_err(size_t i, const struct rp_result *res, void *data)
{
	struct load_batch *lb = data;
	char w[640];

	where(&lb->p->v[lb->entry[i]], w, sizeof(w));
	fprintf(lb->log, "relpoline: %s: '%s' failed: %s\n", w, lb->cmds[i], res->msg);
	if (res->log)
		print_log_block(lb->log, res->log);
}

int rp_profile_load(struct rp_ctx *ctx, const struct rp_profile *p,
		    rp_symbol_exists_fn exists, void *exists_data,
		    FILE *log, struct rp_load_report *rep)
{
	struct load_batch lb = { .p = p, .log = log, .rep = rep };
	const struct rp_site **idx = NULL;
	struct rp_syntax_err perr;
	struct rp_sites avail;
	long long maxt = 0;
	size_t n = 0;
	int r;

	memset(rep, 0, sizeof(*rep));
	r = rp_read_sites(ctx, true, &avail, &perr);
	if (r) {
		fprintf(log, "relpoline: cannot read available sites: %s\n", perr.msg);
		return r;
	}
	if (rp_read_ll(ctx, "max_targets", &maxt) || maxt < 1)
		maxt = 0;	/* unknown: let the kernel judge */
	idx = rp_sites_by_key(&avail);
	lb.entry = calloc(p->nr + 1, sizeof(*lb.entry));
	lb.cmds = calloc(p->nr + 1, sizeof(*lb.cmds));
	r = -ENOMEM;
	if (!idx || !lb.entry || !lb.cmds)
		goto out;
	for (size_t i = 0; i < p->nr; i++) {
		const struct rp_pentry *e = &p->v[i];
		const struct rp_site *s = rp_sites_find_key(idx, avail.nr, e->sym, e->off, e->mod);
		char cmd[RP_MAX_LINE + 64], w[640];

		if (!s) {
			where(e, w, sizeof(w));
			fprintf(log, "relpoline: %s: no longer exists%s, skipped\n", w,
				e->mod ? " (module not loaded?)" : "");
			rep->failed++;
			continue;
		}
		if (!build_cmd(e, s, maxt, exists, exists_data, log, rep, cmd, sizeof(cmd)))
			continue;
		lb.cmds[n] = strdup(cmd);
		if (!lb.cmds[n])
			goto out;
		lb.entry[n++] = i;
	}
	/* one write (one patch batch) per RP_CONTROL_BATCH sites */
	r = rp_control_lines(ctx, (const char * const *)lb.cmds, n, load_line_err, &lb, NULL);
	if (r >= 0) {
		rep->applied = n - r;
		rep->failed += r;
		r = (rep->failed || rep->missing_targets) ? 1 : 0;
	}
out:
	for (size_t i = 0; lb.cmds && i < n; i++)
		free(lb.cmds[i]);
	free(lb.cmds);
	free(lb.entry);
	free(idx);
	rp_sites_free(&avail);
	return r;
}

int rp_profile_check_kernel(const struct rp_ctx *ctx, const struct rp_profile *p,
			    char *msg, size_t len)
{
	char cur[512];

	msg[0] = '\0';
	if (!p->kernel || rp_kernel_id(ctx, cur, sizeof(cur)))
		return 0;
	if (!strcmp(cur, p->kernel))
		return 0;
	snprintf(msg, len, "the profile was saved on kernel %.200s, this is %.200s", p->kernel, cur);
	return -ESTALE;
}
