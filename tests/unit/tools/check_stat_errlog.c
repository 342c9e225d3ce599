// SPDX-License-Identifier: GPL-2.0
/* trace_stat totals, error_log diffing and control/knob writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_helpers.h"

static int parse_stat(const char *text, struct rp_stat *st)
{
	rp_stat_init(st);
	return rp_stat_parse(text, strlen(text), st);
}

START_TEST(test_stat_fixture)
{
	char *text = slurp(FIX("tracing/trace_stat/relpoline"), NULL);
	struct rp_stat st;

	ck_assert_int_ge(parse_stat(text, &st), 8);
	ck_assert_int_eq(st.retrains, 42);
	ck_assert_int_eq(st.batches, 17);
	ck_assert_int_eq(st.ipi_rounds, 51);
	ck_assert_int_eq(st.last_retrain_ns, 183000);
	ck_assert_int_eq(st.stub_bytes, 4096);
	ck_assert_int_eq(st.hits, 1056425);
	ck_assert_int_eq(st.misses, 20671);
	ck_assert_int_eq(st.state[RP_STATE_PROMOTED], 3);
	ck_assert_int_eq(st.state[RP_STATE_OFF], 1);
	ck_assert_int_eq(st.state[RP_STATE_BUSY], 1);
	free(text);
}
END_TEST

START_TEST(test_stat_shapes)
{
	struct rp_stat st;

	ck_assert_int_eq(parse_stat("", &st), 0);
	ck_assert_int_eq(st.retrains, -1);
	ck_assert_int_eq(st.stub_bytes, -1);

	parse_stat("last_retrain_ns: 5000\nstub_memory: 4 KiB\nsites_promoted: 3\n"
		   "ipi_rounds = 7\nRetrains:12\n", &st);
	ck_assert_int_eq(st.last_retrain_ns, 5000);
	ck_assert_int_eq(st.stub_bytes, 4096);
	ck_assert_int_eq(st.state[RP_STATE_PROMOTED], 3);
	ck_assert_int_eq(st.ipi_rounds, 7);
	ck_assert_int_eq(st.retrains, 12);

	parse_stat("Last retrain: 1.5 ms\nlast_retrain_us: 7\n", &st);
	ck_assert_int_eq(st.last_retrain_ns, 7000);	/* later line wins */
	parse_stat("Last retrain: 1.5 ms\n", &st);
	ck_assert_int_eq(st.last_retrain_ns, 1500000);

	/* site rows are never mistaken for totals, even with "hits:" words */
	parse_stat("  12 foo+0x1/0x2 promoted hits: 99\n3 retrains: 5\n", &st);
	ck_assert_int_eq(st.hits, -1);
	ck_assert_int_eq(st.retrains, -1);

	parse_stat("# totals: retrains=4 batches=2 off=1 learning=2\n", &st);
	ck_assert_int_eq(st.retrains, 4);
	ck_assert_int_eq(st.batches, 2);
	ck_assert_int_eq(st.state[RP_STATE_LEARNING], 2);

	/* unknown keys and garbage are ignored */
	ck_assert_int_eq(parse_stat("frobs: 12\n:::\n=\nretrains: x\n", &st), 0);
	ck_assert_int_eq(st.retrains, -1);
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

Suite *stat_errlog_suite(void)
{
	Suite *s = suite_create("stat+errlog+io");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_stat_fixture);
	tcase_add_test(tc, test_stat_shapes);
	tcase_add_test(tc, test_errlog_diff);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_control_and_knobs);
	suite_add_tcase(s, tc);
	return s;
}
