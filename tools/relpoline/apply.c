// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline apply [--check] FILE: a relpoline.conf, checked whole, then
 * applied in a fixed order: knobs and mode (as written), the filter (one
 * replacing write), the cgroup weights (one replacing write), blocks,
 * and enable/disable last, so that the policy starts with the settings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum step { S_KNOB, S_FILTER, S_CGROUP, S_CONTROL, S_ENABLE, S_NR };

struct conf {
	const char *file;
	struct obuf text[S_NR];		/* what to write, per step */
	struct obuf knobs;		/* "FILE\tVALUE\n" per knob line */
	bool has[S_NR];
	int enable;			/* -1: not set */
};

static int conf_err(const struct conf *c, unsigned int line, const char *fmt, const char *arg)
{
	fprintf(stderr, "relpoline apply: %s:%u: ", c->file, line);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return -1;
}

static bool valid_weight_path(const char *p)
{
	if (!strcmp(p, "*"))
		return true;
	if (p[0] != '/' || strlen(p) > 255)
		return false;
	return !strpbrk(p, "!> \t");
}

/* one line, split into words; records what it asks for */
static int conf_line(struct conf *c, unsigned int line, int n, char **w)
{
	const struct rp_knob *k;
	long long v;

	if (!strcmp(w[0], "set") && n == 3) {
		k = rp_knob_find(w[1]);
		if (!k)
			return conf_err(c, line, "unknown knob '%s'", w[1]);
		if (!parse_long_arg(w[2], &v) || v < k->min || v > k->max)
			return conf_err(c, line, "bad value for %s (see 'relpoline help set')", k->name);
		ob_printf(&c->knobs, "%s\t%lld\n", k->name, v);
	} else if (!strcmp(w[0], "mode") && n == 2) {
		if (strcmp(w[1], "auto") && strcmp(w[1], "manual"))
			return conf_err(c, line, "unknown mode '%s' (auto or manual)", w[1]);
		ob_printf(&c->knobs, "mode\t%s\n", w[1]);
	} else if (!strcmp(w[0], "filter") && n >= 2) {
		for (int i = 1; i < n; i++)
			ob_printf(&c->text[S_FILTER], "%s\n", w[i]);
		c->has[S_FILTER] = true;
	} else if (!strcmp(w[0], "cgroup") && n == 4 && !strcmp(w[1], "set")) {
		if (!valid_weight_path(w[2]))
			return conf_err(c, line, "bad cgroup path '%s'", w[2]);
		if (!parse_long_arg(w[3], &v) || v < 0 || v > 1000)
			return conf_err(c, line, "bad weight '%s' (0..1000)", w[3]);
		ob_printf(&c->text[S_CGROUP], "%s %lld\n", w[2], v);
		c->has[S_CGROUP] = true;
	} else if (!strcmp(w[0], "block") && n == 2) {
		if (!valid_site_arg(w[1]))
			return conf_err(c, line, "bad site '%s'", w[1]);
		ob_printf(&c->text[S_CONTROL], "block %s\n", w[1]);
		c->has[S_CONTROL] = true;
	} else if ((!strcmp(w[0], "enable") || !strcmp(w[0], "disable")) && n == 1) {
		c->enable = w[0][0] == 'e';
	} else {
		return conf_err(c, line, "not a relpoline.conf command: '%s' "
				"(set, mode, filter, cgroup set, block, enable, disable)", w[0]);
	}
	return 0;
}

static int conf_parse(struct conf *c, char *text)
{
	unsigned int line = 0;
	int bad = 0;

	for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		char *w[64], *save = NULL;
		int n = 0;

		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		line++;
		if (strchr(p, '#'))
			*strchr(p, '#') = '\0';
		for (char *t = strtok_r(p, " \t\r", &save); t && n < 64; t = strtok_r(NULL, " \t\r", &save))
			w[n++] = t;
		if (n && conf_line(c, line, n, w))
			bad++;
	}
	return bad ? -1 : 0;
}

static int apply_knobs(struct cli *cli, struct conf *c)
{
	int ret = EXIT_OK;

	for (char *p = c->knobs.p, *nl; p && *p; p = nl + 1) {
		char *tab = strchr(p, '\t'), what[128], val[64];

		nl = strchr(p, '\n');
		*tab = *nl = '\0';
		snprintf(val, sizeof(val), "%s\n", tab + 1);
		snprintf(what, sizeof(what), "%s %s", p, tab + 1);
		if (cli_write(cli, p, val, false, what))
			ret = EXIT_FAIL;
	}
	return ret;
}

int cmd_apply(struct cli *cli)
{
	struct conf c = { .enable = -1 };
	struct rp_buf b = { 0 };
	int r, ret = EXIT_OK;

	cli_nargs(cli, 1, 1, "FILE");
	c.file = cli->args[0];
	r = rp_read_path(c.file, &b);
	if (r) {
		err_msg("%s: %s", c.file, strerror(-r));
		return EXIT_FAIL;
	}
	r = conf_parse(&c, b.p ? b.p : "");
	rp_buf_free(&b);
	if (r) {
		err_msg("%s: not applied, nothing changed", c.file);
		ret = EXIT_FAIL;
		goto out;
	}
	if (cli_flag(cli, "check"))
		goto out;
	cli_open(cli, true);
	ret |= apply_knobs(cli, &c);
	if (c.has[S_FILTER])
		ret |= cli_write(cli, "set_relpoline_filter", c.text[S_FILTER].p, false, "filter");
	if (c.has[S_CGROUP])
		ret |= cli_write(cli, "cgroup_weights", c.text[S_CGROUP].p, false, "cgroup weights");
	if (c.has[S_CONTROL])
		ret |= cli_write(cli, "control", c.text[S_CONTROL].p, true, "block");
	if (c.enable >= 0)
		ret |= cli_write(cli, "enable", c.enable ? "1\n" : "0\n", false,
				 c.enable ? "enable" : "disable");
out:
	for (int i = 0; i < S_NR; i++)
		ob_free(&c.text[i]);
	ob_free(&c.knobs);
	return ret ? EXIT_FAIL : EXIT_OK;
}
