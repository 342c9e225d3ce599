// SPDX-License-Identifier: GPL-2.0
/* trace_stat totals, error_log diffing and control/knob writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_helpers.h"

static int parse_stat(const char *text, struct rp_stat *st, struct rp_syntax_err *err)
{
	return rp_stat_parse(text, strlen(text), st, err);
}

#define HDR1 "# totals: off=3 learning=1 promoted=3 pinned=1 blocked=1 busy=1 refused=1 sites=11\n"
#define HDR2 "# hits=5 misses=6 retrains=7 last_retrain_us=8 batches=9 ipi_rounds=10 patched=11 " \
	     "stub_bytes=12 stub_pool_bytes=13 samples=14 dropped=15\n"
#define COLS "#         hits       misses    hit%  id site module form reg\n"

START_TEST(test_stat_fixture)
{
	char *text = slurp(FIX("tracing/trace_stat/relpoline"), NULL);
	struct rp_syntax_err err;
	struct rp_stat st;

	ck_assert_int_eq(parse_stat(text, &st, &err), 0);
	ck_assert_int_eq(st.retrains, 42);
	ck_assert_int_eq(st.batches, 17);
	ck_assert_int_eq(st.ipi_rounds, 51);
	ck_assert_int_eq(st.last_retrain_us, 183);
	ck_assert_int_eq(st.stub_bytes, 4096);
	ck_assert_int_eq(st.stub_pool_bytes, 65536);
	ck_assert_int_eq(st.patched, 120);
	ck_assert_int_eq(st.samples, 3210);
	ck_assert_int_eq(st.dropped, 7);
	ck_assert_int_eq(st.refused, 1);
	ck_assert_int_eq(st.sites, 11);
	ck_assert_int_eq(st.hits, 1056425);
	ck_assert_int_eq(st.misses, 20671);
	ck_assert_int_eq(st.state[RP_STATE_PROMOTED], 3);
	ck_assert_int_eq(st.state[RP_STATE_OFF], 3);
	ck_assert_int_eq(st.state[RP_STATE_BUSY], 1);
	ck_assert_int_eq(st.saved_cycles, -1);	/* this kernel has no estimate */
	free(text);
}
END_TEST

/* the capture of a real kernel (tests/fixtures/relpoline/live, capture.sh) */
START_TEST(test_live_capture)
{
	char *text = slurp(FIX("live/tracing/trace_stat/relpoline"), NULL);
	struct rp_syntax_err err;
	struct rp_sites sites, avail;
	struct rp_cgroups cg;
	struct rp_stat st;
	long long sum = 0;

	ck_assert_msg(rp_stat_parse(text, strlen(text), &st, &err) == 0, "%s", err.msg);
	free(text);
	for (int i = 0; i < RP_STATE_NR; i++)
		sum += st.state[i];
	/* every site that is not refused is in exactly one state */
	ck_assert_int_eq(sum + st.refused, st.sites);
	ck_assert_int_ge(st.state[RP_STATE_PINNED], 1);
	ck_assert_int_ge(st.state[RP_STATE_BLOCKED], 1);
	ck_assert_int_ge(st.batches, 1);
	ck_assert_int_ge(st.stub_pool_bytes, st.stub_bytes);
	text = slurp(FIX("live/tracing/relpoline/sites"), NULL);
	ck_assert_msg(rp_sites_parse(text, strlen(text), false, &sites, &err) == 0, "%s", err.msg);
	free(text);
	text = slurp(FIX("live/tracing/relpoline/available_sites"), NULL);
	ck_assert_msg(rp_sites_parse(text, strlen(text), true, &avail, &err) == 0, "%s", err.msg);
	free(text);
	ck_assert_uint_eq(sites.nr, avail.nr);
	ck_assert_int_eq(st.state[RP_STATE_PROMOTED] + st.state[RP_STATE_PINNED] +
			 st.state[RP_STATE_LEARNING] + st.state[RP_STATE_BLOCKED], (long long)sites.nr);
	for (size_t i = 0; i < sites.nr; i++)
		ck_assert_ptr_nonnull(rp_sites_find_id(&avail, sites.v[i].id));
	rp_sites_free(&sites);
	rp_sites_free(&avail);
	text = slurp(FIX("live/tracing/relpoline/cgroup_weights"), NULL);
	ck_assert_msg(rp_cgroups_parse(text, strlen(text), &cg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cg.nr, 2);
	ck_assert_str_eq(cg.v[cg.nr - 1].path, "*");
	rp_cgroups_free(&cg);
	free(text);
}
END_TEST

START_TEST(test_stat_format)
{
	struct rp_syntax_err err;
	struct rp_stat st;

	ck_assert_int_eq(parse_stat(HDR1 HDR2 COLS "  5  6  45.4%  1 f+0x1/0x2 - call rax\n", &st, &err), 0);
	ck_assert_int_eq(st.dropped, 15);
	ck_assert_int_eq(st.samples, 14);
	ck_assert_int_eq(st.last_retrain_us, 8);

	/* a newer kernel's values are skipped; the optional estimate is read */
	ck_assert_int_eq(parse_stat(HDR1 "# frobs=3 saved_cycles=99 hits=5 misses=6 retrains=7 last_retrain_us=8 "
			    "batches=9 ipi_rounds=10 patched=11 stub_bytes=12 stub_pool_bytes=13 "
			    "samples=14 dropped=15\n", &st, &err), 0);
	ck_assert_int_eq(st.saved_cycles, 99);
	ck_assert_int_eq(st.hits, 5);

	/* the old invented shapes are not the kernel's format: refused */
	ck_assert_int_eq(parse_stat("hits: 5\nretrains: 42\nlast retrain duration: 183 us\n", &st, &err),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "not the format"));
	ck_assert_int_eq(parse_stat("", &st, &err), -EINVAL);

	/* a missing required value names it */
	ck_assert_int_eq(parse_stat(HDR1 "# hits=5 misses=6\n", &st, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "'retrains'"));
	/* a malformed known value is an error, with its line */
	ck_assert_int_eq(parse_stat(HDR1 "# hits=5x\n", &st, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "line 2"));
	ck_assert_ptr_nonnull(strstr(err.msg, "hits=5x"));
	ck_assert_int_eq(parse_stat(HDR1 "# hits=\n", &st, &err), -EINVAL);

	/* site rows are never mistaken for totals */
	ck_assert_int_eq(parse_stat(HDR1 HDR2 "  1 2 3.0%  7 hits=99+0x1/0x2 - call rax\n", &st, &err), 0);
	ck_assert_int_eq(st.hits, 5);
}
END_TEST

#define E1 "[   10.000001] relpoline: error: Unknown site\n  Command: promote foo+0x1 bar\n                        ^\n"
#define E2 "[   11.000002] relpoline: error: Target not found 'baz'\n  Command: promote 3 baz\n                     ^\n"
#define E3 "[   12.500000] kprobes: error: Invalid argument\n  Command: p:foo\n             ^\n"

START_TEST(test_errlog_diff)
{
	char *n, before[8192], after[8192], sum[256];

	n = rp_errlog_new("", E1);
	ck_assert_str_eq(n, E1);
	free(n);
	n = rp_errlog_new(E1, E1 E2);
	ck_assert_str_eq(n, E2);
	free(n);
	ck_assert_ptr_null(rp_errlog_new(E1 E2, E1 E2));
	ck_assert_ptr_null(rp_errlog_new("", ""));
	/* cleared and refilled: everything in after is new */
	n = rp_errlog_new(E1, E2);
	ck_assert_str_eq(n, E2);
	free(n);

	/* bounded log: the oldest entry drops out as the new one arrives */
	before[0] = after[0] = '\0';
	for (int i = 0; i < 16; i++) {
		char e[128];

		snprintf(e, sizeof(e), "[ %5d.000000] relpoline: error: entry %d\n  Command: x\n", i, i);
		strcat(before, e);
		if (i)
			strcat(after, e);
	}
	strcat(after, E2);
	n = rp_errlog_new(before, after);
	ck_assert_str_eq(n, E2);
	free(n);

	rp_errlog_summary(E1 E2, sum, sizeof(sum));
	ck_assert_str_eq(sum, "Target not found 'baz'");
	/* prefer the relpoline entry over another subsystem's */
	rp_errlog_summary(E2 E3, sum, sizeof(sum));
	ck_assert_str_eq(sum, "Target not found 'baz'");
	rp_errlog_summary(E3, sum, sizeof(sum));
	ck_assert_str_eq(sum, "Invalid argument");
	rp_errlog_summary("", sum, sizeof(sum));
	ck_assert_str_eq(sum, "");
}
END_TEST

static struct rp_ctx *open_tree(const char *tree)
{
	enum rp_open_err why;
	char msg[256];
	struct rp_ctx *ctx = rp_open(tree, &why, msg, sizeof(msg));

	ck_assert_msg(ctx != NULL, "rp_open: %s", msg);
	ck_assert(ctx->fake);
	return ctx;
}

START_TEST(test_open_errors)
{
	enum rp_open_err why;
	char msg[256];

	ck_assert_ptr_null(rp_open("/nonexistent/dir", &why, msg, sizeof(msg)));
	ck_assert_int_eq(why, RP_OPEN_NO_DIR);
	ck_assert_ptr_nonnull(strstr(msg, "No such file"));
	ck_assert_ptr_null(rp_open(FIXTURES_DIR "/sites", &why, msg, sizeof(msg)));
	ck_assert_int_eq(why, RP_OPEN_NO_RELPOLINE);
	ck_assert_ptr_nonnull(strstr(msg, "no relpoline support"));
}
END_TEST

START_TEST(test_control_and_knobs)
{
	char *tree = fake_tree(), *text;
	struct rp_ctx *ctx = open_tree(tree);
	struct rp_result res;
	long long v;

	ck_assert_int_eq(rp_control(ctx, "promote 3 a,b[m]", &res), 0);
	rp_result_clear(&res);
	ck_assert_int_eq(rp_control(ctx, "reset\n", &res), 0);
	rp_result_clear(&res);
	text = slurp(tpath(tree, "relpoline/control"), NULL);
	ck_assert_str_eq(text, "promote 3 a,b[m]\nreset\n");
	free(text);

	ck_assert_int_eq(rp_write(ctx, "max_targets", "3\n", false, &res), 0);
	rp_result_clear(&res);
	ck_assert_int_eq(rp_read_ll(ctx, "max_targets", &v), 0);
	ck_assert_int_eq(v, 3);

	/* a failing write reports errno and a message */
	ck_assert_int_eq(unlink(tpath(tree, "relpoline/control")), 0);
	ck_assert_int_eq(symlink("/dev/full", tpath(tree, "relpoline/control")), 0);
	ck_assert_int_eq(rp_control(ctx, "retrain", &res), -ENOSPC);
	ck_assert_int_eq(res.err, ENOSPC);
	ck_assert_str_eq(res.msg, strerror(ENOSPC));
	rp_result_clear(&res);

	ck_assert_int_eq(rp_write(ctx, "no_such_knob", "1", false, &res), -ENOENT);
	rp_result_clear(&res);
	rp_close(ctx);
	rm_tree(tree);
	free(tree);
}
END_TEST

struct line_errs {
	size_t idx[300];
	int n;
};

static void on_line_err(size_t i, const struct rp_result *res, void *data)
{
	struct line_errs *e = data;

	ck_assert_int_eq(res->err, ENOSPC);
	e->idx[e->n++] = i;
}

START_TEST(test_control_lines)
{
	char *tree = fake_tree(), *text, lines[300][32];
	const char *cmds[300];
	struct rp_ctx *ctx = open_tree(tree);
	struct line_errs e = { .n = 0 };
	unsigned int writes;
	size_t nl = 0;

	for (int i = 0; i < 300; i++) {
		snprintf(lines[i], sizeof(lines[i]), "promote %d f%d", i, i);
		cmds[i] = lines[i];
	}
	/* 300 lines: three writes of at most 128 lines, in order */
	ck_assert_int_eq(rp_control_lines(ctx, cmds, 300, on_line_err, &e, &writes), 0);
	ck_assert_int_eq(writes, 3);
	ck_assert_int_eq(e.n, 0);
	text = slurp(tpath(tree, "relpoline/control"), NULL);
	for (char *p = text; (p = strchr(p, '\n')); p++)
		nl++;
	ck_assert_int_eq(nl, 300);
	ck_assert(!strncmp(text, "promote 0 f0\npromote 1 f1\n", 26));
	ck_assert_ptr_nonnull(strstr(text, "promote 299 f299\n"));
	free(text);

	/* a failing write is retried line by line: every line is reported */
	ck_assert_int_eq(unlink(tpath(tree, "relpoline/control")), 0);
	ck_assert_int_eq(symlink("/dev/full", tpath(tree, "relpoline/control")), 0);
	ck_assert_int_eq(rp_control_lines(ctx, cmds, 3, on_line_err, &e, &writes), 3);
	ck_assert_int_eq(writes, 4);
	ck_assert_int_eq(e.n, 3);
	ck_assert_int_eq(e.idx[0], 0);
	ck_assert_int_eq(e.idx[2], 2);
	/* a single line is not written twice */
	e.n = 0;
	ck_assert_int_eq(rp_control_lines(ctx, cmds, 1, on_line_err, &e, &writes), 1);
	ck_assert_int_eq(writes, 1);
	ck_assert_int_eq(e.n, 1);
	rp_close(ctx);
	rm_tree(tree);
	free(tree);
}
END_TEST

/* the paragraph of the file that starts at the first line containing key */
static char *para(char *text, const char *key)
{
	char *p = strstr(text, key), *end;

	ck_assert_msg(p != NULL, "'%s' not documented", key);
	end = strstr(p, "\n\n");
	p = end ? strndup(p, end - p) : strdup(p);
	/* one space for every run of blanks and newlines */
	for (char *r = p, *w = p; ; r++) {
		if (*r == '\n' || *r == '\t' || *r == ' ') {
			if (w == p || w[-1] != ' ')
				*w++ = ' ';
			continue;
		}
		*w++ = *r;
		if (!*r)
			break;
	}
	return p;
}

/* the knob table, the kernel documentation and both man pages agree */
START_TEST(test_knobs_match_docs)
{
	char *kdoc = slurp(TOP_DIR "/Documentation/trace/relpoline.rst", NULL);
	char *man = slurp(TOP_DIR "/tools/relpoline/relpoline.rst", NULL);

	for (size_t i = 0; i < rp_nr_knobs; i++) {
		const struct rp_knob *k = &rp_knobs[i];
		char key[64], want[128], *p;

		snprintf(key, sizeof(key), "``%s`` (rw)", k->name);
		p = para(kdoc, key);
		if (k->max > 1) {
			snprintf(want, sizeof(want), "``%lld`` to ``%lld``", k->min, k->max);
			ck_assert_msg(strstr(p, want), "kernel doc of %s lacks '%s'", k->name, want);
			snprintf(want, sizeof(want), "default ``%lld``", k->def);
			ck_assert_msg(strstr(p, want), "kernel doc of %s lacks '%s'", k->name, want);
		}
		free(p);
		snprintf(key, sizeof(key), "**%s** (", k->name);
		p = para(man, key);
		snprintf(want, sizeof(want), "**%s** (%lld..%lld, default %lld)", k->name,
			 k->min, k->max, k->def);
		ck_assert_msg(strstr(p, want), "relpoline.rst lacks '%s'", want);
		free(p);
	}
	free(kdoc);
	free(man);
}
END_TEST

START_TEST(test_kernel_id)
{
	char *tree = fake_tree(), id[256];
	struct rp_ctx *ctx = open_tree(tree);

	ck_assert_int_eq(rp_kernel_id(ctx, id, sizeof(id)), 0);
	ck_assert_str_eq(id, "6.12.118-relpoline 0123456789abcdef0123456789abcdef01234567");
	ck_assert_int_eq(unlink(tpath(tree, "kernel_id")), 0);
	ck_assert_int_eq(rp_kernel_id(ctx, id, sizeof(id)), -ENOENT);
	rp_close(ctx);
	rm_tree(tree);
	free(tree);
}
END_TEST

Suite *stat_errlog_suite(void)
{
	Suite *s = suite_create("stat+errlog+io");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_stat_fixture);
	tcase_add_test(tc, test_stat_format);
	tcase_add_test(tc, test_live_capture);
	tcase_add_test(tc, test_control_lines);
	tcase_add_test(tc, test_knobs_match_docs);
	tcase_add_test(tc, test_kernel_id);
	tcase_add_test(tc, test_errlog_diff);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_control_and_knobs);
	suite_add_tcase(s, tc);
	return s;
}
