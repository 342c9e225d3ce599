// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kernel/trace/relpoline_parse.c, built in userspace against
 * the kernel's own lib/ctype.c, lib/kstrtox.c and lib/glob.c (tests/kshim):
 *
 * - "cmd", "filter", "weight": valid lines (compared in canonical form,
 *   see rp_fmt.h), every error with its exact position and message,
 *   boundaries (lengths, numbers, list sizes), NUL bytes, blanks, CRLF.
 * - "glob": glob_match() (lib/glob.c, which set_relpoline_filter uses)
 *   against a table of the semantics the documentation promises, and on
 *   globs accepted by the filter parser.
 * - "lookup": rp_weight_lookup(), deepest ancestor by whole components.
 * - "policy": rp_policy_decide() against a table, plus decay simulations.
 *
 * Every line is handed to the parsers in a heap buffer of exactly its
 * length, so that the sanitizers catch any read past it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/glob.h>
#include <linux/relpoline_parse.h>

#include "rp_fmt.h"

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define U64_MAX_ ((u64)~0ULL)

static char fmtbuf[8192];

/* An exact-size heap copy of @len bytes of @s (no terminating NUL) */
static char *dup_exact(const char *s, unsigned int len)
{
	char *p = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, len);
	return p;
}

/* A string of @n copies of @c after @prefix and before @suffix */
static char *repeat(const char *prefix, char c, unsigned int n,
		    const char *suffix)
{
	size_t lp = strlen(prefix), ls = strlen(suffix);
	char *p = malloc(lp + n + ls + 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, prefix, lp);
	memset(p + lp, c, n);
	memcpy(p + lp + n, suffix, ls + 1);
	return p;
}

static struct rp_cmd cmd;
static struct rp_filter_pat pat;
static struct rp_weight_line wl;
static struct rp_parse_err err;

static int do_cmd_len(const char *s, unsigned int len)
{
	char *p = dup_exact(s, len);
	int ret;

	memset(&err, 0x5a, sizeof(err));
	ret = rp_parse_cmd(p, len, &cmd, &err);
	free(p);
	return ret;
}

static int do_cmd(const char *s)
{
	return do_cmd_len(s, strlen(s));
}

static int do_filter_len(const char *s, unsigned int len)
{
	char *p = dup_exact(s, len);
	int ret;

	memset(&err, 0x5a, sizeof(err));
	ret = rp_parse_filter(p, len, &pat, &err);
	free(p);
	return ret;
}

static int do_filter(const char *s)
{
	return do_filter_len(s, strlen(s));
}

static int do_weight_len(const char *s, unsigned int len)
{
	char *p = dup_exact(s, len);
	int ret;

	memset(&err, 0x5a, sizeof(err));
	ret = rp_parse_weight(p, len, &wl, &err);
	free(p);
	return ret;
}

static int do_weight(const char *s)
{
	return do_weight_len(s, strlen(s));
}

#define ck_ok(ret) do {							\
	ck_assert_int_eq((ret), 0);					\
	ck_assert_int_eq(err.err, 0);					\
	ck_assert_ptr_null(err.msg);					\
} while (0)

#define ck_err(ret, p, m) do {						\
	ck_assert_int_eq((ret), -EINVAL);				\
	ck_assert_int_eq(err.err, -EINVAL);				\
	ck_assert_ptr_nonnull(err.msg);					\
	ck_assert_str_eq(err.msg, (m));					\
	ck_assert_uint_eq(err.pos, (p));				\
} while (0)

struct ok_case {
	const char *in;
	const char *canon;	/* NULL: same as in */
};

struct err_case {
	const char *in;
	unsigned int pos;
	const char *msg;
};

/* ======================================================================== */
/* Commands                                                                 */
/* ======================================================================== */

static const struct ok_case cmd_ok[] = {
	{ "promote 42 foo", NULL },
	{ "pin 42 foo", NULL },
	{ "promote ext4_file_read_iter+0x1f foo,bar[ext4],0xffffffff81000000",
	  NULL },
	{ "  \tpromote\t0xffffffff81234567   a,b,c,d  \r\n",
	  "promote 0xffffffff81234567 a,b,c,d" },
	{ "pin 7 0x1,0x2,0x3,0x4", NULL },
	{ "demote 0", NULL },
	{ "block 18446744073709551615", NULL },
	{ "unblock 0xffffffffffffffff", NULL },
	{ "unblock 0XFFFFFFFFFFFFFFFF", "unblock 0xffffffffffffffff" },
	{ "demote 0x00000000000000000000000001", "demote 0x1" },
	{ "demote 000042", "demote 42" },
	{ "retrain", NULL },
	{ "retrain 7", NULL },
	{ "retrain\t \r", "retrain" },
	{ "reset", NULL },
	{ "reset\n", "reset" },
	{ "reset\r\n", "reset" },
	{ "demote foo.isra.0+0x0", NULL },
	{ "demote $x_1+0xAbC", "demote $x_1+0xabc" },
	{ "demote _text+0X1A", "demote _text+0x1a" },
	{ "demote f+0xffffffffffffffff", NULL },
	{ "demote 0x0", NULL },
	{ "promote 1 a[b-c_D9]", NULL },
	{ "promote 1 0xABCdef", "promote 1 0xabcdef" },
	{ "promote 1 foo,foo[mod],foo[other]", NULL },
	{ "promote 1 a[m],a", NULL },
	{ "promote 1 .L1,$x,_", NULL },
};

START_TEST(cmd_valid)
{
	const struct ok_case *c = &cmd_ok[_i];

	ck_ok(do_cmd(c->in));
	ck_assert_str_eq(rp_fmt_cmd(fmtbuf, sizeof(fmtbuf), &cmd),
			 c->canon ? c->canon : c->in);
}
END_TEST

static const struct err_case cmd_err[] = {
	{ "frobnicate 1", 0, "unknown command" },
	{ "Promote 1 a", 0, "unknown command" },
	{ "promote1 a", 0, "unknown command" },
	{ "  prom 1 a", 2, "unknown command" },
	{ "resetx", 0, "unknown command" },
	{ "promote", 7, "missing site" },
	{ "promote   \t ", 7, "missing site" },
	{ "pin", 3, "missing site" },
	{ "demote", 6, "missing site" },
	{ "block", 5, "missing site" },
	{ "unblock \r\n", 7, "missing site" },
	{ "promote 1", 9, "missing targets" },
	{ "pin foo+0x1 ", 11, "missing targets" },
	{ "reset now", 6, "trailing garbage" },
	{ "retrain 1 2", 10, "trailing garbage" },
	{ "demote 1 2", 9, "trailing garbage" },
	{ "promote 1 a b", 12, "trailing garbage" },
	{ "promote 1 a, b", 12, "bad target" },
	{ "promote 1 a # comment", 12, "trailing garbage" },
	/* target lists */
	{ "promote 1 a,b,c,d,e", 18, "too many targets" },
	{ "pin 1 0x1,0x2,0x3,0x4,0x5", 22, "too many targets" },
	{ "promote 1 a,b,c,d,", 18, "too many targets" },
	{ "promote 1 a,,b", 12, "bad target" },
	{ "promote 1 ,a", 10, "bad target" },
	{ "promote 1 a,", 12, "bad target" },
	{ "promote 1 a,a", 12, "duplicate target" },
	{ "promote 1 b,a[m],c,a[m]", 19, "duplicate target" },
	{ "promote 1 0x1,0x01", 14, "duplicate target" },
	{ "promote 1 0xa,0XA", 14, "duplicate target" },
	/* targets */
	{ "promote 1 0x", 10, "bad target" },
	{ "promote 1 a,0xg", 12, "bad target" },
	{ "promote 1 0x1g", 10, "bad target" },
	{ "promote 1 0x10000000000000000", 10, "number out of range" },
	{ "promote 1 a,0xfffffffffffffffff", 12, "number out of range" },
	{ "promote 1 1foo", 10, "bad target" },
	{ "promote 1 42", 10, "bad target" },
	{ "promote 1 foo[", 10, "bad target" },
	{ "promote 1 foo[]", 10, "bad target" },
	{ "promote 1 foo[m", 10, "bad target" },
	{ "promote 1 foo[m]x", 10, "bad target" },
	{ "promote 1 foo[m]]", 10, "bad target" },
	{ "promote 1 foo[m[n]]", 10, "bad target" },
	{ "promote 1 foo[m.x]", 10, "bad target" },
	{ "promote 1 [m]", 10, "bad target" },
	{ "promote 1 foo]", 10, "bad target" },
	{ "promote 1 fo-o", 10, "bad target" },
	{ "promote 1 foo+0x10", 10, "bad target" },
	{ "promote 1 -1", 10, "bad target" },
	{ "promote 1 a~b", 10, "bad target" },
	{ "promote 1 a{b}", 10, "bad target" },
	/* sites */
	{ "demote 0x", 7, "bad site" },
	{ "demote 0xz1", 7, "bad site" },
	{ "demote 0x1ffffffffffffffff", 7, "number out of range" },
	{ "demote 18446744073709551616", 7, "number out of range" },
	{ "demote 99999999999999999999999", 7, "number out of range" },
	{ "demote 99999999999999999999999x", 7, "bad site" },
	{ "demote 99999999999999999999999a", 7, "bad site" },
	{ "demote 12a", 7, "bad site" },
	{ "demote foo", 7, "bad site" },
	{ "demote foo+", 7, "bad site" },
	{ "demote foo+10", 7, "bad site" },
	{ "demote foo+0x", 7, "bad site" },
	{ "demote foo+0x1g", 7, "bad site" },
	{ "demote +0x10", 7, "bad site" },
	{ "demote foo+0x10000000000000000", 7, "number out of range" },
	{ "demote fo-o+0x1", 7, "bad site" },
	{ "demote 1foo+0x1", 7, "bad site" },
	{ "demote -1", 7, "bad site" },
	{ "demote foo+0x1+0x2", 7, "bad site" },
	{ "demote foo+-0x1", 7, "bad site" },
	{ "promote foo[m]+0x1 a", 8, "bad site" },
	{ "retrain x", 8, "bad site" },
	/* characters */
	{ "demote 1\r junk", 8, "bad character" },
	{ "demote\x7f 1", 6, "bad character" },
	{ "demote 1 \xc3\xa9", 9, "bad character" },
	{ "\x01reset", 0, "bad character" },
	{ "reset\x1b", 5, "bad character" },
	{ "\nreset", 0, "bad character" },
};

START_TEST(cmd_error)
{
	const struct err_case *c = &cmd_err[_i];

	ck_err(do_cmd(c->in), c->pos, c->msg);
}
END_TEST

START_TEST(cmd_fields)
{
	ck_ok(do_cmd("pin sym.cold+0x2a 0x10,t[mod],u"));
	ck_assert_int_eq(cmd.op, RP_CMD_PIN);
	ck_assert(cmd.has_site);
	ck_assert_int_eq(cmd.site.kind, RP_REF_SYM);
	ck_assert_str_eq(cmd.site.sym, "sym.cold");
	ck_assert_uint_eq(cmd.site.off, 0x2a);
	ck_assert_uint_eq(cmd.nr_targets, 3);
	ck_assert_int_eq(cmd.targets[0].kind, RP_REF_ADDR);
	ck_assert_uint_eq(cmd.targets[0].addr, 0x10);
	ck_assert_str_eq(cmd.targets[0].sym, "");
	ck_assert_int_eq(cmd.targets[1].kind, RP_REF_SYM);
	ck_assert_str_eq(cmd.targets[1].sym, "t");
	ck_assert_str_eq(cmd.targets[1].mod, "mod");
	ck_assert_int_eq(cmd.targets[2].kind, RP_REF_SYM);
	ck_assert_str_eq(cmd.targets[2].sym, "u");
	ck_assert_str_eq(cmd.targets[2].mod, "");
	/* token offsets, for the caret of errors found later */
	ck_assert_uint_eq(cmd.site.pos, 4);
	ck_assert_uint_eq(cmd.targets[0].pos, 18);
	ck_assert_uint_eq(cmd.targets[1].pos, 23);
	ck_assert_uint_eq(cmd.targets[2].pos, 30);
	ck_ok(do_cmd("  \tpromote  0x10\t0x20,0x10 "));
	ck_assert_uint_eq(cmd.site.pos, 12);
	ck_assert_uint_eq(cmd.targets[0].pos, 17);
	ck_assert_uint_eq(cmd.targets[1].pos, 22);

	ck_ok(do_cmd("block 123"));
	ck_assert_int_eq(cmd.op, RP_CMD_BLOCK);
	ck_assert_int_eq(cmd.site.kind, RP_REF_ID);
	ck_assert_uint_eq(cmd.site.val, 123);
	ck_assert_uint_eq(cmd.nr_targets, 0);

	ck_ok(do_cmd("unblock 0xffffffff81000000"));
	ck_assert_int_eq(cmd.op, RP_CMD_UNBLOCK);
	ck_assert_int_eq(cmd.site.kind, RP_REF_ADDR);
	ck_assert_uint_eq(cmd.site.val, 0xffffffff81000000ULL);

	ck_ok(do_cmd("retrain"));
	ck_assert_int_eq(cmd.op, RP_CMD_RETRAIN);
	ck_assert(!cmd.has_site);

	ck_ok(do_cmd("demote 5"));
	ck_assert_int_eq(cmd.op, RP_CMD_DEMOTE);
	ck_ok(do_cmd("reset"));
	ck_assert_int_eq(cmd.op, RP_CMD_RESET);
	ck_assert(!cmd.has_site);
	ck_ok(do_cmd("promote 5 x"));
	ck_assert_int_eq(cmd.op, RP_CMD_PROMOTE);
}
END_TEST

START_TEST(cmd_nothing)
{
	static const char *const lines[] = {
		"", " ", "\t", "\r\n", " \t \r", "\n", "#", "# promote 1 a",
		"   # x", "\t#\x01\x7f\xff",
	};
	int i;

	for (i = 0; i < ARRAY_LEN(lines); i++) {
		ck_assert_int_eq(do_cmd(lines[i]), 1);
		ck_assert_int_eq(err.err, 0);
		ck_assert_int_eq(do_filter(lines[i]), 1);
		ck_assert_int_eq(do_weight(lines[i]), 1);
	}
	/* a comment may hold a NUL */
	ck_assert_int_eq(do_cmd_len("#a\0b", 4), 1);
	ck_assert_int_eq(rp_parse_cmd(NULL, 0, &cmd, NULL), 1);
	ck_assert_int_eq(rp_parse_cmd("x", 0, &cmd, &err), 1);
}
END_TEST

START_TEST(cmd_nul_and_len)
{
	/* the length is authoritative */
	ck_ok(do_cmd_len("promote 1 abc", 11));
	ck_assert_str_eq(rp_fmt_cmd(fmtbuf, sizeof(fmtbuf), &cmd),
			 "promote 1 a");
	ck_ok(do_cmd_len("reset garbage", 5));
	ck_assert_int_eq(cmd.op, RP_CMD_RESET);
	ck_ok(do_cmd_len("demote 12345", 8));
	ck_assert_uint_eq(cmd.site.val, 1);

	/* a NUL inside is a bad character, wherever it is */
	ck_err(do_cmd_len("demote 1\0", 9), 8, "bad character");
	ck_err(do_cmd_len("dem\0ote 1", 9), 3, "bad character");
	ck_err(do_cmd_len("\0reset", 6), 0, "bad character");
	ck_err(do_cmd_len("promote 1 a,\0", 13), 12, "bad character");
	/* ... even before an otherwise earlier error */
	ck_err(do_cmd_len("bogus 1\0", 8), 7, "bad character");
	ck_err(do_cmd_len("reset \0 ", 8), 6, "bad character");

	/* without an error struct */
	ck_assert_int_eq(rp_parse_cmd("nope", 4, &cmd, NULL), -EINVAL);
	ck_assert_int_eq(rp_parse_cmd("reset", 5, &cmd, NULL), 0);
}
END_TEST

START_TEST(cmd_lengths)
{
	char *s, *line;
	unsigned int i;

	/* a symbol of KSYM_NAME_LEN - 1 characters is fine, one more is not */
	s = repeat("promote 1 ", 'a', KSYM_NAME_LEN - 1, ",b");
	ck_ok(do_cmd(s));
	ck_assert_uint_eq(strlen(cmd.targets[0].sym), KSYM_NAME_LEN - 1);
	ck_assert_str_eq(cmd.targets[1].sym, "b");
	free(s);
	s = repeat("promote 1 b,", 'a', KSYM_NAME_LEN, "");
	ck_err(do_cmd(s), 12, "symbol too long");
	free(s);
	s = repeat("promote 1 ", 'a', KSYM_NAME_LEN, "[m]");
	ck_err(do_cmd(s), 10, "symbol too long");
	free(s);

	s = repeat("demote ", 'z', KSYM_NAME_LEN - 1, "+0x10");
	ck_ok(do_cmd(s));
	ck_assert_uint_eq(strlen(cmd.site.sym), KSYM_NAME_LEN - 1);
	ck_assert_uint_eq(cmd.site.off, 0x10);
	free(s);
	s = repeat("demote ", 'z', KSYM_NAME_LEN, "+0x10");
	ck_err(do_cmd(s), 7, "symbol too long");
	free(s);
	/* a bad character wins over the length */
	s = repeat("demote -", 'z', KSYM_NAME_LEN, "+0x10");
	ck_err(do_cmd(s), 7, "bad site");
	free(s);

	/* module names: MODULE_NAME_LEN - 1 */
	s = repeat("promote 1 f[", 'm', MODULE_NAME_LEN - 1, "]");
	ck_ok(do_cmd(s));
	ck_assert_uint_eq(strlen(cmd.targets[0].mod), MODULE_NAME_LEN - 1);
	free(s);
	s = repeat("promote 1 x,f[", 'm', MODULE_NAME_LEN, "]");
	ck_err(do_cmd(s), 12, "module name too long");
	free(s);

	/* four full-length targets fill the struct exactly */
	line = malloc(4 * (KSYM_NAME_LEN + MODULE_NAME_LEN + 3) + 32);
	ck_assert_ptr_nonnull(line);
	strcpy(line, "pin 1 ");
	for (i = 0; i < 4; i++) {
		s = repeat(i ? "," : "", (char)('a' + i), KSYM_NAME_LEN - 1, "[");
		strcat(line, s);
		free(s);
		s = repeat("", (char)('p' + i), MODULE_NAME_LEN - 1, "]");
		strcat(line, s);
		free(s);
	}
	ck_ok(do_cmd(line));
	ck_assert_uint_eq(cmd.nr_targets, 4);
	ck_assert_uint_eq(strlen(cmd.targets[3].sym), KSYM_NAME_LEN - 1);
	ck_assert_uint_eq(strlen(cmd.targets[3].mod), MODULE_NAME_LEN - 1);
	ck_assert_int_eq(cmd.targets[3].sym[0], 'd');
	free(line);

	/* a very long line: 1 MiB of blanks around a command, or of junk */
	s = repeat("", ' ', 1 << 20, "reset");
	ck_ok(do_cmd(s));
	free(s);
	s = repeat("reset", ' ', 1 << 20, "");
	ck_ok(do_cmd(s));
	free(s);
	s = repeat("", 'a', 1 << 20, "");
	ck_err(do_cmd(s), 0, "unknown command");
	free(s);
	s = repeat("demote ", '9', 1 << 20, "");
	ck_err(do_cmd(s), 7, "number out of range");
	free(s);
	s = repeat("demote 0x", '0', 1 << 20, "1");
	ck_ok(do_cmd(s));
	ck_assert_uint_eq(cmd.site.val, 1);
	free(s);
}
END_TEST

START_TEST(cmd_number_bounds)
{
	ck_ok(do_cmd("demote 18446744073709551615"));
	ck_assert_uint_eq(cmd.site.val, U64_MAX_);
	ck_err(do_cmd("demote 18446744073709551616"), 7, "number out of range");
	ck_err(do_cmd("demote 18446744073709551620"), 7, "number out of range");
	ck_err(do_cmd("demote 184467440737095516150"), 7, "number out of range");
	ck_ok(do_cmd("demote 18446744073709551614"));
	ck_assert_uint_eq(cmd.site.val, U64_MAX_ - 1);
	ck_ok(do_cmd("demote 0xfffffffffffffffe"));
	ck_assert_uint_eq(cmd.site.val, U64_MAX_ - 1);
	ck_err(do_cmd("demote 0x10000000000000000"), 7, "number out of range");
	ck_ok(do_cmd("demote a+0x0ffffffffffffffff"));
	ck_assert_uint_eq(cmd.site.off, U64_MAX_);
	ck_ok(do_cmd("demote a+0x8000000000000000"));
	ck_assert_uint_eq(cmd.site.off, 0x8000000000000000ULL);
	ck_ok(do_cmd("promote 1 0xffffffffffffffff"));
	ck_assert_uint_eq(cmd.targets[0].addr, U64_MAX_);
	ck_ok(do_cmd("demote 4294967296"));
	ck_assert_uint_eq(cmd.site.val, 4294967296ULL);
}
END_TEST

/* ======================================================================== */
/* Filter                                                                   */
/* ======================================================================== */

static const struct ok_case filter_ok[] = {
	{ "vfs_read", NULL },
	{ "!vfs_*", NULL },
	{ "ext4_*:mod:ext4", NULL },
	{ ":mod:ext4", NULL },
	{ "!:mod:nf-conntrack_ipv4", NULL },
	{ "!*_read:mod:xfs", NULL },
	{ "*", NULL },
	{ "?fs_[a-z]*", NULL },
	{ "[!a-c]x", NULL },
	{ "a[-]b", NULL },
	{ "[a-][.$_]", NULL },
	{ "foo.isra.*", NULL },
	{ "$x", NULL },
	{ "1abc", NULL },
	{ "  \tfoo  \r\n", "foo" },
};

START_TEST(filter_valid)
{
	const struct ok_case *c = &filter_ok[_i];

	ck_ok(do_filter(c->in));
	ck_assert_str_eq(rp_fmt_filter(fmtbuf, sizeof(fmtbuf), &pat),
			 c->canon ? c->canon : c->in);
}
END_TEST

static const struct err_case filter_err[] = {
	{ "!", 1, "bad glob" },
	{ "foo bar", 4, "trailing garbage" },
	{ "foo :mod:x", 4, "trailing garbage" },
	{ "foo[", 0, "bad glob" },
	{ "foo[]", 0, "bad glob" },
	{ "foo[!]", 0, "bad glob" },
	{ "[!!]", 0, "bad glob" },
	{ "foo[a", 0, "bad glob" },
	{ "foo]", 0, "bad glob" },
	{ "foo[^a]", 0, "bad glob" },
	{ "foo[a[b]", 0, "bad glob" },
	{ "fo/o", 0, "bad glob" },
	{ "!!foo", 1, "bad glob" },
	{ "foo\\*", 0, "bad glob" },
	{ "fo-o", 0, "bad glob" },
	{ "  !x+y", 3, "bad glob" },
	{ "foo:", 3, "unknown filter command" },
	{ "foo:mod", 3, "unknown filter command" },
	{ "foo:mo:x", 3, "unknown filter command" },
	{ "foo:MOD:x", 3, "unknown filter command" },
	{ "foo:traceon", 3, "unknown filter command" },
	{ ":", 0, "unknown filter command" },
	{ "!:", 1, "unknown filter command" },
	{ "foo:mod:", 8, "bad module" },
	{ "foo:mod:a.b", 8, "bad module" },
	{ ":mod:", 5, "bad module" },
	{ "!:mod:", 6, "bad module" },
	{ "foo:mod:a:b", 8, "bad module" },
	{ "foo:mod:*", 8, "bad module" },
	{ "fo\x01o", 2, "bad character" },
};

START_TEST(filter_error)
{
	const struct err_case *c = &filter_err[_i];

	ck_err(do_filter(c->in), c->pos, c->msg);
}
END_TEST

START_TEST(filter_fields)
{
	char *s;

	ck_ok(do_filter("!:mod:ext4"));
	ck_assert(pat.negate);
	ck_assert(pat.mod_only);
	ck_assert_str_eq(pat.glob, "*");
	ck_assert_str_eq(pat.mod, "ext4");

	ck_ok(do_filter("vfs_*"));
	ck_assert(!pat.negate);
	ck_assert(!pat.mod_only);
	ck_assert_str_eq(pat.glob, "vfs_*");
	ck_assert_str_eq(pat.mod, "");

	ck_ok(do_filter("a*:mod:m"));
	ck_assert(!pat.mod_only);
	ck_assert_str_eq(pat.glob, "a*");
	ck_assert_str_eq(pat.mod, "m");

	ck_err(do_filter_len("ab\0", 3), 2, "bad character");
	ck_ok(do_filter_len("abc:mod:x", 2));
	ck_assert_str_eq(pat.glob, "ab");
	ck_assert_str_eq(pat.mod, "");

	s = repeat("", '*', KSYM_NAME_LEN - 1, ":mod:m");
	ck_ok(do_filter(s));
	ck_assert_uint_eq(strlen(pat.glob), KSYM_NAME_LEN - 1);
	free(s);
	s = repeat("!", '?', KSYM_NAME_LEN, "");
	ck_err(do_filter(s), 1, "glob too long");
	free(s);
	s = repeat(":mod:", 'm', MODULE_NAME_LEN - 1, "");
	ck_ok(do_filter(s));
	ck_assert_uint_eq(strlen(pat.mod), MODULE_NAME_LEN - 1);
	free(s);
	s = repeat("x:mod:", 'm', MODULE_NAME_LEN, "");
	ck_err(do_filter(s), 6, "module name too long");
	free(s);
	ck_assert_int_eq(rp_parse_filter("x y", 3, &pat, NULL), -EINVAL);
}
END_TEST

/* ======================================================================== */
/* Glob matching                                                            */
/* ======================================================================== */

struct glob_case {
	const char *glob, *str;
	bool match;
};

static const struct glob_case glob_cases[] = {
	{ "", "", true },
	{ "", "a", false },
	{ "a", "", false },
	{ "abc", "abc", true },
	{ "abc", "abd", false },
	{ "ab", "abc", false },
	{ "abc", "ab", false },
	{ "ABC", "abc", false },
	{ "*", "", true },
	{ "*", "abc", true },
	{ "**", "x", true },
	{ "a*c", "ac", true },
	{ "a*c", "abbbc", true },
	{ "a*c", "abcd", false },
	{ "*c", "abc", true },
	{ "a*", "a", true },
	{ "*a*", "bab", true },
	{ "*a*", "bbb", false },
	{ "*?", "", false },
	{ "*?", "x", true },
	{ "?", "", false },
	{ "?", "a", true },
	{ "??", "a", false },
	{ "a?c", "abc", true },
	{ "a?c", "ac", false },
	{ "[abc]", "b", true },
	{ "[abc]", "d", false },
	{ "[abc]", "", false },
	{ "[a-c]x", "bx", true },
	{ "[a-c]", "d", false },
	{ "[a-c]", "a", true },
	{ "[a-c]", "c", true },
	{ "[!a-c]", "d", true },
	{ "[!a-c]", "b", false },
	{ "[!a-c]", "", false },
	{ "[c-a]", "b", false },
	{ "[c-a]", "c", false },
	{ "[a-]", "-", true },
	{ "[a-]", "a", true },
	{ "[a-]", "b", false },
	{ "[-a]", "-", true },
	{ "[]]", "]", true },
	{ "[]a]", "a", true },
	{ "[!]]", "]", false },
	{ "[!]]", "a", true },
	{ "[!]", "!", false },
	{ "[!]", "[!]", true },
	{ "[", "[", true },
	{ "[", "", false },
	{ "[a", "[a", true },
	{ "[a", "a", false },
	{ "[a-", "[a-", true },
	{ "a[", "a[", true },
	{ "*[", "xx[", true },
	{ "[a-z][0-9]", "b7", true },
	{ "[a-z][0-9]", "B7", false },
	{ "[\x80-\xff]", "\xc3", true },
	{ "[!\x80-\xff]", "\xc3", false },
	{ "\\*", "*", true },
	{ "\\*", "a", false },
	{ "\\?", "?", true },
	{ "\\[a]", "[a]", true },
	{ "\\[a]", "a", false },
	{ "a\\", "a", true },
	{ "a\\", "a\\", false },
	{ "*\\", "abc", true },
	{ "*aaaaa", "aaaaaaaaaa", true },
	{ "*aaaaa", "aaaa", false },
	{ "*ab*cd", "xxabyycd", true },
	{ "*ab*cd", "xxabyycx", false },
	{ "*ab*cd", "abcd", true },
	{ "vfs_*", "vfs_read", true },
	{ "vfs_*", "vfs", false },
	{ "*_read", "vfs_read", true },
	{ "*_read", "vfs_readv", false },
	{ "*.isra.*", "foo.isra.0", true },
	{ "ext4_[rw]*", "ext4_write_begin", true },
	{ "ext4_[rw]*", "ext4_alloc", false },
	{ "*[0-9]", "foo.constprop.3", true },
	{ "*?*?*", "ab", true },
	{ "*?*?*", "a", false },
};

START_TEST(glob_table)
{
	const struct glob_case *c = &glob_cases[_i];

	ck_assert_msg(glob_match(c->glob, c->str) == c->match,
		      "glob \"%s\" str \"%s\": expected %d", c->glob, c->str,
		      c->match);
}
END_TEST

START_TEST(glob_parsed_patterns)
{
	/* globs accepted by the filter parser match what they should */
	ck_ok(do_filter("ext4_[!w]*"));
	ck_assert(glob_match(pat.glob, "ext4_read"));
	ck_assert(!glob_match(pat.glob, "ext4_write"));
	ck_ok(do_filter(":mod:x"));
	ck_assert(glob_match(pat.glob, "anything_at_all"));
}
END_TEST

/* ======================================================================== */
/* Weights                                                                  */
/* ======================================================================== */

static const struct ok_case weight_ok[] = {
	{ "/ 100", NULL },
	{ "/a 0", NULL },
	{ "/a/b/c 1000", NULL },
	{ "* 500", NULL },
	{ "*\t0", "* 0" },
	{ "!/a/b", NULL },
	{ "!/", NULL },
	{ "  /system.slice/foo.service\t250 \r\n",
	  "/system.slice/foo.service 250" },
	{ "/a..b 1", NULL },
	{ "/... 1", NULL },
	{ "/.x/x. 1", NULL },
	{ "/a 0000", "/a 0" },
	{ "/a 01000", "/a 1000" },
	{ "/user.slice/user-1000.slice/session-2.scope 7", NULL },
	{ "/a:b,c@d*e!f 3", NULL },
};

START_TEST(weight_valid)
{
	const struct ok_case *c = &weight_ok[_i];

	ck_ok(do_weight(c->in));
	ck_assert_str_eq(rp_fmt_weight(fmtbuf, sizeof(fmtbuf), &wl),
			 c->canon ? c->canon : c->in);
}
END_TEST

static const struct err_case weight_err[] = {
	{ "/a 1001", 3, "number out of range" },
	{ "* 1001", 2, "number out of range" },
	{ "/a 4294967296", 3, "number out of range" },
	{ "/a 99999999999999999999999", 3, "number out of range" },
	{ "/a -1", 3, "bad weight" },
	{ "/a +1", 3, "bad weight" },
	{ "/a 0x10", 3, "bad weight" },
	{ "/a 1.5", 3, "bad weight" },
	{ "/a 1k", 3, "bad weight" },
	{ "/a 99999999999999999999999c", 3, "bad weight" },
	{ "/a", 2, "missing weight" },
	{ "/a  \r", 2, "missing weight" },
	{ "* ", 1, "missing weight" },
	{ "*", 1, "missing weight" },
	{ "/a 1 2", 5, "trailing garbage" },
	{ "!/a 1", 4, "trailing garbage" },
	{ "* 1 x", 4, "trailing garbage" },
	{ "a 1", 0, "bad path" },
	{ "/a/ 1", 0, "bad path" },
	{ "// 1", 0, "bad path" },
	{ "/a//b 1", 0, "bad path" },
	{ "/./a 1", 0, "bad path" },
	{ "/a/.. 1", 0, "bad path" },
	{ "/a/. 1", 0, "bad path" },
	{ "/.. 1", 0, "bad path" },
	{ "  /a/../b 1", 2, "bad path" },
	{ "! /a", 1, "bad path" },
	{ "!", 1, "bad path" },
	{ "!a", 1, "bad path" },
	{ "!/a/", 1, "bad path" },
	{ "!!/a", 1, "bad path" },
	{ "** 1", 0, "bad path" },
	{ "*1", 0, "bad path" },
	{ "1 /a", 0, "bad path" },
	{ "/a\x02 1", 2, "bad character" },
};

START_TEST(weight_error)
{
	const struct err_case *c = &weight_err[_i];

	ck_err(do_weight(c->in), c->pos, c->msg);
}
END_TEST

START_TEST(weight_fields)
{
	char *s;

	ck_ok(do_weight("/a/b 1000"));
	ck_assert(!wl.remove);
	ck_assert(!wl.is_default);
	ck_assert_str_eq(wl.path, "/a/b");
	ck_assert_uint_eq(wl.weight, 1000);

	ck_ok(do_weight("* 3"));
	ck_assert(wl.is_default);
	ck_assert(!wl.remove);
	ck_assert_str_eq(wl.path, "");
	ck_assert_uint_eq(wl.weight, 3);

	ck_ok(do_weight("!/x"));
	ck_assert(wl.remove);
	ck_assert(!wl.is_default);
	ck_assert_str_eq(wl.path, "/x");

	/* RP_CGROUP_PATH_MAX characters are fine, one more is not */
	s = repeat("/", 'p', RP_CGROUP_PATH_MAX - 1, " 1");
	ck_ok(do_weight(s));
	ck_assert_uint_eq(strlen(wl.path), RP_CGROUP_PATH_MAX);
	free(s);
	s = repeat("!/", 'p', RP_CGROUP_PATH_MAX - 1, "");
	ck_ok(do_weight(s));
	ck_assert_uint_eq(strlen(wl.path), RP_CGROUP_PATH_MAX);
	free(s);
	s = repeat("/", 'p', RP_CGROUP_PATH_MAX, " 1");
	ck_err(do_weight(s), 0, "path too long");
	free(s);
	s = repeat("!/", 'p', RP_CGROUP_PATH_MAX, "");
	ck_err(do_weight(s), 1, "path too long");
	free(s);

	ck_err(do_weight_len("/a 1\0", 5), 4, "bad character");
	ck_ok(do_weight_len("/a 1000", 6));
	ck_assert_uint_eq(wl.weight, 100);
	ck_assert_int_eq(rp_parse_weight("/a 2000", 7, &wl, NULL), -EINVAL);
}
END_TEST

/* ======================================================================== */
/* Weight lookup                                                            */
/* ======================================================================== */

static const struct rp_weight_ent lk_tab[] = {
	{ "/", 10 }, { "/a", 20 }, { "/a/b", 30 }, { "/ab", 40 },
	{ "/x/y/z", 50 }, { "/a/b/c/d", 60 },
};

struct lookup_case {
	const char *path;
	int weight, idx;
};

static const struct lookup_case lk_cases[] = {
	{ "/", 10, 0 },
	{ "/a", 20, 1 },
	{ "/a/b", 30, 2 },
	{ "/a/b/c", 30, 2 },
	{ "/a/bc", 20, 1 },
	{ "/a/b/c/d", 60, 5 },
	{ "/a/b/c/de", 30, 2 },
	{ "/a/b/c/d/e/f", 60, 5 },
	{ "/ab", 40, 3 },
	{ "/ab/c", 40, 3 },
	{ "/abc", 10, 0 },
	{ "/x", 10, 0 },
	{ "/x/y", 10, 0 },
	{ "/x/y/z/w", 50, 4 },
	{ "/x/y/zz", 10, 0 },
	{ "/b", 10, 0 },
};

START_TEST(lookup_table)
{
	const struct lookup_case *c = &lk_cases[_i];
	int idx = 99;

	ck_assert_int_eq(rp_weight_lookup(lk_tab, ARRAY_LEN(lk_tab), 7,
					  c->path, &idx), c->weight);
	ck_assert_int_eq(idx, c->idx);
}
END_TEST

START_TEST(lookup_misc)
{
	static const struct rp_weight_ent no_root[] = {
		{ "/a/b", 30 }, { "/a", 20 }, { "", 99 },
	};
	static const struct rp_weight_ent dups[] = {
		{ "/b", 5 }, { "/a", 1 }, { "/a", 2 },
	};
	static struct rp_weight_ent full[2];
	int idx = 99;

	/* the deepest wins whatever the order; no entry: the default */
	ck_assert_int_eq(rp_weight_lookup(no_root, 3, 7, "/a/b/c", &idx), 30);
	ck_assert_int_eq(idx, 0);
	ck_assert_int_eq(rp_weight_lookup(no_root, 3, 7, "/a/x", &idx), 20);
	ck_assert_int_eq(idx, 1);
	ck_assert_int_eq(rp_weight_lookup(no_root, 3, 7, "/b", &idx), 7);
	ck_assert_int_eq(idx, -1);
	ck_assert_int_eq(rp_weight_lookup(no_root, 3, 7, "/", &idx), 7);
	ck_assert_int_eq(idx, -1);
	/* the empty entry never matches, not even "" */
	ck_assert_int_eq(rp_weight_lookup(no_root, 3, 7, "", &idx), 7);
	ck_assert_int_eq(idx, -1);
	/* first of equal paths */
	ck_assert_int_eq(rp_weight_lookup(dups, 3, 0, "/a/q", &idx), 1);
	ck_assert_int_eq(idx, 1);
	/* empty table, NULL path, optional index */
	ck_assert_int_eq(rp_weight_lookup(NULL, 0, 9, "/a", &idx), 9);
	ck_assert_int_eq(idx, -1);
	ck_assert_int_eq(rp_weight_lookup(dups, 3, 9, NULL, &idx), 9);
	ck_assert_int_eq(idx, -1);
	ck_assert_int_eq(rp_weight_lookup(dups, 3, 9, "/b", NULL), 5);
	/* weight 0 entries are results like any other */
	full[0].weight = 0;
	strcpy(full[0].path, "/z");
	/* a path filling the whole array (no NUL) is read within bounds */
	memset(full[1].path, 'q', sizeof(full[1].path));
	full[1].path[0] = '/';
	full[1].weight = 77;
	ck_assert_int_eq(rp_weight_lookup(full, 2, 9, "/z/1", &idx), 0);
	ck_assert_int_eq(idx, 0);
	{
		char p[sizeof(full[1].path) + 8];

		memcpy(p, full[1].path, sizeof(full[1].path));
		strcpy(p + sizeof(full[1].path), "/k");
		ck_assert_int_eq(rp_weight_lookup(full, 2, 9, p, &idx), 77);
		ck_assert_int_eq(idx, 1);
		p[sizeof(full[1].path)] = 'k';
		ck_assert_int_eq(rp_weight_lookup(full, 2, 9, p, &idx), 9);
		ck_assert_int_eq(idx, -1);
	}
}
END_TEST

START_TEST(lookup_parsed)
{
	/* entries come from rp_parse_weight() in the kernel */
	static const char *const lines[] = { "/ 1", "/a 2", "/a/b 3" };
	struct rp_weight_ent tab[3];
	int i, idx;

	for (i = 0; i < 3; i++) {
		ck_ok(do_weight(lines[i]));
		strcpy(tab[i].path, wl.path);
		tab[i].weight = wl.weight;
	}
	ck_assert_int_eq(rp_weight_lookup(tab, 3, 0, "/a/b/c", &idx), 3);
	ck_assert_int_eq(rp_weight_lookup(tab, 3, 0, "/a/bb", &idx), 2);
	ck_assert_int_eq(rp_weight_lookup(tab, 3, 0, "/c", &idx), 1);
}
END_TEST

/* ======================================================================== */
/* Policy                                                                   */
/* ======================================================================== */

#define A 0x1000
#define B 0x2000
#define C 0x3000
#define D 0x4000
#define E 0x5000
#define F 0x6000

struct policy_case {
	const char *name;
	unsigned int max, min, thr;
	u64 total, samples;
	unsigned int nr_cand;
	struct rp_cand cand[6];
	unsigned int nr_cur;
	u64 cur[6];
	unsigned int nr_exp;
	u64 exp[4];
};

#define CANDS(...) \
	.nr_cand = sizeof((struct rp_cand[]){ __VA_ARGS__ }) / \
		   sizeof(struct rp_cand), .cand = { __VA_ARGS__ }
#define CUR(...) \
	.nr_cur = sizeof((u64[]){ __VA_ARGS__ }) / sizeof(u64), \
	.cur = { __VA_ARGS__ }
#define EXP(...) \
	.nr_exp = sizeof((u64[]){ __VA_ARGS__ }) / sizeof(u64), \
	.exp = { __VA_ARGS__ }
#define NONE .nr_exp = 0

/* ceil(U64_MAX / 10) */
#define BIG10 1844674407370955162ULL

static const struct policy_case pol_cases[] = {
	/* min_samples */
	{ "few samples keep current", 4, 100, 10, 1000, 99,
	  CANDS({ A, 1000 }), CUR(B, C), EXP(B, C) },
	{ "few samples keep order", 4, 100, 10, 1000, 0,
	  CANDS({ A, 900 }, { B, 100 }), CUR(B, A), EXP(B, A) },
	{ "few samples nothing current", 4, 100, 10, 1000, 99,
	  CANDS({ A, 1000 }), NONE },
	{ "min_samples reached decides", 4, 100, 10, 1000, 100,
	  CANDS({ A, 1000 }), CUR(B, C), EXP(A) },
	{ "few samples more than 4 current", 4, 100, 10, 0, 0,
	  CANDS({ A, 1 }), CUR(A, B, C, D, E, F), EXP(A, B, C, D) },
	/* site_total 0 */
	{ "total 0 drops current", 4, 0, 10, 0, 5000,
	  CANDS({ A, 0 }), CUR(A), NONE },
	{ "total 0 wins over scores", 4, 0, 10, 0, 5000,
	  CANDS({ A, 5 }), CUR(A), NONE },
	{ "weight 0 everything", 4, 10, 10, 0, 5000,
	  CANDS({ A, 0 }, { B, 0 }), CUR(A, B), NONE },
	/* thresholds */
	{ "threshold exact", 4, 0, 10, 1000, 1,
	  CANDS({ A, 100 }), EXP(A) },
	{ "threshold minus one", 4, 0, 10, 1000, 1,
	  CANDS({ A, 99 }), NONE },
	{ "threshold 1 percent", 4, 0, 1, 10000, 1,
	  CANDS({ A, 100 }, { B, 99 }), EXP(A) },
	{ "threshold 100 percent", 4, 0, 100, 1000, 1,
	  CANDS({ A, 1000 }), EXP(A) },
	{ "threshold 100 percent minus one", 4, 0, 100, 1000, 1,
	  CANDS({ A, 999 }, { B, 1 }), NONE },
	{ "threshold 33 of 3", 4, 0, 33, 3, 1,
	  CANDS({ A, 1 }, { B, 1 }, { C, 1 }), EXP(A, B, C) },
	{ "threshold 34 of 3", 4, 0, 34, 3, 1,
	  CANDS({ A, 1 }, { B, 1 }, { C, 1 }), NONE },
	{ "zero score ignored", 4, 0, 10, 500, 1,
	  CANDS({ A, 0 }, { B, 500 }), EXP(B) },
	{ "site total includes others", 4, 0, 10, 10000, 1,
	  CANDS({ A, 999 }, { B, 1000 }), EXP(B) },
	{ "threshold 0 clamps to 1", 4, 0, 0, 1000, 1,
	  CANDS({ A, 10 }, { B, 9 }), EXP(A) },
	{ "threshold 250 clamps to 100", 4, 0, 250, 1000, 1,
	  CANDS({ A, 1000 }), EXP(A) },
	/* hysteresis */
	{ "current kept at half threshold", 4, 0, 10, 1000, 1,
	  CANDS({ A, 50 }), CUR(A), EXP(A) },
	{ "current dropped below half", 4, 0, 10, 1000, 1,
	  CANDS({ A, 49 }), CUR(A), NONE },
	{ "new at half not promoted", 4, 0, 10, 1000, 1,
	  CANDS({ A, 50 }), NONE },
	{ "half of 15 percent: 75 kept", 4, 0, 15, 1000, 1,
	  CANDS({ A, 75 }, { B, 74 }), CUR(A, B), EXP(A) },
	{ "half of odd total", 4, 0, 10, 1001, 1,
	  CANDS({ A, 51 }, { B, 50 }), CUR(B, A), EXP(A) },
	{ "current missing from cand dropped", 4, 0, 10, 1000, 1,
	  CANDS({ A, 500 }), CUR(A, B), EXP(A) },
	{ "current kept new added", 4, 0, 10, 1000, 1,
	  CANDS({ A, 60 }, { B, 700 }), CUR(A), EXP(B, A) },
	/* order */
	{ "steady set keeps order", 4, 0, 10, 1000, 1,
	  CANDS({ A, 600 }, { B, 400 }), CUR(B, A), EXP(B, A) },
	{ "steady set of 4 keeps order", 4, 0, 10, 1000, 1,
	  CANDS({ A, 400 }, { B, 300 }, { C, 200 }, { D, 100 }),
	  CUR(D, B, A, C), EXP(D, B, A, C) },
	{ "changed set sorted", 4, 0, 10, 1000, 1,
	  CANDS({ A, 600 }, { B, 400 }), CUR(B), EXP(A, B) },
	{ "ties lower address first", 4, 0, 10, 1000, 1,
	  CANDS({ B, 500 }, { A, 500 }), EXP(A, B) },
	{ "ties with max 1", 1, 0, 10, 1000, 1,
	  CANDS({ C, 500 }, { B, 500 }), EXP(B) },
	{ "duplicate current entry once", 4, 0, 10, 1000, 1,
	  CANDS({ A, 500 }, { B, 200 }), CUR(A, A), EXP(A, B) },
	{ "duplicate cand entry once", 4, 0, 10, 1000, 1,
	  CANDS({ A, 500 }, { A, 200 }, { B, 300 }), EXP(A, B) },
	/* max_targets */
	{ "max 1 best", 1, 0, 10, 1000, 1,
	  CANDS({ A, 300 }, { B, 500 }, { C, 200 }), EXP(B) },
	{ "max 2 best two", 2, 0, 10, 1000, 1,
	  CANDS({ A, 300 }, { B, 500 }, { C, 200 }), EXP(B, A) },
	{ "max 4 of 5", 4, 0, 10, 1000, 1,
	  CANDS({ E, 100 }, { D, 150 }, { C, 200 }, { B, 250 }, { A, 300 }),
	  EXP(A, B, C, D) },
	{ "max 0 clamps to 1", 0, 0, 10, 1000, 1,
	  CANDS({ A, 300 }, { B, 500 }), EXP(B) },
	{ "max 9 clamps to 4", 9, 0, 1, 1000, 1,
	  CANDS({ A, 100 }, { B, 100 }, { C, 100 }, { D, 100 }, { E, 100 },
		{ F, 100 }), EXP(A, B, C, D) },
	{ "max lowered keeps best current", 1, 0, 10, 1000, 1,
	  CANDS({ A, 200 }, { B, 300 }), CUR(A, B), EXP(B) },
	/* displacement */
	{ "displace at exactly 1.25x", 1, 0, 10, 1000, 1,
	  CANDS({ A, 400 }, { B, 500 }), CUR(A), EXP(B) },
	{ "no displace below 1.25x", 1, 0, 10, 1000, 1,
	  CANDS({ A, 400 }, { B, 499 }), CUR(A), EXP(A) },
	{ "displace weakest current", 2, 0, 10, 1000, 1,
	  CANDS({ A, 300 }, { B, 200 }, { C, 250 }), CUR(A, B), EXP(A, C) },
	{ "weakest current not displaced", 2, 0, 10, 1000, 1,
	  CANDS({ A, 300 }, { B, 201 }, { C, 250 }), CUR(A, B), EXP(A, B) },
	{ "free slot needs no 1.25x", 2, 0, 10, 1000, 1,
	  CANDS({ A, 300 }, { B, 100 }), CUR(A), EXP(A, B) },
	{ "fill slot then displace", 2, 0, 10, 1000, 1,
	  CANDS({ A, 100 }, { B, 500 }, { C, 400 }), CUR(A), EXP(B, C) },
	{ "new never displaces new", 1, 0, 10, 1000, 1,
	  CANDS({ B, 500 }, { C, 499 }), EXP(B) },
	{ "max lowered then displaced", 1, 0, 10, 1000, 1,
	  CANDS({ A, 200 }, { B, 300 }, { C, 375 }), CUR(A, B), EXP(C) },
	{ "displace one of four", 4, 0, 10, 1000, 1,
	  CANDS({ A, 200 }, { B, 200 }, { C, 200 }, { D, 150 }, { E, 190 }),
	  CUR(D, C, B, A), EXP(A, B, C, E) },
	{ "two displacements", 2, 0, 10, 1000, 1,
	  CANDS({ A, 100 }, { B, 110 }, { C, 400 }, { D, 300 }),
	  CUR(A, B), EXP(C, D) },
	{ "second displacement fails", 2, 0, 10, 1000, 1,
	  CANDS({ A, 100 }, { B, 240 }, { C, 400 }, { D, 299 }),
	  CUR(A, B), EXP(C, B) },
	{ "displaced tie by address", 1, 0, 10, 1000, 1,
	  CANDS({ B, 400 }, { A, 500 }, { C, 500 }), CUR(B), EXP(A) },
	/* exact arithmetic with huge scores */
	{ "huge threshold exact", 4, 0, 10, ~0ULL, 1,
	  CANDS({ A, BIG10 }), EXP(A) },
	{ "huge threshold minus one", 4, 0, 10, ~0ULL, 1,
	  CANDS({ A, BIG10 - 1 }), NONE },
	{ "huge hysteresis", 4, 0, 10, ~0ULL, 1,
	  CANDS({ A, BIG10 / 2 + 1 }, { B, BIG10 / 2 - 1 }), CUR(A, B),
	  EXP(A) },
	{ "huge displacement", 1, 0, 1, ~0ULL, 1,
	  CANDS({ A, 0x4000000000000000ULL },
		{ B, 0x5000000000000000ULL }), CUR(A), EXP(B) },
	{ "huge no displacement", 1, 0, 1, ~0ULL, 1,
	  CANDS({ A, 0x4000000000000000ULL },
		{ B, 0x4fffffffffffffffULL }), CUR(A), EXP(A) },
};

START_TEST(policy_table)
{
	const struct policy_case *c = &pol_cases[_i];
	struct rp_policy p = { c->max, c->min, c->thr };
	u64 out[RELPOLINE_MAX_TARGETS + 2];
	unsigned int n, i;

	for (i = 0; i < ARRAY_LEN(out); i++)
		out[i] = 0xdead;
	n = rp_policy_decide(c->cand, c->nr_cand, c->total, c->samples,
			     c->cur, c->nr_cur, &p, out);
	ck_assert_msg(n == c->nr_exp, "%s: %u targets, expected %u", c->name,
		      n, c->nr_exp);
	for (i = 0; i < n; i++)
		ck_assert_msg(out[i] == c->exp[i],
			      "%s: out[%u] = %#llx, expected %#llx",
			      c->name, i, out[i], c->exp[i]);
	ck_assert_uint_eq(out[RELPOLINE_MAX_TARGETS], 0xdead);
	ck_assert_uint_eq(out[RELPOLINE_MAX_TARGETS + 1], 0xdead);
}
END_TEST

/* The decision is independent of the order of the candidates */
START_TEST(policy_permutation)
{
	const struct policy_case *c = &pol_cases[_i];
	struct rp_policy p = { c->max, c->min, c->thr };
	struct rp_cand rev[6];
	u64 out[RELPOLINE_MAX_TARGETS];
	unsigned int n, i;
	bool dup = false;

	for (i = 0; i < c->nr_cand; i++) {
		rev[i] = c->cand[c->nr_cand - 1 - i];
		if (i && c->cand[i].target == c->cand[0].target)
			dup = true;
	}
	if (dup)
		return;		/* the first entry of a target counts */
	n = rp_policy_decide(rev, c->nr_cand, c->total, c->samples, c->cur,
			     c->nr_cur, &p, out);
	ck_assert_uint_eq(n, c->nr_exp);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(out[i], c->exp[i]);
}
END_TEST

/* Deciding again on the same scores changes nothing */
START_TEST(policy_idempotent)
{
	const struct policy_case *c = &pol_cases[_i];
	struct rp_policy p = { c->max, c->min, c->thr };
	u64 out[RELPOLINE_MAX_TARGETS], out2[RELPOLINE_MAX_TARGETS];
	unsigned int n, n2, i;

	n = rp_policy_decide(c->cand, c->nr_cand, c->total, c->samples, c->cur,
			     c->nr_cur, &p, out);
	n2 = rp_policy_decide(c->cand, c->nr_cand, c->total, c->samples, out,
			      n, &p, out2);
	ck_assert_uint_eq(n2, n);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(out2[i], out[i]);
}
END_TEST

/* the estimate of what promotion saved (trace_stat's "# estimate:") */
START_TEST(saved_cycles)
{
	ck_assert_uint_eq(rp_saved_cycles(1000, 2531, 320), 22110);
	ck_assert_uint_eq(rp_saved_cycles(3, 2531, 320), 66);
	ck_assert_uint_eq(rp_saved_cycles(199, 2531, 320), 4399);
	ck_assert_uint_eq(rp_saved_cycles(1000, 320, 320), 0);
	ck_assert_uint_eq(rp_saved_cycles(1000, 300, 320), 0);
	ck_assert_uint_eq(rp_saved_cycles(1000000000000000ULL, 4100, 100), 40000000000000000ULL);
	ck_assert_uint_eq(rp_saved_share_ppm(3000000, 3000000), 1000);
	ck_assert_uint_eq(rp_saved_share_ppm(1, 0), 0);
}
END_TEST

START_TEST(saved_rate)
{
	struct rp_saved_win w = { 0 };

	rp_saved_rate(&w, 500, 10000, false, 1);
	ck_assert(!w.open);
	rp_saved_rate(&w, 500, 10000, true, 1);
	ck_assert(w.open && !w.have_rate);
	rp_saved_rate(&w, 900, 10999, true, 1);
	ck_assert(!w.have_rate);
	rp_saved_rate(&w, 2500, 12000, true, 1);
	ck_assert(w.have_rate);
	ck_assert_uint_eq(w.rate, 1000);
	ck_assert_uint_eq(w.window_ms, 2000);
	rp_saved_rate(&w, 2600, 12500, true, 1);
	ck_assert_uint_eq(w.rate, 1000);
	rp_saved_rate(&w, 5500, 13000, true, 1);
	ck_assert_uint_eq(w.rate, 3000);
	ck_assert_uint_eq(w.window_ms, 1000);
	rp_saved_rate(&w, 6000, 14000, true, 2);	/* a new epoch */
	ck_assert(w.open && !w.have_rate);
	rp_saved_rate(&w, 100, 15000, true, 2);		/* a reset */
	ck_assert(!w.have_rate);
	rp_saved_rate(&w, 1100, 16000, true, 2);
	ck_assert_uint_eq(w.rate, 1000);
	rp_saved_rate(&w, 1100, 17000, false, 2);
	ck_assert(!w.open && !w.have_rate);
}
END_TEST

START_TEST(policy_decay)
{
	u64 s = 5;

	rp_decay(&s);
	ck_assert_uint_eq(s, 2);
	rp_decay(&s);
	ck_assert_uint_eq(s, 1);
	rp_decay(&s);
	ck_assert_uint_eq(s, 0);
	rp_decay(&s);
	ck_assert_uint_eq(s, 0);
	s = U64_MAX_;
	rp_decay(&s);
	ck_assert_uint_eq(s, U64_MAX_ >> 1);
}
END_TEST

/*
 * A site that has been calling X (and a tail of rare targets) at a steady
 * S weighted samples per interval since forever; from interval 1 on, target
 * H takes @share_permille of them.  Each interval: decay, add, decide.
 * Returns the first interval after which H is promoted (0: not within 20).
 */
static unsigned int promoted_after(unsigned int share_permille,
				   const struct rp_policy *p)
{
	const u64 S = 100000, X = 0x100, H = 0x200;
	u64 x = 2 * S, h = 0, total, out[4], cur[4] = { X };
	unsigned int nr_cur = 1, k, i;
	struct rp_cand cand[2];

	for (k = 1; k <= 20; k++) {
		rp_decay(&x);
		rp_decay(&h);
		h += S * share_permille / 1000;
		x += S - S * share_permille / 1000;
		total = x + h;
		cand[0].target = X;
		cand[0].score = x;
		cand[1].target = H;
		cand[1].score = h;
		nr_cur = rp_policy_decide(cand, 2, total, 1000, cur, nr_cur, p,
					  out);
		memcpy(cur, out, sizeof(out));
		for (i = 0; i < nr_cur; i++)
			if (cur[i] == H)
				return k;
	}
	return 0;
}

START_TEST(policy_two_intervals)
{
	const struct rp_policy p = {
		RP_POLICY_DEFAULT_MAX_TARGETS, RP_POLICY_DEFAULT_MIN_SAMPLES,
		RP_POLICY_DEFAULT_THRESHOLD_PCT,
	};

	ck_assert_uint_eq(p.threshold_pct, 10);
	ck_assert_uint_eq(promoted_after(1000, &p), 1);
	ck_assert_uint_eq(promoted_after(500, &p), 1);
	ck_assert_uint_eq(promoted_after(200, &p), 1);
	ck_assert_uint_eq(promoted_after(199, &p), 2);
	ck_assert_uint_eq(promoted_after(134, &p), 2);
	ck_assert_uint_eq(promoted_after(133, &p), 3);
	ck_assert_uint_eq(promoted_after(101, &p), 7);
	ck_assert_uint_eq(promoted_after(100, &p), 0);
}
END_TEST

/*
 * Three targets with noisy but steady shares: once they are promoted the
 * output never changes, even when their ranking changes.
 */
START_TEST(policy_steady_no_churn)
{
	const struct rp_policy p = { 4, 10, 10 };
	const u64 tg[3] = { 0xa0, 0xb0, 0xc0 };
	u64 sc[3] = { 0, 0, 0 }, cur[4], out[4], first[4];
	unsigned int nr_cur = 0, k, i, nr_first = 0;
	struct rp_cand cand[3];
	unsigned int seed = 1;

	for (k = 0; k < 200; k++) {
		u64 total = 0;

		for (i = 0; i < 3; i++) {
			seed = seed * 1103515245 + 12345;
			rp_decay(&sc[i]);
			sc[i] += 3000 + (seed >> 16) % 600;
			cand[i].target = tg[i];
			cand[i].score = sc[i];
			total += sc[i];
		}
		nr_cur = rp_policy_decide(cand, 3, total, 1000, cur, nr_cur,
					  &p, out);
		memcpy(cur, out, sizeof(out));
		ck_assert_uint_eq(nr_cur, 3);
		if (!k) {
			nr_first = nr_cur;
			memcpy(first, out, sizeof(out));
		}
		ck_assert_uint_eq(nr_cur, nr_first);
		for (i = 0; i < nr_cur; i++)
			ck_assert_uint_eq(out[i], first[i]);
	}
}
END_TEST

/* ======================================================================== */

static Suite *parse_suite(void)
{
	Suite *s = suite_create("relpoline_parse");
	TCase *tc;

	tc = tcase_create("cmd");
	tcase_add_loop_test(tc, cmd_valid, 0, ARRAY_LEN(cmd_ok));
	tcase_add_loop_test(tc, cmd_error, 0, ARRAY_LEN(cmd_err));
	tcase_add_test(tc, cmd_fields);
	tcase_add_test(tc, cmd_nothing);
	tcase_add_test(tc, cmd_nul_and_len);
	tcase_add_test(tc, cmd_lengths);
	tcase_add_test(tc, cmd_number_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("filter");
	tcase_add_loop_test(tc, filter_valid, 0, ARRAY_LEN(filter_ok));
	tcase_add_loop_test(tc, filter_error, 0, ARRAY_LEN(filter_err));
	tcase_add_test(tc, filter_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("glob");
	tcase_add_loop_test(tc, glob_table, 0, ARRAY_LEN(glob_cases));
	tcase_add_test(tc, glob_parsed_patterns);
	suite_add_tcase(s, tc);

	tc = tcase_create("weight");
	tcase_add_loop_test(tc, weight_valid, 0, ARRAY_LEN(weight_ok));
	tcase_add_loop_test(tc, weight_error, 0, ARRAY_LEN(weight_err));
	tcase_add_test(tc, weight_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_add_loop_test(tc, lookup_table, 0, ARRAY_LEN(lk_cases));
	tcase_add_test(tc, lookup_misc);
	tcase_add_test(tc, lookup_parsed);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *policy_suite(void)
{
	Suite *s = suite_create("relpoline_policy");
	TCase *tc;

	tc = tcase_create("decide");
	tcase_add_loop_test(tc, policy_table, 0, ARRAY_LEN(pol_cases));
	tcase_add_loop_test(tc, policy_permutation, 0, ARRAY_LEN(pol_cases));
	tcase_add_loop_test(tc, policy_idempotent, 0, ARRAY_LEN(pol_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("decay");
	tcase_add_test(tc, policy_decay);
	tcase_add_test(tc, policy_two_intervals);
	tcase_add_test(tc, policy_steady_no_churn);
	suite_add_tcase(s, tc);

	tc = tcase_create("saved");
	tcase_add_test(tc, saved_cycles);
	tcase_add_test(tc, saved_rate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(parse_suite());
	int failed;

	srunner_add_suite(sr, policy_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
