// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline: parsers of the tracefs control files and the promotion policy.
 *
 * The code in this file is pure: it allocates nothing and keeps no state,
 * so that it also builds in userspace for the unit tests (tests/unit/parse)
 * and the fuzzer (tests/fuzz).  It uses the kernel's own helpers
 * (<linux/ctype.h>, kstrtou64(), the string functions); the userspace
 * builds compile lib/ctype.c and lib/kstrtox.c from the base tree through
 * the small shims of tests/kshim, so the same code runs in both.
 *
 * Lines are (pointer, length) pairs; the length is authoritative and the
 * parsers never read past it.  That is why tracing's trace_parser and
 * trace_get_user() do not fit here: they split a write into blank-separated
 * tokens and carry a partial token over to the next write, whereas every
 * write to a relpoline file holds whole lines that are all validated before
 * any of them is applied (and an error names its line and its column).  A
 * number is not NUL-terminated in the line, so rp_kstrtou64() copies it
 * first, as the event filter parser does for kstrtoull().
 *
 * Line syntax shared by all parsers: tokens are separated by spaces and
 * tabs; blanks at both ends are ignored, and so are '\r' and '\n' at the
 * end; a line that is empty, blank, or whose first non-blank character is
 * '#' holds nothing (return 1); any other byte that is not printable ASCII
 * (a NUL, a control character, a byte >= 0x7f) is a "bad character".
 * Since every byte of a line that holds something is then printable ASCII,
 * the kernel's Latin-1 <linux/ctype.h> classifies it like the C locale.
 */
#include <kunit/visibility.h>
#include <linux/ctype.h>
#include <linux/export.h>
#include <linux/kstrtox.h>
#include <linux/math64.h>
#include <linux/relpoline_parse.h>
#include <linux/string.h>

/* A line being parsed: the text and the part of it still to be read */
struct rp_line {
	const char *s;
	unsigned int pos;
	unsigned int end;
};

/* A token: its offset in the line and its length */
struct rp_tok {
	unsigned int pos;
	unsigned int len;
};

static bool rp_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Characters of a kernel symbol: [A-Za-z0-9_.$] */
static bool rp_is_sym_char(char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$';
}

/* Characters of a module name: [A-Za-z0-9_-] */
static bool rp_is_mod_char(char c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/* Longest u64 in decimal (18446744073709551615), hex needs 16 */
#define RP_U64_DIGITS	20

/*
 * kstrtou64() on the @n characters at @s, digits of @base (10 or 16)
 * without prefix or sign.  kstrtou64() wants a NUL-terminated string and
 * would also take a sign, a "0x" or a trailing newline: the digits are
 * checked here, leading zeros (any number of them) skipped and the rest
 * copied.  Returns 0, -EINVAL when there is no digit (kstrtou64() of "")
 * or a character is not a digit, -ERANGE when the value does not fit in a
 * u64.
 */
static int rp_kstrtou64(const char *s, unsigned int n, unsigned int base,
			u64 *val)
{
	char buf[RP_U64_DIGITS + 1];
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!(base == 16 ? isxdigit(s[i]) : isdigit(s[i])))
			return -EINVAL;
	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	if (n > RP_U64_DIGITS)
		return -ERANGE;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return kstrtou64(buf, base, val);
}

static bool rp_has_hex_prefix(const char *s, unsigned int n)
{
	return n >= 2 && s[0] == '0' && _tolower(s[1]) == 'x';
}

/* "0x" followed by at least one hex digit */
static int rp_parse_hex(const char *s, unsigned int n, u64 *val)
{
	if (!rp_has_hex_prefix(s, n))
		return -EINVAL;
	return rp_kstrtou64(s + 2, n - 2, 16, val);
}

/* The message for a failed number: out of range or malformed (@bad) */
static const char *rp_num_msg(int ret, const char *bad)
{
	return ret == -ERANGE ? "number out of range" : bad;
}

/* Index of the first @c in the @n characters at @s, or @n */
static unsigned int rp_find(const char *s, unsigned int n, char c)
{
	const char *p = memchr(s, c, n);

	return p ? p - s : n;
}

/* Copy @n characters and terminate; the caller checked the size */
static void rp_copy(char *dst, const char *src, unsigned int n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void rp_err_clear(struct rp_parse_err *e)
{
	if (e) {
		e->err = 0;
		e->pos = 0;
		e->msg = NULL;
	}
}

static int rp_fail(struct rp_parse_err *e, unsigned int pos, const char *msg)
{
	if (e) {
		e->err = -EINVAL;
		e->pos = pos;
		e->msg = msg;
	}
	return -EINVAL;
}

/*
 * Trim the line and check its characters.  Returns 1 when it holds nothing,
 * -EINVAL on a bad character, 0 when there is at least one token.
 */
static int rp_line_init(struct rp_line *l, const char *line, unsigned int len,
			struct rp_parse_err *e)
{
	unsigned int i;
	unsigned char c;

	l->s = line;
	l->pos = 0;
	l->end = line ? len : 0;
	while (l->end > 0 && (rp_is_blank(line[l->end - 1]) ||
			      line[l->end - 1] == '\r' ||
			      line[l->end - 1] == '\n'))
		l->end--;
	while (l->pos < l->end && rp_is_blank(line[l->pos]))
		l->pos++;
	if (l->pos == l->end || line[l->pos] == '#')
		return 1;
	for (i = l->pos; i < l->end; i++) {
		c = line[i];
		if (!isascii(c) || (iscntrl(c) && c != '\t'))
			return rp_fail(e, i, "bad character");
	}
	return 0;
}

/*
 * The next token, if any.  Without one, @t is the (empty) end of the line,
 * where errors about something missing point.
 */
static bool rp_next_tok(struct rp_line *l, struct rp_tok *t)
{
	while (l->pos < l->end && rp_is_blank(l->s[l->pos]))
		l->pos++;
	t->pos = l->pos;
	while (l->pos < l->end && !rp_is_blank(l->s[l->pos]))
		l->pos++;
	t->len = l->pos - t->pos;
	return t->len != 0;
}

/*
 * Start on @line: clear @e, then rp_line_init() and, when the line holds
 * something, its first token into @first. Returns what rp_line_init() does.
 */
static int rp_line_start(struct rp_line *l, struct rp_tok *first, const char *line,
			 unsigned int len, struct rp_parse_err *e)
{
	int ret;

	rp_err_clear(e);
	ret = rp_line_init(l, line, len, e);
	if (!ret)
		rp_next_tok(l, first);
	return ret;
}

/* NULL if the @n characters at @s are a symbol, else the error message */
static const char *rp_check_sym(const char *s, unsigned int n, const char *bad)
{
	unsigned int i;

	if (!n || isdigit(s[0]))
		return bad;
	for (i = 0; i < n; i++)
		if (!rp_is_sym_char(s[i]))
			return bad;
	if (n > KSYM_NAME_LEN - 1)
		return "symbol too long";
	return NULL;
}

/* NULL if the @n characters at @s are a module name, else the message */
static const char *rp_check_mod(const char *s, unsigned int n, const char *bad)
{
	unsigned int i;

	if (!n)
		return bad;
	for (i = 0; i < n; i++)
		if (!rp_is_mod_char(s[i]))
			return bad;
	if (n > MODULE_NAME_LEN - 1)
		return "module name too long";
	return NULL;
}

/* ---- commands ---- */

enum rp_args {
	RP_ARGS_NONE,		/* reset */
	RP_ARGS_SITE,		/* demote, block, unblock */
	RP_ARGS_OPT_SITE,	/* retrain */
	RP_ARGS_SITE_TARGETS,	/* promote, pin */
};

struct rp_cmd_desc {
	const char *name;
	enum rp_cmd_op op;
	enum rp_args args;
};

static const struct rp_cmd_desc rp_cmd_table[] = {
	{ "promote",	RP_CMD_PROMOTE,	RP_ARGS_SITE_TARGETS },
	{ "pin",	RP_CMD_PIN,	RP_ARGS_SITE_TARGETS },
	{ "demote",	RP_CMD_DEMOTE,	RP_ARGS_SITE },
	{ "block",	RP_CMD_BLOCK,	RP_ARGS_SITE },
	{ "unblock",	RP_CMD_UNBLOCK,	RP_ARGS_SITE },
	{ "retrain",	RP_CMD_RETRAIN,	RP_ARGS_OPT_SITE },
	{ "reset",	RP_CMD_RESET,	RP_ARGS_NONE },
	{ NULL, RP_CMD_RESET, RP_ARGS_NONE }
};

static const struct rp_cmd_desc *rp_find_cmd(const char *s, unsigned int n)
{
	const struct rp_cmd_desc *d;

	for (d = rp_cmd_table; d->name; d++)
		if (strlen(d->name) == n && !memcmp(d->name, s, n))
			return d;
	return NULL;
}

/* SITE: decimal id, 0xADDRESS or symbol+0xOFF */
static int rp_parse_site(const char *line, const struct rp_tok *t,
			 struct rp_site_ref *site, struct rp_parse_err *e)
{
	const char *s = line + t->pos;
	unsigned int plus;
	const char *msg;
	int ret;

	site->pos = t->pos;
	if (rp_has_hex_prefix(s, t->len)) {
		ret = rp_parse_hex(s, t->len, &site->val);
		if (ret)
			return rp_fail(e, t->pos, rp_num_msg(ret, "bad site"));
		site->kind = RP_REF_ADDR;
		return 0;
	}
	if (isdigit(s[0])) {
		ret = rp_kstrtou64(s, t->len, 10, &site->val);
		if (ret)
			return rp_fail(e, t->pos, rp_num_msg(ret, "bad site"));
		site->kind = RP_REF_ID;
		return 0;
	}
	plus = rp_find(s, t->len, '+');
	if (plus == t->len)
		return rp_fail(e, t->pos, "bad site");
	msg = rp_check_sym(s, plus, "bad site");
	if (msg)
		return rp_fail(e, t->pos, msg);
	ret = rp_parse_hex(s + plus + 1, t->len - plus - 1, &site->off);
	if (ret)
		return rp_fail(e, t->pos, rp_num_msg(ret, "bad site"));
	rp_copy(site->sym, s, plus);
	site->kind = RP_REF_SYM;
	return 0;
}

/* TARGET: 0xADDRESS, symbol or symbol[module]; NULL or the error message */
static const char *rp_parse_target(const char *s, unsigned int n,
				   struct rp_target_ref *tgt)
{
	unsigned int br;
	const char *msg;
	int ret;

	if (rp_has_hex_prefix(s, n)) {
		ret = rp_parse_hex(s, n, &tgt->addr);
		if (ret)
			return rp_num_msg(ret, "bad target");
		tgt->kind = RP_REF_ADDR;
		return NULL;
	}
	br = rp_find(s, n, '[');
	msg = rp_check_sym(s, br, "bad target");
	if (msg)
		return msg;
	if (br < n) {
		if (n - br < 3 || s[n - 1] != ']')
			return "bad target";
		msg = rp_check_mod(s + br + 1, n - br - 2, "bad target");
		if (msg)
			return msg;
		rp_copy(tgt->mod, s + br + 1, n - br - 2);
	}
	rp_copy(tgt->sym, s, br);
	tgt->kind = RP_REF_SYM;
	return NULL;
}

static bool rp_same_target(const struct rp_target_ref *a,
			   const struct rp_target_ref *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == RP_REF_ADDR)
		return a->addr == b->addr;
	return !strcmp(a->sym, b->sym) && !strcmp(a->mod, b->mod);
}

/* TARGET[,TARGET...]: 1..RELPOLINE_MAX_TARGETS distinct targets */
static int rp_parse_targets(const char *line, const struct rp_tok *t,
			    struct rp_cmd *cmd, struct rp_parse_err *e)
{
	unsigned int i = t->pos, end = t->pos + t->len, start, j;
	struct rp_target_ref *tgt;
	const char *msg;

	for (;;) {
		start = i;
		i += rp_find(line + start, end - start, ',');
		if (cmd->nr_targets == RELPOLINE_MAX_TARGETS)
			return rp_fail(e, start, "too many targets");
		tgt = &cmd->targets[cmd->nr_targets];
		msg = rp_parse_target(line + start, i - start, tgt);
		if (msg)
			return rp_fail(e, start, msg);
		tgt->pos = start;
		for (j = 0; j < cmd->nr_targets; j++)
			if (rp_same_target(&cmd->targets[j], tgt))
				return rp_fail(e, start, "duplicate target");
		cmd->nr_targets++;
		if (i == end)
			return 0;
		i++;	/* the comma */
	}
}

/**
 * rp_parse_cmd() - parse one line written to the relpoline control file
 * @line: the line, not necessarily NUL-terminated
 * @len: its length in bytes (authoritative: a NUL inside is an error)
 * @cmd: the parsed command; zeroed first, undefined after an error
 * @e: where to store the error details, or NULL
 *
 * Grammar: "promote SITE TARGETS", "pin SITE TARGETS", "demote SITE",
 * "block SITE", "unblock SITE", "retrain [SITE]" and "reset", where SITE is
 * a decimal site id, "symbol+0xOFF" or "0xADDRESS", and TARGETS is a comma
 * separated list (no blanks) of 1 to RELPOLINE_MAX_TARGETS distinct targets,
 * each "symbol", "symbol[module]" or "0xADDRESS".  Symbols are made of
 * [A-Za-z0-9_.$] and do not start with a digit; module names of
 * [A-Za-z0-9_-].  The syntax is checked only: whether a symbol, module,
 * address or site exists is for the caller to find out.  Note that "foo"
 * and "foo[mod]" are different targets here even if they resolve to the
 * same address.
 *
 * Return: 0 for a command, 1 for a line that holds nothing (empty, blank or
 * a comment), -EINVAL for an invalid line (also stored in @e, with the offset
 * of the offending token or list element and a message).
 */
int rp_parse_cmd(const char *line, unsigned int len, struct rp_cmd *cmd,
		 struct rp_parse_err *e)
{
	const struct rp_cmd_desc *d;
	struct rp_line l;
	struct rp_tok t;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	ret = rp_line_start(&l, &t, line, len, e);
	if (ret)
		return ret;
	d = rp_find_cmd(line + t.pos, t.len);
	if (!d)
		return rp_fail(e, t.pos, "unknown command");
	cmd->op = d->op;

	if (d->args != RP_ARGS_NONE) {
		if (!rp_next_tok(&l, &t)) {
			if (d->args == RP_ARGS_OPT_SITE)
				return 0;
			return rp_fail(e, t.pos, "missing site");
		}
		ret = rp_parse_site(line, &t, &cmd->site, e);
		if (ret)
			return ret;
		cmd->has_site = true;
	}
	if (d->args == RP_ARGS_SITE_TARGETS) {
		if (!rp_next_tok(&l, &t))
			return rp_fail(e, t.pos, "missing targets");
		ret = rp_parse_targets(line, &t, cmd, e);
		if (ret)
			return ret;
	}
	if (rp_next_tok(&l, &t))
		return rp_fail(e, t.pos, "trailing garbage");
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(rp_parse_cmd);

/* ---- filter ---- */

/*
 * NULL if the @n characters at @s are a valid filter glob, else the message:
 * [A-Za-z0-9_.$*?] and closed, non-empty bracket expressions "[set]" and
 * "[!set]" whose members are symbol characters or '-' (ranges).
 */
static const char *rp_check_glob(const char *s, unsigned int n)
{
	unsigned int i = 0, first;
	char c;

	if (!n)
		return "bad glob";
	while (i < n) {
		c = s[i++];
		if (c == '[') {
			if (i < n && s[i] == '!')
				i++;
			first = i;
			while (i < n && (rp_is_sym_char(s[i]) || s[i] == '-'))
				i++;
			if (i == n || s[i] != ']' || i == first)
				return "bad glob";
			i++;
		} else if (!rp_is_sym_char(c) && c != '*' && c != '?') {
			return "bad glob";
		}
	}
	if (n > KSYM_NAME_LEN - 1)
		return "glob too long";
	return NULL;
}

/**
 * rp_parse_filter() - parse one line written to the relpoline site filter
 * @line: the line, not necessarily NUL-terminated
 * @len: its length in bytes (authoritative: a NUL inside is an error)
 * @p: the parsed pattern; zeroed first, undefined after an error
 * @e: where to store the error details, or NULL
 *
 * The syntax is set_ftrace_filter's, applied to the function containing a
 * site: "glob", "!glob" (remove), "glob:mod:NAME", ":mod:NAME" (every
 * function of module NAME: @p->mod_only is set and @p->glob is "*") and
 * "!:mod:NAME".  Globs are made of [A-Za-z0-9_.$*?] and bracket expressions
 * "[set]" and "[!set]", which must be closed and non-empty; they are matched
 * with glob_match().
 *
 * Return: 0 for a pattern, 1 for a line that holds nothing, -EINVAL for an
 * invalid line (details in @e).
 */
int rp_parse_filter(const char *line, unsigned int len, struct rp_filter_pat *p,
		    struct rp_parse_err *e)
{
	unsigned int i = 0, colon;
	struct rp_line l;
	struct rp_tok t;
	const char *s, *msg;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = rp_line_start(&l, &t, line, len, e);
	if (ret)
		return ret;
	s = line + t.pos;
	if (s[0] == '!') {
		p->negate = true;
		i = 1;
	}
	colon = i + rp_find(s + i, t.len - i, ':');
	if (colon == i && colon < t.len) {
		p->mod_only = true;
		rp_copy(p->glob, "*", 1);
	} else {
		msg = rp_check_glob(s + i, colon - i);
		if (msg)
			return rp_fail(e, t.pos + i, msg);
		rp_copy(p->glob, s + i, colon - i);
	}
	if (colon < t.len) {
		if (t.len - colon < 5 || memcmp(s + colon, ":mod:", 5))
			return rp_fail(e, t.pos + colon, "unknown filter command");
		msg = rp_check_mod(s + colon + 5, t.len - colon - 5,
				   "bad module");
		if (msg)
			return rp_fail(e, t.pos + colon + 5, msg);
		rp_copy(p->mod, s + colon + 5, t.len - colon - 5);
	}
	if (rp_next_tok(&l, &t))
		return rp_fail(e, t.pos, "trailing garbage");
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(rp_parse_filter);

/* ---- cgroup weights ---- */

/*
 * NULL if the @n characters at @s are an absolute cgroup v2 path: "/" or
 * "/" followed by components separated by single slashes, none of them "."
 * or "..", no trailing slash, at most RP_CGROUP_PATH_MAX characters.
 */
static const char *rp_check_path(const char *s, unsigned int n)
{
	unsigned int i, start = 1, clen;

	if (!n || s[0] != '/')
		return "bad path";
	for (i = 1; n > 1 && i <= n; i++) {
		if (i < n && s[i] != '/')
			continue;
		clen = i - start;
		if (!clen || (s[start] == '.' &&
			      (clen == 1 || (clen == 2 && s[start + 1] == '.'))))
			return "bad path";
		start = i + 1;
	}
	if (n > RP_CGROUP_PATH_MAX)
		return "path too long";
	return NULL;
}

/**
 * rp_parse_weight() - parse one line written to the cgroup weights file
 * @line: the line, not necessarily NUL-terminated
 * @len: its length in bytes (authoritative: a NUL inside is an error)
 * @w: the parsed line; zeroed first, undefined after an error
 * @e: where to store the error details, or NULL
 *
 * Forms: "PATH WEIGHT" sets the weight of a cgroup (and of its descendants
 * that have no entry of their own), "* WEIGHT" sets the default weight and
 * "!PATH" removes the entry of PATH.  PATH is an absolute cgroup v2 path
 * ("/" or "/a/b", no empty, "." or ".." component, no trailing slash, at
 * most RP_CGROUP_PATH_MAX printable ASCII characters, no blanks), WEIGHT a
 * decimal number from 0 to RP_WEIGHT_MAX.
 *
 * Return: 0 for an entry, 1 for a line that holds nothing, -EINVAL for an
 * invalid line (details in @e).
 */
int rp_parse_weight(const char *line, unsigned int len,
		    struct rp_weight_line *w, struct rp_parse_err *e)
{
	struct rp_line l;
	struct rp_tok t;
	const char *s, *msg;
	u64 v;
	int ret;

	memset(w, 0, sizeof(*w));
	ret = rp_line_start(&l, &t, line, len, e);
	if (ret)
		return ret;
	s = line + t.pos;
	if (s[0] == '!') {
		msg = rp_check_path(s + 1, t.len - 1);
		if (msg)
			return rp_fail(e, t.pos + 1, msg);
		rp_copy(w->path, s + 1, t.len - 1);
		w->remove = true;
	} else if (t.len == 1 && s[0] == '*') {
		w->is_default = true;
	} else {
		msg = rp_check_path(s, t.len);
		if (msg)
			return rp_fail(e, t.pos, msg);
		rp_copy(w->path, s, t.len);
	}
	if (!w->remove) {
		if (!rp_next_tok(&l, &t))
			return rp_fail(e, t.pos, "missing weight");
		ret = rp_kstrtou64(line + t.pos, t.len, 10, &v);
		if (ret == -EINVAL)
			return rp_fail(e, t.pos, "bad weight");
		if (ret || v > RP_WEIGHT_MAX)
			return rp_fail(e, t.pos, "number out of range");
		w->weight = v;
	}
	if (rp_next_tok(&l, &t))
		return rp_fail(e, t.pos, "trailing garbage");
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(rp_parse_weight);

/**
 * rp_weight_lookup() - the weight of a cgroup
 * @tab: the weight table
 * @n: number of entries in @tab
 * @dflt: the weight when no entry applies
 * @cgpath: the cgroup's absolute path, NUL-terminated
 * @match: if not NULL, set to the index of the entry used, or -1
 *
 * The entry used is the deepest one whose path is @cgpath itself or one of
 * its ancestors, by whole components: "/a" applies to "/a" and "/a/b" but
 * not to "/ab", and "/" applies to every cgroup.  Among entries with the
 * same path the first one wins.
 *
 * Return: the weight of that entry, or @dflt if there is none.
 */
int rp_weight_lookup(const struct rp_weight_ent *tab, unsigned int n,
		     unsigned int dflt, const char *cgpath, int *match)
{
	unsigned int i, plen, best_len = 0;
	const char *path;
	int best = -1;

	for (i = 0; cgpath && i < n; i++) {
		path = tab[i].path;
		plen = strnlen(path, sizeof(tab[i].path));
		if (plen <= best_len || strncmp(cgpath, path, plen))
			continue;
		/* cgpath has at least plen characters: they matched */
		if (path[plen - 1] != '/' && cgpath[plen] != '\0' &&
		    cgpath[plen] != '/')
			continue;
		best = i;
		best_len = plen;
	}
	if (match)
		*match = best;
	return best < 0 ? (int)dflt : (int)tab[best].weight;
}
EXPORT_SYMBOL_IF_KUNIT(rp_weight_lookup);

/* ---- policy ---- */

/* The 128-bit product @a * @m as (*hi, *lo) */
static void rp_mul(u64 a, u32 m, u64 *hi, u64 *lo)
{
	u64 l = (a & 0xffffffffULL) * m;
	u64 h = (a >> 32) * m;

	*lo = l + (h << 32);
	*hi = (h >> 32) + (*lo < l);
}

/* @a * @m >= @b * @k, exactly */
static bool rp_mul_ge(u64 a, u32 m, u64 b, u32 k)
{
	u64 ahi, alo, bhi, blo;

	rp_mul(a, m, &ahi, &alo);
	rp_mul(b, k, &bhi, &blo);
	return ahi > bhi || (ahi == bhi && alo >= blo);
}

/* The policy order: higher score first, then lower address */
static bool rp_better(const struct rp_cand *a, const struct rp_cand *b)
{
	return a->score > b->score ||
	       (a->score == b->score && a->target < b->target);
}

static bool rp_in(const u64 *v, unsigned int n, u64 x)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static bool rp_cand_in(const struct rp_cand *v, unsigned int n, u64 x)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i].target == x)
			return true;
	return false;
}

/* The score of @target (its first entry in @cand), 0 if it has none */
static u64 rp_score_of(const struct rp_cand *cand, unsigned int nr_cand,
		       u64 target)
{
	unsigned int i;

	for (i = 0; i < nr_cand; i++)
		if (cand[i].target == target)
			return cand[i].score;
	return 0;
}

/* Index of the worst entry of @v among those flagged in @only (or all) */
static int rp_worst(const struct rp_cand *v, const bool *only, unsigned int n)
{
	unsigned int i;
	int w = -1;

	for (i = 0; i < n; i++) {
		if (only && !only[i])
			continue;
		if (w < 0 || rp_better(&v[w], &v[i]))
			w = i;
	}
	return w;
}

/* What rp_policy_decide() works on: its inputs and the targets chosen so far */
struct rp_decision {
	const struct rp_cand	*cand;
	unsigned int		nr_cand;
	u64			site_total;
	const u64		*cur;
	unsigned int		nr_cur;
	unsigned int		max, thr;	/* the clamped knobs */
	struct rp_cand		sel[RELPOLINE_MAX_TARGETS];
	bool			is_cur[RELPOLINE_MAX_TARGETS];	/* sel[i] is current */
	unsigned int		nr;
};

/* The current targets that stay (hysteresis: half the threshold), best @max */
static void rp_keep_current(struct rp_decision *d)
{
	struct rp_cand tmp;
	unsigned int i;
	int w;

	for (i = 0; i < d->nr_cur; i++) {
		tmp.target = d->cur[i];
		tmp.score = rp_score_of(d->cand, d->nr_cand, d->cur[i]);
		if (!tmp.score || rp_cand_in(d->sel, d->nr, d->cur[i]) ||
		    !rp_mul_ge(tmp.score, 200, d->site_total, d->thr))
			continue;
		d->is_cur[d->nr] = true;
		d->sel[d->nr++] = tmp;
	}
	while (d->nr > d->max) {
		w = rp_worst(d->sel, NULL, d->nr);
		d->sel[w] = d->sel[--d->nr];
	}
}

/* The best new qualifying target worse than @prev (NULL: the best), or NULL */
static const struct rp_cand *rp_next_new(const struct rp_decision *d,
					 const struct rp_cand *prev)
{
	const struct rp_cand *c, *best = NULL;
	unsigned int i;

	for (i = 0; i < d->nr_cand; i++) {
		c = &d->cand[i];
		if (!c->score || rp_in(d->cur, d->nr_cur, c->target) ||
		    (prev && !rp_better(prev, c)) ||
		    !rp_mul_ge(c->score, 100, d->site_total, d->thr))
			continue;
		if (!best || rp_better(c, best))
			best = c;
	}
	return best;
}

/*
 * New qualifying targets, best first, into the free slots; when none is
 * free, one displaces the weakest current target if 1.25x better.
 */
static void rp_add_new(struct rp_decision *d)
{
	const struct rp_cand *best = NULL;
	int w;

	while ((best = rp_next_new(d, best))) {
		if (rp_cand_in(d->sel, d->nr, best->target))
			continue;	/* a duplicate entry in @cand */
		if (d->nr < d->max) {
			d->is_cur[d->nr] = false;
			d->sel[d->nr++] = *best;
			continue;
		}
		w = rp_worst(d->sel, d->is_cur, d->nr);
		if (w < 0 || !rp_mul_ge(best->score, 4, d->sel[w].score, 5))
			break;
		d->is_cur[w] = false;
		d->sel[w] = *best;
	}
}

/* Are the chosen targets the current ones? */
static bool rp_same_set(const struct rp_decision *d)
{
	bool same = d->nr == d->nr_cur;
	unsigned int i;

	for (i = 0; same && i < d->nr; i++)
		same = rp_in(d->cur, d->nr_cur, d->sel[i].target);
	return same;
}

/* Insertion sort, best first */
static void rp_sort_best_first(struct rp_cand *sel, unsigned int nr)
{
	struct rp_cand tmp;
	unsigned int i, j;

	for (i = 1; i < nr; i++) {
		tmp = sel[i];
		for (j = i; j > 0 && rp_better(&tmp, &sel[j - 1]); j--)
			sel[j] = sel[j - 1];
		sel[j] = tmp;
	}
}

/**
 * rp_policy_decide() - choose the targets to promote at a call site
 * @cand: the targets observed at the site and their scores
 * @nr_cand: number of entries in @cand
 * @site_total: sum of the scores of every target of the site, including
 *	targets not in @cand
 * @site_samples: raw (unweighted) samples of the site since its targets
 *	last changed (the caller's evidence count, not decayed)
 * @cur: the currently promoted targets, in slot order
 * @nr_cur: number of entries in @cur (at most RELPOLINE_MAX_TARGETS are used)
 * @p: the policy; max_targets is clamped to 1..RELPOLINE_MAX_TARGETS and
 *	threshold_pct to 1..100
 * @out: the chosen targets (room for RELPOLINE_MAX_TARGETS)
 *
 * Scores are decayed, weighted sample counts (samples times the weight of
 * the sampled task's cgroup, so weight-0 samples count for nothing).
 *
 * - With fewer than @p->min_samples samples the current targets are kept
 *   as they are: no churn on too little data.
 * - Otherwise, with @site_total 0, nothing is promoted.
 * - A current target stays while it has at least half the threshold
 *   (score * 200 >= threshold_pct * site_total, score > 0): hysteresis.
 *   If more stay than @p->max_targets allows, the best ones are kept.
 * - A new target qualifies with score * 100 >= threshold_pct * site_total
 *   and score > 0.  New targets are taken best first (higher score, then
 *   lower address) into the free slots; when none is free, a new target
 *   displaces the weakest current one only if its score is at least 1.25
 *   times that one's (no flapping between close targets).
 * - If the chosen set is the current set, @out is @cur in its order, so a
 *   steady workload causes no repatching; otherwise @out is sorted best
 *   first.
 *
 * All comparisons are exact (no overflow) for any u64 scores.
 *
 * Return: the number of targets written to @out.
 */
unsigned int rp_policy_decide(const struct rp_cand *cand, unsigned int nr_cand,
			      u64 site_total, u64 site_samples,
			      const u64 *cur, unsigned int nr_cur,
			      const struct rp_policy *p, u64 *out)
{
	struct rp_decision d = {
		.cand = cand, .nr_cand = nr_cand, .site_total = site_total, .cur = cur,
	};
	unsigned int max, thr, i;

	if (nr_cur > RELPOLINE_MAX_TARGETS)
		nr_cur = RELPOLINE_MAX_TARGETS;
	if (site_samples < p->min_samples) {
		for (i = 0; i < nr_cur; i++)
			out[i] = cur[i];
		return nr_cur;
	}
	if (!site_total)
		return 0;
	max = p->max_targets;
	if (max < 1)
		max = 1;
	if (max > RELPOLINE_MAX_TARGETS)
		max = RELPOLINE_MAX_TARGETS;
	thr = p->threshold_pct;
	if (thr < 1)
		thr = 1;
	if (thr > 100)
		thr = 100;
	d.nr_cur = nr_cur;
	d.max = max;
	d.thr = thr;

	rp_keep_current(&d);
	rp_add_new(&d);
	if (rp_same_set(&d)) {
		for (i = 0; i < nr_cur; i++)
			out[i] = cur[i];
		return nr_cur;
	}
	rp_sort_best_first(d.sel, d.nr);
	for (i = 0; i < d.nr; i++)
		out[i] = d.sel[i].target;
	return d.nr;
}
EXPORT_SYMBOL_IF_KUNIT(rp_policy_decide);

/**
 * rp_decay() - age a score by one interval
 * @score: the score, halved in place
 *
 * Scores are aged once per sampling interval and the interval's weighted
 * samples added: score = score / 2 + new.  If every score of a site (and
 * its total) is aged so, then with a steady sample rate S the site's total
 * converges to 2S, and a target that takes a share f of the site's samples
 * from some interval on has, k intervals later, a score of about
 * f * S * (2 - 2^(1-k)), i.e. a share of f * (1 - 2^-k) of the total.
 * With the default threshold of 10% (RP_POLICY_DEFAULT_THRESHOLD_PCT) a new
 * hot target is therefore promoted within two intervals: after one interval
 * if f >= 20%, after two if f >= 13.4% (4/3 of the threshold), provided the
 * site has min_samples samples per window and a free slot (or the target
 * has 1.25 times the score of the weakest current target).  A target taking
 * exactly the threshold share approaches it without reaching it.
 */
void rp_decay(u64 *score)
{
	*score >>= 1;
}
EXPORT_SYMBOL_IF_KUNIT(rp_decay);

/**
 * rp_saved_cycles() - the cycles that promoted hits saved, estimated
 * @hits: calls that took a promoted target
 * @slow_x100: cycles of a call through the site's boot form, times 100
 * @hit_x100: cycles of a call that takes a promoted target, times 100
 *
 * Return: @hits * (@slow_x100 - @hit_x100) / 100, rounded down; 0 when a
 * hit costs as much as the slow path or more (nothing saved, never a
 * negative saving).
 */
u64 rp_saved_cycles(u64 hits, u64 slow_x100, u64 hit_x100)
{
	u64 per_hit = slow_x100 > hit_x100 ? slow_x100 - hit_x100 : 0;

	/* hits * per_hit / 100 without overflowing for any realistic count */
	return div64_u64(hits, 100) * per_hit + div64_u64((hits % 100) * per_hit, 100);
}
EXPORT_SYMBOL_IF_KUNIT(rp_saved_cycles);

/**
 * rp_saved_rate() - measure the rate of saved cycles over a window
 * @w: the window
 * @saved: saved cycles now (rp_saved_cycles() of the hits now)
 * @now_ms: now, on a monotonic clock
 * @counting: hits are being counted now
 * @epoch: changes whenever hit counting starts or stops or the counts are
 *	   reset
 *
 * A window opens when hits are counted and closes at the first call at
 * least RP_SAVED_MIN_WINDOW_MS later, which takes its rate and opens the
 * next one: whoever calls, the rate is that of a recent window of a
 * second or more. A change of @epoch, @counting false or a count that went
 * down (a reset) closes the window without a rate: hits that were not
 * counted, or counted before a reset, would make the rate wrong.
 */
void rp_saved_rate(struct rp_saved_win *w, u64 saved, u64 now_ms, bool counting,
		   unsigned int epoch)
{
	if (!counting || !w->open || w->epoch != epoch || saved < w->saved ||
	    now_ms < w->at_ms) {
		w->open = counting;
		w->have_rate = false;
		w->saved = saved;
		w->at_ms = now_ms;
		w->epoch = epoch;
		return;
	}
	if (now_ms - w->at_ms < RP_SAVED_MIN_WINDOW_MS)
		return;
	w->window_ms = now_ms - w->at_ms;
	w->rate = div64_u64((saved - w->saved) * 1000, w->window_ms);
	w->have_rate = true;
	w->saved = saved;
	w->at_ms = now_ms;
}
EXPORT_SYMBOL_IF_KUNIT(rp_saved_rate);

/**
 * rp_saved_share_ppm() - a rate of cycles as a share of one CPU
 * @rate: cycles per second
 * @khz: the clock those cycles count, in kHz (0: unknown)
 *
 * Return: the share in parts per million, 0 when @khz is 0.
 */
u64 rp_saved_share_ppm(u64 rate, u64 khz)
{
	return khz ? div64_u64(rate * 1000, khz) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(rp_saved_share_ppm);
