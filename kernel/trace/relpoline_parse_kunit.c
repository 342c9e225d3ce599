// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the relpoline tracefs parsers and promotion policy
 * (kernel/trace/relpoline_parse.c).  The full tables run in userspace
 * (tests/unit/parse); this is a representative subset that exercises the
 * kernel build of the same code, and checks that glob_match(), which
 * set_relpoline_filter uses, has the semantics the documentation promises.
 */
#include <kunit/test.h>
#include <linux/glob.h>
#include <linux/module.h>
#include <linux/relpoline_parse.h>
#include <linux/string.h>

/* ---- policy ---- */

#define RPK_A	0xffffffff81001000ULL
#define RPK_B	0xffffffff81002000ULL
#define RPK_C	0xffffffff81003000ULL
#define RPK_D	0xffffffff81004000ULL
#define RPK_E	0xffffffff81005000ULL

/* ceil(U64_MAX / 10): exactly 10% of U64_MAX */
#define RPK_BIG10	1844674407370955162ULL

struct rpk_policy_case {
	const char *name;
	struct rp_policy pol;	/* max_targets, min_samples, threshold_pct */
	u64 total, samples;
	unsigned int nr_cand;
	struct rp_cand cand[5];
	unsigned int nr_cur;
	u64 cur[RELPOLINE_MAX_TARGETS];
	unsigned int nr_exp;
	u64 exp[RELPOLINE_MAX_TARGETS];
};

static const struct rpk_policy_case rpk_policy_cases[] = {
	{ "few samples keep current", { 4, 100, 10 }, 1000, 99,
	  1, { { RPK_A, 1000 } }, 2, { RPK_B, RPK_C }, 2, { RPK_B, RPK_C } },
	{ "min_samples reached", { 4, 100, 10 }, 1000, 100,
	  1, { { RPK_A, 1000 } }, 2, { RPK_B, RPK_C }, 1, { RPK_A } },
	{ "total 0 drops current", { 4, 0, 10 }, 0, 5000,
	  1, { { RPK_A, 0 } }, 1, { RPK_A }, 0, { } },
	{ "threshold exact", { 4, 0, 10 }, 1000, 1,
	  1, { { RPK_A, 100 } }, 0, { }, 1, { RPK_A } },
	{ "threshold minus one", { 4, 0, 10 }, 1000, 1,
	  1, { { RPK_A, 99 } }, 0, { }, 0, { } },
	{ "zero score ignored", { 4, 0, 10 }, 500, 1,
	  2, { { RPK_A, 0 }, { RPK_B, 500 } }, 0, { }, 1, { RPK_B } },
	{ "hysteresis keeps at half", { 4, 0, 10 }, 1000, 1,
	  1, { { RPK_A, 50 } }, 1, { RPK_A }, 1, { RPK_A } },
	{ "hysteresis drops below half", { 4, 0, 10 }, 1000, 1,
	  1, { { RPK_A, 49 } }, 1, { RPK_A }, 0, { } },
	{ "new at half not promoted", { 4, 0, 10 }, 1000, 1,
	  1, { { RPK_A, 50 } }, 0, { }, 0, { } },
	{ "steady set keeps order", { 4, 0, 10 }, 1000, 1,
	  2, { { RPK_A, 600 }, { RPK_B, 400 } }, 2, { RPK_B, RPK_A },
	  2, { RPK_B, RPK_A } },
	{ "changed set sorted", { 4, 0, 10 }, 1000, 1,
	  2, { { RPK_A, 600 }, { RPK_B, 400 } }, 1, { RPK_B },
	  2, { RPK_A, RPK_B } },
	{ "ties lower address first", { 4, 0, 10 }, 1000, 1,
	  2, { { RPK_B, 500 }, { RPK_A, 500 } }, 0, { }, 2, { RPK_A, RPK_B } },
	{ "max 1 best", { 1, 0, 10 }, 1000, 1,
	  3, { { RPK_A, 300 }, { RPK_B, 500 }, { RPK_C, 200 } }, 0, { },
	  1, { RPK_B } },
	{ "max 2 best two", { 2, 0, 10 }, 1000, 1,
	  3, { { RPK_A, 300 }, { RPK_B, 500 }, { RPK_C, 200 } }, 0, { },
	  2, { RPK_B, RPK_A } },
	{ "max 4 of 5", { 4, 0, 10 }, 1000, 1,
	  5, { { RPK_E, 100 }, { RPK_D, 150 }, { RPK_C, 200 }, { RPK_B, 250 },
	       { RPK_A, 300 } }, 0, { }, 4, { RPK_A, RPK_B, RPK_C, RPK_D } },
	{ "displace at exactly 1.25x", { 1, 0, 10 }, 1000, 1,
	  2, { { RPK_A, 400 }, { RPK_B, 500 } }, 1, { RPK_A }, 1, { RPK_B } },
	{ "no displace below 1.25x", { 1, 0, 10 }, 1000, 1,
	  2, { { RPK_A, 400 }, { RPK_B, 499 } }, 1, { RPK_A }, 1, { RPK_A } },
	{ "displace weakest current", { 2, 0, 10 }, 1000, 1,
	  3, { { RPK_A, 300 }, { RPK_B, 200 }, { RPK_C, 250 } },
	  2, { RPK_A, RPK_B }, 2, { RPK_A, RPK_C } },
	{ "free slot needs no 1.25x", { 2, 0, 10 }, 1000, 1,
	  2, { { RPK_A, 300 }, { RPK_B, 100 } }, 1, { RPK_A },
	  2, { RPK_A, RPK_B } },
	{ "max lowered keeps best current", { 1, 0, 10 }, 1000, 1,
	  2, { { RPK_A, 200 }, { RPK_B, 300 } }, 2, { RPK_A, RPK_B },
	  1, { RPK_B } },
	{ "huge threshold exact", { 4, 0, 10 }, U64_MAX, 1,
	  1, { { RPK_A, RPK_BIG10 } }, 0, { }, 1, { RPK_A } },
	{ "huge threshold minus one", { 4, 0, 10 }, U64_MAX, 1,
	  1, { { RPK_A, RPK_BIG10 - 1 } }, 0, { }, 0, { } },
};

static void rpk_policy_desc(const struct rpk_policy_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rpk_policy, rpk_policy_cases, rpk_policy_desc);

static void rpk_policy_test(struct kunit *test)
{
	const struct rpk_policy_case *c = test->param_value;
	u64 out[RELPOLINE_MAX_TARGETS + 1];
	unsigned int n, i;

	out[RELPOLINE_MAX_TARGETS] = 0xdead;
	n = rp_policy_decide(c->cand, c->nr_cand, c->total, c->samples,
			     c->cur, c->nr_cur, &c->pol, out);
	KUNIT_ASSERT_EQ(test, n, c->nr_exp);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, out[i], c->exp[i], "slot %u", i);
	KUNIT_EXPECT_EQ(test, out[RELPOLINE_MAX_TARGETS], (u64)0xdead);
}

static void rpk_decay_test(struct kunit *test)
{
	u64 s = 5;

	rp_decay(&s);
	KUNIT_EXPECT_EQ(test, s, (u64)2);
	rp_decay(&s);
	rp_decay(&s);
	KUNIT_EXPECT_EQ(test, s, (u64)0);
	s = U64_MAX;
	rp_decay(&s);
	KUNIT_EXPECT_EQ(test, s, U64_MAX >> 1);
}

/*
 * A site calling X at S weighted samples per interval since forever; from
 * interval 1 on, H takes share_permille of them.  Each interval: decay, add,
 * decide.  The interval after which H is promoted, or 0.
 */
static unsigned int rpk_promoted_after(unsigned int share_permille)
{
	const struct rp_policy p = {
		RP_POLICY_DEFAULT_MAX_TARGETS, RP_POLICY_DEFAULT_MIN_SAMPLES,
		RP_POLICY_DEFAULT_THRESHOLD_PCT,
	};
	const u64 s = 100000, hot = s * share_permille / 1000;
	struct rp_cand cand[2] = { { RPK_A, 2 * s }, { RPK_B, 0 } };
	u64 cur[RELPOLINE_MAX_TARGETS] = { RPK_A }, out[RELPOLINE_MAX_TARGETS];
	unsigned int nr_cur = 1, k, i;

	for (k = 1; k <= 20; k++) {
		rp_decay(&cand[0].score);
		rp_decay(&cand[1].score);
		cand[0].score += s - hot;
		cand[1].score += hot;
		nr_cur = rp_policy_decide(cand, 2, cand[0].score + cand[1].score,
					  1000, cur, nr_cur, &p, out);
		memcpy(cur, out, sizeof(out));
		for (i = 0; i < nr_cur; i++)
			if (cur[i] == RPK_B)
				return k;
	}
	return 0;
}

static void rpk_two_intervals_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rpk_promoted_after(200), 1U);
	KUNIT_EXPECT_EQ(test, rpk_promoted_after(199), 2U);
	KUNIT_EXPECT_EQ(test, rpk_promoted_after(134), 2U);
	KUNIT_EXPECT_EQ(test, rpk_promoted_after(133), 3U);
	KUNIT_EXPECT_EQ(test, rpk_promoted_after(100), 0U);
}

/* hits * (slow - hit) / 100, never negative, and no overflow near 2^64 */
static void rpk_saved_cycles_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rp_saved_cycles(1000, 2531, 320), 22110ULL);
	KUNIT_EXPECT_EQ(test, rp_saved_cycles(3, 2531, 320), 66ULL);	/* 66.33 */
	KUNIT_EXPECT_EQ(test, rp_saved_cycles(1000, 320, 320), 0ULL);
	KUNIT_EXPECT_EQ(test, rp_saved_cycles(1000, 300, 320), 0ULL);
	KUNIT_EXPECT_EQ(test, rp_saved_cycles(0, 2531, 320), 0ULL);
	/* 10^15 hits of 40 cycles each: 4 * 10^16, whose naive product overflows */
	KUNIT_EXPECT_EQ(test, rp_saved_cycles(1000000000000000ULL, 4100, 100),
			40000000000000000ULL);
	KUNIT_EXPECT_EQ(test, rp_saved_share_ppm(3000000, 3000000), 1000ULL);
	KUNIT_EXPECT_EQ(test, rp_saved_share_ppm(3000000, 0), 0ULL);
}

/* The rate's window: opens while counting, closes after a second or more. */
static void rpk_saved_rate_test(struct kunit *test)
{
	struct rp_saved_win w = {};

	rp_saved_rate(&w, 500, 10000, false, 1);	/* not counting: no window */
	KUNIT_EXPECT_FALSE(test, w.open);
	rp_saved_rate(&w, 500, 10000, true, 1);		/* opens */
	KUNIT_EXPECT_TRUE(test, w.open);
	KUNIT_EXPECT_FALSE(test, w.have_rate);
	rp_saved_rate(&w, 900, 10999, true, 1);		/* too soon: still open */
	KUNIT_EXPECT_FALSE(test, w.have_rate);
	rp_saved_rate(&w, 2500, 12000, true, 1);	/* 2000 in 2 s */
	KUNIT_EXPECT_TRUE(test, w.have_rate);
	KUNIT_EXPECT_EQ(test, w.rate, 1000ULL);
	KUNIT_EXPECT_EQ(test, w.window_ms, 2000ULL);
	rp_saved_rate(&w, 2600, 12500, true, 1);	/* keeps the last rate */
	KUNIT_EXPECT_EQ(test, w.rate, 1000ULL);
	rp_saved_rate(&w, 5500, 13000, true, 1);	/* 3000 in 1 s */
	KUNIT_EXPECT_EQ(test, w.rate, 3000ULL);
	rp_saved_rate(&w, 6000, 14000, true, 2);	/* counting restarted */
	KUNIT_EXPECT_FALSE(test, w.have_rate);
	KUNIT_EXPECT_TRUE(test, w.open);
	rp_saved_rate(&w, 100, 15000, true, 2);		/* the counts went down */
	KUNIT_EXPECT_FALSE(test, w.have_rate);
	rp_saved_rate(&w, 1100, 16000, true, 2);
	KUNIT_EXPECT_EQ(test, w.rate, 1000ULL);
	rp_saved_rate(&w, 1100, 17000, false, 2);	/* counting stopped */
	KUNIT_EXPECT_FALSE(test, w.have_rate);
	KUNIT_EXPECT_FALSE(test, w.open);
}

static struct kunit_case relpoline_policy_cases[] = {
	KUNIT_CASE_PARAM(rpk_policy_test, rpk_policy_gen_params),
	KUNIT_CASE(rpk_decay_test),
	KUNIT_CASE(rpk_two_intervals_test),
	KUNIT_CASE(rpk_saved_cycles_test),
	KUNIT_CASE(rpk_saved_rate_test),
	{}
};

static struct kunit_suite relpoline_policy_suite = {
	.name = "relpoline_policy",
	.test_cases = relpoline_policy_cases,
};

/* ---- parsers ---- */

static int rpk_cmd(struct rp_cmd *cmd, const char *line,
		   struct rp_parse_err *e)
{
	return rp_parse_cmd(line, strlen(line), cmd, e);
}

static void rpk_cmd_valid_test(struct kunit *test)
{
	static const char pin[] = " pin\tvfs_read+0x2a 0x10,t[mod],u \r\n";
	struct rp_cmd *cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);
	struct rp_parse_err e;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cmd);

	KUNIT_ASSERT_EQ(test, rpk_cmd(cmd, pin, &e), 0);
	KUNIT_EXPECT_EQ(test, e.err, 0);
	KUNIT_EXPECT_EQ(test, cmd->op, RP_CMD_PIN);
	KUNIT_EXPECT_TRUE(test, cmd->has_site);
	KUNIT_EXPECT_EQ(test, cmd->site.kind, RP_REF_SYM);
	KUNIT_EXPECT_STREQ(test, cmd->site.sym, "vfs_read");
	KUNIT_EXPECT_EQ(test, cmd->site.off, (u64)0x2a);
	KUNIT_ASSERT_EQ(test, cmd->nr_targets, 3U);
	KUNIT_EXPECT_EQ(test, cmd->targets[0].kind, RP_REF_ADDR);
	KUNIT_EXPECT_EQ(test, cmd->targets[0].addr, (u64)0x10);
	KUNIT_EXPECT_EQ(test, cmd->targets[1].kind, RP_REF_SYM);
	KUNIT_EXPECT_STREQ(test, cmd->targets[1].sym, "t");
	KUNIT_EXPECT_STREQ(test, cmd->targets[1].mod, "mod");
	KUNIT_EXPECT_STREQ(test, cmd->targets[2].sym, "u");
	KUNIT_EXPECT_STREQ(test, cmd->targets[2].mod, "");

	KUNIT_ASSERT_EQ(test, rpk_cmd(cmd, "block 18446744073709551615", &e),
			0);
	KUNIT_EXPECT_EQ(test, cmd->op, RP_CMD_BLOCK);
	KUNIT_EXPECT_EQ(test, cmd->site.kind, RP_REF_ID);
	KUNIT_EXPECT_EQ(test, cmd->site.val, U64_MAX);

	KUNIT_ASSERT_EQ(test, rpk_cmd(cmd, "unblock 0xffffffff81000000", &e),
			0);
	KUNIT_EXPECT_EQ(test, cmd->site.kind, RP_REF_ADDR);
	KUNIT_EXPECT_EQ(test, cmd->site.val, 0xffffffff81000000ULL);

	KUNIT_ASSERT_EQ(test, rpk_cmd(cmd, "retrain", &e), 0);
	KUNIT_EXPECT_EQ(test, cmd->op, RP_CMD_RETRAIN);
	KUNIT_EXPECT_FALSE(test, cmd->has_site);

	KUNIT_EXPECT_EQ(test, rpk_cmd(cmd, "  # comment", &e), 1);
	KUNIT_EXPECT_EQ(test, rpk_cmd(cmd, " \t\r\n", &e), 1);
	/* the length is authoritative */
	KUNIT_EXPECT_EQ(test, rp_parse_cmd("reset garbage", 5, cmd, &e), 0);
	KUNIT_EXPECT_EQ(test, cmd->op, RP_CMD_RESET);
}

struct rpk_err_case {
	const char *line;
	unsigned int len;	/* 0: strlen(line) */
	unsigned int pos;
	const char *msg;
};

static const struct rpk_err_case rpk_cmd_err_cases[] = {
	{ "frobnicate 1", 0, 0, "unknown command" },
	{ "promote", 0, 7, "missing site" },
	{ "promote 1", 0, 9, "missing targets" },
	{ "reset now", 0, 6, "trailing garbage" },
	{ "promote 1 a,b,c,d,e", 0, 18, "too many targets" },
	{ "promote 1 a,,b", 0, 12, "bad target" },
	{ "promote 1 b,a[m],c,a[m]", 0, 19, "duplicate target" },
	{ "promote 1 0x10000000000000000", 0, 10, "number out of range" },
	{ "promote 1 foo[m", 0, 10, "bad target" },
	{ "demote foo+10", 0, 7, "bad site" },
	{ "demote 18446744073709551616", 0, 7, "number out of range" },
	{ "demote 0x", 0, 7, "bad site" },
	{ "demote 1\0", 9, 8, "bad character" },
	{ "demote 1\r junk", 0, 8, "bad character" },
};

static void rpk_err_desc(const struct rpk_err_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s at %u", c->msg, c->pos);
}

KUNIT_ARRAY_PARAM(rpk_cmd_err, rpk_cmd_err_cases, rpk_err_desc);

static void rpk_cmd_err_test(struct kunit *test)
{
	const struct rpk_err_case *c = test->param_value;
	struct rp_cmd *cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);
	unsigned int len = c->len ? c->len : strlen(c->line);
	struct rp_parse_err e;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cmd);
	KUNIT_EXPECT_EQ(test, rp_parse_cmd(c->line, len, cmd, &e), -EINVAL);
	KUNIT_EXPECT_EQ(test, e.err, -EINVAL);
	KUNIT_EXPECT_EQ(test, e.pos, c->pos);
	KUNIT_ASSERT_NOT_NULL(test, e.msg);
	KUNIT_EXPECT_STREQ(test, e.msg, c->msg);
}

static void rpk_filter_test(struct kunit *test)
{
	struct rp_filter_pat *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct rp_parse_err e;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	KUNIT_EXPECT_EQ(test, rp_parse_filter("!ext4_*:mod:ext4", 16, p, &e),
			0);
	KUNIT_EXPECT_TRUE(test, p->negate);
	KUNIT_EXPECT_FALSE(test, p->mod_only);
	KUNIT_EXPECT_STREQ(test, p->glob, "ext4_*");
	KUNIT_EXPECT_STREQ(test, p->mod, "ext4");

	KUNIT_EXPECT_EQ(test, rp_parse_filter(":mod:xfs", 8, p, &e), 0);
	KUNIT_EXPECT_FALSE(test, p->negate);
	KUNIT_EXPECT_TRUE(test, p->mod_only);
	KUNIT_EXPECT_STREQ(test, p->glob, "*");

	KUNIT_EXPECT_EQ(test, rp_parse_filter("foo[a", 5, p, &e), -EINVAL);
	KUNIT_EXPECT_EQ(test, e.pos, 0U);
	KUNIT_EXPECT_STREQ(test, e.msg, "bad glob");
	KUNIT_EXPECT_EQ(test, rp_parse_filter("foo:traceon", 11, p, &e),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, e.pos, 3U);
	KUNIT_EXPECT_STREQ(test, e.msg, "unknown filter command");
}

static void rpk_weight_test(struct kunit *test)
{
	struct rp_weight_line *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct rp_parse_err e;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, w);
	KUNIT_EXPECT_EQ(test, rp_parse_weight("/a/b 1000", 9, w, &e), 0);
	KUNIT_EXPECT_STREQ(test, w->path, "/a/b");
	KUNIT_EXPECT_EQ(test, w->weight, 1000U);
	KUNIT_EXPECT_EQ(test, rp_parse_weight("* 0", 3, w, &e), 0);
	KUNIT_EXPECT_TRUE(test, w->is_default);
	KUNIT_EXPECT_EQ(test, w->weight, 0U);
	KUNIT_EXPECT_EQ(test, rp_parse_weight("!/a", 3, w, &e), 0);
	KUNIT_EXPECT_TRUE(test, w->remove);
	KUNIT_EXPECT_STREQ(test, w->path, "/a");

	KUNIT_EXPECT_EQ(test, rp_parse_weight("/a 1001", 7, w, &e), -EINVAL);
	KUNIT_EXPECT_EQ(test, e.pos, 3U);
	KUNIT_EXPECT_STREQ(test, e.msg, "number out of range");
	KUNIT_EXPECT_EQ(test, rp_parse_weight("/a/.. 1", 7, w, &e), -EINVAL);
	KUNIT_EXPECT_EQ(test, e.pos, 0U);
	KUNIT_EXPECT_STREQ(test, e.msg, "bad path");
}

static void rpk_lookup_test(struct kunit *test)
{
	static const struct rp_weight_ent tab[] = {
		{ "/a/b", 30 }, { "/", 10 }, { "/a", 20 }, { "/ab", 40 },
	};
	int idx;

	KUNIT_EXPECT_EQ(test, rp_weight_lookup(tab, 4, 7, "/a/b/c", &idx), 30);
	KUNIT_EXPECT_EQ(test, idx, 0);
	KUNIT_EXPECT_EQ(test, rp_weight_lookup(tab, 4, 7, "/a/bc", &idx), 20);
	KUNIT_EXPECT_EQ(test, idx, 2);
	KUNIT_EXPECT_EQ(test, rp_weight_lookup(tab, 4, 7, "/abc", &idx), 10);
	KUNIT_EXPECT_EQ(test, idx, 1);
	KUNIT_EXPECT_EQ(test, rp_weight_lookup(tab, 4, 7, "/ab/x", &idx), 40);
	KUNIT_EXPECT_EQ(test, idx, 3);
	KUNIT_EXPECT_EQ(test, rp_weight_lookup(tab + 2, 2, 7, "/b", &idx), 7);
	KUNIT_EXPECT_EQ(test, idx, -1);
}

struct rpk_glob_case {
	const char *glob, *str;
	bool match;
};

static const struct rpk_glob_case rpk_glob_cases[] = {
	{ "vfs_*", "vfs_read", true },
	{ "vfs_*", "vfs", false },
	{ "*_read", "vfs_read", true },
	{ "a?c", "abc", true },
	{ "a?c", "ac", false },
	{ "ext4_[rw]*", "ext4_write_begin", true },
	{ "ext4_[!rw]*", "ext4_write_begin", false },
	{ "[a-c]x", "bx", true },
	{ "[c-a]", "b", false },
	{ "[a-]", "-", true },
	{ "[]a]", "]", true },
	{ "[", "[", true },
	{ "\\*", "*", true },
	{ "*ab*cd", "xxabyycd", true },
	{ "*aaaaa", "aaaa", false },
};

static void rpk_glob_desc(const struct rpk_glob_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\" \"%s\"", c->glob, c->str);
}

KUNIT_ARRAY_PARAM(rpk_glob, rpk_glob_cases, rpk_glob_desc);

static void rpk_glob_test(struct kunit *test)
{
	const struct rpk_glob_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, glob_match(c->glob, c->str), c->match);
}

static struct kunit_case relpoline_parse_cases[] = {
	KUNIT_CASE(rpk_cmd_valid_test),
	KUNIT_CASE_PARAM(rpk_cmd_err_test, rpk_cmd_err_gen_params),
	KUNIT_CASE(rpk_filter_test),
	KUNIT_CASE(rpk_weight_test),
	KUNIT_CASE(rpk_lookup_test),
	KUNIT_CASE_PARAM(rpk_glob_test, rpk_glob_gen_params),
	{}
};

static struct kunit_suite relpoline_parse_suite = {
	.name = "relpoline_parse",
	.test_cases = relpoline_parse_cases,
};

kunit_test_suites(&relpoline_parse_suite, &relpoline_policy_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for the relpoline parsers and policy");
MODULE_LICENSE("GPL");
