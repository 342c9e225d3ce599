// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline and relpoline-top as programs: argument handling, exit
 * codes, JSON output, exact writes into a fake tracing dir, profile
 * round trips, retrain --wait, and the profile knob restore of
 * relpoline-top on exit, SIGTERM and errors.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_helpers.h"

#define NA (const char *[])

static char *tree;

static void setup(void)
{
	tree = fake_tree();
}

static void teardown(void)
{
	rm_tree(tree);
	free(tree);
	tree = NULL;
	run_uid = -1;
}

/* run relpoline -t TREE args... */
static void rp(struct run *r, const char * const *args)
{
	const char *av[40];
	int n = 0;

	av[n++] = "-t";
	av[n++] = tree;
	for (int i = 0; args[i]; i++)
		av[n++] = args[i];
	av[n] = NULL;
	run_tool(r, "relpoline", av, NULL, NULL);
}

static char *file(const char *rel)
{
	return slurp(tpath(tree, rel), NULL);
}

static void replace_file(const char *rel, const char *text)
{
	char tmp[1024];

	snprintf(tmp, sizeof(tmp), "%s.tmp", tpath(tree, rel));
	spew(tmp, text);
	ck_assert_int_eq(rename(tmp, tpath(tree, rel)), 0);
}

/* ------------------------------------------------------------------ */

static const struct {
	const char *args[8];
	const char *err;
} usage_cases[] = {
	{ { NULL }, "missing command" },
	{ { "bogus", NULL }, "unknown command 'bogus'" },
	{ { "--bogus", NULL }, "invalid option" },
	{ { "status", "extra", NULL }, "unexpected argument 'extra'" },
	{ { "sites", "--state", "bogus", NULL }, "unknown state 'bogus'" },
	{ { "sites", "--available", "--state", "off", NULL }, "cannot be combined" },
	{ { "promote", NULL }, "expected SITE and at least one TARGET" },
	{ { "promote", "3", NULL }, "expected SITE and at least one TARGET" },
	{ { "promote", "foo bar", "x", NULL }, "bad site" },
	{ { "promote", "foo+12", "x", NULL }, "bad site" },
	{ { "promote", "3", "a:b", NULL }, "bad target" },
	{ { "promote", "3", "a,b,c,d,e", NULL }, "at most 4 targets" },
	{ { "pin", "3", "x[", NULL }, "bad target" },
	{ { "demote", NULL }, "expected exactly one SITE" },
	{ { "block", "1", "2", NULL }, "expected exactly one SITE" },
	{ { "mode", "fast", NULL }, "unknown mode 'fast'" },
	{ { "set", "foo", "1", NULL }, "unknown knob 'foo'" },
	{ { "set", "max_targets", "9", NULL }, "within 1..4" },
	{ { "set", "interval_ms", "5", NULL }, "within 10..60000" },
	{ { "set", "interval_ms", "1e3", NULL }, "not an integer" },
	{ { "enable", "--json", NULL }, "--json is only accepted by read commands" },
	{ { "--json", "reset", NULL }, "--json is only accepted by read commands" },
	{ { "retrain", "--timeout", "x", NULL }, "bad timeout" },
	{ { "retrain", "1", "2", NULL }, "at most one SITE" },
	{ { "cgroup", NULL }, "expected set, rm, clear or show" },
	{ { "cgroup", "set", "/a", NULL }, "cgroup set PATH WEIGHT" },
	{ { "cgroup", "set", "/a", "--", "-1", NULL }, "not an integer within 0..1000" },
	{ { "cgroup", "set", "/a", "1001", NULL }, "not an integer within 0..1000" },
	{ { "cgroup", "set", "a/b", "1", NULL }, "bad cgroup path 'a/b'" },
	{ { "promote", "3", "a", "b,a", NULL }, "target 'a' given twice" },
	{ { "set", "threshold_pct", "0", NULL }, "within 1..100" },
	{ { "cgroup", "set", "/a", "-1", NULL }, "invalid option '-1'" },
	{ { "cgroup", "frob", NULL }, "unknown subcommand" },
	{ { "profile", NULL }, "expected save, load or merge" },
	{ { "profile", "save", NULL }, "profile save FILE" },
	{ { "profile", "merge", "out", NULL }, "profile merge" },
	{ { "profile", "merge", "-m", "0", "o", "i", NULL }, "bad --max-targets" },
	{ { "profile", "load", "--no-check", "-k", "x", "f", NULL }, "exclude each other" },
	{ { "record", NULL }, "expected -- COMMAND" },
	{ { "sites", "-t", NULL }, "needs a directory" },
};

START_TEST(test_usage_errors)
{
	struct run r;
	char *control;

	rp(&r, usage_cases[_i].args);
	ck_assert_msg(r.status == 2, "args #%d: exit %d, stderr: %s", _i, r.status, r.err);
	ck_assert_msg(strstr(r.err, usage_cases[_i].err), "args #%d: stderr '%s' lacks '%s'",
		      _i, r.err, usage_cases[_i].err);
	ck_assert_str_eq(r.out, "");
	run_free(&r);
	/* nothing was written */
	control = file("relpoline/control");
	ck_assert_str_eq(control, "");
	free(control);
}
END_TEST

START_TEST(test_help_and_version)
{
	struct run r;

	run_tool(&r, "relpoline", NA{ "--help", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: relpoline"));
	run_free(&r);
	run_tool(&r, "relpoline", NA{ "promote", "-h", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: relpoline promote"));
	run_free(&r);
	run_tool(&r, "relpoline", NA{ "--version", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "relpoline 0."));
	run_free(&r);
}
END_TEST

START_TEST(test_open_failures)
{
	struct run r;

	run_tool(&r, "relpoline", NA{ "-t", "/nonexistent/tracing", "status", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/tracing: No such file or directory"));
	run_free(&r);
	run_tool(&r, "relpoline", NA{ "-t", FIX("sites"), "sites", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no relpoline support"));
	run_free(&r);
}
END_TEST

START_TEST(test_status_json)
{
	struct run r;
	const char *v, *sites;

	rp(&r, NA{ "status", "--json", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(json_valid(r.out), "invalid JSON: %s", r.out);
	ck_assert(json_is(json_get(r.out, "enabled"), "true"));
	ck_assert(json_is(json_get(r.out, "mode"), "auto"));
	ck_assert(json_num(json_get(json_get(r.out, "knobs"), "max_targets")) == 2);
	sites = json_get(r.out, "sites");
	ck_assert(json_num(json_get(sites, "managed")) == 8);
	ck_assert(json_num(json_get(sites, "available")) == 10);
	ck_assert(json_num(json_get(json_get(sites, "states"), "promoted")) == 3);
	ck_assert(json_num(json_get(r.out, "hits")) == 1056425);
	v = json_get(json_get(r.out, "stat"), "retrains");
	ck_assert(json_num(v) == 42);
	ck_assert(json_num(json_get(json_get(r.out, "stat"), "last_retrain_ns")) == 183000);
	run_free(&r);

	/* the same in text, stable "key: value" lines */
	rp(&r, NA{ "status", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "relpoline:      enabled\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "sites:          8 managed, 10 available\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "hit_rate:       98.08%\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "retrains:       42\n"));
	run_free(&r);

	/* a missing trace_stat and knob: null, not an error */
	ck_assert_int_eq(unlink(tpath(tree, "trace_stat/relpoline")), 0);
	ck_assert_int_eq(unlink(tpath(tree, "relpoline/sample_period")), 0);
	rp(&r, NA{ "--json", "status", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert(json_valid(r.out));
	ck_assert(json_is(json_get(json_get(r.out, "stat"), "retrains"), "null"));
	ck_assert(json_is(json_get(json_get(r.out, "knobs"), "sample_period"), "null"));
	run_free(&r);
}
END_TEST

START_TEST(test_sites_json_and_text)
{
	struct run r;
	const char *arr, *third;

	rp(&r, NA{ "sites", "--json", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(json_valid(r.out), "invalid JSON: %s", r.out);
	arr = json_get(r.out, "sites");
	ck_assert_int_eq(json_array_len(arr), 8);
	third = strstr(arr, "{\"id\":3,");
	ck_assert_ptr_nonnull(third);
	ck_assert(json_is(json_get(third, "module"), "ext4"));
	ck_assert(json_is(json_get(third, "site"), "ext4_file_read_iter+0x91/0x1c0"));
	ck_assert_int_eq(json_array_len(json_get(third, "targets")), 2);
	run_free(&r);

	rp(&r, NA{ "sites", "--json", "-s", "promoted,pinned", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(json_array_len(json_get(r.out, "sites")), 4);
	run_free(&r);

	rp(&r, NA{ "--json", "sites", "--available", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert(json_valid(r.out));
	ck_assert_int_eq(json_array_len(json_get(r.out, "sites")), 10);
	ck_assert_ptr_null(strstr(r.out, "\"state\""));
	run_free(&r);

	rp(&r, NA{ "sites", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "generic_file_read_iter:11000 ext4_dio_read_iter[ext4]:1002\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "    ID  SITE"));
	run_free(&r);

	/* the environment variable points at the tree too */
	run_tool(&r, "relpoline", NA{ "sites", "--json", NULL }, tree, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(json_array_len(json_get(r.out, "sites")), 8);
	run_free(&r);
}
END_TEST

START_TEST(test_malformed_sites)
{
	struct run r;
	char *t = slurp(FIX("sites/bad-state.txt"), NULL);

	replace_file("relpoline/sites", t);
	free(t);
	rp(&r, NA{ "sites", "--json", NULL });
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "sites: line 3: bad state 'promotd'"), "%s", r.err);
	ck_assert_str_eq(r.out, "");
	run_free(&r);
	rp(&r, NA{ "status", NULL });
	ck_assert_int_eq(r.status, 1);
	run_free(&r);
}
END_TEST

START_TEST(test_writes)
{
	struct run r;
	char *t;

	rp(&r, NA{ "promote", "3", "generic_file_read_iter", "ext4_dio_read_iter[ext4]", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_free(&r);
	rp(&r, NA{ "pin", "do_syscall_64+0x5a", "x64_sys_call,0xffffffff81000000", NULL });
	ck_assert_int_eq(r.status, 0);
	run_free(&r);
	rp(&r, NA{ "demote", "0xffffffffc0a01234", NULL });
	run_free(&r);
	rp(&r, NA{ "block", "6", NULL });
	run_free(&r);
	rp(&r, NA{ "unblock", "6", NULL });
	run_free(&r);
	rp(&r, NA{ "retrain", NULL });
	run_free(&r);
	rp(&r, NA{ "retrain", "4", NULL });
	run_free(&r);
	rp(&r, NA{ "reset", NULL });
	ck_assert_int_eq(r.status, 0);
	run_free(&r);
	t = file("relpoline/control");
	ck_assert_str_eq(t,
		"promote 3 generic_file_read_iter,ext4_dio_read_iter[ext4]\n"
		"pin do_syscall_64+0x5a x64_sys_call,0xffffffff81000000\n"
		"demote 0xffffffffc0a01234\n"
		"block 6\n"
		"unblock 6\n"
		"retrain\n"
		"retrain 4\n"
		"reset\n");
	free(t);

	rp(&r, NA{ "set", "interval_ms", "500", NULL });
	ck_assert_int_eq(r.status, 0);
	run_free(&r);
	t = file("relpoline/interval_ms");
	ck_assert_str_eq(t, "500\n");
	free(t);
	rp(&r, NA{ "mode", "manual", NULL });
	run_free(&r);
	t = file("relpoline/mode");
	ck_assert_str_eq(t, "manual\n");
	free(t);
	rp(&r, NA{ "disable", NULL });
	run_free(&r);
	t = file("relpoline/enable");
	ck_assert_str_eq(t, "0\n");
	free(t);
	rp(&r, NA{ "enable", NULL });
	run_free(&r);
	t = file("relpoline/enable");
	ck_assert_str_eq(t, "1\n");
	free(t);

	spew(tpath(tree, "relpoline/cgroup_weights"), "");
	rp(&r, NA{ "cgroup", "set", "/system.slice/db.service", "8", NULL });
	run_free(&r);
	rp(&r, NA{ "cgroup", "set", "*", "1", NULL });
	run_free(&r);
	rp(&r, NA{ "cgroup", "rm", "/system.slice/db.service", NULL });
	ck_assert_int_eq(r.status, 0);
	run_free(&r);
	t = file("relpoline/cgroup_weights");
	ck_assert_str_eq(t, "/system.slice/db.service 8\n* 1\n!/system.slice/db.service\n");
	free(t);
	rp(&r, NA{ "cgroup", "show", NULL });
	ck_assert_str_eq(r.out, "/system.slice/db.service 8\n* 1\n!/system.slice/db.service\n");
	run_free(&r);
	rp(&r, NA{ "cgroup", "clear", NULL });
	run_free(&r);
	t = file("relpoline/cgroup_weights");
	ck_assert_str_eq(t, "");
	free(t);
}
END_TEST

START_TEST(test_write_failure)
{
	struct run r;

	ck_assert_int_eq(unlink(tpath(tree, "relpoline/control")), 0);
	ck_assert_int_eq(symlink("/dev/full", tpath(tree, "relpoline/control")), 0);
	rp(&r, NA{ "demote", "3", NULL });
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "relpoline: demote 3: No space left on device"), "%s", r.err);
	run_free(&r);
	ck_assert_int_eq(unlink(tpath(tree, "relpoline/max_targets")), 0);
	rp(&r, NA{ "set", "max_targets", "3", NULL });
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "set max_targets 3: No such file or directory"), "%s", r.err);
	run_free(&r);
}
END_TEST

START_TEST(test_not_root)
{
	struct run r;

	if (geteuid() != 0)
		return;	/* needs root to drop to nobody */
	run_uid = 65534;
	/* without -t: writes refuse before touching anything */
	run_tool(&r, "relpoline", NA{ "enable", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "needs root"), "%s", r.err);
	run_free(&r);
	run_tool(&r, "relpoline-top", NA{ "-b", "-n", "1", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "needs root"), "%s", r.err);
	run_free(&r);
	/* with -t no root check; the fixture tree is world readable */
	run_tool(&r, "relpoline", NA{ "-t", FIX("tracing"), "sites", "--json", NULL }, NULL, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_free(&r);
	run_uid = -1;
}
END_TEST

START_TEST(test_profile_cli)
{
	char out[1024], merged[1024], *t, *want;
	struct run r;

	snprintf(out, sizeof(out), "%s/../saved.profile", tree);
	rp(&r, NA{ "profile", "save", out, NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "saved 4 sites"));
	run_free(&r);
	t = slurp(out, NULL);
	ck_assert(!strncmp(t, "# relpoline profile v1\n", 23));
	ck_assert_ptr_nonnull(strstr(t, "\nsite ext4_file_read_iter+0x91 ext4 promoted "
				      "generic_file_read_iter:11000 ext4_dio_read_iter[ext4]:1002\n"));
	free(t);

	/* load what was saved: 4 commands, all applied */
	rp(&r, NA{ "profile", "load", "--no-check", out, NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "4 of 4 sites applied, 0 failed"));
	run_free(&r);
	t = file("relpoline/control");
	ck_assert_str_eq(t, "promote 1 x64_sys_call\npin 2 selinux_file_permission\n"
			    "promote 3 generic_file_read_iter,ext4_dio_read_iter[ext4]\n"
			    "promote 8 dev_queue_xmit,neigh_resolve_output\n");
	free(t);

	/* partial load: missing sites reported, the rest applied, exit 1 */
	spew(tpath(tree, "relpoline/control"), "");
	rp(&r, NA{ "profile", "load", "-k", FIX("kallsyms"), FIX("profiles/load.profile"), NULL });
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "gone_function+0x10: no longer exists"));
	ck_assert_ptr_nonnull(strstr(r.err, "5 of 8 sites applied, 3 failed, 2 targets dropped"));
	run_free(&r);
	t = file("relpoline/control");
	want = slurp(FIX("profiles/load.expected-control"), NULL);
	ck_assert_str_eq(t, want);
	free(t);
	free(want);

	/* a broken profile: nothing written, line named */
	spew(tpath(tree, "relpoline/control"), "");
	rp(&r, NA{ "profile", "load", FIX("profiles/bad-dup.profile"), NULL });
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "line 4: duplicate site"));
	run_free(&r);
	t = file("relpoline/control");
	ck_assert_str_eq(t, "");
	free(t);

	/* merge to a file, compare with the expected result */
	snprintf(merged, sizeof(merged), "%s/../merged.profile", tree);
	rp(&r, NA{ "profile", "merge", "-m", "2", merged, FIX("profiles/a.profile"),
		   FIX("profiles/b.profile"), NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_free(&r);
	t = slurp(merged, NULL);
	want = slurp(FIX("profiles/merged-ab-2.expected"), NULL);
	ck_assert_ptr_nonnull(strstr(t, want));
	free(want);
	free(t);

	/* merge takes max_targets from the (fake) kernel when -m is absent */
	spew(tpath(tree, "relpoline/max_targets"), "1\n");
	rp(&r, NA{ "profile", "merge", "-", FIX("profiles/a.profile"), FIX("profiles/b.profile"), NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "site ext4_file_read_iter+0x91 ext4 promoted ext4_dio_read_iter[ext4]:800\n"));
	run_free(&r);
}
END_TEST

START_TEST(test_retrain_wait_timeout)
{
	struct run r;
	struct timespec a, b;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &a);
	rp(&r, NA{ "retrain", "--wait", "--timeout", "0.3", NULL });
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "timed out after 0.3 s"), "%s", r.err);
	ck_assert_msg(secs >= 0.25 && secs < 5, "took %.2f s", secs);
	run_free(&r);

	/* no counter and no events: refuses to wait rather than hang */
	replace_file("trace_stat/relpoline", "# nothing useful\n");
	rp(&r, NA{ "retrain", "-w", NULL });
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "cannot wait for the retrain"), "%s", r.err);
	run_free(&r);
}
END_TEST

START_TEST(test_retrain_wait_done)
{
	struct run r;
	char *sites, *stat, *p;
	pid_t pid;
	int st;

	/* a "kernel" that finishes the retrain 300 ms after the command */
	sites = file("relpoline/sites");
	stat = file("trace_stat/relpoline");
	p = strstr(sites, "4 nf_hook_slow+0x43/0xc0 - call rax learning 0 8812");
	ck_assert_ptr_nonnull(p);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		char *ns, *nt;
		struct timespec ts = { 0, 300 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		ck_assert(asprintf(&ns, "%.*s4 nf_hook_slow+0x43/0xc0 - call rax promoted 0 8812 nf_hook_fn:0%s",
				   (int)(p - sites), sites,
				   p + strlen("4 nf_hook_slow+0x43/0xc0 - call rax learning 0 8812")) > 0);
		replace_file("relpoline/sites", ns);
		nt = strstr(stat, "retrains: 42");
		memcpy(nt, "retrains: 43", 12);
		replace_file("trace_stat/relpoline", stat);
		_exit(0);
	}
	rp(&r, NA{ "retrain", "--wait", "--timeout", "10", NULL });
	waitpid(pid, &st, 0);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "retrain finished after"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "4 nf_hook_slow+0x43/0xc0: learning [-] -> promoted [nf_hook_fn]\n"),
		      "%s", r.out);
	/* exactly one site changed */
	ck_assert_ptr_null(strstr(strstr(r.out, "->") + 2, "->"));
	run_free(&r);
	free(sites);
	free(stat);
}
END_TEST

START_TEST(test_record)
{
	char bin[1024], script[1100], path[8192], old_path[4096];
	struct run r;

	/* a fake trace-cmd first in PATH prints the arguments it got */
	snprintf(bin, sizeof(bin), "%s/../bin", tree);
	ck_assert_int_eq(mkdir(bin, 0755), 0);
	snprintf(script, sizeof(script), "%s/trace-cmd", bin);
	spew(script, "#!/bin/sh\necho \"trace-cmd $*\"\nexit 3\n");
	ck_assert_int_eq(chmod(script, 0755), 0);
	snprintf(old_path, sizeof(old_path), "%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	snprintf(path, sizeof(path), "%s:%s", bin, old_path);
	setenv("PATH", path, 1);

	run_tool(&r, "relpoline", NA{ "record", "-o", "out.dat", "--", "ls", "-l", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 3);	/* trace-cmd's own status */
	ck_assert_str_eq(r.out, "trace-cmd record -e relpoline -o out.dat -- ls -l\n");
	run_free(&r);
	run_tool(&r, "relpoline", NA{ "record", "--", "true", NULL }, NULL, NULL);
	ck_assert_str_eq(r.out, "trace-cmd record -e relpoline -o relpoline.dat -- true\n");
	run_free(&r);

	setenv("PATH", "/nonexistent", 1);
	run_tool(&r, "relpoline", NA{ "record", "--", "true", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "cannot run trace-cmd"));
	run_free(&r);
	setenv("PATH", old_path, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* relpoline-top                                                       */

static void top(struct run *r, const char * const *args)
{
	const char *av[40];
	int n = 0;

	av[n++] = "-t";
	av[n++] = tree;
	for (int i = 0; args[i]; i++)
		av[n++] = args[i];
	av[n] = NULL;
	run_tool(r, "relpoline-top", av, NULL, NULL);
}

START_TEST(test_top_batch)
{
	struct run r;
	char *t;

	top(&r, NA{ "-b", "-n", "2", "-d", "0.1", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "relpoline-top - "));
	ck_assert_ptr_nonnull(strstr(r.out, "Sites: 8 total, 1 off, 1 learning, 3 promoted"));
	ck_assert_ptr_nonnull(strstr(r.out, "Retrains: 42 (last 183.0 us)"));
	ck_assert_ptr_nonnull(strstr(r.out, "generic_file_read_iter:92% ext4_dio_read_iter[ext4]:8%"));
	/* two frames */
	ck_assert_ptr_nonnull(strstr(strstr(r.out, "relpoline-top - ") + 1, "relpoline-top - "));
	run_free(&r);
	t = file("relpoline/profile");
	ck_assert_str_eq(t, "0\n");	/* restored */
	free(t);

	top(&r, NA{ "--json", "-n", "2", "-d", "0.1", "-s", "site", "-f", "ext4", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	{
		char *nl = strchr(r.out, '\n');

		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		ck_assert_msg(json_valid(r.out), "frame 1: %s", r.out);
		ck_assert_int_eq(json_array_len(json_get(r.out, "sites")), 1);
		ck_assert(json_is(json_get(r.out, "sort"), "site"));
		ck_assert_msg(json_valid(nl + 1), "frame 2: %s", nl + 1);
		{
			double iv = json_num(json_get(nl + 1, "interval"));

			ck_assert_msg(iv > 0.05 && iv < 2, "interval %f", iv);
		}
	}
	run_free(&r);
}
END_TEST

START_TEST(test_top_options)
{
	struct run r;

	top(&r, NA{ "-s", "bogus", "-b", NULL });
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown sort column 'bogus'"));
	run_free(&r);
	top(&r, NA{ "-d", "0", "-b", NULL });
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
	top(&r, NA{ "-n", "x", "-b", NULL });
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
	top(&r, NA{ "extra", NULL });
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
	/* interactive mode needs a terminal */
	top(&r, NA{ "-n", "1", NULL });
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "not a terminal"));
	run_free(&r);
	run_tool(&r, "relpoline-top", NA{ "-b", "-n", "1", "-t", FIX("sites"), NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no relpoline support"));
	run_free(&r);
	run_tool(&r, "relpoline-top", NA{ "--help", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: relpoline-top"));
	run_free(&r);
}
END_TEST

static pid_t spawn_top(const char *delay)
{
	char path[1024];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/relpoline-top", TOOLS_BIN_DIR);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execl(path, "relpoline-top", "-t", tree, "-b", "-d", delay, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void wait_profile(const char *want)
{
	for (int i = 0; i < 200; i++) {
		char *t = file("relpoline/profile");
		bool ok = !strcmp(t, want);
		struct timespec ts = { 0, 25 * 1000 * 1000 };

		free(t);
		if (ok)
			return;
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("profile never became '%s'", want);
}

START_TEST(test_top_restore_on_signal)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	pid_t pid;
	int st;
	char *t;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		spew(tpath(tree, "relpoline/profile"), "0\n");
		pid = spawn_top("0.2");
		wait_profile("1\n");
		kill(pid, sigs[i]);
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "signal %d: status %x", sigs[i], st);
		t = file("relpoline/profile");
		ck_assert_str_eq(t, "0\n");
		free(t);
	}
}
END_TEST

START_TEST(test_top_restore_on_error)
{
	pid_t pid;
	int st;
	char *t, *bad = slurp(FIX("sites/bad-target-order.txt"), NULL);

	pid = spawn_top("0.1");
	wait_profile("1\n");
	replace_file("relpoline/sites", bad);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 1);
	t = file("relpoline/profile");
	ck_assert_str_eq(t, "0\n");
	free(t);
	free(bad);

	/* a profile already on stays on and is not rewritten */
	spew(tpath(tree, "relpoline/profile"), "1\n");
	{
		struct run r;

		top(&r, NA{ "-b", "-n", "1", "-d", "0.1", NULL });
		run_free(&r);
	}
	t = file("relpoline/profile");
	ck_assert_str_eq(t, "1\n");
	free(t);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("relpoline");
	TCase *tt = tcase_create("relpoline-top");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_usage_errors, 0, sizeof(usage_cases) / sizeof(usage_cases[0]));
	tcase_add_test(tc, test_help_and_version);
	tcase_add_test(tc, test_open_failures);
	tcase_add_test(tc, test_status_json);
	tcase_add_test(tc, test_sites_json_and_text);
	tcase_add_test(tc, test_malformed_sites);
	tcase_add_test(tc, test_writes);
	tcase_add_test(tc, test_write_failure);
	tcase_add_test(tc, test_not_root);
	tcase_add_test(tc, test_profile_cli);
	tcase_add_test(tc, test_retrain_wait_timeout);
	tcase_add_test(tc, test_retrain_wait_done);
	tcase_add_test(tc, test_record);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_set_timeout(tt, 60);
	tcase_add_test(tt, test_top_batch);
	tcase_add_test(tt, test_top_options);
	tcase_add_test(tt, test_top_restore_on_signal);
	tcase_add_test(tt, test_top_restore_on_error);
	suite_add_tcase(s, tt);
	return s;
}
