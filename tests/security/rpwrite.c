// SPDX-License-Identifier: GPL-2.0
/*
 * rpwrite: seeded random writer for /sys/kernel/tracing/relpoline/.
 *
 * Hammers every relpoline file with random and near-valid writes while the
 * caller runs a workload, and checks after each write and every K writes
 * what Documentation/trace/relpoline.rst promises:
 *
 *  - a write either succeeds (returns its length) or fails with an errno
 *    the file can return (see allowed_errnos() below);
 *  - a failed write changes nothing: the knob's value, the filter, the
 *    cgroup_weights table, and, in manual mode, every site's state and
 *    targets are the same after it (EBUSY, ENOSPC and ENOMEM excepted,
 *    which are reported after the other changes are made);
 *  - a knob write succeeds exactly when kstrtouint() takes the value and
 *    it is in range, and the knob then reads back that value;
 *  - a failed write leaves an error_log entry "relpoline/FILE: error:"
 *    (counted; fatal only with -E, see the summary);
 *  - read-only files (sites, available_sites, trace_stat/relpoline) never
 *    accept a write;
 *  - every K writes: sites parses (headers start with '#'; each line has
 *    at least 8 fields: numeric id, symbol+0xOFF/0xSIZE site, module, form,
 *    register, a known state, numeric hits and misses, and at most 4
 *    SYMBOL[MOD]:HITS targets), ids are unique, no raw kernel address
 *    appears in sites or trace_stat/relpoline, hits and misses never go
 *    down for a site until a write with "reset" was accepted, and every
 *    knob is within its documented range.
 *
 * The sequence of writes depends only on the seed (-s): the generator
 * never looks at the kernel's answers, and the writes that restore a sane
 * state (base filter after a wide one, enable=1 after a while disabled)
 * draw no random numbers. Rerun with the same seed and -v (or -l LOG) to
 * replay.
 *
 * With -K N, every N writes a kprobe is put on (or taken off) one of the
 * filter's sites in turn, so that sites become busy under the writes
 * (EBUSY paths). At the end (unless -C) the sites it used are demoted and
 * unblocked, counters reset and relpoline disabled; the caller restores
 * knobs, filter and cgroup_weights.
 *
 * With -M N, after the random writes the same 13 writes (bad 64 KiB and
 * oversized lines, no such site or target, bad filter, weights and knob
 * writes), 4 reads, and every 20 rounds a promote and a demote that
 * succeed, are made N times, and kernel memory (SUnreclaim, VmallocUsed,
 * Percpu, after drop_caches) must not grow by more than N * B / 2 bytes: a
 * leak of B bytes (-B, default 1024) a round or more shows. -I adds such a
 * leak (a SysV message a round), the probe's positive control.
 *
 * usage: rpwrite [-s SEED] [-n WRITES] [-k CHECK_EVERY] [-f FUNCS]
 *                [-t TARGETS] [-d DIR] [-l LOG] [-v] [-E] [-p PROGRESS]
 *                [-K KPROBE_EVERY] [-M LEAK_ROUNDS [-B LEAK_BYTES] [-I]] [-T N] [-C]
 *
 * Exit status: 0 all checks passed, 1 a check failed, 2 setup failed.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "relpoline.h"

#define MAXW		(200 * 1024)	/* largest payload */
#define KMAX		(64 * 1024)	/* the kernel's limit per write */

/* ---- options and state ---- */

static const char *dir = "/sys/kernel/tracing/relpoline";
static const char *trdir = "/sys/kernel/tracing";
static uint64_t seed = 1;
static long nwrites = 10000, check_every = 50, progress = 0, kprobe_every = 0, leak_rounds;
static bool do_cleanup = true;
static bool verbose, strict_errlog;
static FILE *logf;
static char funcs_arg[1024] = "vfs_read,vfs_write";
static char targets_arg[1024] = "read_zero,write_null,read_iter_zero,write_iter_null";

/* ---- PRNG (splitmix64): the only source of randomness ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rn(unsigned int n)	/* 0..n-1 */
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

static bool chance(unsigned int pct)
{
	return rn(100) < pct;
}

/* ---- files ---- */

enum kind { K_KNOB, K_MODE, K_CONTROL, K_FILTER, K_WEIGHTS, K_RO };

struct rfile {
	const char *name;	/* relative to dir (RO: maybe "../trace_stat/...") */
	const char *errname;	/* name in error_log: relpoline/<errname> */
	enum kind kind;
	unsigned int min, max;	/* knobs */
	unsigned int weight;	/* how often it is picked */
	/* statistics */
	unsigned long writes, ok, fails, err_count[8];
};

static struct rfile files[] = {
	{ "enable", "enable", K_KNOB, 0, 1, 4 },
	{ "mode", "mode", K_MODE, 0, 0, 4 },
	{ "control", "control", K_CONTROL, 0, 0, 36 },
	{ "set_relpoline_filter", "set_relpoline_filter", K_FILTER, 0, 0, 10 },
	{ "cgroup_weights", "cgroup_weights", K_WEIGHTS, 0, 0, 10 },
	{ "max_targets", "max_targets", K_KNOB, 1, 4, 5 },
	{ "interval_ms", "interval_ms", K_KNOB, 10, 60000, 5 },
	{ "min_samples", "min_samples", K_KNOB, 1, 1000000, 5 },
	{ "threshold_pct", "threshold_pct", K_KNOB, 1, 100, 5 },
	{ "sample_period", "sample_period", K_KNOB, 1, 1000000, 5 },
	{ "profile", "profile", K_KNOB, 0, 1, 4 },
	{ "sites", NULL, K_RO, 0, 0, 1 },
	{ "available_sites", NULL, K_RO, 0, 0, 1 },
	{ "../trace_stat/relpoline", NULL, K_RO, 0, 0, 1 },
};
#define NFILES	(sizeof(files) / sizeof(files[0]))
enum { F_ENABLE, F_MODE, F_CONTROL, F_FILTER, F_WEIGHTS };

/* errnos we count per file, in this order */
static const int counted[8] = { 0, EINVAL, ENOENT, EBUSY, ENODEV, ENOSPC, EFAULT, -1 };

static int errslot(int e)
{
	int i;

	for (i = 1; i < 7; i++)
		if (counted[i] == e)
			return i;
	return 7;
}

/* ---- helpers ---- */

static char *path_of(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) & 3;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* Read a whole file; NULL (errno set) on failure. */
static char *slurp(const char *path, size_t *lenp)
{
	size_t len = 0, size = 65536;
	char *buf = malloc(size + 1);
	ssize_t r;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (len == size) {
			char *n = realloc(buf, size * 2 + 1);

			if (!n)
				break;
			buf = n;
			size *= 2;
		}
		r = read(fd, buf + len, size - len);
		if (r <= 0)
			break;
		len += r;
	}
	close(fd);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
}

static int write_str(const char *path, int flags, const char *s)
{
	int fd = open(path, O_WRONLY | flags), e = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		e = -errno;
	close(fd);
	return e;
}

static const char *ename(int e)
{
	const char *n = e ? strerrorname_np(e) : "OK";

	return n ? n : "E?";
}

/* Printable excerpt of a payload. */
static const char *excerpt(const char *b, size_t len, size_t max)
{
	static char out[1024];
	size_t i, o = 0;

	for (i = 0; i < len && i < max && o < sizeof(out) - 8; i++) {
		unsigned char c = b[i];

		if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c < 32 || c > 126) {
			o += sprintf(out + o, "\\x%02x", c);
		} else {
			out[o++] = c;
		}
	}
	if (i < len)
		o += sprintf(out + o, "...");
	out[o] = 0;
	return out;
}

/* ---- failures ---- */

enum fcat { FC_ERRNO, FC_ROK, FC_CHANGED, FC_KNOB, FC_SITES, FC_MONO, FC_RANGE, FC_ADDR,
	    FC_ERRLOG, FC_HITSUM, FC_NR };
static const char * const fcat_name[FC_NR] = {
	"unexpected-errno", "read-only-write-accepted", "changed-on-failed-write",
	"knob-semantics", "sites-format", "counter-went-down", "knob-out-of-range",
	"raw-address", "no-error_log-entry", "target-hits-above-site-hits",
};
/*
 * Reported, not failures: a site's hits and its targets' hits are read at
 * different times while the workload runs, so their sum can pass the
 * site's total (the documentation promises nothing here).
 */
static const bool fcat_note[FC_NR] = { [FC_HITSUM] = true };
static unsigned long fcount[FC_NR];
static long cur_write = -1;

/* recent writes, printed on the first failure of each category */
#define RING 8
static char ring[RING][300];
static unsigned int ring_n;

static void fail(enum fcat c, const char *fmt, ...)
{
	va_list ap;
	unsigned int i;

	fcount[c]++;
	if (fcount[c] > 5 && !verbose)
		return;
	printf("rpwrite: %s [%s] write #%ld: ", fcat_note[c] ? "NOTE" : "FAIL", fcat_name[c],
	       cur_write);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (fcount[c] == 1) {
		printf("rpwrite:   last writes:\n");
		for (i = ring_n > RING ? ring_n - RING : 0; i < ring_n; i++)
			printf("rpwrite:     %s\n", ring[i % RING]);
	}
	fflush(stdout);
}

/* ---- what we know about the kernel ---- */

struct site {
	unsigned int id;
	char name[256];		/* func+0xoff */
	char func[256];
	unsigned long addr;	/* 0 when unknown */
	bool base;
};
static struct site *sites;
static unsigned int nsites, nbase, max_id;
static unsigned int base_idx[256], other_idx[16], nother;

static char base_funcs[32][128];
static unsigned int nbase_funcs;
static char targets[16][128];
static unsigned long target_addr[16];
static unsigned int ntargets;
static unsigned long jiffies_addr;

static unsigned long ksym_addr(const char *kallsyms, const char *name)
{
	char pat[200];
	const char *p = kallsyms;
	size_t n;

	snprintf(pat, sizeof(pat), " %s\n", name);
	n = strlen(pat);
	while ((p = strstr(p, pat))) {
		/* "ADDR T name\n": the type letter is 2 chars before */
		const char *ls = p;

		while (ls > kallsyms && ls[-1] != '\n')
			ls--;
		if (p - ls >= 18)
			return strtoul(ls, NULL, 16);
		p += n;
	}
	return 0;
}

static int load_sites(void)
{
	char *avail = slurp(path_of("available_sites"), NULL), *ks, *line, *save;
	unsigned int i, cap = 1024;

	if (!avail) {
		perror("rpwrite: available_sites");
		return -1;
	}
	ks = slurp("/proc/kallsyms", NULL);
	sites = calloc(cap, sizeof(*sites));
	for (line = strtok_r(avail, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct site s = {};
		char name[256], mod[64];
		char *plus;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%u %255s %63s", &s.id, name, mod) != 3)
			continue;
		if (s.id > max_id)
			max_id = s.id;
		plus = strchr(name, '/');
		if (plus)
			*plus = 0;
		snprintf(s.name, sizeof(s.name), "%s", name);
		plus = strchr(name, '+');
		if (plus)
			*plus = 0;
		snprintf(s.func, sizeof(s.func), "%s", name);
		for (i = 0; i < nbase_funcs; i++)
			if (!strcmp(s.func, base_funcs[i]) && !strcmp(mod, "-"))
				s.base = true;
		if (!s.base && nother >= 16)
			continue;	/* keep the base sites and a few others */
		if (ks && (s.base || nother < 16)) {
			unsigned long a = ksym_addr(ks, s.func);
			const char *o = strstr(s.name, "+0x");

			if (a && o)
				s.addr = a + strtoul(o + 3, NULL, 16);
		}
		if (nsites == cap) {
			cap *= 2;
			sites = realloc(sites, cap * sizeof(*sites));
		}
		if (s.base && nbase < 256)
			base_idx[nbase++] = nsites;
		else if (!s.base && nother < 16)
			other_idx[nother++] = nsites;
		sites[nsites++] = s;
	}
	for (i = 0; i < ntargets && ks; i++)
		target_addr[i] = ksym_addr(ks, targets[i]);
	if (ks)
		jiffies_addr = ksym_addr(ks, "jiffies");
	free(ks);
	free(avail);
	if (!nbase) {
		fprintf(stderr, "rpwrite: no site in %s\n", funcs_arg);
		return -1;
	}
	return 0;
}

/* ---- payload generation ---- */

struct gen {
	char *b;
	size_t len;
};

static void add(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (g->len >= MAXW - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(g->b + g->len, MAXW - g->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		g->len += (size_t)n < MAXW - g->len ? (size_t)n : MAXW - 1 - g->len;
}

static const char *const blanks[] = { " ", "  ", "\t", " \t ", "\v", "\f", "\r", "   \t\t" };

static const char *sep(void)
{
	return chance(85) ? " " : blanks[rn(8)];
}

static const char *huge_num(void)
{
	static const char *const h[] = {
		"4294967295", "4294967296", "18446744073709551615", "18446744073709551616",
		"99999999999999999999999999", "-1", "-0", "+1", "0", "00000000000000000001",
		"0x10", "1e3", "2147483648", "65536",
	};
	return h[rn(sizeof(h) / sizeof(h[0]))];
}

static void gen_site(struct gen *g)
{
	struct site *s;

	switch (rn(10)) {
	case 0: case 1: case 2: case 3:	/* a base site by id */
		add(g, "%u", sites[base_idx[rn(nbase)]].id);
		break;
	case 4:				/* by name */
		add(g, "%s", sites[base_idx[rn(nbase)]].name);
		break;
	case 5:				/* by address */
		s = &sites[base_idx[rn(nbase)]];
		if (s->addr)
			add(g, "0x%lx", s->addr + (chance(80) ? 0 : 1));
		else
			add(g, "%u", s->id);
		break;
	case 6:				/* a site outside the filter */
		if (nother) {
			s = &sites[other_idx[rn(nother)]];
			add(g, "%u", s->id);
			break;
		}
		/* fall through */
	case 7:				/* no such site */
		add(g, "%u", max_id + 1 + rn(1000));
		break;
	case 8:
		add(g, "%s", huge_num());
		break;
	default:
		add(g, "%s+0x%x", base_funcs[rn(nbase_funcs)], rn(0x400));
	}
}

static void gen_target(struct gen *g)
{
	unsigned int t = rn(ntargets);

	switch (rn(12)) {
	case 0:
		if (target_addr[t]) {
			add(g, "0x%lx", target_addr[t] + (chance(70) ? 0 : 1));
			break;
		}
		/* fall through */
	case 1:
		add(g, "%s", chance(50) ? "no_such_function_rpw" : "vfs_read");
		break;
	case 2:
		if (jiffies_addr && chance(50))
			add(g, "0x%lx", jiffies_addr);
		else
			add(g, "%s", chance(50) ? "jiffies" : "0x1000");
		break;
	case 3:
		add(g, "%s[%s]", targets[t], chance(50) ? "relpoline_test" : "nosuchmod");
		break;
	default:
		add(g, "%s", targets[t]);
	}
}

static const char *const ops[] = { "promote", "pin", "demote", "block", "unblock", "retrain",
				   "reset" };

static void gen_cmd_line(struct gen *g)
{
	unsigned int op = rn(100), i, n;

	/* promote 30, pin 10, demote 15, block 8, unblock 12, retrain 12, reset 5, other 8 */
	if (op < 30) op = 0;
	else if (op < 40) op = 1;
	else if (op < 55) op = 2;
	else if (op < 63) op = 3;
	else if (op < 75) op = 4;
	else if (op < 87) op = 5;
	else if (op < 92) op = 6;
	else {
		switch (rn(4)) {
		case 0: add(g, "# comment %u", rn(100)); break;
		case 1: add(g, "%s", sep()); break;
		case 2: add(g, "promote"); break;
		default: add(g, "frobnicate %u", rn(100));
		}
		return;
	}
	if (chance(5))
		add(g, "%s", sep());
	add(g, "%s", ops[op]);
	if (op == 6)
		return;
	if (op == 5 && chance(50))
		return;
	add(g, "%s", sep());
	gen_site(g);
	if (op <= 1) {
		add(g, "%s", sep());
		n = chance(70) ? 1 : 1 + rn(chance(90) ? 4 : 6);
		for (i = 0; i < n; i++) {
			if (i)
				add(g, chance(90) ? "," : ", ");
			gen_target(g);
		}
	}
	if (chance(3))
		add(g, " extra");
}

static void gen_filter_line(struct gen *g)
{
	switch (rn(14)) {
	case 0: add(g, "!%s", base_funcs[rn(nbase_funcs)]); break;
	case 1: add(g, "%s:mod:%s", base_funcs[rn(nbase_funcs)], chance(50) ? "relpoline_test" : "x"); break;
	case 2: add(g, ":mod:relpoline_test"); break;
	case 3: add(g, "vfs_re?d"); break;
	case 4: add(g, "vfs_[rw]*"); break;
	case 5: add(g, "# comment"); break;
	case 6: add(g, "%s", sep()); break;
	case 7: add(g, "no_such_function_rpw"); break;
	case 8: add(g, "[unclosed"); break;
	default: add(g, "%s", base_funcs[rn(nbase_funcs)]);
	}
}

static const char *const cgpaths[] = { "/rpw_a", "/rpw_b", "/rpw_b/c", "/", "/rpw_none",
				       "/rpw_b/../rpw_a", "rpw_a", "/rpw_a/", "//rpw_a" };

static void gen_weight_line(struct gen *g)
{
	const char *p = cgpaths[chance(75) ? rn(4) : rn(9)];

	switch (rn(10)) {
	case 0: add(g, "*%s%u", sep(), rn(1002)); break;
	case 1: add(g, "!%s", p); break;
	case 2: add(g, "%s%s%s", p, sep(), huge_num()); break;
	case 3: add(g, "# comment"); break;
	default: add(g, "%s%s%u", p, sep(), chance(90) ? rn(1001) : 1000 + rn(3));
	}
}

static void gen_knob(struct gen *g, struct rfile *f)
{
	unsigned int v;

	if (f->kind == K_MODE) {
		static const char *const m[] = { "auto", "manual", "Auto", "automatic", "manua",
						 "manual manual", "" };
		add(g, "%s", chance(80) ? m[rn(2)] : m[rn(7)]);
	} else if (f == &files[F_ENABLE]) {
		add(g, "%s", chance(80) ? "1" : chance(60) ? "0" : huge_num());
	} else {
		switch (rn(8)) {
		case 0: v = f->min ? f->min - 1 : f->min; break;
		case 1: v = f->max + 1; break;
		case 2: v = f->min; break;
		case 3: v = f->max; break;
		case 4: add(g, "%s", huge_num()); goto tail;
		default: v = f->min + rn(f->max - f->min + 1);
		}
		/* keep the machine responsive: rarely the extremes of the periods */
		if (!strcmp(f->name, "interval_ms") && v < 50 && chance(80))
			v = 50 + rn(500);
		add(g, "%u", v);
	}
tail:
	if (chance(70))
		add(g, "\n");
}

/* Mutations of a valid payload. */
static void mutate(struct gen *g)
{
	unsigned int n = 1 + rn(4), i, at, l;
	static const char ins[] = "\0\t\r\v\f \n#,+-:[]!*?/0x\xff\x80";

	for (i = 0; i < n; i++) {
		at = g->len ? rn(g->len + 1) : 0;
		switch (rn(10)) {
		case 0:		/* flip a byte */
			if (g->len)
				g->b[rn(g->len)] = (char)rn(256);
			break;
		case 1:		/* insert a special byte */
		case 2:
			if (g->len + 1 < MAXW) {
				memmove(g->b + at + 1, g->b + at, g->len - at);
				g->b[at] = ins[rn(sizeof(ins) - 1)];
				g->len++;
			}
			break;
		case 3:		/* delete a range */
			if (g->len) {
				at = rn(g->len);
				l = 1 + rn(g->len - at);
				memmove(g->b + at, g->b + at + l, g->len - at - l);
				g->len -= l;
			}
			break;
		case 4:		/* duplicate a range */
			if (g->len && g->len * 2 < MAXW) {
				at = rn(g->len);
				l = 1 + rn(g->len - at);
				memmove(g->b + at + l, g->b + at, g->len - at);
				g->len += l;
			}
			break;
		case 5: {	/* a huge number somewhere */
			const char *h = huge_num();
			size_t hl = strlen(h);

			if (g->len + hl < MAXW) {
				memmove(g->b + at + hl, g->b + at, g->len - at);
				memcpy(g->b + at, h, hl);
				g->len += hl;
			}
			break;
		}
		case 6:		/* odd whitespace */
			if (g->len + 4 < MAXW) {
				const char *w = blanks[rn(8)];
				size_t wl = strlen(w);

				memmove(g->b + at + wl, g->b + at, g->len - at);
				memcpy(g->b + at, w, wl);
				g->len += wl;
			}
			break;
		case 7:		/* change case */
			if (g->len) {
				at = rn(g->len);
				g->b[at] = isupper((unsigned char)g->b[at]) ?
					   tolower((unsigned char)g->b[at]) :
					   toupper((unsigned char)g->b[at]);
			}
			break;
		case 8:		/* truncate */
			g->len = at;
			break;
		default:	/* an embedded NUL */
			if (g->len + 1 < MAXW) {
				memmove(g->b + at + 1, g->b + at, g->len - at);
				g->b[at] = 0;
				g->len++;
			}
		}
	}
}

static void gen_garbage(struct gen *g)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz_0123456789 \t\n,.:+-!*?[]/#0x";
	size_t n = chance(90) ? rn(200) : rn(KMAX + 100), i;

	for (i = 0; i < n && g->len < MAXW - 1; i++)
		g->b[g->len++] = chance(85) ? alpha[rn(sizeof(alpha) - 1)] : (char)rn(256);
}

static void gen_lines(struct gen *g, struct rfile *f, unsigned int nl)
{
	unsigned int i;

	for (i = 0; i < nl && g->len < MAXW - 600; i++) {
		if (i)
			add(g, chance(95) ? "\n" : "\r\n");
		switch (f->kind) {
		case K_CONTROL: gen_cmd_line(g); break;
		case K_FILTER: gen_filter_line(g); break;
		case K_WEIGHTS: gen_weight_line(g); break;
		default: gen_knob(g, f); return;
		}
	}
	if (chance(60))
		add(g, "\n");
}

/* One long line or many lines around the kernel's limits. */
static void gen_long(struct gen *g, struct rfile *f)
{
	static const size_t sizes[] = { 4096, 65535, 65536, 65537, 70000, 131072, 4095, 32768 };
	size_t want = chance(60) ? sizes[rn(8)] : 1 + rn(MAXW - 1);

	if (chance(50)) {		/* many lines */
		while (g->len + 600 < want && g->len + 600 < MAXW)
			gen_lines(g, f, 1 + rn(8));
	} else {			/* one long token */
		gen_lines(g, f, 1);
		while (g->len < want && g->len < MAXW - 1)
			g->b[g->len++] = chance(50) ? 'a' : '9';
	}
	if (chance(50)) {		/* pad to exactly the size with blanks */
		while (g->len < want && g->len < MAXW - 1)
			g->b[g->len++] = chance(80) ? ' ' : '\n';
	}
	if (g->len > want)
		g->len = want;
}

enum special { SP_NONE, SP_BADPTR, SP_ZERO, SP_FAULT_TAIL };

struct wr {
	unsigned int file;
	int oflags;
	enum special special;
	unsigned int nsplit;	/* write() calls */
	size_t split[4];	/* lengths */
	struct gen g;
};

static unsigned int pick_file(void)
{
	unsigned int tot = 0, i, r;

	for (i = 0; i < NFILES; i++)
		tot += files[i].weight;
	r = rn(tot);
	for (i = 0; i < NFILES; i++) {
		if (r < files[i].weight)
			return i;
		r -= files[i].weight;
	}
	return 0;
}

/*
 * Does "> set_relpoline_filter" replace the filter? When it does not (a
 * kernel bug), a negation or a wildcard written once stays for good: the
 * filter's sites would leave the test for the rest of the run, and for the
 * tests after it. Then filter writes get no '!', '*' or '?'.
 */
static bool filter_replaces = true;

static void generate(struct wr *w)
{
	struct rfile *f;
	unsigned int style, i;
	size_t left;

	w->file = pick_file();
	f = &files[w->file];
	w->g.len = 0;
	w->special = SP_NONE;
	switch (rn(10)) {
	case 0: case 1: case 2: case 3: case 4: w->oflags = O_TRUNC; break;
	case 5: case 6: case 7: w->oflags = O_APPEND; break;
	default: w->oflags = 0;
	}
	style = rn(100);
	if (style < 25) {			/* valid-looking */
		gen_lines(&w->g, f, chance(80) ? 1 : 1 + rn(6));
	} else if (style < 70) {		/* mutated */
		gen_lines(&w->g, f, chance(70) ? 1 : 1 + rn(6));
		mutate(&w->g);
	} else if (style < 85) {		/* garbage */
		gen_garbage(&w->g);
	} else if (style < 95) {		/* long lines, many lines, limits */
		gen_long(&w->g, f);
	} else {				/* the buffer itself */
		gen_lines(&w->g, f, 1);
		w->special = 1 + rn(3);
		if (w->special == SP_FAULT_TAIL && w->g.len < 2)
			w->special = SP_BADPTR;
	}
	/*
	 * Wildcards in a filter write can select thousands of sites (and
	 * "> set_relpoline_filter" may not take them back): keep them in one
	 * filter write out of ten.
	 */
	if (f->kind == K_FILTER && (rn(100) >= 10 || !filter_replaces)) {
		size_t k;

		for (k = 0; k < w->g.len; k++)
			if (w->g.b[k] == '*' || w->g.b[k] == '?' ||
			    (!filter_replaces && w->g.b[k] == '!'))
				w->g.b[k] = '_';
	}
	/* partial writes: the payload in up to 4 write() calls */
	w->nsplit = 1;
	w->split[0] = w->g.len;
	if (w->special == SP_NONE && w->g.len > 1 && chance(12)) {
		w->nsplit = 2 + rn(3);
		left = w->g.len;
		for (i = 0; i + 1 < w->nsplit; i++) {
			w->split[i] = 1 + rn(left - 1 > 0 ? left - 1 : 1);
			if (w->split[i] >= left)
				w->split[i] = left - 1;
			left -= w->split[i];
			if (left <= 1)
				break;
		}
		w->split[i] = left;
		w->nsplit = i + 1;
		for (i = 0; i < w->nsplit; i++)
			if (!w->split[i])
				w->split[i] = 1;
	}
}

/* ---- checks ---- */

static char *read_rel(const char *name)
{
	return slurp(path_of(name), NULL);
}

static bool raw_address_in(const char *s, char *where, size_t wsz)
{
	const char *p;

	for (p = s; (p = strstr(p, "ffff")); p++) {
		size_t n = 0;

		while (isxdigit((unsigned char)p[n]))
			n++;
		if (n >= 12) {
			snprintf(where, wsz, "%.40s", p > s + 10 ? p - 10 : s);
			return true;
		}
		p += n ? n - 1 : 0;
	}
	return false;
}

/* every register a site's "reg" column may name */
static const char *const regs[] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
				    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

static bool in_list(const char *s, const char *const *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, l[i]))
			return true;
	return false;
}

/* counters per site id, for monotonicity */
struct mono {
	unsigned long long hits, misses;
	unsigned long epoch;
	bool seen;
};
static struct mono *mono;
static unsigned int mono_cap;
static unsigned long reset_epoch = 1;
static unsigned long nchecks, nsite_lines;

/*
 * "sites" must parse with the tools' own parser (tools/lib/relpoline,
 * strictly: no unknown columns), and what it says must be consistent:
 * targets only in the promoted states, target hits within the site's,
 * counters monotonic until a reset, no id twice (the parser checks that).
 */
static void check_sites(void)
{
	char *buf = read_rel("sites"), where[64], name[300];
	struct rp_syntax_err err;
	struct rp_sites ss;
	size_t k;

	nchecks++;
	if (!buf) {
		fail(FC_SITES, "cannot read sites: %s", ename(errno));
		return;
	}
	if (raw_address_in(buf, where, sizeof(where)))
		fail(FC_ADDR, "sites shows a raw address: ...%s", where);
	if (rp_sites_parse_owned(buf, strlen(buf), false, &ss, &err)) {
		fail(FC_SITES, "sites does not parse: %s", err.msg);
		return;
	}
	for (k = 0; k < ss.nr; k++) {
		const struct rp_site *s = &ss.v[k];
		bool promoted = s->state == RP_STATE_PROMOTED || s->state == RP_STATE_PINNED;
		unsigned long long sum = 0;
		unsigned int i, id = s->id;

		nsite_lines++;
		rp_site_name(s, name, sizeof(name));
		if (s->nr_extra || !in_list(s->reg, regs, 16) || s->nr_targets > 4) {
			fail(FC_SITES, "line %u (%s): %u unknown columns, reg '%s', %u targets",
			     s->line, name, s->nr_extra, s->reg, s->nr_targets);
			continue;
		}
		for (i = 0; i < s->nr_targets; i++)
			sum += s->targets[i].hits;
		if (sum > s->hits)
			fail(FC_HITSUM, "%s: target hits %llu > site hits %llu", name, sum,
			     (unsigned long long)s->hits);
		if (promoted && !s->nr_targets)
			fail(FC_SITES, "%s: %s without targets", name, rp_state_name(s->state));
		if ((s->state == RP_STATE_LEARNING || s->state == RP_STATE_OFF ||
		     s->state == RP_STATE_BLOCKED) && s->nr_targets)
			fail(FC_SITES, "%s: %s with targets", name, rp_state_name(s->state));
		if (id > max_id)	/* a module loaded meanwhile */
			max_id = id;
		if (id >= mono_cap) {
			unsigned int ncap = max_id + 1;

			mono = realloc(mono, ncap * sizeof(*mono));
			if (!mono) {
				perror("rpwrite");
				exit(2);
			}
			memset(mono + mono_cap, 0, (ncap - mono_cap) * sizeof(*mono));
			mono_cap = ncap;
		}
		if (mono[id].seen && mono[id].epoch == reset_epoch &&
		    (s->hits < mono[id].hits || s->misses < mono[id].misses))
			fail(FC_MONO, "site %u: hits %llu -> %llu, misses %llu -> %llu without reset",
			     id, mono[id].hits, (unsigned long long)s->hits, mono[id].misses,
			     (unsigned long long)s->misses);
		mono[id] = (struct mono){ s->hits, s->misses, reset_epoch, true };
	}
	rp_sites_free(&ss);
	buf = slurp(path_of("../trace_stat/relpoline"), NULL);
	if (buf) {
		if (raw_address_in(buf, where, sizeof(where)))
			fail(FC_ADDR, "trace_stat/relpoline shows a raw address: ...%s", where);
		if (strncmp(buf, "# totals:", 9))
			fail(FC_SITES, "trace_stat/relpoline starts with '%.40s'", buf);
		free(buf);
	}
}

static void check_knobs(void)
{
	unsigned int i;

	for (i = 0; i < NFILES; i++) {
		struct rfile *f = &files[i];
		char *v;

		if (f->kind != K_KNOB && f->kind != K_MODE)
			continue;
		v = read_rel(f->name);
		if (!v) {
			fail(FC_RANGE, "cannot read %s: %s", f->name, ename(errno));
			continue;
		}
		if (f->kind == K_MODE) {
			if (strcmp(v, "auto\n") && strcmp(v, "manual\n"))
				fail(FC_RANGE, "mode reads '%s'", excerpt(v, strlen(v), 40));
		} else {
			char *end;
			unsigned long n = strtoul(v, &end, 10);

			if (end == v || strcmp(end, "\n") || n < f->min || n > f->max)
				fail(FC_RANGE, "%s reads '%s' (range %u..%u)", f->name,
				     excerpt(v, strlen(v), 40), f->min, f->max);
		}
		free(v);
	}
}

/* the kernel's isspace() (lib/ctype.c): also 0xa0, Latin-1's no-break space */
static bool kisspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

/*
 * What a knob write should do: the kernel takes the bytes up to the first
 * NUL, strips blanks (the kernel's isspace) at both ends and needs kstrtouint() (base 10,
 * optional '+') to succeed and the value to be in range.
 */
static bool knob_predict(struct rfile *f, const char *b, size_t len, char *expect)
{
	char s[KMAX + 1];
	size_t n = strnlen(b, len);
	char *p = s, *e;
	unsigned long long v = 0;

	if (!len || len > KMAX)
		return false;
	memcpy(s, b, n);
	s[n] = 0;
	while (*p && kisspace(*p))
		p++;
	e = p + strlen(p);
	while (e > p && kisspace(e[-1]))
		*--e = 0;
	if (f->kind == K_MODE) {
		if (strcmp(p, "auto") && strcmp(p, "manual"))
			return false;
		sprintf(expect, "%s\n", p);
		return true;
	}
	if (*p == '+')
		p++;
	if (!*p)
		return false;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (*p - '0');
		if (v > 0xffffffffULL)
			return false;
	}
	if (v < f->min || v > f->max)
		return false;
	sprintf(expect, "%llu\n", v);
	return true;
}

/* What a failed write to @f must not change in the file(s) it concerns. */
static char *snapshot_files(struct rfile *f, bool *valid)
{
	char *s, *line, *save, *out;
	size_t o = 0;

	*valid = true;
	switch (f->kind) {
	case K_KNOB:
	case K_MODE:
	case K_FILTER:
		return read_rel(f->name);
	case K_WEIGHTS:			/* without the sample counts */
		s = read_rel(f->name);
		if (!s)
			return NULL;
		out = malloc(strlen(s) + 1);
		for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char p[300] = "", w[32] = "", *del = strstr(line, "(deleted)");

			sscanf(line, "%299s %31s", p, w);
			o += sprintf(out + o, "%s %s%s\n", p, w, del ? " (deleted)" : "");
		}
		out[o] = 0;
		free(s);
		return out;
	case K_CONTROL: {		/* states and targets, in manual mode */
		char *m = read_rel("mode");

		*valid = m && !strcmp(m, "manual\n");
		free(m);
		if (!*valid)
			return NULL;
		s = read_rel("sites");
		if (!s)
			return NULL;
		out = malloc(strlen(s) + 1);
		for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *tok, *s2;
			unsigned int i = 0;

			if (line[0] == '#')
				continue;
			for (tok = strtok_r(line, " ", &s2); tok; tok = strtok_r(NULL, " ", &s2), i++) {
				if (i == 6 || i == 7)	/* hits, misses */
					continue;
				if (i >= 8) {		/* target: drop ":HITS" */
					char *c = strrchr(tok, ':');

					if (c)
						*c = 0;
				}
				o += sprintf(out + o, "%s ", tok);
			}
			out[o++] = '\n';
		}
		out[o] = 0;
		free(s);
		return out;
	}
	default:
		*valid = false;
		return NULL;
	}
}

/*
 * The text (tests/guest/text-state.sh): relpoline_peek's line, the live
 * bytes of every site and its stub's targets as a CRC, and the patch
 * counters, when the module is loaded. In manual mode only: in auto mode
 * the policy may repatch between the two snapshots.
 */
static long text_every = 1;		/* -T: the text on every N-th write */
static unsigned long long n_text_checked;

static char *text_state(void)
{
	char *m, *t = NULL;

	if (cur_write % text_every)
		return NULL;
	m = read_rel("mode");
	if (m && !strcmp(m, "manual\n"))
		t = slurp("/sys/kernel/debug/relpoline_peek/text", NULL);
	free(m);
	return t;
}

/* State that a failed write to @f must not change. */
static char *snapshot(struct rfile *f, bool *valid)
{
	char *s = snapshot_files(f, valid), *t, *out;

	if (!s || !*valid)
		return s;
	t = text_state();
	if (!t)
		return s;
	out = malloc(strlen(s) + strlen(t) + 8);
	sprintf(out, "%stext: %s", s, t);
	n_text_checked++;
	free(s);
	free(t);
	return out;
}

/* errnos a file may fail a write with */
static bool allowed_errno(struct rfile *f, enum special sp, size_t len, int e)
{
	if ((sp == SP_BADPTR || sp == SP_FAULT_TAIL) && e == EFAULT && len && len <= KMAX)
		return true;
	if (e == EINVAL)
		return true;		/* syntax, range, size (0 or > 64 KiB) */
	switch (f->kind) {
	case K_KNOB:			/* enable/profile repatch: a kprobe, pool full */
		return (f == &files[F_ENABLE] || !strcmp(f->name, "profile")) &&
		       (e == EBUSY || e == ENOSPC);
	case K_MODE:
		return false;
	case K_FILTER:			/* repatch */
		return e == EBUSY || e == ENOSPC;
	case K_WEIGHTS:			/* no such cgroup or entry */
		return e == ENOENT;
	case K_CONTROL:
		return e == ENOENT || e == EBUSY || e == ENODEV || e == ENOSPC;
	case K_RO:			/* no write method, or no permission */
		return e == EACCES || e == EPERM || e == EBADF;
	}
	return false;
}

/* ---- running one write ---- */

static unsigned long long t_write_ns, nwr_calls, nwr_ok, nwr_fail, n_errlog_checked;
static unsigned long errlog_missing_by[NFILES][3];	/* [file][0 size, 1 efault, 2 other] */
static bool base_filter_needed = true;
static long enable_hold_until = -1;
static char *fault_page;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void errlog_clear(void)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/error_log", trdir);
	fd = open(p, O_WRONLY | O_TRUNC);
	if (fd >= 0)
		close(fd);
}

static bool errlog_has(struct rfile *f)
{
	char p[512], pat[128], *s;
	bool found;

	snprintf(p, sizeof(p), "%s/error_log", trdir);
	s = slurp(p, NULL);
	if (!s)
		return false;
	snprintf(pat, sizeof(pat), "relpoline/%s: error: ", f->errname);
	found = strstr(s, pat) != NULL;
	free(s);
	return found;
}

static void set_base_filter(void)
{
	char buf[4096];
	size_t o = 0;
	unsigned int i;

	for (i = 0; i < nbase_funcs; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s\n", base_funcs[i]);
	write_str(path_of("set_relpoline_filter"), O_TRUNC, buf);
}

/* Is the filter just (some of) the base functions? */
static bool filter_is_narrow(void)
{
	char *s = read_rel("set_relpoline_filter"), *line, *save;
	bool ok = true;
	unsigned int i;

	if (!s)
		return false;
	for (line = strtok_r(s, "\n", &save); line && ok; line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < nbase_funcs; i++)
			if (!strcmp(line, base_funcs[i]))
				break;
		ok = i < nbase_funcs;
	}
	if (strstr(s, "all sites enabled"))
		ok = false;
	free(s);
	return ok;
}

static void record(const char *fmt, ...)
{
	va_list ap;
	char *r = ring[ring_n++ % RING];

	va_start(ap, fmt);
	vsnprintf(r, sizeof(ring[0]), fmt, ap);
	va_end(ap);
	if (verbose)
		printf("rpwrite: %s\n", r);
	if (logf)
		fprintf(logf, "%s\n", r);
}

#define MAXBLOCKED 512
static char blocked[MAXBLOCKED][64];
static unsigned int nblocked;

static void note_blocks(const char *b, size_t len)
{
	const char *p = b, *end = b + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p), *q = p, *t;
		unsigned int i;

		if (!nl)
			nl = end;
		while (q < nl && isspace((unsigned char)*q))
			q++;
		if (nl - q > 6 && !memcmp(q, "block", 5) && isspace((unsigned char)q[5])) {
			q += 5;
			while (q < nl && isspace((unsigned char)*q))
				q++;
			for (t = q; t < nl && !isspace((unsigned char)*t) && *t; t++)
				;
			if (t > q && t - q < 64) {
				for (i = 0; i < nblocked; i++)
					if ((size_t)(t - q) == strlen(blocked[i]) &&
					    !memcmp(blocked[i], q, t - q))
						break;
				if (i == nblocked && nblocked < MAXBLOCKED) {
					memcpy(blocked[nblocked], q, t - q);
					blocked[nblocked++][t - q] = 0;
				}
			}
		}
		p = nl + 1;
	}
}

static void do_write(struct wr *w)
{
	struct rfile *f = &files[w->file];
	size_t off = 0;
	unsigned int c;
	int fd;

	f->writes++;
	fd = open(path_of(f->name), O_WRONLY | w->oflags);
	if (fd < 0) {
		int e = errno;

		record("#%ld %s open(%s): %s", cur_write, f->name,
		       w->oflags == O_TRUNC ? ">" : w->oflags == O_APPEND ? ">>" : "=", ename(e));
		if (!(f->kind == K_RO && (e == EACCES || e == EPERM)))
			fail(FC_ERRNO, "open %s for writing: %s", f->name, ename(e));
		f->fails++;
		f->err_count[errslot(e)]++;
		return;
	}
	for (c = 0; c < w->nsplit; c++) {
		const char *b = w->g.b + off;
		size_t len = w->split[c];
		char *before = NULL, *after, expect[64] = "";
		bool snap_ok = false, pred = false;
		ssize_t r;
		int e = 0;
		uint64_t t0;

		if (w->special == SP_ZERO)
			len = 0;
		if (f->kind != K_RO)
			before = snapshot(f, &snap_ok);
		if (f->kind == K_KNOB || f->kind == K_MODE)
			pred = w->special == SP_NONE && knob_predict(f, b, len, expect);
		errlog_clear();
		t0 = now_ns();
		if (w->special == SP_BADPTR) {
			r = write(fd, (void *)8, len);
		} else if (w->special == SP_FAULT_TAIL) {
			/* the payload's last byte on an unmapped page */
			size_t n = len > 4096 ? 4096 : len;

			memcpy(fault_page + 4096 - n + 1, b, n - 1);
			r = write(fd, fault_page + 4096 - n + 1, n);
			len = n;
		} else {
			r = write(fd, b, len);
		}
		if (r < 0)
			e = errno;
		t_write_ns += now_ns() - t0;
		nwr_calls++;
		record("#%ld %s %s [%zu%s] \"%s\" -> %s", cur_write, f->name,
		       w->oflags == O_TRUNC ? ">" : w->oflags == O_APPEND ? ">>" : "=", len,
		       w->special == SP_BADPTR ? " badptr" : w->special == SP_FAULT_TAIL ?
		       " faulting" : w->nsplit > 1 ? " part" : "",
		       excerpt(b, len, 120), r < 0 ? ename(e) : "OK");

		if (r >= 0) {
			nwr_ok++;
			f->ok++;
			f->err_count[0]++;
			if (f->kind == K_RO)
				fail(FC_ROK, "write to read-only %s returned %zd", f->name, r);
			else if ((size_t)r != len)
				fail(FC_ERRNO, "%s: short write %zd of %zu", f->name, r, len);
			if (f->kind == K_KNOB || f->kind == K_MODE) {
				after = read_rel(f->name);
				if (!pred)
					fail(FC_KNOB, "%s accepted \"%s\"", f->name,
					     excerpt(b, len, 80));
				else if (!after || strcmp(after, expect))
					fail(FC_KNOB, "%s: wrote \"%s\", reads \"%s\"", f->name,
					     excerpt(b, len, 80),
					     after ? excerpt(after, strlen(after), 40) : "?");
				free(after);
			}
		} else {
			nwr_fail++;
			f->fails++;
			f->err_count[errslot(e)]++;
			if (!allowed_errno(f, w->special, len, e))
				fail(FC_ERRNO, "%s: \"%s\" (%zu bytes) -> %s", f->name,
				     excerpt(b, len, 80), len, ename(e));
			if ((f->kind == K_KNOB || f->kind == K_MODE) && pred && e != EBUSY &&
			    e != ENOSPC)
				fail(FC_KNOB, "%s rejected valid \"%s\" with %s", f->name,
				     excerpt(b, len, 80), ename(e));
			/* a failed write changes nothing (EBUSY/ENOSPC: the rest is made) */
			if (snap_ok && before && e != EBUSY && e != ENOSPC && e != ENOMEM) {
				bool v2;

				after = snapshot(f, &v2);
				if (v2 && after && strcmp(before, after))
					fail(FC_CHANGED, "%s: \"%s\" -> %s changed it:\n--- before\n%s--- after\n%s",
					     f->name, excerpt(b, len, 80), ename(e), before, after);
				free(after);
			}
			if (f->kind != K_RO) {
				n_errlog_checked++;
				if (!errlog_has(f)) {
					int why = (!len || len > KMAX) ? 0 : e == EFAULT ? 1 : 2;

					errlog_missing_by[w->file][why]++;
					if (strict_errlog || why == 2)
						fail(FC_ERRLOG, "%s: \"%s\" (%zu bytes) -> %s: no error_log entry",
						     f->name, excerpt(b, len, 80), len, ename(e));
				}
			}
		}
		/* remember what was blocked, to unblock it at the end */
		if (f->kind == K_CONTROL && (r >= 0 || e == EBUSY || e == ENOSPC))
			note_blocks(b, len);
		/* a reset was made: counters may go down */
		if (f->kind == K_CONTROL && memmem(b, len, "reset", 5) &&
		    (r >= 0 || e == EBUSY || e == ENOSPC || e == ENOMEM))
			reset_epoch++;
		/* writes that widen the filter patch thousands of sites: undo */
		if (f->kind == K_FILTER && (r >= 0 || e == EBUSY || e == ENOSPC))
			base_filter_needed = true;
		if (w->file == F_ENABLE && r >= 0) {
			char *v = read_rel("enable");

			if (v && v[0] == '0')
				enable_hold_until = cur_write + 1 + (long)(w->g.len % 16);
			free(v);
		}
		free(before);
		off += w->split[c];
	}
	close(fd);
}

/* Non-random writes that keep the machine in a useful state. */
static void restore_state(void)
{
	static bool cannot_replace;

	if (base_filter_needed && !cannot_replace) {
		base_filter_needed = false;
		if (!filter_is_narrow()) {
			record("#%ld (restore base filter)", cur_write);
			set_base_filter();
			if (!filter_is_narrow()) {
				/* "> set_relpoline_filter" did not replace it */
				cannot_replace = true;
				printf("rpwrite: note: write #%ld: the filter could not be replaced with an O_TRUNC write; it stays wider from now on\n",
				       cur_write);
			}
		}
	}
	if (enable_hold_until >= 0 && cur_write >= enable_hold_until) {
		enable_hold_until = -1;
		record("#%ld (enable 1)", cur_write);
		write_str(path_of("enable"), O_TRUNC, "1\n");
	}
}

/* ---- kprobes on sites (-K), deterministic: by write index ---- */

static bool kp_on;
static unsigned long kp_toggles;

static void kprobe_set(bool on)
{
	char p[512], def[512], en[512];
	struct site *s;

	snprintf(p, sizeof(p), "%s/kprobe_events", trdir);
	snprintf(en, sizeof(en), "%s/events/kprobes/rpsecrw/enable", trdir);
	if (kp_on) {
		write_str(en, O_TRUNC, "0\n");
		write_str(p, O_APPEND, "-:rpsecrw\n");
		kp_on = false;
		record("#%ld (kprobe off)", cur_write);
	}
	if (!on)
		return;
	s = &sites[base_idx[kp_toggles / 2 % nbase]];
	snprintf(def, sizeof(def), "p:rpsecrw %s\n", s->name);
	if (write_str(p, O_APPEND, def) == 0 && write_str(en, O_TRUNC, "1\n") == 0) {
		kp_on = true;
		record("#%ld (kprobe on %u %s)", cur_write, s->id, s->name);
	} else {
		record("#%ld (kprobe on %s refused)", cur_write, s->name);
		write_str(p, O_APPEND, "-:rpsecrw\n");
	}
}

static void kprobe_step(void)
{
	if (!kprobe_every || (cur_write + 1) % kprobe_every)
		return;
	kprobe_set(!(kp_toggles & 1));
	kp_toggles++;
}

/* The knobs' defaults (Documentation/trace/relpoline.rst). */
static void default_knobs(void)
{
	static const char *const kv[][2] = {
		{ "mode", "auto" }, { "max_targets", "2" }, { "interval_ms", "1000" },
		{ "min_samples", "32" }, { "threshold_pct", "10" }, { "sample_period", "16" },
		{ "profile", "0" },
	};
	char v[32];
	unsigned int i;

	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		snprintf(v, sizeof(v), "%s\n", kv[i][1]);
		write_str(path_of(kv[i][0]), O_TRUNC, v);
	}
}

/* Leave the sites we used without promotion, pin or block. */
static void cleanup(void)
{
	char cmd[128];
	unsigned int i;

	kprobe_set(false);
	write_str(path_of("mode"), O_TRUNC, "manual\n");
	write_str(path_of("enable"), O_TRUNC, "1\n");
	for (i = 0; i < nsites; i++) {
		snprintf(cmd, sizeof(cmd), "unblock %u\n", sites[i].id);
		write_str(path_of("control"), O_APPEND, cmd);
		if (sites[i].base) {
			snprintf(cmd, sizeof(cmd), "demote %u\n", sites[i].id);
			write_str(path_of("control"), O_APPEND, cmd);
		}
	}
	for (i = 0; i < nblocked; i++) {
		snprintf(cmd, sizeof(cmd), "unblock %s\n", blocked[i]);
		write_str(path_of("control"), O_APPEND, cmd);
	}
	write_str(path_of("control"), O_APPEND, "reset\n");
	write_str(path_of("enable"), O_TRUNC, "0\n");
	default_knobs();
}

/* ---- leak probe (-M N): the same writes N times, kernel memory before/after ---- */

static long leak_bytes = 1024;	/* -B: the smallest leak a round that must show */
static bool leak_inject;	/* -I: positive control, leak leak_bytes a round */

static long meminfo(const char *key)
{
	char *s = slurp("/proc/meminfo", NULL), *p;
	long v = -1;

	if (s && (p = strstr(s, key)))
		v = strtol(p + strlen(key), NULL, 10);
	free(s);
	return v;
}

/*
 * The positive control (-I): one SysV message of leak_bytes a round,
 * kept until the end. A message is a single kmalloc() of a 48-byte header
 * and its text (unreclaimable slab, as a leaked kmalloc() would be).
 */
static int leak_queue = -1;

static void leak_inject_round(void)
{
	struct { long mtype; char text[8192]; } msg = { .mtype = 1 };
	size_t len = leak_bytes > 48 ? (size_t)leak_bytes - 48 : 1;

	if (leak_queue < 0) {
		struct msqid_ds ds;

		leak_queue = msgget(IPC_PRIVATE, 0600);
		if (leak_queue < 0 || msgctl(leak_queue, IPC_STAT, &ds))
			return;
		ds.msg_qbytes = 1UL << 30;
		msgctl(leak_queue, IPC_SET, &ds);
	}
	if (len > sizeof(msg.text))
		len = sizeof(msg.text);
	if (msgsnd(leak_queue, &msg, len, IPC_NOWAIT))
		fprintf(stderr, "rpwrite: leak probe: msgsnd: %s\n", strerror(errno));
}

static void leak_round(long r, const char *big, unsigned int v)
{
	char cmd[256];
	int fd = open(path_of("control"), O_WRONLY | O_APPEND);

	if (fd >= 0) {
		if (write(fd, big, KMAX) >= 0)		/* a 64 KiB bad line */
			fail(FC_ERRNO, "leak probe: a 64 KiB bad line was accepted");
		if (write(fd, big, KMAX + 1) >= 0)	/* too big */
			fail(FC_ERRNO, "leak probe: a write over 64 KiB was accepted");
		close(fd);
	}
	write_str(path_of("control"), O_APPEND, "promote 99999999 read_zero\n");
	snprintf(cmd, sizeof(cmd), "promote %u no_such_function_rpw\n", v);
	write_str(path_of("control"), O_APPEND, cmd);
	if (r % 20 == 0) {	/* repatching waits for RCU tasks: not every round */
		snprintf(cmd, sizeof(cmd), "promote %u %s\n", v, targets[0]);
		write_str(path_of("control"), O_APPEND, cmd);	/* ok */
		snprintf(cmd, sizeof(cmd), "demote %u\n", v);
		write_str(path_of("control"), O_APPEND, cmd);	/* ok */
	}
	write_str(path_of("set_relpoline_filter"), O_APPEND, "vfs_[read\n");
	write_str(path_of("cgroup_weights"), O_APPEND, "/rpw_none 5\n");
	write_str(path_of("cgroup_weights"), O_APPEND, "/rpw_a 5\n/rpw_a x\n");
	write_str(path_of("max_targets"), O_TRUNC, "abc\n");
	free(read_rel("sites"));
	free(read_rel("set_relpoline_filter"));
	free(read_rel("cgroup_weights"));
	free(slurp(path_of("../trace_stat/relpoline"), NULL));
	if (leak_inject)
		leak_inject_round();
}

/*
 * Kernel memory (SUnreclaim, VmallocUsed, Percpu, after drop_caches) may
 * grow by at most half of what a leak of leak_bytes a round adds over the
 * rounds: a leak of leak_bytes a round or more shows, in any of the three.
 * The rounds must be enough for that half to stand above the noise
 * (t-random-writes.sh measures with -I that the probe fires).
 */
static int leak_probe(long rounds)
{
	static const char *const keys[] = { "SUnreclaim:", "VmallocUsed:", "Percpu:" };
	long before[3], after[3], r, limit_kb = rounds * leak_bytes / 2 / 1024;
	char *big = malloc(KMAX + 1);
	unsigned int i, v = sites[base_idx[0]].id;
	int grew = 0;

	memset(big, 'x', KMAX + 1);
	memcpy(big, "promote ", 8);
	big[KMAX - 1] = '\n';
	write_str(path_of("enable"), O_TRUNC, "1\n");
	/* warm up caches first */
	for (r = 0; r < 50; r++)
		leak_round(r, big, v);
	write_str("/proc/sys/vm/drop_caches", O_TRUNC, "3\n");
	for (i = 0; i < 3; i++)
		before[i] = meminfo(keys[i]);
	for (r = 0; r < rounds; r++)
		leak_round(r, big, v);
	write_str("/proc/sys/vm/drop_caches", O_TRUNC, "3\n");
	for (i = 0; i < 3; i++)
		after[i] = meminfo(keys[i]);
	if (leak_queue >= 0)
		msgctl(leak_queue, IPC_RMID, NULL);
	leak_queue = -1;
	printf("rpwrite: leak probe%s, %ld rounds of 13 writes and 4 reads (and a promote and demote every 20),"
	       " limit %ld kB (a leak of %ld bytes a round shows):", leak_inject ? " (control: -I leaks)" : "",
	       rounds, limit_kb, leak_bytes);
	for (i = 0; i < 3; i++) {
		printf(" %s %ld -> %ld kB;", keys[i], before[i], after[i]);
		if (before[i] < 0 || after[i] < 0 || after[i] - before[i] > limit_kb)
			grew = 1;
	}
	printf("\n");
	free(big);
	if (grew) {
		fail(FC_ERRNO, "leak probe: kernel memory grew by %ld kB slab, %ld kB vmalloc, %ld kB percpu (limit %ld kB)",
		     after[0] - before[0], after[1] - before[1], after[2] - before[2], limit_kb);
		return 1;
	}
	return 0;
}

static void split_list(char *arg, char out[][128], unsigned int max, unsigned int *n)
{
	char *tok, *save;

	*n = 0;
	for (tok = strtok_r(arg, ",", &save); tok && *n < max; tok = strtok_r(NULL, ",", &save))
		snprintf(out[(*n)++], 128, "%s", tok);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rpwrite [-s SEED] [-n WRITES] [-k CHECK_EVERY] [-f FUNCS] [-t TARGETS]\n"
		"               [-d DIR] [-l LOG] [-p PROGRESS] [-v] [-E] [-K N] [-C]\n"
		"  -K  every N writes, put a kprobe on a filter site or take it off\n"
		"  -C  no cleanup at the end\n"
		"  -M  after the random writes, N rounds of the same failing (and some succeeding)\n"
		"      writes; fails when kernel memory (SUnreclaim, VmallocUsed, Percpu) grows\n"
		"      by more than N * LEAK_BYTES / 2\n"
		"  -B  LEAK_BYTES: the leak a round -M must find (default 1024)\n"
		"  -I  positive control for -M: leak LEAK_BYTES a round (a SysV message)\n"
		"  -T  N: the text digest (relpoline_peek) in the snapshots of every N-th write\n"
		"      (default 1; a digest costs tens of ms in TCG)\n"
		"  -f  functions whose sites the filter selects (default vfs_read,vfs_write)\n"
		"  -t  promotion targets (default read_zero,write_null,read_iter_zero,write_iter_null)\n"
		"  -E  a failed write without an error_log entry is a failure even for\n"
		"      sizes 0 or > 64 KiB and EFAULT (always counted and reported)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct wr w = {};
	uint64_t t0;
	unsigned int i, j;
	unsigned long total_fail = 0;
	int c;

	while ((c = getopt(argc, argv, "s:n:k:f:t:d:l:p:K:M:B:IT:CvEh")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': nwrites = strtol(optarg, NULL, 0); break;
		case 'k': check_every = strtol(optarg, NULL, 0); break;
		case 'f': snprintf(funcs_arg, sizeof(funcs_arg), "%s", optarg); break;
		case 't': snprintf(targets_arg, sizeof(targets_arg), "%s", optarg); break;
		case 'd': dir = optarg; break;
		case 'l': logf = fopen(optarg, "w"); break;
		case 'p': progress = strtol(optarg, NULL, 0); break;
		case 'v': verbose = true; break;
		case 'E': strict_errlog = true; break;
		case 'K': kprobe_every = strtol(optarg, NULL, 0); break;
		case 'C': do_cleanup = false; break;
		case 'M': leak_rounds = strtol(optarg, NULL, 0); break;
		case 'B': leak_bytes = strtol(optarg, NULL, 0); break;
		case 'I': leak_inject = true; break;
		case 'T': text_every = strtol(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (text_every < 1)
		text_every = 1;
	if (check_every < 1)
		check_every = 1;
	rng_state = seed;
	{
		char tmp[1024];

		snprintf(tmp, sizeof(tmp), "%s", funcs_arg);
		split_list(tmp, base_funcs, 32, &nbase_funcs);
		snprintf(tmp, sizeof(tmp), "%s", targets_arg);
		split_list(tmp, targets, 16, &ntargets);
	}
	t0 = now_ns();
	if (load_sites())
		return 2;
	if (verbose)
		printf("rpwrite: sites loaded in %.1f s\n", (now_ns() - t0) / 1e9);
	w.g.b = malloc(MAXW + 16);
	fault_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!w.g.b || fault_page == MAP_FAILED)
		return 2;
	munmap(fault_page + 4096, 4096);
	for (i = 0; i < 3; i++)
		mkdir(i == 0 ? "/sys/fs/cgroup/rpw_a" : i == 1 ? "/sys/fs/cgroup/rpw_b" :
		      "/sys/fs/cgroup/rpw_b/c", 0755);

	printf("rpwrite: seed %" PRIu64 ", %ld writes, checks every %ld%s; %u sites in %s, %u others, targets %s\n",
	       seed, nwrites, check_every, kprobe_every ? ", kprobes" : "", nbase, funcs_arg,
	       nother, targets_arg);
	fflush(stdout);
	/* start: knobs at their defaults, base filter, enabled */
	default_knobs();
	set_base_filter();
	set_base_filter();
	{
		char *fl = read_rel("set_relpoline_filter");
		unsigned int lines = 0;
		const char *q;

		for (q = fl; q && *q; q++)
			lines += *q == '\n';
		if (!fl || lines != nbase_funcs) {
			filter_replaces = false;
			printf("rpwrite: note: \"> set_relpoline_filter\" does not replace the filter (%u lines after writing %u twice): no '!', '*' or '?' in filter writes\n",
			       lines, nbase_funcs);
		}
		free(fl);
	}
	base_filter_needed = false;
	write_str(path_of("enable"), O_TRUNC, "1\n");
	{
		char *st = read_rel("sites");
		unsigned int i, seen = 0;
		char pat[32];

		for (i = 0; st && i < nbase; i++) {
			snprintf(pat, sizeof(pat), "\n%u ", sites[base_idx[i]].id);
			seen += strstr(st, pat) != NULL;
		}
		free(st);
		if (!seen) {
			char *fl = read_rel("set_relpoline_filter");

			printf("rpwrite: FAIL: none of the %u sites of %s is managed after enabling with that filter (filter: %s)\n",
			       nbase, funcs_arg, fl ? excerpt(fl, strlen(fl), 300) : "?");
			free(fl);
			return 2;
		}
	}
	check_sites();
	check_knobs();
	printf("rpwrite: setup took %.1f s\n", (now_ns() - t0) / 1e9);
	fflush(stdout);

	t0 = now_ns();
	for (cur_write = 0; cur_write < nwrites; cur_write++) {
		generate(&w);
		do_write(&w);
		restore_state();
		kprobe_step();
		if ((cur_write + 1) % check_every == 0) {
			check_sites();
			check_knobs();
		}
		if (progress && (cur_write + 1) % progress == 0) {
			printf("rpwrite: %ld/%ld writes, %.0f s\n", cur_write + 1, nwrites,
			       (now_ns() - t0) / 1e9);
			fflush(stdout);
		}
	}
	kprobe_set(false);
	check_sites();
	check_knobs();
	if (leak_rounds)
		leak_probe(leak_rounds);
	if (do_cleanup)
		cleanup();

	printf("rpwrite: per file: writes ok fails [EINVAL ENOENT EBUSY ENODEV ENOSPC EFAULT other]\n");
	for (i = 0; i < NFILES; i++) {
		struct rfile *f = &files[i];

		printf("rpwrite:   %-24s %6lu %6lu %6lu [", f->name, f->writes, f->ok, f->fails);
		for (j = 1; j < 8; j++)
			printf("%s%lu", j > 1 ? " " : "", f->err_count[j]);
		printf("]\n");
	}
	printf("rpwrite: text digests taken (relpoline_peek, manual mode, every %ld writes): %llu\n",
	       text_every, n_text_checked);
	printf("rpwrite: failed writes without an error_log entry (of %llu checked):", n_errlog_checked);
	for (i = 0; i < NFILES; i++)
		if (errlog_missing_by[i][0] + errlog_missing_by[i][1] + errlog_missing_by[i][2])
			printf(" %s: size0/>64KiB=%lu efault=%lu other=%lu;", files[i].name,
			       errlog_missing_by[i][0], errlog_missing_by[i][1],
			       errlog_missing_by[i][2]);
	printf("\n");
	for (i = 0; i < FC_NR; i++) {
		if (fcount[i])
			printf("rpwrite: %lu x %s%s\n", fcount[i], fcat_name[i],
			       fcat_note[i] ? " (note, not a failure)" : "");
		if (!fcat_note[i])
			total_fail += fcount[i];
	}
	printf("rpwrite: %s seed=%" PRIu64 " writes=%ld calls=%llu ok=%llu failed=%llu checks=%lu site_lines=%lu time=%.1fs in_write=%.1fs failures=%lu\n",
	       total_fail ? "FAIL" : "PASS", seed, nwrites, nwr_calls, nwr_ok, nwr_fail, nchecks,
	       nsite_lines, (now_ns() - t0) / 1e9, t_write_ns / 1e9, total_fail);
	if (logf)
		fclose(logf);
	return total_fail ? 1 : 0;
}
