// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what relpoline's tracefs files print for sites and
 * targets (kernel/trace/relpoline_ftrace.c): symbols, and "?" for what
 * kallsyms cannot name, never an address.
 */
#include <kunit/test.h>
#include <linux/compiler.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "relpoline_internal.h"

#define RPK_TEXT_SIZE	512

/* A text buffer of our own: rp_printf() truncates it, never grows it. */
static struct rp_text *rpk_text(struct kunit *test)
{
	struct rp_text *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	t->buf = kunit_kzalloc(test, RPK_TEXT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->buf);
	t->size = RPK_TEXT_SIZE;
	t->fixed = true;
	return t;
}

/*
 * An address in kfree(), computed at run time: a constant kfree + @off
 * would be a relocation to a place without ENDBR, which objtool reports.
 */
static unsigned long rpk_in_kfree(unsigned long off)
{
	unsigned long a = (unsigned long)kfree;

	OPTIMIZER_HIDE_VAR(a);
	return a + off;
}

/* @t holds no hex digits of @addr's address (all 16, or the low 8) */
static void rpk_no_address(struct kunit *test, struct rp_text *t, unsigned long addr)
{
	char hex[24];

	snprintf(hex, sizeof(hex), "%lx", addr);
	KUNIT_EXPECT_NULL_MSG(test, strstr(t->buf, hex), "\"%s\" shows an address", t->buf);
	snprintf(hex, sizeof(hex), "%08lx", addr & 0xffffffff);
	KUNIT_EXPECT_NULL_MSG(test, strstr(t->buf, hex), "\"%s\" shows an address", t->buf);
}

/* A function entry of vmlinux is its name */
static void rpk_target_named_test(struct kunit *test)
{
	struct rp_text *t = rpk_text(test);

	rp_print_target(t, rpk_in_kfree(0));
	KUNIT_EXPECT_STREQ(test, t->buf, "kfree");
}

/* Inside a function, or no symbol at all: "?" */
static void rpk_target_unnamed_test(struct kunit *test)
{
	unsigned long inside = rpk_in_kfree(1);
	unsigned long nowhere = 0x1000;
	struct rp_text *t = rpk_text(test);

	rp_print_target(t, inside);
	KUNIT_EXPECT_STREQ(test, t->buf, "?");
	rpk_no_address(test, t, inside);

	t = rpk_text(test);
	rp_print_target(t, nowhere);
	KUNIT_EXPECT_STREQ(test, t->buf, "?");
}

/* A site in a function: id, function+0xOFF/0xSIZE, module, form, reg */
static void rpk_site_named_test(struct kunit *test)
{
	struct relpoline_site s = {
		.id = 8, .form = RELPOLINE_FORM_CALL, .reg = 11,
	};
	struct rp_text *t = rpk_text(test);
	const char *tail;

	s.addr = rpk_in_kfree(4);
	rp_print_site(t, &s);
	KUNIT_EXPECT_TRUE_MSG(test, str_has_prefix(t->buf, "8 kfree+0x4/0x"), "%s", t->buf);
	tail = t->buf + strlen(t->buf) - strlen(" - call r11");
	KUNIT_EXPECT_STREQ(test, tail, " - call r11");
	rpk_no_address(test, t, s.addr);
}

/* A site kallsyms cannot name: its id and "?", never its address */
static void rpk_site_unnamed_test(struct kunit *test)
{
	struct relpoline_site s = {
		.addr = 0x1000, .id = 7, .form = RELPOLINE_FORM_JMP, .reg = 0,
	};
	struct rp_text *t = rpk_text(test);

	rp_print_site(t, &s);
	KUNIT_EXPECT_STREQ(test, t->buf, "7 ? - jmp rax");
	rpk_no_address(test, t, s.addr);
}

static struct kunit_case relpoline_tracefs_cases[] = {
	KUNIT_CASE(rpk_target_named_test),
	KUNIT_CASE(rpk_target_unnamed_test),
	KUNIT_CASE(rpk_site_named_test),
	KUNIT_CASE(rpk_site_unnamed_test),
	{}
};

static struct kunit_suite relpoline_tracefs_suite = {
	.name = "relpoline_tracefs",
	.test_cases = relpoline_tracefs_cases,
};

kunit_test_suites(&relpoline_tracefs_suite);

MODULE_DESCRIPTION("KUnit tests for the relpoline tracefs output");
MODULE_LICENSE("GPL");
