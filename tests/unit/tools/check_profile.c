// SPDX-License-Identifier: GPL-2.0
/* Profile parse / save / merge / load. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_helpers.h"

static int parse_file(const char *name, struct rp_profile *p, struct rp_syntax_err *err)
{
	char path[512], *text;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/profiles/%s", FIXTURES_DIR, name);
	text = slurp(path, &len);
	r = rp_profile_parse(text, len, p, err);
	free(text);
	return r;
}

/* profile text without comment lines */
static char *to_text(const struct rp_profile *p)
{
	char *buf = NULL, *out, *q;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(rp_profile_write(f, p, "test"), 0);
	fclose(f);
	ck_assert_msg(!strncmp(buf, "# relpoline profile v2\n", 23), "bad header: %s", buf);
	out = calloc(1, len + 1);
	q = out;
	for (char *l = buf; *l;) {
		char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l + 1) : strlen(l);

		if (*l != '#') {
			memcpy(q, l, n);
			q += n;
		}
		l += n;
	}
	free(buf);
	return out;
}

START_TEST(test_parse_a)
{
	struct rp_profile p;
	struct rp_syntax_err err;

	ck_assert_int_eq(parse_file("a.profile", &p, &err), 0);
	ck_assert_uint_eq(p.nr, 4);
	ck_assert_str_eq(p.v[0].sym, "do_syscall_64");
	ck_assert_uint_eq(p.v[0].off, 0x5a);
	ck_assert_ptr_null(p.v[0].mod);
	ck_assert_int_eq(p.v[0].state, RP_P_PROMOTED);
	ck_assert_str_eq(p.v[1].mod, "ext4");
	ck_assert_uint_eq(p.v[1].nr_targets, 2);
	ck_assert_str_eq(p.v[1].targets[1].name, "ext4_dio_read_iter[ext4]");
	ck_assert_uint_eq(p.v[1].targets[1].hits, 100);
	ck_assert_int_eq(p.v[3].state, RP_P_PINNED);
	ck_assert_uint_eq(p.v[3].line, 7);
	rp_profile_free(&p);

	/* "/0xSIZE" pasted from sites is accepted; targets without hits too */
	ck_assert_int_eq(parse_file("b.profile", &p, &err), 0);
	ck_assert_uint_eq(p.v[0].off, 0x91);
	rp_profile_free(&p);
	ck_assert_int_eq(parse_file("good-all.profile", &p, &err), 0);
	ck_assert_uint_eq(p.v[1].targets[0].hits, 0);
	rp_profile_free(&p);
}
END_TEST

static const struct {
	const char *file;
	unsigned int line;
	const char *msg;
} bad[] = {
	{ "bad-version.profile",	1, "unsupported profile version 3" },
	{ "bad-kernel-twice.profile",	3, "a second 'kernel' line" },
	{ "bad-kernel-late.profile",	3, "must come before the sites" },
	{ "bad-noheader.profile",	1, "not a relpoline profile" },
	{ "bad-state.profile",		2, "bad state 'active'" },
	{ "bad-dup.profile",		4, "duplicate site do_syscall_64+0x5a (first on line 2)" },
	{ "bad-target.profile",		2, "bad target 'x64_sys_call:1x'" },
	{ "bad-notarget.profile",	2, "missing columns" },
	{ "bad-record.profile",		2, "unknown record 'target'" },
	{ "bad-site.profile",		2, "bad site 'do_syscall_64'" },
	{ "bad-empty.profile",		0, "empty file" },
};

START_TEST(test_parse_bad)
{
	struct rp_profile p;
	struct rp_syntax_err err;

	ck_assert_int_eq(parse_file(bad[_i].file, &p, &err), -EINVAL);
	ck_assert_msg(err.line == bad[_i].line, "%s: line %u, expected %u (%s)", bad[_i].file,
		      err.line, bad[_i].line, err.msg);
	ck_assert_msg(strstr(err.msg, bad[_i].msg), "%s: '%s' lacks '%s'", bad[_i].file, err.msg,
		      bad[_i].msg);
	ck_assert_uint_eq(p.nr, 0);
}
END_TEST

START_TEST(test_from_sites_roundtrip)
{
	char *text = slurp(FIX("tracing/relpoline/sites"), NULL), *out, *out2;
	struct rp_sites s;
	struct rp_syntax_err err;
	struct rp_profile p, q;

	ck_assert_int_eq(rp_sites_parse(text, strlen(text), false, &s, &err), 0);
	ck_assert_int_eq(rp_profile_from_sites(&s, &p), 0);
	/* promoted 1, 3, 8 and pinned 2; learning/off/blocked/busy are not saved */
	ck_assert_uint_eq(p.nr, 4);
	out = to_text(&p);
	ck_assert_str_eq(out,
		"site do_syscall_64+0x5a - promoted x64_sys_call:982311\n"
		"site security_file_permission+0x4f - pinned selinux_file_permission:55012\n"
		"site ext4_file_read_iter+0x91 ext4 promoted generic_file_read_iter:11000 ext4_dio_read_iter[ext4]:1002\n"
		"site ip_finish_output2+0x1a2 - promoted dev_queue_xmit:6500 neigh_resolve_output:500\n");
	/* no raw addresses anywhere */
	ck_assert_ptr_null(strstr(out, "0xffff"));

	/* parse what we wrote: same profile */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		rp_profile_write(f, &p, "line one\nline two");
		fclose(f);
		ck_assert_ptr_nonnull(strstr(buf, "# line one\n# line two\n"));
		ck_assert_int_eq(rp_profile_parse(buf, len, &q, &err), 0);
		free(buf);
	}
	out2 = to_text(&q);
	ck_assert_str_eq(out, out2);
	free(out);
	free(out2);
	rp_profile_free(&p);
	rp_profile_free(&q);
	rp_sites_free(&s);
	free(text);
}
END_TEST

START_TEST(test_merge_ab)
{
	struct rp_profile in[2], out, out2;
	struct rp_syntax_err err;
	char *got, *got2, *want = slurp(FIX("profiles/merged-ab-2.expected"), NULL);

	ck_assert_int_eq(parse_file("a.profile", &in[0], &err), 0);
	ck_assert_int_eq(parse_file("b.profile", &in[1], &err), 0);
	ck_assert_int_eq(rp_profile_merge(in, 2, 2, &out), 0);
	got = to_text(&out);
	ck_assert_str_eq(got, want);

	/* order of the inputs does not matter */
	{
		struct rp_profile swapped[2] = { in[1], in[0] };

		ck_assert_int_eq(rp_profile_merge(swapped, 2, 2, &out2), 0);
		got2 = to_text(&out2);
		ck_assert_str_eq(got2, want);
		free(got2);
		rp_profile_free(&out2);
	}

	/* max_targets 1 keeps the hottest */
	ck_assert_int_eq(rp_profile_merge(in, 2, 1, &out2), 0);
	got2 = to_text(&out2);
	ck_assert_ptr_nonnull(strstr(got2, "site ext4_file_read_iter+0x91 ext4 promoted ext4_dio_read_iter[ext4]:800\n"));
	free(got2);
	rp_profile_free(&out2);

	ck_assert_int_eq(rp_profile_merge(in, 2, 0, &out2), -EINVAL);
	free(got);
	free(want);
	rp_profile_free(&out);
	rp_profile_free(&in[0]);
	rp_profile_free(&in[1]);
}
END_TEST

START_TEST(test_merge_ties_and_single)
{
	const char *t = "# relpoline profile v1\n"
			"site f+0x1 - promoted zeta:5 alpha:5 mid:9\n"
			"site g+0x2 m promoted x:1\n"
			"site g+0x2 - promoted y:1\n";
	struct rp_profile p, out;
	struct rp_syntax_err err;
	char *got;

	ck_assert_int_eq(rp_profile_parse(t, strlen(t), &p, &err), 0);
	ck_assert_int_eq(rp_profile_merge(&p, 1, 2, &out), 0);
	got = to_text(&out);
	/* equal hits: name order; same symbol in different modules: two sites */
	ck_assert_str_eq(got, "site f+0x1 - promoted mid:9 alpha:5\n"
			      "site g+0x2 - promoted y:1\n"
			      "site g+0x2 m promoted x:1\n");
	free(got);
	rp_profile_free(&out);
	rp_profile_free(&p);
}
END_TEST

START_TEST(test_symtab)
{
	struct rp_symtab *t = rp_symtab_load(FIX("kallsyms"));

	ck_assert_ptr_nonnull(t);
	ck_assert(rp_symtab_exists("x64_sys_call", NULL, t));
	ck_assert(rp_symtab_exists("ext4_dio_read_iter", "ext4", t));
	ck_assert(!rp_symtab_exists("ext4_dio_read_iter", NULL, t));
	ck_assert(!rp_symtab_exists("ext4_dio_read_iter", "xfs", t));
	ck_assert(!rp_symtab_exists("removed_target", NULL, t));
	rp_symtab_free(t);
	ck_assert_ptr_null(rp_symtab_load("/nonexistent/kallsyms"));
}
END_TEST

static struct rp_ctx *open_tree(const char *tree)
{
	enum rp_open_err why;
	char msg[256];
	struct rp_ctx *ctx = rp_open(tree, &why, msg, sizeof(msg));

	ck_assert_msg(ctx != NULL, "rp_open: %s", msg);
	return ctx;
}

START_TEST(test_load_partial)
{
	char *tree = fake_tree(), *control, *want, *log = NULL;
	size_t loglen = 0;
	struct rp_ctx *ctx = open_tree(tree);
	struct rp_symtab *t = rp_symtab_load(FIX("kallsyms"));
	struct rp_load_report rep;
	struct rp_profile p;
	struct rp_syntax_err err;
	FILE *f = open_memstream(&log, &loglen);
	int r;

	ck_assert_int_eq(parse_file("load.profile", &p, &err), 0);
	r = rp_profile_load(ctx, &p, rp_symtab_exists, t, f, &rep);
	fclose(f);
	ck_assert_int_eq(r, 1);
	ck_assert_uint_eq(rep.applied, 5);
	ck_assert_uint_eq(rep.failed, 3);
	ck_assert_uint_eq(rep.missing_targets, 2);

	control = slurp(tpath(tree, "relpoline/control"), NULL);
	want = slurp(FIX("profiles/load.expected-control"), NULL);
	ck_assert_str_eq(control, want);

	ck_assert_msg(strstr(log, "line 6: site gone_function+0x10: no longer exists, skipped"), "%s", log);
	ck_assert_msg(strstr(log, "site xfs_ilock+0x1c [btrfs]: no longer exists (module not loaded?)"), "%s", log);
	ck_assert_msg(strstr(log, "target removed_target no longer exists, dropped"), "%s", log);
	ck_assert_msg(strstr(log, "sock_sendmsg+0x5e: no target left, skipped"), "%s", log);
	ck_assert_msg(strstr(log, "target ip_finish_output3 dropped (max_targets is 2)"), "%s", log);

	free(control);
	free(want);
	free(log);
	rp_profile_free(&p);
	rp_symtab_free(t);
	rp_close(ctx);
	rm_tree(tree);
	free(tree);
}
END_TEST

START_TEST(test_load_all_and_failures)
{
	char *tree = fake_tree(), *control, *log = NULL;
	size_t loglen = 0;
	struct rp_ctx *ctx = open_tree(tree);
	struct rp_load_report rep;
	struct rp_profile p;
	struct rp_syntax_err err;
	FILE *f;

	ck_assert_int_eq(parse_file("good-all.profile", &p, &err), 0);
	f = open_memstream(&log, &loglen);
	/* no symbol check: everything goes to the kernel */
	ck_assert_int_eq(rp_profile_load(ctx, &p, NULL, NULL, f, &rep), 0);
	fclose(f);
	ck_assert_uint_eq(rep.applied, 2);
	control = slurp(tpath(tree, "relpoline/control"), NULL);
	ck_assert_str_eq(control, "promote 1 x64_sys_call\npin 3 ext4_dio_read_iter[ext4]\n");
	free(control);
	free(log);

	/* the kernel rejecting every command: reported, non-zero */
	ck_assert_int_eq(unlink(tpath(tree, "relpoline/control")), 0);
	ck_assert_int_eq(symlink("/dev/full", tpath(tree, "relpoline/control")), 0);
	log = NULL;
	f = open_memstream(&log, &loglen);
	ck_assert_int_eq(rp_profile_load(ctx, &p, NULL, NULL, f, &rep), 1);
	fclose(f);
	ck_assert_uint_eq(rep.applied, 0);
	ck_assert_uint_eq(rep.failed, 2);
	ck_assert_msg(strstr(log, "'promote 1 x64_sys_call' failed: No space left on device"), "%s", log);
	free(log);

	/* no available_sites: nothing can be resolved */
	ck_assert_int_eq(unlink(tpath(tree, "relpoline/available_sites")), 0);
	log = NULL;
	f = open_memstream(&log, &loglen);
	ck_assert_int_eq(rp_profile_load(ctx, &p, NULL, NULL, f, &rep), -ENOENT);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(log, "cannot read available sites"));
	free(log);

	rp_profile_free(&p);
	rp_close(ctx);
	rm_tree(tree);
	free(tree);
}
END_TEST

Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("profile");

	tcase_add_test(tc, test_parse_a);
	tcase_add_loop_test(tc, test_parse_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_from_sites_roundtrip);
	tcase_add_test(tc, test_merge_ab);
	tcase_add_test(tc, test_merge_ties_and_single);
	tcase_add_test(tc, test_symtab);
	tcase_add_test(tc, test_load_partial);
	tcase_add_test(tc, test_load_all_and_failures);
	suite_add_tcase(s, tc);
	return s;
}
