// SPDX-License-Identifier: GPL-2.0
/*
 * Commands that write a knob, a list file or one control command:
 * enable, disable, mode, promote, pin, demote, block, unblock, reset,
 * set, filter, cgroup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_enable(struct cli *cli)
{
	cli_nargs(cli, 0, 0, "no argument");
	cli_open(cli, true);
	return cli_write(cli, "enable", "1\n", false, "enable");
}

int cmd_disable(struct cli *cli)
{
	cli_nargs(cli, 0, 0, "no argument");
	cli_open(cli, true);
	return cli_write(cli, "enable", "0\n", false, "disable");
}

int cmd_mode(struct cli *cli)
{
	char buf[16];

	cli_nargs(cli, 1, 1, "exactly one argument: auto or manual");
	if (strcmp(cli->args[0], "auto") && strcmp(cli->args[0], "manual"))
		usage_error(cli, "unknown mode '%s' (auto or manual)", cli->args[0]);
	cli_open(cli, true);
	snprintf(buf, sizeof(buf), "%s\n", cli->args[0]);
	return cli_write(cli, "mode", buf, false, "mode");
}

/* append target tok to the command in ob, refusing duplicates */
static void add_target(const struct cli *cli, struct obuf *ob, size_t tstart, const char *tok,
		       int *ntargets)
{
	size_t tl = strlen(tok);

	if (!valid_target_arg(tok))
		usage_error(cli, "bad target '%s' (symbol, symbol[module] or 0xADDRESS)", tok);
	/* the kernel wants distinct targets */
	for (const char *q = ob->p + tstart; *q;) {
		const char *e = strchr(q, ',');
		size_t ql = e ? (size_t)(e - q) : strlen(q);

		if (ql == tl && !strncmp(q, tok, tl))
			usage_error(cli, "target '%s' given twice", tok);
		q += ql + (e ? 1 : 0);
	}
	if ((*ntargets)++)
		ob_putc(ob, ',');
	ob_puts(ob, tok);
}

static int promote_like(struct cli *cli, const char *verb)
{
	struct obuf ob = { 0 };
	size_t tstart;
	int ret, ntargets = 0;

	if (cli->nargs < 2)
		usage_error(cli, "expected SITE and at least one TARGET");
	if (!valid_site_arg(cli->args[0]))
		usage_error(cli, "bad site '%s' (id, symbol+0xOFF or 0xADDRESS)", cli->args[0]);
	ob_printf(&ob, "%s %s ", verb, cli->args[0]);
	tstart = ob.len;
	for (int a = 1; a < cli->nargs; a++) {
		char *copy = strdup(cli->args[a]), *save = NULL, *tok;

		if (!copy) {
			err_msg("out of memory");
			return EXIT_FAIL;
		}
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			add_target(cli, &ob, tstart, tok, &ntargets);
		free(copy);
	}
	if (!ntargets)
		usage_error(cli, "expected at least one TARGET");
	if (ntargets > RP_MAX_TARGETS_KNOB)
		usage_error(cli, "at most %d targets per site", RP_MAX_TARGETS_KNOB);
	cli_open(cli, true);
	ret = cli_control(cli, ob.p);
	ob_free(&ob);
	return ret;
}

int cmd_promote(struct cli *cli)
{
	return promote_like(cli, "promote");
}

int cmd_pin(struct cli *cli)
{
	return promote_like(cli, "pin");
}

static int site_cmd(struct cli *cli, const char *verb)
{
	char cmd[1024];

	cli_nargs(cli, 1, 1, "exactly one SITE");
	if (!valid_site_arg(cli->args[0]) || strlen(cli->args[0]) > 900)
		usage_error(cli, "bad site '%s' (id, symbol+0xOFF or 0xADDRESS)", cli->args[0]);
	cli_open(cli, true);
	snprintf(cmd, sizeof(cmd), "%s %s", verb, cli->args[0]);
	return cli_control(cli, cmd);
}

int cmd_demote(struct cli *cli)
{
	return site_cmd(cli, "demote");
}

int cmd_block(struct cli *cli)
{
	return site_cmd(cli, "block");
}

int cmd_unblock(struct cli *cli)
{
	return site_cmd(cli, "unblock");
}

int cmd_reset(struct cli *cli)
{
	cli_nargs(cli, 0, 0, "no argument");
	cli_open(cli, true);
	return cli_control(cli, "reset");
}

int cmd_set(struct cli *cli)
{
	const struct rp_knob *k;
	char buf[64], what[128];
	long long v;

	cli_nargs(cli, 2, 2, "KNOB VALUE");
	k = rp_knob_find(cli->args[0]);
	if (!k)
		usage_error(cli, "unknown knob '%s' (see 'relpoline help set')", cli->args[0]);
	v = cli_knob_value(cli, k, cli->args[1]);
	cli_open(cli, true);
	snprintf(buf, sizeof(buf), "%lld\n", v);
	snprintf(what, sizeof(what), "set %s %lld", k->name, v);
	return cli_write(cli, k->name, buf, false, what);
}

/* ---- filter ---- */

static int print_file(struct cli *cli, const char *name)
{
	struct rp_buf b = { 0 };
	int r = rp_read(cli->ctx, name, &b);

	if (r) {
		err_msg("%s/%s: %s", cli->ctx->dir, name, strerror(-r));
		return EXIT_FAIL;
	}
	fwrite(b.p, 1, b.len, stdout);
	rp_buf_free(&b);
	return EXIT_OK;
}

int cmd_filter(struct cli *cli)
{
	const char *sub = cli->nargs ? cli->args[0] : "show";
	struct obuf ob = { 0 };
	bool add = !strcmp(sub, "add");
	int ret;

	if (!strcmp(sub, "show") || !strcmp(sub, "clear")) {
		cli_nargs(cli, 0, 1, sub[0] == 's' ? "'filter show'" : "'filter clear'");
		cli_open(cli, sub[0] == 'c');
		if (sub[0] == 's')
			return print_file(cli, "set_relpoline_filter");
		/* an empty write changes nothing: a blank line replaces the list with none */
		return cli_write(cli, "set_relpoline_filter", "\n", false, "filter clear");
	}
	if (!add && strcmp(sub, "set"))
		usage_error(cli, "unknown subcommand '%s' (show, set, add or clear)", sub);
	if (cli->nargs < 2)
		usage_error(cli, "expected 'filter %s PATTERN...'", sub);
	for (int i = 1; i < cli->nargs; i++) {
		if (!cli->args[i][0] || strpbrk(cli->args[i], " \t\n"))
			usage_error(cli, "bad pattern '%s'", cli->args[i]);
		ob_printf(&ob, "%s\n", cli->args[i]);
	}
	cli_open(cli, true);
	ret = cli_write(cli, "set_relpoline_filter", ob.p, add, add ? "filter add" : "filter set");
	ob_free(&ob);
	return ret;
}

/* ---- cgroup ---- */

/* "*" or an absolute cgroup v2 path of at most RP_CGROUP_PATH_MAX bytes */
#define RP_CGROUP_PATH_MAX	255
#define RP_WEIGHT_MAX		1000

static void check_cgroup_path(const struct cli *cli, const char *p)
{
	const char *q = p;

	if (!strcmp(p, "*"))
		return;
	if (p[0] != '/' || strlen(p) > RP_CGROUP_PATH_MAX)
		goto bad;
	for (; *q; q++)
		if ((unsigned char)*q <= ' ' || *q == '!' || *q == '>' || *q == 0x7f)
			goto bad;
	return;
bad:
	usage_error(cli, "bad cgroup path '%s' (absolute, at most %d bytes, or '*')", p,
		    RP_CGROUP_PATH_MAX);
}

static int cgroup_show(struct cli *cli)
{
	struct rp_syntax_err err;
	struct rp_cgroups cg;
	struct obuf ob = { 0 };
	struct rp_json j;

	if (cli->format != FMT_JSON)
		return print_file(cli, "cgroup_weights");
	if (rp_read_cgroups(cli->ctx, &cg, &err)) {
		err_msg("%s", err.msg);
		return EXIT_FAIL;
	}
	rp_json_begin(&j, &ob, "cgroups");
	rp_json_arr(&j, "cgroups");
	for (size_t i = 0; i < cg.nr; i++) {
		rp_json_obj(&j, NULL);
		rp_json_str(&j, "path", cg.v[i].path);
		rp_json_ll(&j, "weight", cg.v[i].weight);
		rp_json_ll(&j, "samples", cg.v[i].samples);
		rp_json_bool(&j, "deleted", cg.v[i].deleted);
		rp_json_close(&j, '}');
	}
	rp_json_end(&j);
	rp_cgroups_free(&cg);
	return cli_print(&ob);
}

int cmd_cgroup(struct cli *cli)
{
	const char *sub;
	char line[4200];

	if (cli->nargs < 1)
		usage_error(cli, "expected set, rm, clear or show");
	sub = cli->args[0];
	if (cli->format == FMT_JSON && strcmp(sub, "show"))
		usage_error(cli, "JSON output is only available for 'cgroup show'");
	if (!strcmp(sub, "set")) {
		cli_nargs(cli, 3, 3, "'cgroup set PATH WEIGHT'");
		check_cgroup_path(cli, cli->args[1]);
		snprintf(line, sizeof(line), "%s %lld\n", cli->args[1],
			 cli_knob_value(cli, &(struct rp_knob){ "weight", 0, RP_WEIGHT_MAX, 1, "" },
					cli->args[2]));
		cli_open(cli, true);
		return cli_write(cli, "cgroup_weights", line, true, "cgroup set");
	}
	if (!strcmp(sub, "rm")) {
		cli_nargs(cli, 2, 2, "'cgroup rm PATH'");
		check_cgroup_path(cli, cli->args[1]);
		cli_open(cli, true);
		snprintf(line, sizeof(line), "!%s\n", cli->args[1]);
		return cli_write(cli, "cgroup_weights", line, true, "cgroup rm");
	}
	if (!strcmp(sub, "clear")) {
		cli_nargs(cli, 1, 1, "'cgroup clear'");
		cli_open(cli, true);
		/*
		 * Replace the table with the default weight alone. (An empty
		 * write changes nothing: the kernel ignores 0-byte writes.)
		 */
		return cli_write(cli, "cgroup_weights", "* 1\n", false, "cgroup clear");
	}
	if (!strcmp(sub, "show")) {
		cli_nargs(cli, 1, 1, "'cgroup show'");
		cli_open(cli, false);
		return cgroup_show(cli);
	}
	usage_error(cli, "unknown subcommand '%s' (set, rm, clear or show)", sub);
}
