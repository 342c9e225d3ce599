// SPDX-License-Identifier: GPL-2.0
/* relpoline-top model: rates, sort, filter, formatting. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_helpers.h"
#include "top_model.h"

#define HDR "# id site module form reg state hits misses targets...\n"

/* sample 1 and sample 2, 2 seconds apart */
static const char *s1 =
	HDR
	"1 a_fn+0x10/0x40 - call rax promoted 1000 100 t1:900 t2[m]:100\n"
	"2 b_fn+0x20/0x80 ext4 call r11 learning 0 50\n"
	"3 c_fn+0x30/0x90 - jmp rcx promoted 5000 0 t3:5000\n"
	"4 d_fn+0x40/0xa0 xfs call rax off 0 0\n"
	"5 e_fn+0x50/0xb0 - call rax pinned 300 30 t5:300\n";
static const char *s2 =
	HDR
	"1 a_fn+0x10/0x40 - call rax promoted 1400 120 t1:1200 t2[m]:200\n"	/* +400 hits, +20 misses */
	"2 b_fn+0x20/0x80 ext4 call r11 learning 0 250\n"			/* +200 misses */
	"3 c_fn+0x30/0x90 - jmp rcx promoted 100 10 t9:100\n"			/* counters reset, new target */
	"4 d_fn+0x40/0xa0 xfs call rax off 0 0\n"
	"5 z_fn+0x50/0xb0 - call rax pinned 310 30 t5:310\n"			/* id reused by another site */
	"6 f_fn+0x60/0xc0 btrfs call rax learning 0 7\n";			/* new site */

static void feed(struct top_model *m, const char *text, double interval)
{
	struct rp_sites s;
	struct rp_syntax_err err;

	ck_assert_int_eq(rp_sites_parse(text, strlen(text), false, &s, &err), 0);
	ck_assert_int_eq(top_model_update(m, &s, interval), 0);
	ck_assert_ptr_null(s.v);	/* ownership moved */
}

static const struct top_row *row_by_id(const struct top_model *m, unsigned long id)
{
	for (size_t i = 0; i < m->nr_rows; i++)
		if (m->rows[i].s->id == id)
			return &m->rows[i];
	ck_abort_msg("no row %lu", id);
	return NULL;
}

static void model2(struct top_model *m)
{
	top_model_init(m);
	feed(m, s1, 0);
	feed(m, s2, 2.0);
}

/* ids of the view, as "1,3,2" */
static const char *order(const struct top_model *m)
{
	static char buf[256];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->nr_view; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%lu", i ? "," : "",
			      m->rows[m->view[i]].s->id);
	return buf;
}

START_TEST(test_first_sample)
{
	struct top_model m;

	top_model_init(&m);
	feed(&m, s1, 0);
	ck_assert_uint_eq(m.nr_rows, 5);
	ck_assert(row_by_id(&m, 1)->hits_rate < 0);
	ck_assert(m.tot.hits_rate < 0);
	ck_assert_uint_eq(m.tot.hits, 6300);
	ck_assert_uint_eq(m.tot.misses, 180);
	ck_assert_int_eq(m.tot.states[RP_STATE_PROMOTED], 2);
	top_model_free(&m);
}
END_TEST

START_TEST(test_rates)
{
	struct top_model m;
	const struct top_row *r;

	model2(&m);
	r = row_by_id(&m, 1);
	ck_assert(fabs(r->hits_rate - 200.0) < 1e-9);
	ck_assert(fabs(r->miss_rate - 10.0) < 1e-9);
	ck_assert(fabs(r->hit_pct - 100.0 * 400 / 420) < 1e-9);
	ck_assert_int_eq(top_target_delta(r, 0), 300);
	ck_assert_int_eq(top_target_delta(r, 1), 100);
	ck_assert_int_eq(top_target_delta(r, 2), -1);

	r = row_by_id(&m, 2);
	ck_assert(fabs(r->miss_rate - 100.0) < 1e-9);
	ck_assert(r->hit_pct == 0.0);

	/* reset: the new value is what was counted since */
	r = row_by_id(&m, 3);
	ck_assert(fabs(r->hits_rate - 50.0) < 1e-9);
	ck_assert(fabs(r->miss_rate - 5.0) < 1e-9);
	ck_assert_int_eq(top_target_delta(r, 0), 100);	/* different target in slot 0 */

	r = row_by_id(&m, 4);
	ck_assert(r->hits_rate == 0 && r->miss_rate == 0);
	ck_assert(r->hit_pct < 0);			/* no calls: unknown */

	ck_assert(row_by_id(&m, 5)->hits_rate < 0);	/* other site behind id 5 */
	ck_assert(row_by_id(&m, 6)->hits_rate < 0);	/* new */
	ck_assert_int_eq(top_target_delta(row_by_id(&m, 6), 0), -1);

	/* totals over known sites: 400+100 hits, 20+200+10 misses in 2 s */
	ck_assert(fabs(m.tot.hits_rate - 250.0) < 1e-9);
	ck_assert(fabs(m.tot.miss_rate - 115.0) < 1e-9);
	ck_assert_int_eq(m.tot.states[RP_STATE_LEARNING], 2);
	top_model_free(&m);
}
END_TEST

START_TEST(test_sort)
{
	struct top_model m;

	model2(&m);
	/* calls/s: 1=210 2=100 3=55 4=0, unknown (5, 6) last, ties by id */
	m.sort = TC_CALLS;
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "1,2,3,4,5,6");
	m.invert = true;
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "5,6,4,3,2,1");
	m.invert = false;

	m.sort = TC_HITS;		/* 1=200 3=50 2=0 4=0 */
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "1,3,2,4,5,6");
	m.sort = TC_MISSES;		/* 2=100 1=10 3=5 4=0 */
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "2,1,3,4,5,6");
	m.sort = TC_HITPCT;		/* 1=95.2 3=90.9 2=0, 4/5/6 unknown */
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "1,3,2,4,5,6");
	m.sort = TC_SITE;
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "1,2,3,4,6,5");
	m.sort = TC_MODULE;		/* vmlinux (no module) first */
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "1,3,5,6,2,4");
	m.sort = TC_STATE;
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "2,6,4,5,1,3");
	m.sort = TC_ID;
	m.invert = true;
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "6,5,4,3,2,1");
	m.invert = false;
	m.sort = TC_TARGETS;		/* most targets first, then first target name */
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "1,5,3,2,4,6");
	top_model_free(&m);
}
END_TEST

START_TEST(test_sort_unordered_ids)
{
	/* ids not increasing in the file: the generic sort keeps id ties */
	const char *a = HDR
		"9 a+0x1/0x2 - call rax learning 0 10\n"
		"3 b+0x1/0x2 - call rax learning 0 10\n"
		"7 c+0x1/0x2 - call rax learning 0 40\n";
	const char *b = HDR
		"9 a+0x1/0x2 - call rax learning 0 20\n"
		"3 b+0x1/0x2 - call rax learning 0 20\n"
		"7 c+0x1/0x2 - call rax learning 0 40\n";
	struct top_model m;

	top_model_init(&m);
	feed(&m, a, 0);
	feed(&m, b, 1);
	m.sort = TC_MISSES;
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "3,9,7");
	m.invert = true;
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "7,3,9");
	top_model_free(&m);
}
END_TEST

START_TEST(test_filter)
{
	struct top_model m;

	model2(&m);
	m.sort = TC_ID;
	snprintf(m.filter, sizeof(m.filter), "ext4");
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "2");
	snprintf(m.filter, sizeof(m.filter), "T2");	/* target name, any case */
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "1");
	snprintf(m.filter, sizeof(m.filter), "[m]");	/* no such text */
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "");
	snprintf(m.filter, sizeof(m.filter), "m");	/* target module "m", "promoted" */
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "1,3");
	snprintf(m.filter, sizeof(m.filter), "LEARN");
	top_model_view(&m);
	ck_assert_str_eq(order(&m), "2,6");
	ck_assert_int_eq(top_model_find(&m, 6), 1);
	ck_assert_int_eq(top_model_find(&m, 1), -1);
	m.filter[0] = '\0';
	top_model_view(&m);
	ck_assert_uint_eq(m.nr_view, 6);
	top_model_free(&m);
}
END_TEST

START_TEST(test_columns)
{
	ck_assert_int_eq(top_col_parse("hits"), TC_HITS);
	ck_assert_int_eq(top_col_parse("HIT%"), TC_HITPCT);
	ck_assert_int_eq(top_col_parse("calls/s"), TC_CALLS);
	ck_assert_int_eq(top_col_parse("Module"), TC_MODULE);
	ck_assert_int_eq(top_col_parse("bogus"), -1);
	for (int c = 0; c < TC_NR; c++)
		ck_assert_int_eq(top_col_parse(top_col_name(c)), c);
	ck_assert(top_col_numeric(TC_MISSES));
	ck_assert(!top_col_numeric(TC_SITE));
}
END_TEST

START_TEST(test_value_formats)
{
	char b[32];

	ck_assert_uint_eq(top_fmt_rate(-1, b), 1);
	ck_assert_str_eq(b, "-");
	top_fmt_rate(0, b);
	ck_assert_str_eq(b, "0.0");
	top_fmt_rate(12.34, b);
	ck_assert_str_eq(b, "12.3");
	top_fmt_rate(9999.9, b);
	ck_assert_str_eq(b, "9999.9");
	top_fmt_rate(9999.96, b);
	ck_assert_str_eq(b, "10.0k");
	top_fmt_rate(123456, b);
	ck_assert_str_eq(b, "123.5k");
	top_fmt_rate(2.5e7, b);
	ck_assert_str_eq(b, "25.0M");
	top_fmt_pct(99.94, b);
	ck_assert_str_eq(b, "99.9");
	top_fmt_pct(100, b);
	ck_assert_str_eq(b, "100.0");
	top_fmt_pct(-1, b);
	ck_assert_str_eq(b, "-");
	top_fmt_u64(18446744073709551615ULL, b);
	ck_assert_str_eq(b, "18446744073709551615");
	top_fmt_bytes(512, b);
	ck_assert_str_eq(b, "512 B");
	top_fmt_bytes(4096, b);
	ck_assert_str_eq(b, "4.0 KiB");
	top_fmt_bytes(3 << 20, b);
	ck_assert_str_eq(b, "3.0 MiB");
	top_fmt_bytes(-1, b);
	ck_assert_str_eq(b, "-");
}
END_TEST

START_TEST(test_row_format)
{
	struct top_layout all;
	struct top_model m;
	struct obuf b = { 0 };
	int start, len;

	model2(&m);
	top_layout(&all, 0);
	top_fmt_row(&b, row_by_id(&m, 1), &all);
	ck_assert_str_eq(b.p,
		"     1 a_fn+0x10/0x40                           -            promoted    200.0     10.0    210.0   95.2  t1:75% t2[m]:25%");
	ob_reset(&b);
	/* unknown rates and no targets; no trailing blanks */
	top_fmt_row(&b, row_by_id(&m, 6), &all);
	ck_assert_str_eq(b.p,
		"     6 f_fn+0x60/0xc0                           btrfs        learning        -        -        -      -");
	ob_reset(&b);
	top_fmt_colhdr(&b, &all);
	ck_assert(top_col_span(&all, TC_STATE, &start, &len));
	ck_assert(!strncmp(b.p + start, "STATE", 5));
	ck_assert(top_col_span(&all, TC_HITPCT, &start, &len));
	ck_assert(!strncmp(b.p + start + len - 4, "HIT%", 4));
	ob_free(&b);
	top_model_free(&m);
}
END_TEST

/* an 80-column screen: the default sort column, HIT% and TARGETS are on it */
START_TEST(test_layout_80)
{
	static const enum top_col first[] = { TC_ID, TC_SITE, TC_STATE, TC_CALLS, TC_HITPCT, TC_TARGETS };
	struct top_layout l;
	struct top_model m;
	struct obuf b = { 0 };
	int start, len;

	model2(&m);
	top_layout(&l, 80);
	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++) {
		ck_assert_msg(top_col_span(&l, first[i], &start, &len), "%s hidden at 80 columns",
			      top_col_name(first[i]));
		ck_assert_msg(start + len <= 80, "%s ends at %d", top_col_name(first[i]), start + len);
	}
	ck_assert(!l.shown[TC_MODULE]);
	ck_assert(!l.shown[TC_HITS]);
	top_fmt_colhdr(&b, &l);
	ck_assert_uint_le(b.len, 80);
	ck_assert(top_col_span(&l, TOP_DEFAULT_SORT, &start, &len));
	ck_assert(!strncmp(b.p + start + len - 7, "CALLS/s", 7));
	ck_assert_ptr_nonnull(strstr(b.p, "HIT%"));
	ck_assert_ptr_nonnull(strstr(b.p, "TARGETS"));
	ob_reset(&b);
	top_fmt_row(&b, row_by_id(&m, 1), &l);
	ck_assert_uint_le(b.len, 80);
	ck_assert_ptr_nonnull(strstr(b.p, " 210.0 "));	/* calls/s */
	ck_assert_ptr_nonnull(strstr(b.p, "95.2  t1:75%"));
	ob_reset(&b);
	/* wide screens get everything, narrow ones still the six */
	top_layout(&l, 200);
	for (int c = 0; c < TC_NR; c++)
		ck_assert(l.shown[c]);
	top_layout(&l, 40);
	top_fmt_row(&b, row_by_id(&m, 1), &l);
	ck_assert_uint_le(b.len, 40);
	ob_free(&b);
	top_model_free(&m);
}
END_TEST

START_TEST(test_delay_steps)
{
	ck_assert(top_delay_step(1, 1) == 2);
	ck_assert(top_delay_step(1, -1) == 0.5);
	ck_assert(top_delay_step(60, 1) == 60);
	/* a long -d delay is not shortened by '+' (it was: 600 -> 60) */
	ck_assert(top_delay_step(600, 1) == 600);
	ck_assert(top_delay_step(600, -1) == 60);
	ck_assert(top_delay_step(1.5, 1) == 2);
	ck_assert(top_delay_step(1.5, -1) == 1);
	ck_assert(top_delay_step(0.1, -1) == 0.1);
}
END_TEST

START_TEST(test_reset_view)
{
	struct top_model m;

	model2(&m);
	m.sort = TC_SITE;
	m.invert = true;
	snprintf(m.filter, sizeof(m.filter), "xfs");
	top_model_view(&m);
	ck_assert_uint_eq(m.nr_view, 1);
	top_model_reset_view(&m);
	ck_assert_int_eq(m.sort, TOP_DEFAULT_SORT);
	ck_assert(!m.invert);
	ck_assert_str_eq(m.filter, "");
	ck_assert_uint_eq(m.nr_view, 6);
	ck_assert_ptr_eq(top_model_row(&m, 3), row_by_id(&m, 3));
	ck_assert_ptr_null(top_model_row(&m, 99));
	top_model_free(&m);
}
END_TEST

START_TEST(test_targets_share_without_delta)
{
	struct top_model m;
	struct obuf b = { 0 };

	top_model_init(&m);
	feed(&m, s1, 0);
	top_fmt_targets(&b, row_by_id(&m, 1));
	ck_assert_str_eq(b.p, "t1:90% t2[m]:10%");
	ob_free(&b);
	top_model_free(&m);
}
END_TEST

START_TEST(test_frames)
{
	struct top_model m;
	struct top_info in = { 0 };
	struct obuf b = { 0 };
	const char *sites;
	int lines = 0;
	struct rp_stat saved_stat;
	double saved_rate;

	model2(&m);
	in.now = 0;
	in.enabled = 1;
	in.holding = true;
	snprintf(in.mode, sizeof(in.mode), "manual");
	rp_stat_init(&in.stat);
	in.stat.retrains = 7;
	in.stat.stub_bytes = 2048;
	in.stat.dropped = 3;
	in.delay = 1;

	top_fmt_batch(&b, &m, &in, 0);
	for (char *p = b.p; *p; p++)
		lines += *p == '\n';
	/* 5 header lines, blank, titles, 6 rows, blank */
	ck_assert_int_eq(lines, TOP_HEADER_LINES + 1 + 1 + 6 + 1);
	ck_assert_ptr_nonnull(strstr(b.p, "mode manual"));
	ck_assert_ptr_nonnull(strstr(b.p, "Retrains: 7 (last - us)"));
	ck_assert_ptr_nonnull(strstr(b.p, "Stubs: 2.0 KiB of -"));
	ck_assert_ptr_nonnull(strstr(b.p, "3 dropped (starved!)"));
	ck_assert_ptr_nonnull(strstr(b.p, "Sites: 6 managed: 2 learning, 2 promoted, 1 pinned"));
	ck_assert_ptr_nonnull(strstr(b.p, "\nSaved (estimate): - (not calibrated)\n"));
	/* rows in sort order (calls): 1 before 2 before 3 */
	ck_assert(strstr(b.p, "a_fn+") < strstr(b.p, "b_fn+"));
	ck_assert(strstr(b.p, "b_fn+") < strstr(b.p, "c_fn+"));

	/* the kernel's calibration applied to the hit rate shown */
	ob_reset(&b);
	saved_stat = in.stat;
	saved_rate = m.tot.hits_rate;
	in.stat.slow_cycles_x100 = 2531;
	in.stat.hit_cycles_x100 = 320;
	in.stat.cycle_khz = 3000000;
	m.tot.hits_rate = 1000000;
	top_fmt_header(&b, &m, &in);
	ck_assert_msg(strstr(b.p, "\nSaved (estimate): 22.1M cycles/s, 0.737% of one CPU; "
			     "a hit saves 22.11 cycles\n"), "%s", b.p);
	ob_reset(&b);
	m.tot.hits_rate = -1;
	top_fmt_header(&b, &m, &in);
	ck_assert_ptr_nonnull(strstr(b.p, "Saved (estimate): - cycles/s (hits not counted)"));
	in.stat = saved_stat;
	m.tot.hits_rate = saved_rate;

	/* the first N rows only */
	ob_reset(&b);
	top_fmt_batch(&b, &m, &in, 2);
	ck_assert_ptr_nonnull(strstr(b.p, "a_fn+"));
	ck_assert_ptr_nonnull(strstr(b.p, "b_fn+"));
	ck_assert_ptr_null(strstr(b.p, "c_fn+"));
	ck_assert_ptr_nonnull(strstr(b.p, "(4 more sites)"));

	ob_reset(&b);
	top_fmt_json(&b, &m, &in, 0);
	ck_assert_msg(json_valid(b.p), "invalid JSON: %s", b.p);
	ck_assert(b.p[b.len - 1] == '\n');
	ck_assert(strchr(b.p, '\n') == b.p + b.len - 1);	/* one line */
	ck_assert(json_num(json_get(b.p, "schema")) == RP_JSON_SCHEMA);
	ck_assert(json_is(json_get(b.p, "kind"), "top"));
	sites = json_get(b.p, "sites");
	ck_assert_int_eq(json_array_len(sites), 6);
	ck_assert(json_is(json_get(b.p, "mode"), "manual"));
	ck_assert(json_is(json_get(b.p, "enabled"), "true"));
	ck_assert(json_is(json_get(json_get(b.p, "totals"), "last_retrain_us"), "null"));
	ck_assert(json_num(json_get(json_get(b.p, "totals"), "retrains")) == 7);
	ck_assert(json_num(json_get(json_get(b.p, "totals"), "dropped")) == 3);
	ck_assert(json_num(json_get(json_get(b.p, "now"), "hits_per_s")) == 250);
	/* percentages are 0..100 everywhere */
	ck_assert(json_num(json_get(json_at(sites, 0), "hit_pct_now")) > 95);

	/* filtered frame only lists the matching sites */
	snprintf(m.filter, sizeof(m.filter), "xfs");
	top_model_view(&m);
	ob_reset(&b);
	top_fmt_json(&b, &m, &in, 0);
	ck_assert_int_eq(json_array_len(json_get(b.p, "sites")), 1);
	ob_free(&b);
	top_model_free(&m);
}
END_TEST

Suite *top_suite(void)
{
	Suite *s = suite_create("top-model");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_first_sample);
	tcase_add_test(tc, test_rates);
	tcase_add_test(tc, test_sort);
	tcase_add_test(tc, test_sort_unordered_ids);
	tcase_add_test(tc, test_filter);
	tcase_add_test(tc, test_columns);
	tcase_add_test(tc, test_value_formats);
	tcase_add_test(tc, test_row_format);
	tcase_add_test(tc, test_layout_80);
	tcase_add_test(tc, test_delay_steps);
	tcase_add_test(tc, test_reset_view);
	tcase_add_test(tc, test_targets_share_without_delta);
	tcase_add_test(tc, test_frames);
	suite_add_tcase(s, tc);
	return s;
}
