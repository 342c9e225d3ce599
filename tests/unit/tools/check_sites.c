// SPDX-License-Identifier: GPL-2.0
/* Parser tests for relpoline/sites and relpoline/available_sites. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_helpers.h"

static int parse_fixture(const char *name, bool available, struct rp_sites *s,
			 struct rp_syntax_err *err)
{
	char path[512];
	size_t len;
	char *text;
	int r;

	snprintf(path, sizeof(path), "%s/sites/%s", FIXTURES_DIR, name);
	text = slurp(path, &len);
	r = rp_sites_parse(text, len, available, s, err);
	free(text);
	return r;
}

START_TEST(test_valid_modules)
{
	struct rp_sites s;
	struct rp_syntax_err err;
	char buf[256];

	ck_assert_int_eq(parse_fixture("valid-modules.txt", false, &s, &err), 0);
	ck_assert_uint_eq(s.nr, 8);

	ck_assert_uint_eq(s.v[0].id, 1);
	ck_assert_str_eq(s.v[0].sym, "do_syscall_64");
	ck_assert_uint_eq(s.v[0].off, 0x5a);
	ck_assert_uint_eq(s.v[0].size, 0x110);
	ck_assert_ptr_null(s.v[0].mod);
	ck_assert_int_eq(s.v[0].form, RP_FORM_CALL);
	ck_assert_str_eq(s.v[0].reg, "rax");
	ck_assert_int_eq(s.v[0].state, RP_STATE_PROMOTED);
	ck_assert_uint_eq(s.v[0].hits, 982311);
	ck_assert_uint_eq(s.v[0].misses, 10203);
	ck_assert_uint_eq(s.v[0].nr_targets, 1);
	ck_assert_str_eq(s.v[0].targets[0].sym, "x64_sys_call");

	/* module site with a module target in slot 1 */
	ck_assert_str_eq(s.v[2].mod, "ext4");
	ck_assert_uint_eq(s.v[2].nr_targets, 2);
	ck_assert_str_eq(s.v[2].targets[0].sym, "generic_file_read_iter");
	ck_assert_ptr_null(s.v[2].targets[0].mod);
	ck_assert_uint_eq(s.v[2].targets[0].hits, 11000);
	ck_assert_str_eq(s.v[2].targets[1].sym, "ext4_dio_read_iter");
	ck_assert_str_eq(s.v[2].targets[1].mod, "ext4");
	ck_assert_uint_eq(s.v[2].targets[1].hits, 1002);
	ck_assert_str_eq(rp_target_name(&s.v[2].targets[1], buf, sizeof(buf)),
			 "ext4_dio_read_iter[ext4]");
	ck_assert_str_eq(rp_site_name(&s.v[2], buf, sizeof(buf)), "ext4_file_read_iter+0x91/0x1c0");
	ck_assert_str_eq(rp_site_key(&s.v[2], buf, sizeof(buf)), "ext4_file_read_iter+0x91");

	ck_assert_int_eq(s.v[3].state, RP_STATE_LEARNING);
	ck_assert_uint_eq(s.v[3].nr_targets, 0);
	ck_assert_ptr_null(s.v[3].targets);
	ck_assert_int_eq(s.v[4].form, RP_FORM_JMP);
	ck_assert_int_eq(s.v[4].state, RP_STATE_OFF);
	ck_assert_int_eq(s.v[5].state, RP_STATE_BLOCKED);
	ck_assert_int_eq(s.v[6].state, RP_STATE_BUSY);
	ck_assert_str_eq(s.v[6].targets[0].mod, "virtio_net");
	ck_assert_int_eq(s.v[7].form, RP_FORM_JCC);
	ck_assert_str_eq(s.v[7].reg, "r11");
	ck_assert_uint_eq(s.v[7].line, 10);
	rp_sites_free(&s);
}
END_TEST

START_TEST(test_extra_columns)
{
	struct rp_sites s;
	struct rp_syntax_err err;

	ck_assert_int_eq(parse_fixture("valid-extra-columns.txt", false, &s, &err), 0);
	ck_assert_uint_eq(s.nr, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(s.v[i].nr_extra, 3);
	ck_assert_uint_eq(s.v[0].nr_targets, 1);
	ck_assert_uint_eq(s.v[0].targets[0].hits, 982311);
	ck_assert_uint_eq(s.v[1].nr_targets, 0);
	ck_assert_int_eq(s.v[2].state, RP_STATE_PINNED);
	ck_assert_uint_eq(s.v[2].nr_targets, 2);
	ck_assert_str_eq(s.v[2].targets[1].mod, "ext4");
	rp_sites_free(&s);
}
END_TEST

START_TEST(test_empty_and_header_only)
{
	struct rp_sites s;
	struct rp_syntax_err err;

	ck_assert_int_eq(parse_fixture("valid-empty.txt", false, &s, &err), 0);
	ck_assert_uint_eq(s.nr, 0);
	rp_sites_free(&s);
	ck_assert_int_eq(parse_fixture("valid-header-only.txt", false, &s, &err), 0);
	ck_assert_uint_eq(s.nr, 0);
	rp_sites_free(&s);
}
END_TEST

START_TEST(test_crlf_blank)
{
	struct rp_sites s;
	struct rp_syntax_err err;

	ck_assert_int_eq(parse_fixture("valid-crlf-blank.txt", false, &s, &err), 0);
	ck_assert_uint_eq(s.nr, 2);
	ck_assert_str_eq(s.v[0].targets[0].sym, "bar");
	ck_assert_uint_eq(s.v[0].targets[0].hits, 5);
	ck_assert_str_eq(s.v[1].mod, "mymod");
	ck_assert_uint_eq(s.v[1].line, 6);
	rp_sites_free(&s);
}
END_TEST

static const struct {
	const char *file;
	unsigned int line;
	const char *msg;
} bad[] = {
	{ "bad-missing-columns.txt",	3, "missing columns" },
	{ "bad-state.txt",		3, "bad state 'promotd'" },
	{ "bad-counter-hits.txt",	3, "bad hits counter '55O12'" },
	{ "bad-counter-misses.txt",	3, "bad misses counter '-10'" },
	{ "bad-counter-overflow.txt",	3, "bad hits counter" },
	{ "bad-target-count.txt",	3, "bad target 'selinux_file_permission:55k'" },
	{ "bad-target-module.txt",	3, "bad target" },
	{ "bad-target-empty.txt",	3, "bad target ':1002'" },
	{ "bad-target-order.txt",	3, "bad target 'gen3'" },
	{ "bad-site.txt",		3, "bad site" },
	{ "bad-site-hex.txt",		3, "bad site" },
	{ "bad-form.txt",		3, "bad form 'callq'" },
	{ "bad-reg.txt",		3, "bad register" },
	{ "bad-id.txt",			3, "bad id 'x2'" },
	{ "bad-duplicate-id.txt",	3, "duplicate site id 1" },
	{ "bad-long-line.txt",		3, "line too long" },
	{ "bad-nul.txt",		3, "NUL byte" },
};

START_TEST(test_malformed)
{
	struct rp_sites s;
	struct rp_syntax_err err;
	char want[64];

	ck_assert_int_eq(parse_fixture(bad[_i].file, false, &s, &err), -EINVAL);
	ck_assert_msg(err.line == bad[_i].line, "%s: error on line %u, expected %u (%s)",
		      bad[_i].file, err.line, bad[_i].line, err.msg);
	ck_assert_msg(strstr(err.msg, bad[_i].msg), "%s: message '%s' lacks '%s'",
		      bad[_i].file, err.msg, bad[_i].msg);
	snprintf(want, sizeof(want), "line %u: ", bad[_i].line);
	ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "message '%s' does not name the line",
		      err.msg);
	/* nothing leaked into the output on error */
	ck_assert_uint_eq(s.nr, 0);
	ck_assert_ptr_null(s.v);
}
END_TEST

START_TEST(test_available)
{
	struct rp_sites s;
	struct rp_syntax_err err;

	ck_assert_int_eq(parse_fixture("available-valid.txt", true, &s, &err), 0);
	ck_assert_uint_eq(s.nr, 3);
	ck_assert_int_eq(s.v[0].state, RP_STATE_NONE);
	ck_assert_str_eq(s.v[1].mod, "ext4");
	ck_assert_uint_eq(s.v[2].nr_extra, 2);
	rp_sites_free(&s);

	ck_assert_int_eq(parse_fixture("available-bad.txt", true, &s, &err), -EINVAL);
	ck_assert_uint_eq(err.line, 3);
	ck_assert_ptr_nonnull(strstr(err.msg, "missing columns"));

	/* an available_sites line is too short for the sites format */
	ck_assert_int_eq(parse_fixture("available-valid.txt", false, &s, &err), -EINVAL);
	ck_assert_uint_eq(err.line, 2);
}
END_TEST

/* every prefix of a valid file parses or fails cleanly, never crashes */
START_TEST(test_truncations)
{
	size_t len;
	char *text = slurp(FIX("sites/valid-modules.txt"), &len);
	int ok = 0, bad_n = 0;

	for (size_t n = 0; n <= len; n++) {
		struct rp_sites s;
		struct rp_syntax_err err;
		int r = rp_sites_parse(text, n, false, &s, &err);

		if (r == 0) {
			ok++;
			rp_sites_free(&s);
		} else {
			ck_assert_int_eq(r, -EINVAL);
			ck_assert_uint_gt(err.line, 0);
			bad_n++;
		}
	}
	ck_assert_int_gt(ok, 8);
	ck_assert_int_gt(bad_n, 100);
	free(text);
}
END_TEST

START_TEST(test_random_garbage)
{
	unsigned int seed = 12345;
	char buf[600];

	for (int round = 0; round < 3000; round++) {
		struct rp_sites s;
		struct rp_syntax_err err;
		size_t n = rand_r(&seed) % sizeof(buf);
		int r;

		for (size_t i = 0; i < n; i++) {
			static const char alpha[] = "0123456789abcx+/:[]- \n\t#promtedlingf";

			buf[i] = (rand_r(&seed) % 8) ? alpha[rand_r(&seed) % (sizeof(alpha) - 1)]
						     : (char)rand_r(&seed);
		}
		r = rp_sites_parse(buf, n, round & 1, &s, &err);
		ck_assert(r == 0 || r == -EINVAL);
		if (!r)
			rp_sites_free(&s);
	}
}
END_TEST

START_TEST(test_30k_sites)
{
	const size_t n = 30000;
	size_t cap = n * 160, len = 0;
	char *text = malloc(cap);
	struct rp_sites s;
	struct rp_syntax_err err;
	struct timespec t0, t1;
	double secs;

	ck_assert_ptr_nonnull(text);
	len += snprintf(text + len, cap - len, "# id site module form reg state hits misses targets...\n");
	for (size_t i = 1; i <= n; i++) {
		len += snprintf(text + len, cap - len,
				"%zu func_%zu+0x%zx/0x%zx %s call r11 %s %zu %zu",
				i, i, i % 512, 1024 + i % 1000, i % 5 ? "-" : "mod_x",
				i % 3 ? "promoted" : "learning", i * 3, i);
		if (i % 3)
			len += snprintf(text + len, cap - len, " tgt_a_%zu:%zu tgt_b_%zu[mod_y]:%zu",
					i, i * 2, i, i);
		text[len++] = '\n';
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(rp_sites_parse(text, len, false, &s, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("sites parser: %zu sites (%zu bytes) in %.1f ms\n", n, len, secs * 1e3);
	ck_assert_uint_eq(s.nr, n);
	ck_assert_uint_eq(s.v[29999].id, 30000);
	ck_assert_str_eq(s.v[29999].sym, "func_30000");
	ck_assert_uint_eq(s.v[29998].nr_targets, 2);
	ck_assert_str_eq(s.v[29998].targets[1].mod, "mod_y");
	ck_assert_uint_eq(s.v[29998].targets[1].hits, 29999);
	ck_assert_str_eq(s.v[4].mod, "mod_x");
	/* generous bound: catches accidental quadratic behaviour */
	ck_assert_msg(secs < 1.0, "30k sites took %.3f s", secs);
	rp_sites_free(&s);
	free(text);
}
END_TEST

START_TEST(test_token_helpers)
{
	char sym[64], tok[64];
	unsigned long off, size;
	const char *ts, *tm;
	uint64_t h;

	ck_assert_int_eq(rp_parse_site_token("foo.isra.0+0x1f/0x80", sym, sizeof(sym), &off, &size), 0);
	ck_assert_str_eq(sym, "foo.isra.0");
	ck_assert_uint_eq(off, 0x1f);
	ck_assert_uint_eq(size, 0x80);
	ck_assert_int_eq(rp_parse_site_token("foo+0x1f", sym, sizeof(sym), &off, &size), 0);
	ck_assert_uint_eq(size, 0);
	ck_assert_int_ne(rp_parse_site_token("foo+1f", sym, sizeof(sym), &off, &size), 0);
	ck_assert_int_ne(rp_parse_site_token("+0x1f", sym, sizeof(sym), &off, &size), 0);
	ck_assert_int_ne(rp_parse_site_token("foo+0x", sym, sizeof(sym), &off, &size), 0);

	strcpy(tok, "bar[kvm_intel]:77");
	ck_assert_int_eq(rp_parse_target_token(tok, true, &ts, &tm, &h), 0);
	ck_assert_str_eq(ts, "bar");
	ck_assert_str_eq(tm, "kvm_intel");
	ck_assert_uint_eq(h, 77);
	strcpy(tok, "bar");
	ck_assert_int_ne(rp_parse_target_token(tok, true, &ts, &tm, &h), 0);
	strcpy(tok, "bar");
	ck_assert_int_eq(rp_parse_target_token(tok, false, &ts, &tm, &h), 0);
	ck_assert_uint_eq(h, 0);
	strcpy(tok, "bar[]:1");
	ck_assert_int_ne(rp_parse_target_token(tok, true, &ts, &tm, &h), 0);

	ck_assert_int_eq(rp_state_parse("pinned"), RP_STATE_PINNED);
	ck_assert_int_eq(rp_state_parse("pinnedx"), -1);
	ck_assert_int_eq(rp_state_parse("busy"), RP_STATE_BUSY);
	ck_assert_int_eq(rp_state_parse(""), -1);
	ck_assert_int_eq(rp_form_parse("jcc"), RP_FORM_JCC);
	ck_assert_int_eq(rp_form_parse("jc"), -1);
}
END_TEST

Suite *sites_suite(void)
{
	Suite *s = suite_create("sites");
	TCase *tc = tcase_create("parser");

	tcase_add_test(tc, test_valid_modules);
	tcase_add_test(tc, test_extra_columns);
	tcase_add_test(tc, test_empty_and_header_only);
	tcase_add_test(tc, test_crlf_blank);
	tcase_add_loop_test(tc, test_malformed, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_available);
	tcase_add_test(tc, test_truncations);
	tcase_add_test(tc, test_random_garbage);
	tcase_add_test(tc, test_30k_sites);
	tcase_add_test(tc, test_token_helpers);
	suite_add_tcase(s, tc);
	return s;
}
