/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Canonical text of the parsers' results, in the input grammar itself, so
 * that the tests compare one string per case and the fuzzer can check that
 * parse(format(parse(line))) == parse(line).  Userspace only.
 */
#ifndef RP_FMT_H
#define RP_FMT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/relpoline_parse.h>

static const char *const rp_op_names[] = {
	[RP_CMD_PROMOTE] = "promote", [RP_CMD_PIN] = "pin",
	[RP_CMD_DEMOTE] = "demote", [RP_CMD_BLOCK] = "block",
	[RP_CMD_UNBLOCK] = "unblock", [RP_CMD_RETRAIN] = "retrain",
	[RP_CMD_RESET] = "reset",
};

struct rp_fmt_buf {
	char *s;
	size_t size, len;
};

__attribute__((format(printf, 2, 3)))
static void rp_fmt_add(struct rp_fmt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
	if (b->len >= b->size)
		b->len = b->size - 1;
}

/* "promote sym+0x10 a,b[mod],0x1234", "retrain", "demote 42", ... */
static inline const char *rp_fmt_cmd(char *s, size_t size,
				     const struct rp_cmd *c)
{
	struct rp_fmt_buf b = { s, size, 0 };
	const struct rp_target_ref *t;
	unsigned int i;

	s[0] = '\0';
	if ((unsigned int)c->op >= sizeof(rp_op_names) / sizeof(rp_op_names[0]))
		rp_fmt_add(&b, "op%d", (int)c->op);
	else
		rp_fmt_add(&b, "%s", rp_op_names[c->op]);
	if (c->has_site) {
		switch (c->site.kind) {
		case RP_REF_ID:
			rp_fmt_add(&b, " %llu", (unsigned long long)c->site.val);
			break;
		case RP_REF_ADDR:
			rp_fmt_add(&b, " 0x%llx", (unsigned long long)c->site.val);
			break;
		case RP_REF_SYM:
			rp_fmt_add(&b, " %s+0x%llx", c->site.sym,
				   (unsigned long long)c->site.off);
			break;
		}
	}
	for (i = 0; i < c->nr_targets && i < RELPOLINE_MAX_TARGETS; i++) {
		t = &c->targets[i];
		rp_fmt_add(&b, "%s", i ? "," : " ");
		if (t->kind == RP_REF_ADDR)
			rp_fmt_add(&b, "0x%llx", (unsigned long long)t->addr);
		else if (t->mod[0])
			rp_fmt_add(&b, "%s[%s]", t->sym, t->mod);
		else
			rp_fmt_add(&b, "%s", t->sym);
	}
	return s;
}

/* "!glob:mod:NAME", ":mod:NAME", "glob" */
static inline const char *rp_fmt_filter(char *s, size_t size,
					const struct rp_filter_pat *p)
{
	struct rp_fmt_buf b = { s, size, 0 };

	s[0] = '\0';
	rp_fmt_add(&b, "%s%s", p->negate ? "!" : "", p->mod_only ? "" : p->glob);
	if (p->mod[0])
		rp_fmt_add(&b, ":mod:%s", p->mod);
	return s;
}

/* "/a/b 100", "* 5", "!/a" */
static inline const char *rp_fmt_weight(char *s, size_t size,
					const struct rp_weight_line *w)
{
	struct rp_fmt_buf b = { s, size, 0 };

	s[0] = '\0';
	if (w->remove)
		rp_fmt_add(&b, "!%s", w->path);
	else if (w->is_default)
		rp_fmt_add(&b, "* %u", w->weight);
	else
		rp_fmt_add(&b, "%s %u", w->path, w->weight);
	return s;
}

#endif /* RP_FMT_H */
