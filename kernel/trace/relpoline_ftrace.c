// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline: the tracefs interface.
 *
 * /sys/kernel/tracing/relpoline/ lets users enable relpoline, choose the
 * sites it manages (set_relpoline_filter), promote, pin, demote and block
 * sites (control), tune the policy, weigh cgroups, and read per-site state
 * (sites, available_sites, trace_stat/relpoline). See
 * Documentation/trace/relpoline.rst for the contract. The policy itself is
 * in relpoline_policy.c, trace_stat/relpoline in relpoline_stat.c.
 *
 * A write holds whole lines, and a write to a list file (control,
 * set_relpoline_filter, cgroup_weights) is parsed and checked whole before
 * anything changes: rp_walk_lines() feeds each line to the parsers of
 * relpoline_parse.c (whose header says why tracing's trace_parser does not
 * fit), and only then is the write applied. Knobs use kstrtouint() and
 * match_string().
 *
 * Locking: see relpoline_internal.h; the error-message table is protected
 * by relpoline_lock() too.
 */
#define pr_fmt(fmt) "relpoline: " fmt

#include <linux/cgroup.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <linux/tracefs.h>
#include <linux/uaccess.h>

#include "trace.h"
#include "relpoline_internal.h"

static struct dentry *rp_dir;

/* The values of the mode knob, by rp_policy_get(RPK_MODE) */
static const char * const rp_mode_names[] = { "auto", "manual" };

/* ---- error log ---- */

/*
 * Messages handed to tracing_log_err(), which keeps the pointer and takes
 * the index as a u8. relpoline_lock() held.
 */
static const char *rp_err_msgs[64] = { "invalid input" };
static unsigned int rp_nr_err_msgs = 1;
static_assert(ARRAY_SIZE(rp_err_msgs) <= U8_MAX + 1);

static void rp_log_err(const char *file, const char *cmd, const char *msg, unsigned int pos)
{
	char loc[40];
	u8 i;

	for (i = 0; i < rp_nr_err_msgs; i++)
		if (!strcmp(rp_err_msgs[i], msg))
			break;
	if (i == rp_nr_err_msgs) {
		if (rp_nr_err_msgs < ARRAY_SIZE(rp_err_msgs))
			rp_err_msgs[rp_nr_err_msgs++] = msg;
		else
			i = 0;
	}
	snprintf(loc, sizeof(loc), "relpoline/%s", file);
	tracing_log_err(NULL, loc, cmd, rp_err_msgs, i, min_t(unsigned int, pos, strlen(cmd)));
}

/* The error_log entry of a write whose text changes failed with @err. */
static void rp_log_sync_err(const char *file, const char *cmd, int err)
{
	const char *msg;

	switch (err) {
	case -EBUSY:
		msg = "a site is modified by someone else (kprobe?)";
		break;
	case -ENOSPC:
		msg = "no stub memory left";
		break;
	case -ENOMEM:
		msg = "out of memory";
		break;
	default:
		msg = "a site could not be patched";
	}
	rp_log_err(file, cmd, msg, 0);
}

/* ---- tracefs: generic helpers ---- */

#define RP_MAX_WRITE_KIB	64
#define RP_MAX_WRITE		(RP_MAX_WRITE_KIB * 1024)

/*
 * Copy a write from user space, NUL-terminated. An empty write changes
 * nothing (NULL: the caller returns 0); one over RP_MAX_WRITE is an error.
 */
static char *rp_get_user(const char *file, const char __user *ubuf, size_t cnt)
{
	if (!cnt)
		return NULL;
	if (cnt > RP_MAX_WRITE) {
		rp_log_err(file, "", "write too long (" __stringify(RP_MAX_WRITE_KIB) " KiB max)",
			   0);
		return ERR_PTR(-EINVAL);
	}
	return memdup_user_nul(ubuf, cnt);
}

/*
 * Call @fn for each line of the @cnt bytes at @buf, a write from
 * rp_get_user(), with its length: lines end at '\n' or at the end of the
 * write, and are NUL-terminated in place for error_log (the length says
 * where the line ends: a NUL inside is the parsers' "bad character").
 * Stops at the first error @fn returns.
 *
 * tracing's trace_parse_run_command() splits a write into lines too, but
 * runs each line as it goes, 4 KiB at a time: relpoline checks every line
 * of a write before it changes anything.
 */
static int rp_walk_lines(char *buf, size_t cnt,
			 int (*fn)(char *line, unsigned int len, void *data), void *data)
{
	char *p, *nl;
	int ret;

	for (p = buf; p < buf + cnt; p = nl + 1) {
		nl = memchr(p, '\n', buf + cnt - p);
		if (!nl)
			nl = buf + cnt;
		*nl = '\0';
		ret = fn(p, nl - p, data);
		if (ret)
			return ret;
	}
	return 0;
}

static int rp_open_check(struct inode *inode, struct file *filp)
{
	return tracing_check_open_get_tr(NULL);
}

/**
 * rp_printf() - append to a text buffer
 * @t: the buffer: a seq_file, or a buffer that grows (truncated if @t->fixed)
 * @fmt: the format, and its arguments
 *
 * When the buffer cannot grow, it is freed and @t->buf is NULL: the
 * caller fails with -ENOMEM.
 */
__printf(2, 3) void rp_printf(struct rp_text *t, const char *fmt, ...)
{
	size_t size;
	va_list ap;
	char *buf;
	int n;

	if (t->seq) {
		va_start(ap, fmt);
		seq_vprintf(t->seq, fmt, ap);
		va_end(ap);
		return;
	}
	if (!t->buf)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
		va_end(ap);
		if (t->len + n < t->size)
			break;
		if (t->fixed) {
			t->len = t->size - 1;
			return;
		}
		size = max(t->size * 2, t->len + n + 1);
		buf = kvrealloc(t->buf, size, GFP_KERNEL);
		if (!buf) {
			kvfree(t->buf);
			t->buf = NULL;
			return;
		}
		t->buf = buf;
		t->size = size;
	}
	t->len += n;
}

static ssize_t rp_text_read(struct file *filp, char __user *ubuf, size_t cnt, loff_t *ppos)
{
	struct rp_text *t = filp->private_data;

	return simple_read_from_buffer(ubuf, cnt, ppos, t->buf, t->len);
}

static int rp_text_release(struct inode *inode, struct file *filp)
{
	struct rp_text *t = filp->private_data;

	if (t) {
		kvfree(t->buf);
		kfree(t);
	}
	return 0;
}

static struct rp_text *rp_text_new(void)
{
	struct rp_text *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->size = PAGE_SIZE;
	t->buf = kvmalloc(t->size, GFP_KERNEL);
	if (!t->buf) {
		kfree(t);
		return NULL;
	}
	t->buf[0] = 0;
	return t;
}

/* Open a read-only snapshot of @fill's text, built under relpoline_lock(). */
static int rp_text_open(struct inode *inode, struct file *filp,
			void (*fill)(struct rp_text *t))
{
	struct rp_text *t;
	int ret = rp_open_check(inode, filp);

	if (ret)
		return ret;
	t = rp_text_new();
	if (!t)
		return -ENOMEM;
	relpoline_lock();
	fill(t);
	relpoline_unlock();
	if (!t->buf) {
		kfree(t);
		return -ENOMEM;
	}
	filp->private_data = t;
	return 0;
}

/**
 * rp_print_target() - print a call target by name
 * @t: where to print
 * @addr: the target, a function entry
 *
 * Prints "symbol" or "symbol[module]", and "?" when kallsyms has no symbol
 * that starts at @addr: addresses are never printed.
 */
void rp_print_target(struct rp_text *t, unsigned long addr)
{
	char name[KSYM_NAME_LEN];
	unsigned long size, off;
	char *mod = NULL;

	if (!kallsyms_lookup(addr, &size, &off, &mod, name) || off)
		rp_printf(t, "?");
	else if (mod)
		rp_printf(t, "%s[%s]", name, mod);
	else
		rp_printf(t, "%s", name);
}

static const char *rp_form_name(struct relpoline_site *s)
{
	return s->form == RELPOLINE_FORM_CALL ? "call" :
	       s->form == RELPOLINE_FORM_JMP ? "jmp" : "jcc";
}

static const char * const rp_reg_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/**
 * rp_print_site() - print a site: "id site module form reg"
 * @t: where to print
 * @s: the site
 *
 * The site is "function+0xOFF/0xSIZE", or "?" when kallsyms cannot name its
 * function: addresses are never printed. The module is "-" for vmlinux.
 */
void rp_print_site(struct rp_text *t, struct relpoline_site *s)
{
	char name[KSYM_NAME_LEN];
	unsigned long off, size;
	const char *mod = NULL;

	if (rp_site_func(s, name, &off, &size, &mod))
		rp_printf(t, "%u %s+0x%lx/0x%lx %s %s %s", s->id, name, off, size,
			  mod ? mod : "-", rp_form_name(s), rp_reg_names[s->reg & 15]);
	else
		rp_printf(t, "%u ? %s %s %s", s->id, s->mod ? module_name(s->mod) : "-",
			  rp_form_name(s), rp_reg_names[s->reg & 15]);
}

/* ---- sites, available_sites ---- */

static void rp_show_site(struct relpoline_site *s, struct rp_text *t)
{
	unsigned long tg[RELPOLINE_MAX_TARGETS];
	u64 th[RELPOLINE_MAX_TARGETS], hits, misses;
	unsigned int n, i;

	if (!s->stub && !s->busy && !rp_site_managed(s))
		return;
	relpoline_site_counts(s, &hits, &misses);
	n = relpoline_site_targets(s, tg, th);
	rp_print_site(t, s);
	rp_printf(t, " %s %llu %llu", rp_state_names[rp_site_state(s)], hits, misses);
	for (i = 0; i < n; i++) {
		rp_printf(t, " ");
		rp_print_target(t, tg[i]);
		rp_printf(t, ":%llu", th[i]);
	}
	rp_printf(t, "\n");
}

static void rp_fill_sites(struct rp_text *t)
{
	struct relpoline_site_iter it = {};
	struct relpoline_site *s;

	rp_printf(t, "# relpoline: %s, mode %s, max_targets %u, profile %d\n",
		  rp_policy_get(RPK_ENABLE) ? "enabled" : "disabled",
		  rp_mode_names[rp_policy_get(RPK_MODE)], rp_policy_get(RPK_MAX_TARGETS),
		  rp_policy_get(RPK_PROFILE));
	rp_printf(t, "# id site module form reg state hits misses targets...\n");
	while ((s = relpoline_next_site(&it)))
		rp_show_site(s, t);
}

static int rp_sites_open(struct inode *inode, struct file *filp)
{
	return rp_text_open(inode, filp, rp_fill_sites);
}

static const struct file_operations rp_sites_fops = {
	.open = rp_sites_open,
	.read = rp_text_read,
	.llseek = default_llseek,
	.release = rp_text_release,
};

static int rp_show_avail(struct relpoline_site *s, void *data)
{
	if (s->refused)
		return 0;
	rp_print_site(data, s);
	rp_printf(data, "\n");
	return 0;
}

static void rp_fill_avail(struct rp_text *t)
{
	rp_printf(t, "# id site module form reg\n");
	relpoline_walk_sites(rp_show_avail, t);
}

static int rp_avail_open(struct inode *inode, struct file *filp)
{
	return rp_text_open(inode, filp, rp_fill_avail);
}

static const struct file_operations rp_avail_fops = {
	.open = rp_avail_open,
	.read = rp_text_read,
	.llseek = default_llseek,
	.release = rp_text_release,
};

/* ---- control ---- */

static struct relpoline_site *rp_resolve_site(struct rp_site_ref *ref, const char **msg)
{
	struct relpoline_site *site = NULL;
	unsigned long a;

	switch (ref->kind) {
	case RP_REF_ID:
		site = ref->val <= UINT_MAX ? relpoline_find_site_id(ref->val) : NULL;
		break;
	case RP_REF_ADDR:
		site = relpoline_find_site(ref->val);
		break;
	case RP_REF_SYM:
		a = kallsyms_lookup_name(ref->sym);
		if (!a)
			a = module_kallsyms_lookup_name(ref->sym);
		site = a ? relpoline_find_site(a + ref->off) : NULL;
		break;
	}
	*msg = "no such site";
	/* A module's sites exist for commands only while it is live. */
	if (site && site->mod && READ_ONCE(site->mod->state) != MODULE_STATE_LIVE)
		return NULL;
	return site;
}

static int rp_resolve_target(struct rp_target_ref *ref, unsigned long *out, const char **msg)
{
	char buf[MODULE_NAME_LEN + KSYM_NAME_LEN + 2];
	unsigned long a;

	if (ref->kind == RP_REF_ADDR) {
		a = ref->addr;
	} else if (ref->mod[0]) {
		snprintf(buf, sizeof(buf), "%s:%s", ref->mod, ref->sym);
		a = module_kallsyms_lookup_name(buf);
	} else {
		a = kallsyms_lookup_name(ref->sym);
	}
	if (!a && ref->kind != RP_REF_ADDR) {
		*msg = "no such target";
		return -ENOENT;
	}
	if (ref->kind != RP_REF_ADDR)	/* FineIBT: the function's preamble */
		a = relpoline_target_entry(a);
	*msg = relpoline_target_refusal(a);
	if (*msg)
		return -EINVAL;
	*out = a;
	return 0;
}

/* One command of a control write: parsed, then resolved by rp_check_cmd() */
struct rp_line {
	struct rp_cmd		cmd;
	struct relpoline_site	*site;
	unsigned long		targets[RELPOLINE_MAX_TARGETS];
	const char		*text;
};

/* The commands of a control write */
#define RP_MAX_CMDS	128

struct rp_cmds {
	struct rp_line	*lines;		/* RP_MAX_CMDS of them */
	unsigned int	nr;
};

/* Resolve and check the site of a command; @pos is set to its column. */
static int rp_check_site(struct rp_line *l, const char **msg, unsigned int *pos)
{
	struct rp_cmd *c = &l->cmd;

	*pos = c->site.pos;
	l->site = rp_resolve_site(&c->site, msg);
	if (!l->site)
		return -ENOENT;
	if (l->site->refused) {
		*msg = "site cannot be managed";
		return -EINVAL;
	}
	if (rp_policy_prepare(l->site)) {
		*msg = "out of memory";
		return -ENOMEM;
	}
	if ((c->op == RP_CMD_PROMOTE || c->op == RP_CMD_PIN || c->op == RP_CMD_DEMOTE ||
	     c->op == RP_CMD_RETRAIN) && !rp_selected(l->site)) {
		*msg = "site is not selected by set_relpoline_filter";
		return -EINVAL;
	}
	/*
	 * Not an error here: a busy site gets its new policy state and is
	 * patched once its other user is gone (the write then fails with
	 * EBUSY, see rp_control_apply()). A stale busy mark (the kprobe has
	 * gone since) is dropped.
	 */
	relpoline_site_recheck_busy(l->site);
	return 0;
}

/*
 * Resolve the targets of a command into l->targets, distinct function
 * entries; on error @pos is set to the column of the culprit.
 */
static int rp_check_targets(struct rp_line *l, const char **msg, unsigned int *pos)
{
	struct rp_cmd *c = &l->cmd;
	unsigned int i, j;
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(l->targets) != ARRAY_SIZE(c->targets));
	for (i = 0; i < c->nr_targets; i++) {
		ret = rp_resolve_target(&c->targets[i], &l->targets[i], msg);
		for (j = 0; !ret && j < i; j++) {
			if (l->targets[j] == l->targets[i]) {
				*msg = "duplicate target";
				ret = -EINVAL;
			}
		}
		if (ret) {
			*pos = c->targets[i].pos;
			return ret;
		}
	}
	return 0;
}

/* Validate one parsed command against the current state. */
static int rp_check_cmd(struct rp_line *l, const char **msg, unsigned int *pos)
{
	struct rp_cmd *c = &l->cmd;
	int ret;

	*pos = 0;
	if (c->op == RP_CMD_RESET)
		return 0;
	if (!rp_policy_get(RPK_ENABLE) && c->op != RP_CMD_BLOCK && c->op != RP_CMD_UNBLOCK) {
		*msg = "relpoline is disabled (write 1 to enable)";
		return -ENODEV;
	}
	if (c->has_site) {
		ret = rp_check_site(l, msg, pos);
		if (ret)
			return ret;
	}
	return rp_check_targets(l, msg, pos);
}

/* Parse one line of a control write into the next command, if it holds one. */
static int rp_control_parse(char *text, unsigned int len, void *data)
{
	struct rp_cmds *c = data;
	struct rp_line *l = &c->lines[c->nr];
	struct rp_parse_err e;
	int ret;

	if (c->nr == RP_MAX_CMDS) {
		rp_log_err("control", "",
			   "too many commands in one write (" __stringify(RP_MAX_CMDS) " max)", 0);
		return -EINVAL;
	}
	ret = rp_parse_cmd(text, len, &l->cmd, &e);
	if (ret < 0) {
		rp_log_err("control", text, e.msg, e.pos);
		return ret;
	}
	if (ret == 0) {
		l->text = text;
		c->nr++;
	}
	return 0;
}

/* Check every command against the current state; nothing changes. */
static int rp_control_check(struct rp_cmds *c)
{
	unsigned int i, pos;
	const char *msg;
	int ret;

	for (i = 0; i < c->nr; i++) {
		ret = rp_check_cmd(&c->lines[i], &msg, &pos);
		if (ret) {
			rp_log_err("control", c->lines[i].text, msg, pos);
			return ret;
		}
	}
	return 0;
}

/* Apply every command to the policy, then the text they ask for as one batch. */
static int rp_control_apply(struct rp_cmds *c)
{
	struct rp_line *l;
	unsigned int i;
	int ret;

	for (i = 0; i < c->nr; i++) {
		l = &c->lines[i];
		rp_policy_command(l->cmd.op, l->site, l->targets, l->cmd.nr_targets);
	}
	ret = rp_policy_sync();
	/* A command on a busy site is kept for later, and reported. */
	for (i = 0; i < c->nr; i++)
		if (c->lines[i].site && c->lines[i].site->busy)
			break;
	if (i < c->nr && (!ret || ret == -EBUSY)) {
		ret = -EBUSY;
		rp_log_err("control", c->lines[i].text,
			   "site is modified by someone else (kprobe?)", c->lines[i].cmd.site.pos);
	} else if (ret) {
		rp_log_sync_err("control", c->nr ? c->lines[0].text : "", ret);
	}
	return ret;
}

/* A bad line rejects the whole write: parse all, check all, then apply. */
static ssize_t rp_control_write(struct file *filp, const char __user *ubuf, size_t cnt,
				loff_t *ppos)
{
	struct rp_cmds c = {};
	char *buf;
	int ret;

	buf = rp_get_user("control", ubuf, cnt);
	if (IS_ERR_OR_NULL(buf))
		return PTR_ERR_OR_ZERO(buf);
	c.lines = kvcalloc(RP_MAX_CMDS, sizeof(*c.lines), GFP_KERNEL);
	if (!c.lines) {
		kfree(buf);
		return -ENOMEM;
	}
	relpoline_lock();
	ret = rp_walk_lines(buf, cnt, rp_control_parse, &c);
	if (!ret)
		ret = rp_control_check(&c);
	if (!ret)
		ret = rp_control_apply(&c);
	relpoline_unlock();
	kvfree(c.lines);
	kfree(buf);
	return ret ? ret : cnt;
}

static const struct file_operations rp_control_fops = {
	.open = rp_open_check,
	.write = rp_control_write,
	.llseek = noop_llseek,
};

/* ---- knobs ---- */

static const struct {
	const char	*name;
	unsigned int	min, max;
	const char	*range;		/* the error message */
} rp_knobs[RPK_NR_KNOBS] = {
	[RPK_ENABLE] = { "enable", 0, 1, "enable is 0 or 1" },
	[RPK_MODE] = { "mode", 0, 1, "mode is auto or manual" },
	[RPK_MAX_TARGETS] = { "max_targets", 1, RELPOLINE_MAX_TARGETS,
			      "max_targets is 1.." __stringify(RELPOLINE_MAX_TARGETS) },
	[RPK_INTERVAL] = { "interval_ms", 10, 60000, "interval_ms is 10..60000" },
	[RPK_MIN_SAMPLES] = { "min_samples", 1, 1000000, "min_samples is 1..1000000" },
	[RPK_THRESHOLD] = { "threshold_pct", 1, 100, "threshold_pct is 1..100" },
	[RPK_SAMPLE_PERIOD] = { "sample_period", 1, 1000000, "sample_period is 1..1000000" },
	[RPK_PROFILE] = { "profile", 0, 1, "profile is 0 or 1" },
};

static ssize_t rp_knob_read(struct file *filp, char __user *ubuf, size_t cnt, loff_t *ppos)
{
	enum rp_knob k = (long)filp->private_data;
	unsigned int v;
	char buf[32];
	int len;

	relpoline_lock();
	v = rp_policy_get(k);
	relpoline_unlock();
	if (k == RPK_MODE)
		len = snprintf(buf, sizeof(buf), "%s\n", rp_mode_names[v]);
	else
		len = snprintf(buf, sizeof(buf), "%u\n", v);
	return simple_read_from_buffer(ubuf, cnt, ppos, buf, len);
}

/* A knob's value: auto or manual for mode, else a number in its range. */
static int rp_knob_parse(enum rp_knob k, const char *s, unsigned int *v)
{
	int i;

	if (k == RPK_MODE) {
		i = match_string(rp_mode_names, ARRAY_SIZE(rp_mode_names), s);
		if (i < 0)
			return -EINVAL;
		*v = i;
		return 0;
	}
	if (kstrtouint(s, 10, v) || *v < rp_knobs[k].min || *v > rp_knobs[k].max)
		return -EINVAL;
	return 0;
}

static ssize_t rp_knob_write(struct file *filp, const char __user *ubuf, size_t cnt,
			     loff_t *ppos)
{
	enum rp_knob k = (long)filp->private_data;
	const char *name = rp_knobs[k].name;
	unsigned int v;
	char *buf, *s;
	int ret;

	/* Unlike the list files, a knob needs a value (like tracing_on). */
	if (!cnt) {
		rp_log_err(name, "", "empty write: a value is needed", 0);
		return -EINVAL;
	}
	buf = rp_get_user(name, ubuf, cnt);
	if (IS_ERR_OR_NULL(buf))
		return PTR_ERR_OR_ZERO(buf);
	s = strim(buf);
	relpoline_lock();
	ret = rp_knob_parse(k, s, &v);
	if (ret) {
		rp_log_err(name, s, rp_knobs[k].range, 0);
	} else {
		/* Only enable and profile patch text, and can fail. */
		ret = rp_policy_set(k, v);
		if (ret)
			rp_log_sync_err(name, s, ret);
	}
	relpoline_unlock();
	kfree(buf);
	return ret ? ret : cnt;
}

static int rp_knob_open(struct inode *inode, struct file *filp)
{
	filp->private_data = inode->i_private;
	return rp_open_check(inode, filp);
}

static const struct file_operations rp_knob_fops = {
	.open = rp_knob_open,
	.read = rp_knob_read,
	.write = rp_knob_write,
	.llseek = default_llseek,
};

/* ---- profile_hold ---- */

/*
 * Hits are counted while profile is 1 or while any file descriptor opened
 * for writing on profile_hold is open: a viewer holds profiling for as
 * long as it runs, even when killed, and two viewers never switch it off
 * under each other. Reading shows the number of holders and holds nothing.
 */
static int rp_hold_open(struct inode *inode, struct file *filp)
{
	int ret = rp_open_check(inode, filp);

	if (ret || !(filp->f_mode & FMODE_WRITE))
		return ret;
	relpoline_lock();
	ret = rp_policy_hold_profile(true);
	if (ret)
		rp_log_sync_err("profile_hold", "open", ret);
	relpoline_unlock();
	return ret;
}

static int rp_hold_release(struct inode *inode, struct file *filp)
{
	int ret;

	if (!(filp->f_mode & FMODE_WRITE))
		return 0;
	relpoline_lock();
	ret = rp_policy_hold_profile(false);
	if (ret)
		rp_log_sync_err("profile_hold", "close", ret);
	relpoline_unlock();
	return 0;
}

static ssize_t rp_hold_read(struct file *filp, char __user *ubuf, size_t cnt, loff_t *ppos)
{
	char buf[16];
	int len;

	relpoline_lock();
	len = snprintf(buf, sizeof(buf), "%u\n", rp_policy_profile_holders());
	relpoline_unlock();
	return simple_read_from_buffer(ubuf, cnt, ppos, buf, len);
}

/* A holder writes nothing: keeping the descriptor open is the request. */
static ssize_t rp_hold_write(struct file *filp, const char __user *ubuf, size_t cnt,
			     loff_t *ppos)
{
	if (!cnt)
		return 0;
	rp_log_err("profile_hold", "", "nothing to write: keep it open to hold", 0);
	return -EINVAL;
}

static const struct file_operations rp_hold_fops = {
	.open = rp_hold_open,
	.read = rp_hold_read,
	.write = rp_hold_write,
	.release = rp_hold_release,
	.llseek = default_llseek,
};

/* ---- set_relpoline_filter ---- */

static void rp_fill_filter(struct rp_text *t)
{
	const struct rp_filter_pat *pats;
	unsigned int i, nr = rp_policy_filter(&pats);

	if (!nr)
		rp_printf(t, "#### all sites enabled ####\n");
	for (i = 0; i < nr; i++) {
		const struct rp_filter_pat *p = &pats[i];

		rp_printf(t, "%s%s", p->negate ? "!" : "", p->mod_only ? "" : p->glob);
		if (p->mod[0])
			rp_printf(t, ":mod:%s", p->mod);
		rp_printf(t, "\n");
	}
}

/*
 * Open a list file (set_relpoline_filter, cgroup_weights): a read snapshot
 * if opened for reading, and for writing whether the first write replaces
 * the list ("> file") or adds to it (">> file"). The VFS clears O_TRUNC from
 * f_flags once ->open() returns, so it is recorded here.
 */
static int rp_list_open(struct inode *inode, struct file *filp,
			void (*fill)(struct rp_text *t))
{
	struct rp_text *t;
	int ret;

	if (filp->f_mode & FMODE_READ) {
		ret = rp_text_open(inode, filp, fill);
		if (ret)
			return ret;
	} else {
		ret = rp_open_check(inode, filp);
		if (ret)
			return ret;
		filp->private_data = kzalloc(sizeof(*t), GFP_KERNEL);
		if (!filp->private_data)
			return -ENOMEM;
	}
	t = filp->private_data;
	t->replace = (filp->f_mode & FMODE_WRITE) && (filp->f_flags & O_TRUNC) &&
		     !(filp->f_flags & O_APPEND);
	return 0;
}

/* "> file" replaces with the first write, ">> file" appends. */
static bool rp_replacing(struct file *filp, loff_t *ppos)
{
	struct rp_text *t = filp->private_data;

	return *ppos == 0 && t->replace;
}

/* The patterns of a set_relpoline_filter write */
#define RP_MAX_FILTER	256
#define RP_FILTER_FULL	"too many patterns (" __stringify(RP_MAX_FILTER) " max)"

struct rp_filter_write {
	struct rp_filter_pat	*pats;		/* RP_MAX_FILTER of them */
	unsigned int		nr;
};

/* Parse one line of a filter write into the next pattern, if it holds one. */
static int rp_filter_parse(char *text, unsigned int len, void *data)
{
	struct rp_filter_write *f = data;
	struct rp_parse_err e;
	int ret;

	if (f->nr == RP_MAX_FILTER) {
		rp_log_err("set_relpoline_filter", "", RP_FILTER_FULL, 0);
		return -EINVAL;
	}
	ret = rp_parse_filter(text, len, &f->pats[f->nr], &e);
	if (ret < 0) {
		rp_log_err("set_relpoline_filter", text, e.msg, e.pos);
		return ret;
	}
	if (ret == 0)
		f->nr++;
	return 0;
}

/*
 * Install the new filter, after the old patterns when appending, and sync
 * every site; @text is the write, for error_log.
 */
static int rp_filter_apply(struct rp_filter_write *f, bool append, const char *text)
{
	const struct rp_filter_pat *old = NULL;
	unsigned int old_nr = append ? rp_policy_filter(&old) : 0;
	struct rp_filter_pat *n;
	int ret;

	if (old_nr + f->nr > RP_MAX_FILTER) {
		rp_log_err("set_relpoline_filter", "", RP_FILTER_FULL, 0);
		return -EINVAL;
	}
	n = kvcalloc(RP_MAX_FILTER, sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	if (old_nr)
		memcpy(n, old, old_nr * sizeof(*n));
	memcpy(n + old_nr, f->pats, f->nr * sizeof(*n));
	ret = rp_policy_set_filter(n, old_nr + f->nr);
	if (ret)
		rp_log_sync_err("set_relpoline_filter", text, ret);
	return ret;
}

static ssize_t rp_filter_write(struct file *filp, const char __user *ubuf, size_t cnt,
			       loff_t *ppos)
{
	bool append = !rp_replacing(filp, ppos);
	struct rp_filter_write f = {};
	char *buf;
	int ret;

	buf = rp_get_user("set_relpoline_filter", ubuf, cnt);
	if (IS_ERR_OR_NULL(buf))
		return PTR_ERR_OR_ZERO(buf);
	f.pats = kvcalloc(RP_MAX_FILTER, sizeof(*f.pats), GFP_KERNEL);
	if (!f.pats) {
		kfree(buf);
		return -ENOMEM;
	}
	relpoline_lock();
	ret = rp_walk_lines(buf, cnt, rp_filter_parse, &f);
	if (!ret)
		ret = rp_filter_apply(&f, append, buf);
	relpoline_unlock();
	kvfree(f.pats);
	kfree(buf);
	if (ret)
		return ret;
	*ppos += cnt;
	return cnt;
}

static int rp_filter_fopen(struct inode *inode, struct file *filp)
{
	return rp_list_open(inode, filp, rp_fill_filter);
}

static const struct file_operations rp_filter_fops = {
	.open = rp_filter_fopen,
	.read = rp_text_read,
	.write = rp_filter_write,
	.llseek = default_llseek,
	.release = rp_text_release,
};

/* ---- cgroup_weights ---- */

static void rp_fill_weights(struct rp_text *t)
{
	const struct rp_weight_table *wt = rp_policy_weights();
	struct cgroup *cg;
	unsigned int i;

	rp_printf(t, "# path weight samples\n");
	for (i = 0; i < wt->nr; i++) {
		const struct rp_weight *w = &wt->ent[i];
		bool gone;

		cg = cgroup_get_from_id(w->id);
		gone = IS_ERR(cg);
		if (!gone)
			cgroup_put(cg);
		rp_printf(t, "%s %u %llu%s\n", w->path, w->weight, w->samples,
			  gone ? " (deleted)" : "");
	}
	rp_printf(t, "* %u %llu\n", wt->dflt, wt->dflt_samples);
}

static int rp_weights_open(struct inode *inode, struct file *filp)
{
	return rp_list_open(inode, filp, rp_fill_weights);
}

/* Index of @path's entry in @wt, or wt->nr */
static unsigned int rp_weights_find(const struct rp_weight_table *wt, const char *path)
{
	unsigned int i;

	for (i = 0; i < wt->nr; i++)
		if (!strcmp(wt->ent[i].path, path))
			break;
	return i;
}

/* "!PATH": remove its entry from @wt; @text is the line, for error_log */
static int rp_weights_remove(struct rp_weight_table *wt, const char *text, const char *path)
{
	unsigned int i = rp_weights_find(wt, path);

	if (i == wt->nr) {
		rp_log_err("cgroup_weights", text, "no such entry", 1);
		return -ENOENT;
	}
	for (; i + 1 < wt->nr; i++)
		wt->ent[i] = wt->ent[i + 1];
	wt->nr--;
	return 0;
}

/* "PATH WEIGHT": add or update the entry of an existing cgroup in @wt */
static int rp_weights_set(struct rp_weight_table *wt, const char *text,
			  const struct rp_weight_line *wl)
{
	unsigned int i = rp_weights_find(wt, wl->path);
	struct cgroup *cg;

	cg = cgroup_get_from_path(wl->path);
	if (IS_ERR(cg)) {
		rp_log_err("cgroup_weights", text, "no such cgroup (cgroup v2 path)", 0);
		return -ENOENT;
	}
	if (i == wt->nr) {
		if (wt->nr == RP_MAX_WEIGHTS) {
			cgroup_put(cg);
			rp_log_err("cgroup_weights", text,
				   "too many entries (" __stringify(RP_MAX_WEIGHTS) " max)", 0);
			return -EINVAL;
		}
		wt->nr++;
		wt->ent[i].samples = 0;
	}
	wt->ent[i].id = cgroup_id(cg);
	strscpy(wt->ent[i].path, wl->path, sizeof(wt->ent[i].path));
	wt->ent[i].weight = wl->weight;
	cgroup_put(cg);
	return 0;
}

/* A cgroup_weights write: the table it builds, and room for one line */
struct rp_weights_write {
	struct rp_weight_table	wt;
	struct rp_weight_line	wl;
};

/* Parse one line of a weights write and apply it to the copy of the table. */
static int rp_weights_line(char *text, unsigned int len, void *data)
{
	struct rp_weights_write *w = data;
	struct rp_parse_err e;
	int ret;

	ret = rp_parse_weight(text, len, &w->wl, &e);
	if (ret < 0) {
		rp_log_err("cgroup_weights", text, e.msg, e.pos);
		return ret;
	}
	if (ret == 1)
		return 0;
	if (w->wl.is_default) {
		w->wt.dflt = w->wl.weight;
		return 0;
	}
	if (w->wl.remove)
		return rp_weights_remove(&w->wt, text, w->wl.path);
	return rp_weights_set(&w->wt, text, &w->wl);
}

/*
 * The lines are applied in order to a copy of the table ("> file": an
 * empty one with the default weight 1), installed only if all succeed: a
 * failed write changes nothing.
 */
static ssize_t rp_weights_write(struct file *filp, const char __user *ubuf, size_t cnt,
				loff_t *ppos)
{
	struct rp_weights_write *w;
	char *buf;
	int ret;

	buf = rp_get_user("cgroup_weights", ubuf, cnt);
	if (IS_ERR_OR_NULL(buf))
		return PTR_ERR_OR_ZERO(buf);
	w = kvmalloc(sizeof(*w), GFP_KERNEL);
	if (!w) {
		kfree(buf);
		return -ENOMEM;
	}
	relpoline_lock();
	w->wt = *rp_policy_weights();
	if (rp_replacing(filp, ppos)) {
		w->wt.nr = 0;
		w->wt.dflt = 1;
	}
	ret = rp_walk_lines(buf, cnt, rp_weights_line, w);
	if (!ret)
		rp_policy_set_weights(&w->wt);
	relpoline_unlock();
	kvfree(w);
	kfree(buf);
	if (ret)
		return ret;
	*ppos += cnt;
	return cnt;
}

static const struct file_operations rp_weights_fops = {
	.open = rp_weights_open,
	.read = rp_text_read,
	.write = rp_weights_write,
	.llseek = default_llseek,
	.release = rp_text_release,
};

/* ---- init ---- */

static __init int rp_init_tracefs(void)
{
	int i;

	if (relpoline_unavailable())
		return 0;
	if (tracing_init_dentry())
		return 0;
	rp_dir = tracefs_create_dir("relpoline", NULL);
	if (!rp_dir) {
		pr_warn("could not create tracefs directory\n");
		return -ENOMEM;
	}
	for (i = 0; i < ARRAY_SIZE(rp_knobs); i++)
		trace_create_file(rp_knobs[i].name, TRACE_MODE_WRITE, rp_dir,
				  (void *)(long)i, &rp_knob_fops);
	trace_create_file("sites", TRACE_MODE_READ, rp_dir, NULL, &rp_sites_fops);
	trace_create_file("available_sites", TRACE_MODE_READ, rp_dir, NULL, &rp_avail_fops);
	trace_create_file("control", 0200, rp_dir, NULL, &rp_control_fops);
	trace_create_file("profile_hold", TRACE_MODE_WRITE, rp_dir, NULL, &rp_hold_fops);
	trace_create_file("set_relpoline_filter", TRACE_MODE_WRITE, rp_dir, NULL,
			  &rp_filter_fops);
	trace_create_file("cgroup_weights", TRACE_MODE_WRITE, rp_dir, NULL, &rp_weights_fops);
	return rp_policy_init();
}
late_initcall(rp_init_tracefs);
