// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline and relpoline-top as programs: argument handling (global
 * options anywhere), help, exit codes, JSON/Prometheus output, exact
 * writes into a fake tracing dir, profile round trips and refusals,
 * relpoline.conf, and relpoline-top leaving the profile knob alone.
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

/* run relpoline --tracing-dir TREE args... */
static void rp(struct run *r, const char * const *args)
{
	const char *av[40];
	int n = 0;

	av[n++] = "--tracing-dir";
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
	{ { "--bogus", NULL }, "invalid option '--bogus'" },
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
	/* the kernel's ranges, from the one knob table */
	{ { "set", "min_samples", "0", NULL }, "min_samples must be within 1..1000000" },
	{ { "set", "sample_period", "2000000", NULL }, "within 1..1000000" },
	{ { "enable", "--json", NULL }, "JSON output is not available for this command" },
	{ { "--json", "reset", NULL }, "JSON output is not available" },
	{ { "status", "--format", "xml", NULL }, "unknown format 'xml'" },
	{ { "sites", "--format", "prometheus", NULL }, "Prometheus output is not available" },
	{ { "retrain", "--timeout", "3", NULL }, "invalid option '--timeout'" },
	{ { "retrain", "1", "2", NULL }, "at most one SITE" },
	{ { "cgroup", NULL }, "expected set, rm, clear or show" },
	{ { "cgroup", "set", "/a", NULL }, "cgroup set PATH WEIGHT" },
	{ { "cgroup", "set", "/a", "--", "-1", NULL }, "weight must be within 0..1000" },
	{ { "cgroup", "set", "/a", "1001", NULL }, "weight must be within 0..1000" },
	{ { "cgroup", "set", "a/b", "1", NULL }, "bad cgroup path 'a/b'" },
	{ { "cgroup", "set", "/a", "1", "--json", NULL }, "only available for 'cgroup show'" },
	{ { "promote", "3", "a", "b,a", NULL }, "target 'a' given twice" },
	{ { "set", "threshold_pct", "0", NULL }, "within 1..100" },
	{ { "cgroup", "set", "/a", "-1", NULL }, "invalid option '-1'" },
	{ { "cgroup", "frob", NULL }, "unknown subcommand" },
	{ { "filter", "frob", NULL }, "unknown subcommand 'frob'" },
	{ { "filter", "add", NULL }, "expected 'filter add PATTERN...'" },
	{ { "profile", NULL }, "expected save, load or merge" },
	{ { "profile", "save", NULL }, "profile save FILE" },
	{ { "profile", "merge", "out", NULL }, "profile merge" },
	{ { "profile", "merge", "-m", "0", "o", "i", NULL }, "bad --max-targets" },
	{ { "profile", "load", "--no-check", "-k", "x", "f", NULL }, "exclude each other" },
	{ { "record", NULL }, "expected -- COMMAND" },
	{ { "sites", "--tracing-dir", NULL }, "needs DIR" },
	/* rtla's -t means something else: only --tracing-dir here */
	{ { "sites", "-t", "/tmp", NULL }, "invalid option '-t'" },
	{ { "help", "bogus", NULL }, "unknown command 'bogus'" },
	{ { "apply", NULL }, "expected FILE" },
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
	/* what the kernel does: 1 to 4 targets, whatever max_targets says */
	ck_assert_ptr_nonnull(strstr(r.out, "1 to 4, whatever max_targets says"));
	run_free(&r);
	run_tool(&r, "relpoline", NA{ "--version", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "relpoline 0."));
	run_free(&r);

	/* 'help' lists every command and the knobs from the one table */
	run_tool(&r, "relpoline", NA{ "help", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 0);
	for (const char *c = "status sites enable disable mode retrain promote pin demote block "
			     "unblock reset set filter cgroup profile apply record help"; *c;) {
		char word[32], line[48];
		size_t n = strcspn(c, " ");

		snprintf(word, sizeof(word), "%.*s", (int)n, c);
		snprintf(line, sizeof(line), "\n     %-9s ", word);
		ck_assert_msg(strstr(r.out, line), "help lacks %s", word);
		c += n + (c[n] == ' ');
	}
	for (size_t i = 0; i < rp_nr_knobs; i++) {
		char want[96];

		snprintf(want, sizeof(want), "%-14s %lld..%lld, default %lld", rp_knobs[i].name,
			 rp_knobs[i].min, rp_knobs[i].max, rp_knobs[i].def);
		ck_assert_msg(strstr(r.out, want), "help lacks '%s'", want);
	}
	run_free(&r);
	run_tool(&r, "relpoline", NA{ "help", "reset", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: relpoline reset"));
	ck_assert_ptr_nonnull(strstr(r.out, "the learned samples"));
	run_free(&r);
	run_tool(&r, "relpoline", NA{ "help", "demote", NULL }, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "back to learning"));
	run_free(&r);
}
END_TEST

/* global options are accepted anywhere, as tools/lib/subcmd does */
START_TEST(test_global_options_anywhere)
{
	char out[1024], *t;
	struct run r;

	snprintf(out, sizeof(out), "%s/../p.profile", tree);
	run_tool(&r, "relpoline", NA{ "profile", "save", out, "--tracing-dir", tree, NULL }, NULL, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_free(&r);
	/* after the subcommand's operand, before it, and between the words */
	run_tool(&r, "relpoline", NA{ "profile", "load", "--no-check", out, "--tracing-dir", tree, NULL },
		 NULL, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_free(&r);
	run_tool(&r, "relpoline", NA{ "profile", "--tracing-dir", tree, "load", "--no-check", out, NULL },
		 NULL, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_free(&r);
	run_tool(&r, "relpoline", NA{ "--tracing-dir=" , NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
	t = file("relpoline/control");
	ck_assert_ptr_nonnull(strstr(t, "promote 1 x64_sys_call\n"));
	free(t);
	run_tool(&r, "relpoline", NA{ "sites", "--json", "--tracing-dir", tree, "-s", "pinned", NULL },
		 NULL, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(json_array_len(json_get(r.out, "sites")), 1);
	run_free(&r);
}
END_TEST

START_TEST(test_open_failures)
{
	struct run r;

	run_tool(&r, "relpoline", NA{ "--tracing-dir", "/nonexistent/tracing", "status", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/tracing: No such file or directory"));
	run_free(&r);
	run_tool(&r, "relpoline", NA{ "--tracing-dir", FIX("sites"), "sites", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no relpoline support"));
	run_free(&r);
}
END_TEST

/* replace the first 'from' of trace_stat/relpoline with 'to' */
static void t_replace_stat_line(const char *from, const char *to)
{
	char *t = file("trace_stat/relpoline"), *p = strstr(t, from), *n;

	ck_assert_ptr_nonnull(p);
	ck_assert(asprintf(&n, "%.*s%s%s", (int)(p - t), t, to, p + strlen(from)) > 0);
	replace_file("trace_stat/relpoline", n);
	free(n);
	free(t);
}

static void t_restore_stat(void)
{
	char *t = slurp(FIX("tracing/trace_stat/relpoline"), NULL);

	replace_file("trace_stat/relpoline", t);
	free(t);
}

START_TEST(test_status_json)
{
	struct run r;
	const char *tot;

	rp(&r, NA{ "status", "--json", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(json_valid(r.out), "invalid JSON: %s", r.out);
	ck_assert(json_num(json_get(r.out, "schema")) == RP_JSON_SCHEMA);
	ck_assert(json_is(json_get(r.out, "kind"), "status"));
	ck_assert(json_is(json_get(r.out, "enabled"), "true"));
	ck_assert(json_is(json_get(r.out, "mode"), "auto"));
	ck_assert(json_num(json_get(json_get(r.out, "knobs"), "max_targets")) == 2);
	ck_assert(json_num(json_get(json_get(r.out, "sites"), "managed")) == 8);
	ck_assert(json_num(json_get(json_get(r.out, "sites"), "available")) == 10);
	ck_assert(json_num(json_get(json_get(r.out, "states"), "promoted")) == 3);
	tot = json_get(r.out, "totals");
	ck_assert(json_num(json_get(tot, "hits")) == 1056425);
	ck_assert(json_num(json_get(tot, "retrains")) == 42);
	ck_assert(json_num(json_get(tot, "last_retrain_us")) == 183);
	/* what was never shown before */
	ck_assert(json_num(json_get(tot, "dropped")) == 7);
	ck_assert(json_num(json_get(tot, "samples")) == 3210);
	ck_assert(json_num(json_get(tot, "refused")) == 1);
	ck_assert(json_num(json_get(tot, "patched")) == 120);
	ck_assert(json_num(json_get(tot, "stub_pool_bytes")) == 65536);
	/* 0..100, as everywhere */
	ck_assert(json_num(json_get(tot, "hit_pct")) > 98 && json_num(json_get(tot, "hit_pct")) < 98.1);
	/* no kernel estimate: left out */
	ck_assert_ptr_null(json_get(tot, "saved_cycles"));
	run_free(&r);

	/* the same in text, stable "key: value" lines */
	rp(&r, NA{ "status", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "relpoline:       enabled\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "sites:           8 managed, 10 available, 1 refused\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "hit_pct:         98.08%\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "retrains:        42\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "dropped:         7\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "learning is starved"));
	run_free(&r);

	/* a kernel estimate, when there is one, is carried */
	t_replace_stat_line("# hits=", "# saved_cycles=123456 hits=");
	rp(&r, NA{ "status", "--json", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert(json_num(json_get(json_get(r.out, "totals"), "saved_cycles")) == 123456);
	run_free(&r);
	rp(&r, NA{ "status", "--format", "prometheus", NULL });
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_saved_cycles_total 123456\n"));
	run_free(&r);
	t_restore_stat();

	/* the kernel's "# estimate:" line, as it prints it */
	t_replace_stat_line("#         hits",
			    "# estimate: slow_cycles_x100=2531 hit_cycles_x100=320 saved_cycles=2211 "
			    "saved_cycles_per_sec=3000000 cpu_share_ppm=1000 saved_window_ms=1500 "
			    "cycle_khz=3000000 calibrated_cpu=1\n#         hits");
	rp(&r, NA{ "status", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.out, "estimate:        a hit saves 22.11 cycles (slow path 25.31, hit 3.20); "
			     "3000000 cycles/s saved, 0.1000% of one CPU (last 1.5 s)\n"), "%s", r.out);
	run_free(&r);
	rp(&r, NA{ "status", "--json", NULL });
	tot = json_get(r.out, "totals");
	ck_assert(json_num(json_get(tot, "saved_cycles")) == 2211);
	ck_assert(json_num(json_get(tot, "saved_cycles_per_sec")) == 3000000);
	ck_assert(json_num(json_get(tot, "cpu_share_ppm")) == 1000);
	ck_assert(json_num(json_get(tot, "slow_cycles_x100")) == 2531);
	run_free(&r);
	rp(&r, NA{ "status", "--format", "prometheus", NULL });
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_saved_cycles_per_second 3000000\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_saved_cpu_share_ppm 1000\n"));
	run_free(&r);
	t_restore_stat();
	/* calibrated, no rate yet */
	t_replace_stat_line("#         hits",
			    "# estimate: slow_cycles_x100=2531 hit_cycles_x100=320 saved_cycles=0 "
			    "cycle_khz=3000000 calibrated_cpu=0\n#         hits");
	rp(&r, NA{ "status", NULL });
	ck_assert_msg(strstr(r.out, "a hit saves 22.11 cycles (slow path 25.31, hit 3.20); no rate"), "%s", r.out);
	run_free(&r);

	/* trace_stat in another format: an error, not wrong numbers */
	replace_file("trace_stat/relpoline", "hits: 5\nretrains: 42\n");
	rp(&r, NA{ "status", NULL });
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "not the format"), "%s", r.err);
	ck_assert_str_eq(r.out, "");
	run_free(&r);
	/* a missing knob: null, not an error */
	ck_assert_int_eq(unlink(tpath(tree, "relpoline/sample_period")), 0);
	t_restore_stat();
	rp(&r, NA{ "--json", "status", NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert(json_valid(r.out));
	ck_assert(json_is(json_get(json_get(r.out, "knobs"), "sample_period"), "null"));
	run_free(&r);
}
END_TEST

START_TEST(test_status_prometheus)
{
	char out[1024], *t;
	struct run r;

	rp(&r, NA{ "status", "--format", "prometheus", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "# TYPE relpoline_sites gauge\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_sites{state=\"promoted\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_hits_total 1056425\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_misses_total 20671\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "# TYPE relpoline_samples_dropped_total counter\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_samples_dropped_total 7\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_retrains_total 42\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_last_retrain_seconds 0.000183\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_last_round_sites 9\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nrelpoline_knob{knob=\"interval_ms\"} 1000\n"));
	ck_assert_ptr_null(strstr(r.out, "saved_cycles"));
	/* every sample line is "name[{labels}] value" */
	for (char *l = r.out, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		ck_assert_ptr_nonnull(nl);
		if (*l != '#')
			ck_assert_msg(!strncmp(l, "relpoline_", 10) && memchr(l, ' ', nl - l),
				      "bad line %.*s", (int)(nl - l), l);
	}
	run_free(&r);

	/* -o: a whole file, through a rename */
	snprintf(out, sizeof(out), "%s/../relpoline.prom", tree);
	rp(&r, NA{ "status", "--format", "prometheus", "-o", out, NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "");
	run_free(&r);
	t = slurp(out, NULL);
	ck_assert_ptr_nonnull(strstr(t, "relpoline_enabled 1\n"));
	free(t);
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
	/*
	 * clear must write something the kernel acts on: it ignores an
	 * empty write (this used to write 0 bytes, which a regular file
	 * "obeys" by being truncated and the kernel does not)
	 */
	rp(&r, NA{ "cgroup", "clear", NULL });
	ck_assert_int_eq(r.status, 0);
	run_free(&r);
	t = file("relpoline/cgroup_weights");
	ck_assert_str_eq(t, "* 1\n");
	free(t);

	/* filter: set replaces, add appends, clear writes a blank line (">") */
	rp(&r, NA{ "filter", "set", "vfs_*", "!vfs_write", NULL });
	ck_assert_int_eq(r.status, 0);
	run_free(&r);
	t = file("relpoline/set_relpoline_filter");
	ck_assert_str_eq(t, "vfs_*\n!vfs_write\n");
	free(t);
	rp(&r, NA{ "filter", "add", ":mod:ext4", NULL });
	run_free(&r);
	t = file("relpoline/set_relpoline_filter");
	ck_assert_str_eq(t, "vfs_*\n!vfs_write\n:mod:ext4\n");
	free(t);
	rp(&r, NA{ "filter", NULL });
	ck_assert_str_eq(r.out, "vfs_*\n!vfs_write\n:mod:ext4\n");
	run_free(&r);
	rp(&r, NA{ "filter", "clear", NULL });
	run_free(&r);
	t = file("relpoline/set_relpoline_filter");
	ck_assert_str_eq(t, "\n");
	free(t);
}
END_TEST

START_TEST(test_cgroup_show_json)
{
	struct run r;
	const char *arr;

	rp(&r, NA{ "cgroup", "show", "--json", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(json_valid(r.out), "%s", r.out);
	ck_assert(json_num(json_get(r.out, "schema")) == RP_JSON_SCHEMA);
	ck_assert(json_is(json_get(r.out, "kind"), "cgroups"));
	arr = json_get(r.out, "cgroups");
	ck_assert_int_eq(json_array_len(arr), 2);
	ck_assert(json_is(json_get(json_at(arr, 0), "path"), "/system.slice/nginx.service"));
	ck_assert(json_num(json_get(json_at(arr, 0), "weight")) == 4);
	ck_assert(json_num(json_get(json_at(arr, 0), "samples")) == 120332);
	ck_assert(json_is(json_get(json_at(arr, 1), "path"), "*"));
	run_free(&r);
}
END_TEST

START_TEST(test_apply_conf)
{
	char conf[1024], *t;
	struct run r;

	snprintf(conf, sizeof(conf), "%s/../relpoline.conf", tree);
	spew(tpath(tree, "relpoline/cgroup_weights"), "");
	spew(conf, "# settings\nset interval_ms 250   # faster\nmode manual\nfilter vfs_* ksys_*\n"
		   "filter !vfs_write\ncgroup set /db 50\ncgroup set * 2\nblock 6\nenable\n"
		   "set max_targets 3\n");
	rp(&r, NA{ "apply", "--check", conf, NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_free(&r);
	t = file("relpoline/interval_ms");
	ck_assert_str_eq(t, "1000\n");	/* --check changes nothing */
	free(t);
	spew(tpath(tree, "relpoline/enable"), "0\n");
	rp(&r, NA{ "apply", conf, NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_free(&r);
	t = file("relpoline/interval_ms");
	ck_assert_str_eq(t, "250\n");
	free(t);
	t = file("relpoline/max_targets");
	ck_assert_str_eq(t, "3\n");
	free(t);
	t = file("relpoline/mode");
	ck_assert_str_eq(t, "manual\n");
	free(t);
	t = file("relpoline/set_relpoline_filter");
	ck_assert_str_eq(t, "vfs_*\nksys_*\n!vfs_write\n");
	free(t);
	t = file("relpoline/cgroup_weights");
	ck_assert_str_eq(t, "/db 50\n* 2\n");
	free(t);
	t = file("relpoline/control");
	ck_assert_str_eq(t, "block 6\n");
	free(t);
	t = file("relpoline/enable");
	ck_assert_str_eq(t, "1\n");
	free(t);

	/* one bad line: named, and nothing at all is written */
	spew(conf, "set interval_ms 100\nset max_targets 9\nfrobnicate\nenable\n");
	spew(tpath(tree, "relpoline/control"), "");
	rp(&r, NA{ "apply", conf, NULL });
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "relpoline.conf:2: bad value for max_targets"), "%s", r.err);
	ck_assert_msg(strstr(r.err, "relpoline.conf:3: not a relpoline.conf command: 'frobnicate'"), "%s", r.err);
	ck_assert_msg(strstr(r.err, "nothing changed"), "%s", r.err);
	run_free(&r);
	t = file("relpoline/interval_ms");
	ck_assert_str_eq(t, "250\n");
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
	run_tool(&r, "relpoline-top", NA{ "-b", "-i", "1", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "needs root"), "%s", r.err);
	run_free(&r);
	/* with --tracing-dir no root check; the fixture tree is world readable */
	run_tool(&r, "relpoline", NA{ "--tracing-dir", FIX("tracing"), "sites", "--json", NULL }, NULL, NULL);
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
	ck_assert(!strncmp(t, "# relpoline profile v2\n", 23));
	/* the build it was learned on */
	ck_assert_ptr_nonnull(strstr(t, "\nkernel 6.12.118-relpoline 0123456789abcdef0123456789abcdef01234567\n"));
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

	/* saved on another kernel build: refused, nothing written */
	spew(tpath(tree, "kernel_id"), "6.12.119-relpoline ffffffffffffffffffffffffffffffffffffffff\n");
	rp(&r, NA{ "profile", "load", "--no-check", out, NULL });
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "refusing a stale profile: the profile was saved on kernel "
			     "6.12.118-relpoline 0123456789abcdef0123456789abcdef01234567, this is "
			     "6.12.119-relpoline ffff"), "%s", r.err);
	run_free(&r);
	t = file("relpoline/control");
	ck_assert_str_eq(t, "");
	free(t);
	/* unless asked for */
	rp(&r, NA{ "profile", "load", "--no-check", "--any-kernel", out, NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_free(&r);
	t = file("relpoline/control");
	ck_assert_ptr_nonnull(strstr(t, "promote 1 x64_sys_call\n"));
	free(t);
	/* a v1 profile has no build: loaded anywhere */
	spew(tpath(tree, "relpoline/control"), "");
	rp(&r, NA{ "profile", "load", "--no-check", FIX("profiles/a.profile"), NULL });
	ck_assert_int_ne(r.status, 2);
	ck_assert_ptr_null(strstr(r.err, "stale"));
	run_free(&r);
	/* first boot: no profile yet */
	rp(&r, NA{ "profile", "load", "--missing-ok", "/nonexistent/profile", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "no profile yet"));
	run_free(&r);
	rp(&r, NA{ "profile", "load", "/nonexistent/profile", NULL });
	ck_assert_int_eq(r.status, 1);
	run_free(&r);

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

/* retrain is synchronous in the kernel: --wait reads before and after */
START_TEST(test_retrain_wait)
{
	struct run r;
	char *t;

	rp(&r, NA{ "retrain", "--wait", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "retrain done (kernel: 183 us)\n  no site changed\n"), "%s", r.out);
	run_free(&r);
	rp(&r, NA{ "retrain", "-w", "4", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_free(&r);
	t = file("relpoline/control");
	ck_assert_str_eq(t, "retrain\nretrain 4\n");
	free(t);
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

	av[n++] = "--tracing-dir";
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

	top(&r, NA{ "-b", "-i", "2", "-d", "0.1", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "relpoline-top - "));
	ck_assert_ptr_nonnull(strstr(r.out, "Sites: 8 managed: 1 learning, 3 promoted"));
	ck_assert_ptr_nonnull(strstr(r.out, "Retrains: 42 (last 183 us)"));
	ck_assert_ptr_nonnull(strstr(r.out, "3210 samples, 7 dropped (starved!)"));
	ck_assert_ptr_nonnull(strstr(r.out, "Stubs: 4.0 KiB of 64.0 KiB"));
	ck_assert_ptr_nonnull(strstr(r.out, "generic_file_read_iter:92% ext4_dio_read_iter[ext4]:8%"));
	/* two frames, every site in each */
	ck_assert_ptr_nonnull(strstr(strstr(r.out, "relpoline-top - ") + 1, "relpoline-top - "));
	ck_assert_ptr_nonnull(strstr(strstr(strstr(r.out, "xfs_ilock") + 1, "relpoline-top"), "xfs_ilock"));
	run_free(&r);

	/* -n: the first N rows of each frame */
	top(&r, NA{ "-b", "-i", "1", "-n", "2", "-d", "0.1", "-s", "id", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "do_syscall_64"));
	ck_assert_ptr_nonnull(strstr(r.out, "security_file_permission"));
	ck_assert_ptr_null(strstr(r.out, "ext4_file_read_iter"));
	ck_assert_ptr_nonnull(strstr(r.out, "(6 more sites)"));
	run_free(&r);

	top(&r, NA{ "--json", "-i", "2", "-d", "0.1", "-s", "site", "-f", "ext4", NULL });
	ck_assert_msg(r.status == 0, "%s", r.err);
	{
		char *nl = strchr(r.out, '\n');
		double iv;

		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		ck_assert_msg(json_valid(r.out), "frame 1: %s", r.out);
		ck_assert(json_num(json_get(r.out, "schema")) == RP_JSON_SCHEMA);
		ck_assert_int_eq(json_array_len(json_get(r.out, "sites")), 1);
		ck_assert(json_is(json_get(r.out, "sort"), "site"));
		/* the same totals object as relpoline status --json */
		ck_assert(json_num(json_get(json_get(r.out, "totals"), "dropped")) == 7);
		ck_assert_msg(json_valid(nl + 1), "frame 2: %s", nl + 1);
		iv = json_num(json_get(nl + 1, "interval_s"));
		ck_assert_msg(iv > 0.05 && iv < 10, "interval %f", iv);	/* a loaded machine */
	}
	run_free(&r);
	/* the profile knob is not touched: hits are held through profile_hold */
	t = file("relpoline/profile");
	ck_assert_str_eq(t, "0\n");
	free(t);
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
	ck_assert_ptr_nonnull(strstr(r.err, "bad row count 'x'"));
	run_free(&r);
	top(&r, NA{ "-i", "0", "-b", NULL });
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "bad iteration count '0'"));
	run_free(&r);
	top(&r, NA{ "extra", NULL });
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
	/* only --tracing-dir: rtla's -t is something else */
	run_tool(&r, "relpoline-top", NA{ "-t", tree, "-b", "-i", "1", NULL }, NULL, NULL);
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
	/* interactive mode needs a terminal */
	top(&r, NA{ "-i", "1", NULL });
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "not a terminal"));
	run_free(&r);
	run_tool(&r, "relpoline-top", NA{ "-b", "-i", "1", "--tracing-dir", FIX("sites"), NULL }, NULL, NULL);
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
		execl(path, "relpoline-top", "--tracing-dir", tree, "-b", "-d", delay, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* does pid hold path open? */
static bool holds(pid_t pid, const char *path)
{
	char fd[64], link[4096];
	bool found = false;

	for (int i = 0; i < 64 && !found; i++) {
		ssize_t n;

		snprintf(fd, sizeof(fd), "/proc/%d/fd/%d", (int)pid, i);
		n = readlink(fd, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = !strcmp(link, path);
	}
	return found;
}

/* relpoline-top holds profile_hold open while it runs and never writes the knob */
START_TEST(test_top_profile_hold)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	char hold[4096];
	pid_t pid;
	int st;
	char *t;

	ck_assert_ptr_nonnull(realpath(tpath(tree, "relpoline/profile_hold"), hold));
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		bool held = false;

		pid = spawn_top("0.2");
		for (int k = 0; k < 800 && !held; k++) {
			struct timespec ts = { 0, 25 * 1000 * 1000 };

			held = holds(pid, hold);
			if (!held)
				nanosleep(&ts, NULL);
		}
		ck_assert_msg(held, "relpoline-top does not hold %s", hold);
		kill(pid, sigs[i]);
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "signal %d: status %x", sigs[i], st);
		t = file("relpoline/profile");
		ck_assert_str_eq(t, "0\n");
		free(t);
	}
	/* --no-profile: no hold */
	{
		struct run r;

		top(&r, NA{ "-b", "-i", "1", "-d", "0.1", "--no-profile", NULL });
		ck_assert_int_eq(r.status, 0);
		ck_assert_ptr_nonnull(strstr(r.out, "[hits not counted]"));
		run_free(&r);
	}
}
END_TEST

START_TEST(test_top_exit_on_error)
{
	pid_t pid;
	int st;
	char *bad = slurp(FIX("sites/bad-target-order.txt"), NULL);
	struct timespec ts = { 0, 300 * 1000 * 1000 };

	pid = spawn_top("0.1");
	nanosleep(&ts, NULL);
	replace_file("relpoline/sites", bad);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 1);
	free(bad);
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
	tcase_add_test(tc, test_global_options_anywhere);
	tcase_add_test(tc, test_open_failures);
	tcase_add_test(tc, test_status_json);
	tcase_add_test(tc, test_status_prometheus);
	tcase_add_test(tc, test_sites_json_and_text);
	tcase_add_test(tc, test_malformed_sites);
	tcase_add_test(tc, test_writes);
	tcase_add_test(tc, test_cgroup_show_json);
	tcase_add_test(tc, test_apply_conf);
	tcase_add_test(tc, test_write_failure);
	tcase_add_test(tc, test_not_root);
	tcase_add_test(tc, test_profile_cli);
	tcase_add_test(tc, test_retrain_wait);
	tcase_add_test(tc, test_record);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_set_timeout(tt, 60);
	tcase_add_test(tt, test_top_batch);
	tcase_add_test(tt, test_top_options);
	tcase_add_test(tt, test_top_profile_hold);
	tcase_add_test(tt, test_top_exit_on_error);
	suite_add_tcase(s, tt);
	return s;
}
