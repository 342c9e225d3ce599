// SPDX-License-Identifier: GPL-2.0
/* relpoline-top's sampler (top_source.c) against a fake tracing tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_helpers.h"
#include "top_source.h"

START_TEST(test_sample_fake_tree)
{
	char *tree = fake_tree(), msg[512];
	struct top_source src;
	struct top_model m;
	struct top_info in = { .delay = 1 };
	const struct top_row *r;

	ck_assert_int_eq(top_source_open(&src, tree, false, false, msg, sizeof(msg)), 0);
	ck_assert_int_ge(src.hold_fd, 0);	/* holds profile_hold */
	top_model_init(&m);
	ck_assert_int_eq(top_source_sample(&src, &m, &in, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(m.nr_rows, 8);
	ck_assert(!m.have_prev);
	ck_assert_int_eq(in.enabled, 1);
	ck_assert_str_eq(in.mode, "auto");
	ck_assert(in.holding);
	/* the totals of trace_stat, in the kernel's format */
	ck_assert_int_eq(in.stat.dropped, 7);
	ck_assert_int_eq(in.stat.samples, 3210);
	ck_assert_int_eq(in.stat.retrains, 42);
	ck_assert_str_eq(src.warning, "");

	/* a second sample: rates from the counter deltas */
	spew(tpath(tree, "relpoline/sites.new"),
	     "# id site module form reg state hits misses targets...\n"
	     "1 do_syscall_64+0x5a/0x110 - call rax promoted 992311 10203 x64_sys_call:992311\n");
	ck_assert_int_eq(rename(tpath(tree, "relpoline/sites.new"), tpath(tree, "relpoline/sites")), 0);
	usleep(20000);
	ck_assert_int_eq(top_source_sample(&src, &m, &in, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(m.nr_rows, 1);
	ck_assert(m.have_prev);
	r = top_model_row(&m, 1);
	ck_assert_ptr_nonnull(r);
	ck_assert(r->hits_rate > 0);
	ck_assert_int_eq(top_target_delta(r, 0), 10000);

	/* trace_stat in a format it does not know: a warning, no numbers */
	spew(tpath(tree, "trace_stat/relpoline"), "hits: 5\n");
	src.stat_skip = 0;
	ck_assert_int_eq(top_source_sample(&src, &m, &in, msg, sizeof(msg)), 0);
	ck_assert_ptr_nonnull(strstr(src.warning, "not the format"));

	/* a malformed sites file is an error with its line */
	spew(tpath(tree, "relpoline/sites"), "1 x+0x1/0x2 - call rax bogus 0 0\n");
	ck_assert_int_eq(top_source_sample(&src, &m, &in, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "line 1: bad state 'bogus'"));
	top_source_close(&src);
	top_model_free(&m);
	rm_tree(tree);
	free(tree);
}
END_TEST

START_TEST(test_no_hold)
{
	char *tree = fake_tree(), msg[512];
	struct top_source src;

	/* --no-profile */
	ck_assert_int_eq(top_source_open(&src, tree, true, false, msg, sizeof(msg)), 0);
	ck_assert_int_eq(src.hold_fd, -1);
	top_source_close(&src);
	/* a kernel without profile_hold: a warning saying what it means */
	ck_assert_int_eq(unlink(tpath(tree, "relpoline/profile_hold")), 0);
	ck_assert_int_eq(top_source_open(&src, tree, false, false, msg, sizeof(msg)), 0);
	ck_assert_int_eq(src.hold_fd, -1);
	ck_assert_ptr_nonnull(strstr(src.warning, "per-target shares move only while profile is 1"));
	top_source_close(&src);
	/* no relpoline directory */
	ck_assert_int_eq(top_source_open(&src, FIX("sites"), false, false, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "no relpoline support"));
	rm_tree(tree);
	free(tree);
}
END_TEST

Suite *source_suite(void)
{
	Suite *s = suite_create("top-source");
	TCase *tc = tcase_create("sampler");

	tcase_add_test(tc, test_sample_fake_tree);
	tcase_add_test(tc, test_no_hold);
	suite_add_tcase(s, tc);
	return s;
}
