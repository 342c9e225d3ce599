// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the native replay, bench/native/relreplay (rb_replay.c).
 *
 * relreplay runs as it does in make bench, on streams written here, and
 * with -D dumps what it counted: every stub's misses, countdown and hits
 * per slot after the relpoline measurement (rctr), the samples taken
 * (rsamples), and each target's calls in the counting pass of every
 * variant (rtcount).  The expected values are computed here from the
 * calls this file wrote - not by relreplay's own expectation code - with
 * a miss-by-miss simulation of the countdown; a replay that calls the
 * wrong site or target, puts a target in the wrong slot, counts the
 * wrong thing or samples at the wrong period cannot pass.
 *
 * - "parse": every kind of malformed stream fails with exit status 1
 *   and "FILE:LINE: what" for the right line;
 * - "counters": a stream with sites of 0 to 4 promoted targets, targets
 *   outside the promotion set, a site never called, two sites with the
 *   same targets in opposite slot orders; with and without hit counting,
 *   sample periods 1, 3 and 1000;
 * - "fault": relreplay -F (a stub with a wrong target) must stop with a
 *   counter mismatch: its own check works;
 * - "generator": a stream of bench/native/gen-stream replays with
 *   relreplay's checks passing, the hit share and the misses the
 *   generator computed, and a replay record per variant.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef RELREPLAY
#error "build with -DRELREPLAY=path"
#endif

#define NV 5
static const char *const variants[NV] = {
	"floor", "fixed", "plain", "retpoline", "relpoline",
};

struct run {
	int status;		/* exit status, or -1 */
	char *out, *err;
};

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/relreplay-test.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "warning: %s failed\n", cmd);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	ck_assert(buf != NULL);
	ck_assert_int_eq(fread(buf, 1, n, f), n);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static const char *path(const char *name)
{
	static char p[4][128];
	static int i;
	char *b = p[i++ & 3];

	snprintf(b, sizeof(p[0]), "%s/%s", dir, name);
	return b;
}

static void spew(const char *file, const char *text)
{
	FILE *f = fopen(file, "w");

	ck_assert_msg(f != NULL, "cannot write %s", file);
	fputs(text, f);
	fclose(f);
}

/* Run @argv (NULL-terminated), its stdout and stderr in files of dir */
static struct run run(char *const argv[])
{
	struct run r = { .status = -1 };
	int st;
	pid_t pid = fork();

	ck_assert(pid >= 0);
	if (!pid) {
		int o = open(path("out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(path("err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	ck_assert(waitpid(pid, &st, 0) == pid);
	if (WIFEXITED(st))
		r.status = WEXITSTATUS(st);
	r.out = slurp(path("out"));
	r.err = slurp(path("err"));
	return r;
}

/* relreplay -r 1 -p PASSES -D [EXTRA] STREAM */
static struct run replay(const char *stream, const char *passes, const char *extra)
{
	char *argv[9] = { RELREPLAY, "-r", "1", "-p", (char *)passes, "-D" };
	int n = 6;

	if (extra)
		argv[n++] = (char *)extra;
	argv[n++] = (char *)stream;
	argv[n] = NULL;
	return run(argv);
}

/* ------------------------------------------------------------------ */
/* parse */

struct bad {
	const char *text;
	int line;
	const char *what;
};

#define HDR "# relpoline replay stream 1\n"
#define PL "P workload=w sample_period=4 count_hits=1 max_targets=2\n"
#define TS "T 0 a\nT 1 b\nS 0 s0 1 1\n"

static const struct bad bad[] = {
	{ "", 0, "empty file" },
	{ "# relpoline stream\n" PL TS "C 0 0\n", 1, "not a relpoline replay stream" },
	{ "# relpoline replay stream 2\n" PL TS "C 0 0\n", 1, "unsupported version" },
	{ HDR "T 0 a\n", 2, "T line before the P line" },
	{ HDR "P workload=w sample_period=4 count_hits=1\n" TS "C 0 0\n", 2, "no max_targets=" },
	{ HDR "P workload=w sample_period=0 count_hits=1 max_targets=2\n" TS, 2,
	  "sample_period: 0 is below 1" },
	{ HDR "P workload=w sample_period=1000001 count_hits=1 max_targets=2\n", 2,
	  "sample_period: 1000001 is above 1000000" },
	{ HDR "P workload=w sample_period=4 count_hits=2 max_targets=2\n", 2,
	  "count_hits: 2 is above 1" },
	{ HDR "P workload=w sample_period=4 count_hits=1 max_targets=5\n", 2,
	  "max_targets: 5 is above 4" },
	{ HDR "P workload=w workload=v sample_period=4 count_hits=1 max_targets=2\n", 2,
	  "workload given twice" },
	{ HDR "P workload=a,b sample_period=4 count_hits=1 max_targets=2\n", 2, "workload 'a,b'" },
	{ HDR "P workload sample_period=4 count_hits=1 max_targets=2\n", 2, "is not key=value" },
	{ HDR PL PL, 3, "a second P line" },
	{ HDR PL "T 1 a\n", 3, "target id 1 out of order: want 0" },
	{ HDR PL "T 0\n", 3, "T line: 2 fields, want 3" },
	{ HDR PL "S 0 s0 0\n", 3, "S line before any T line" },
	{ HDR PL "T 0 a\nS 1 s1 0\n", 4, "site id 1 out of order: want 0" },
	{ HDR PL "T 0 a\nS 0 s0 5 0 0 0 0 0\n", 4, "promoted targets: 5 is above 4" },
	{ HDR PL "T 0 a\nT 1 b\nS 0 s0 2 0\n", 5, "2 promoted targets but 1 target ids" },
	{ HDR PL "T 0 a\nT 1 b\nS 0 s0 1 7\n", 5, "promotes target 7, which has no T line" },
	{ HDR PL "T 0 a\nT 1 b\nS 0 s0 2 1 1\n", 5, "promotes target 1 twice" },
	{ HDR PL "T 0 a\nC 0 0\n", 4, "C line before any S line" },
	{ HDR PL TS "C 3 0\n", 6, "call of site 3, which has no S line" },
	{ HDR PL TS "C 0 0\nC 0 9\n", 7, "call of target 9, which has no T line" },
	{ HDR PL TS "C 0 x\n", 6, "'x' is not a decimal number" },
	{ HDR PL TS "C -1 0\n", 6, "'-1' is not a decimal number" },
	{ HDR PL TS "C 99999999999999999999 0\n", 6, "is above" },
	{ HDR PL TS "C 0 0 0\n", 6, "C line: 4 fields, want 3" },
	{ HDR PL TS "T 2 c\n", 6, "T line after the S lines" },
	{ HDR PL TS "C 0 0\nS 1 s1 0\n", 7, "S line after the C lines" },
	{ HDR PL TS "C 0 0\nP workload=w sample_period=4 count_hits=1 max_targets=2\n", 7,
	  "P line after the C lines" },
	{ HDR PL TS "c 0 0\n", 6, "unknown record 'c'" },
	{ HDR PL TS "C 0 0\n\nC 0 1\n", 7, "empty line" },
	{ HDR PL TS "# no calls\n", 6, "end of file before any C line" },
	{ HDR "# nothing\n", 2, "end of file before the P line" },
};

START_TEST(test_parse_bad)
{
	const struct bad *b = &bad[_i];
	char want[256];
	struct run r;

	spew(path("bad.stream"), b->text);
	r = replay(path("bad.stream"), "1", NULL);
	snprintf(want, sizeof(want), "relreplay: %s:%d: ", path("bad.stream"), b->line);
	ck_assert_msg(r.status == 1, "case %d: exit status %d, stderr: %s", _i, r.status, r.err);
	ck_assert_msg(strstr(r.err, want) && strstr(r.err, b->what),
		      "case %d: want '%s...%s', got: %s", _i, want, b->what, r.err);
	ck_assert_msg(!strstr(r.out, "\nreplay,"), "case %d: a replay record", _i);
}
END_TEST

/* The smallest stream, with a comment and blanks of both kinds */
START_TEST(test_parse_good)
{
	struct run r;

	spew(path("ok.stream"), HDR "# a comment\n"
	     "P  workload=w\tsample_period=4 count_hits=1 max_targets=2 interval_ms=500\n"
	     "T 0 a\nT 1 b\nS 0 s0 1 1\nC 0 1\nC 0 0");
	r = replay(path("ok.stream"), "1", NULL);
	ck_assert_msg(r.status == 0, "exit status %d: %s", r.status, r.err);
	ck_assert(strstr(r.out, "replaymeta,w,calls,2\n"));
	ck_assert(strstr(r.out, "replaymeta,w,hit_share,0.500000\n"));
}
END_TEST

/* ------------------------------------------------------------------ */
/* counters */

#define NT 8
#define NS 8
#define MAXC 256

/* Promotion sets and calls per (site, target) (distinct per slot) */
static const struct {
	int n, tids[4];
	int calls[NT];
} sites[NS] = {
	{ 0, { 0 },          { 5, 3 } },			/* learning */
	{ 1, { 2 },          { [2] = 7, [3] = 2 } },		/* t3 misses */
	{ 2, { 1, 4 },       { [1] = 4, [4] = 9 } },
	{ 3, { 5, 6, 7 },    { [5] = 1, [6] = 6, [7] = 11 } },
	{ 4, { 0, 1, 2, 3 }, { 2, 3, 5, 8, [7] = 4 } },	/* t7 misses */
	{ 4, { 3, 2, 1, 0 }, { 2, 6, 1, 10 } },		/* s4's, reversed */
	{ 1, { 6 },          { 0 } },				/* never called */
	{ 2, { 4, 5 },       { [5] = 3 } },			/* slot 2 only */
};

struct call {
	int sid, tid;
};

/* The calls of sites[], in an order of a fixed LCG; returns how many */
static int make_calls(struct call *c)
{
	unsigned int x = 12345;
	int n = 0, s, t, i, j;

	for (s = 0; s < NS; s++)
		for (t = 0; t < NT; t++)
			for (i = 0; i < sites[s].calls[t]; i++)
				c[n++] = (struct call){ s, t };
	for (i = n - 1; i > 0; i--) {
		struct call tmp = c[i];

		x = x * 1103515245 + 12345;
		j = (x >> 8) % (i + 1);
		c[i] = c[j];
		c[j] = tmp;
	}
	return n;
}

static void write_stream(const char *file, int period, int count_hits,
			 const struct call *c, int nc)
{
	FILE *f = fopen(file, "w");
	int s, t, i;

	ck_assert(f != NULL);
	fprintf(f, HDR "P workload=unit sample_period=%d count_hits=%d max_targets=4\n",
		period, count_hits);
	for (t = 0; t < NT; t++)
		fprintf(f, "T %d fn%d\n", t, t);
	for (s = 0; s < NS; s++) {
		fprintf(f, "S %d site%d %d", s, s, sites[s].n);
		for (i = 0; i < sites[s].n; i++)
			fprintf(f, " %d", sites[s].tids[i]);
		fputc('\n', f);
	}
	for (i = 0; i < nc; i++)
		fprintf(f, "C %d %d\n", c[i].sid, c[i].tid);
	fclose(f);
}

/* The line of @out starting with @prefix, or NULL */
static const char *find(const char *out, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = out;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, n))
			return p + n;
	return NULL;
}

/* The slot of @tid at site @s, or -1 */
static int slot_of(int s, int tid)
{
	int k;

	for (k = 0; k < sites[s].n; k++)
		if (sites[s].tids[k] == tid)
			return k;
	return -1;
}

/*
 * Site @s's stub after @k passes of the calls @c: its rctr line, with the
 * countdown simulated miss by miss; adds its samples to *@samples
 */
static void want_rctr(int s, int period, int count_hits, const struct call *c, int nc,
		      int k, char *buf, size_t len, long *samples)
{
	long misses = 0, hits[4] = { 0 }, cd = period;
	int p, i, j;

	for (p = 0; p < k; p++) {
		for (i = 0; i < nc; i++) {
			if (c[i].sid != s)
				continue;
			j = slot_of(s, c[i].tid);
			if (j >= 0) {
				hits[j] += count_hits;
				continue;
			}
			misses++;
			if (--cd <= 0) {
				++*samples;
				cd = period;
			}
		}
	}
	snprintf(buf, len, "%ld,%ld,%ld,%ld,%ld,%ld\n", misses, cd,
		 hits[0], hits[1], hits[2], hits[3]);
}

static const int periods[] = { 1, 3, 1000 };

START_TEST(test_counters)
{
	int period = periods[_i % 3], count_hits = _i / 3, passes = 2, nc, s, t, v, i;
	struct call c[MAXC];
	char pre[64], want[128];
	long samples = 0, tc[NT + 1] = { 0 };
	const char *got;
	struct run r;

	nc = make_calls(c);
	ck_assert_int_le(nc, MAXC);
	write_stream(path("unit.stream"), period, count_hits, c, nc);
	r = replay(path("unit.stream"), "2", NULL);
	ck_assert_msg(r.status == 0, "exit status %d: %s", r.status, r.err);
	for (s = 0; s < NS; s++) {
		want_rctr(s, period, count_hits, c, nc, passes + 1, want, sizeof(want),
			  &samples);
		snprintf(pre, sizeof(pre), "rctr,unit,%d,", s);
		got = find(r.out, pre);
		ck_assert_msg(got && !strncmp(got, want, strlen(want)),
			      "site %d: want %s got %.60s", s, want, got ? got : "nothing");
	}
	snprintf(want, sizeof(want), "%ld\n", samples);
	got = find(r.out, "rsamples,unit,");
	ck_assert_msg(got && !strncmp(got, want, strlen(want)), "samples: want %s got %.20s",
		      want, got ? got : "nothing");
	for (i = 0; i < nc; i++)
		tc[c[i].tid]++;
	for (v = 0; v < NV; v++) {
		for (t = 0; t <= NT; t++) {	/* NT: the target never called */
			long w = !strcmp(variants[v], "floor") ? 0 :
				 !strcmp(variants[v], "fixed") ? (t ? 0 : nc) : tc[t];

			snprintf(pre, sizeof(pre), "rtcount,unit,%s,%d,", variants[v], t);
			snprintf(want, sizeof(want), "%ld\n", w);
			got = find(r.out, pre);
			ck_assert_msg(got && !strncmp(got, want, strlen(want)),
				      "%s target %d: want %s got %.20s", variants[v], t, want,
				      got ? got : "nothing");
		}
	}
}
END_TEST

/* relreplay's own check: a stub comparing with a wrong target stops it */
START_TEST(test_fault)
{
	struct call c[MAXC];
	int nc = make_calls(c);
	struct run r;

	write_stream(path("unit.stream"), 3, _i, c, nc);
	r = replay(path("unit.stream"), "1", "-F2");
	ck_assert_msg(r.status == 1, "exit status %d", r.status);
	ck_assert_msg(strstr(r.err, "counter mismatch at site 2 (site2): misses"),
		      "stderr: %s", r.err);
}
END_TEST

/* ------------------------------------------------------------------ */
/* generator */

static double meta(const char *out, const char *key)
{
	char pre[64];
	const char *p;

	snprintf(pre, sizeof(pre), "replaymeta,gen,%s,", key);
	p = find(out, pre);
	ck_assert_msg(p != NULL, "no %s", pre);
	return atof(p);
}

START_TEST(test_generator)
{
	char *gen[] = { GEN_STREAM, "-n", "20000", "-s", "300", "-t", "60", "-m", "4",
			"-c", "1", "-p", "7", "-r", "5", "-w", "gen", "-o",
			(char *)path("gen.stream"), NULL };
	long calls, hits, misses, sum = 0;
	double share;
	const char *p;
	char *text;
	struct run r;
	int v;

	r = run(gen);
	ck_assert_msg(r.status == 0, "gen-stream: %d %s", r.status, r.err);
	text = slurp(path("gen.stream"));
	p = strstr(text, "# expect ");
	ck_assert(p && sscanf(p, "# expect calls=%ld hits=%ld misses=%ld", &calls, &hits,
			      &misses) == 3);
	ck_assert_int_eq(calls, 20000);
	ck_assert_int_eq(hits + misses, calls);
	r = replay(path("gen.stream"), "1", NULL);
	ck_assert_msg(r.status == 0, "exit status %d: %s", r.status, r.err);
	ck_assert_int_eq((long)meta(r.out, "calls"), calls);
	share = meta(r.out, "hit_share") - (double)hits / calls;
	ck_assert_msg(share < 1e-6 && share > -1e-6, "hit share off by %g", share);
	for (p = find(r.out, "rctr,gen,"); p; p = find(p, "rctr,gen,")) {
		long sid, m;

		ck_assert(sscanf(p, "%ld,%ld", &sid, &m) == 2);
		sum += m;
	}
	ck_assert_int_eq(sum, 2 * misses);	/* a warm-up and one timed pass */
	for (v = 0; v < NV; v++) {
		char pre[64];
		double med, min;
		long n, ns, nt;

		snprintf(pre, sizeof(pre), "replay,gen,%s,", variants[v]);
		p = find(r.out, pre);
		ck_assert_msg(p && sscanf(p, "%lf,%lf,%ld,%ld,%ld", &med, &min, &n, &ns, &nt) == 5,
			      "no %s record", pre);
		ck_assert(min > 0 && med >= min);
		ck_assert_int_eq(n, calls);
		ck_assert_int_eq(ns, 300);
		ck_assert_int_eq(nt, 60);
	}
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("relreplay");
	TCase *tc = tcase_create("replay");
	SRunner *sr;
	int failed;

	/* in the runner, around all the tests: a failed test leaves no directory */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_parse_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_counters, 0, 6);
	tcase_add_loop_test(tc, test_fault, 0, 2);
	tcase_add_test(tc, test_generator);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
