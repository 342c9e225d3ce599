// SPDX-License-Identifier: GPL-2.0
/*
 * Option parsing and help for every relpoline command, from the command
 * table: the global options are accepted anywhere on the command line
 * (the model is the kernel's tools/lib/subcmd), the command's own
 * options anywhere after its name, and "--" ends the options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { G_TRACING_DIR, G_JSON, G_FORMAT, G_HELP, G_VERSION };

const struct cli_opt cli_global_opts[] = {
	[G_TRACING_DIR] = { "tracing-dir", 0, "DIR",
			    "use DIR as the tracing directory (also RELPOLINE_TRACING_DIR); no root check then" },
	[G_JSON]	= { "json", 0, NULL, "JSON output (same as --format json)" },
	[G_FORMAT]	= { "format", 0, "FMT", "output format: text, json or prometheus (status)" },
	[G_HELP]	= { "help", 'h', NULL, "help of relpoline or of a command" },
	[G_VERSION]	= { "version", 0, NULL, "print the version" },
	{ NULL, 0, NULL, NULL },
};

/* find an option by long name (len chars) or short letter; *global says where */
static int find_opt(const struct command *cmd, const char *lng, size_t len, int shrt,
		    bool *global)
{
	for (int pass = 0; pass < 2; pass++) {
		const struct cli_opt *o = pass ? cli_global_opts : (cmd ? cmd->opts : NULL);

		for (int i = 0; o && o[i].lng; i++) {
			if (lng ? strlen(o[i].lng) == len && !strncmp(o[i].lng, lng, len)
				: o[i].shrt == shrt) {
				*global = pass;
				return i;
			}
		}
	}
	return -1;
}

static void set_format(struct cli *cli, const char *f)
{
	if (!strcmp(f, "text"))
		cli->format = FMT_TEXT;
	else if (!strcmp(f, "json"))
		cli->format = FMT_JSON;
	else if (!strcmp(f, "prometheus"))
		cli->format = FMT_PROMETHEUS;
	else
		usage_error(cli, "unknown format '%s' (text, json or prometheus)", f);
	cli->format_set = true;
}

static void take(struct cli *cli, int i, bool global, const char *val)
{
	if (!global) {
		cli->optval[i] = val;
		cli->optseen[i] = true;
		return;
	}
	switch (i) {
	case G_TRACING_DIR:
		if (!*val)
			usage_error(cli, "--tracing-dir needs a directory");
		cli->tracing_dir = val;
		break;
	case G_JSON:
		set_format(cli, "json");
		break;
	case G_FORMAT:
		set_format(cli, val);
		break;
	case G_HELP:
		if (cli->cmd)
			cli_help_cmd(stdout, cli->cmd);
		else
			cli_help_all(stdout);
		exit(EXIT_OK);
	case G_VERSION:
		printf("relpoline %s\n", RP_TOOLS_VERSION);
		exit(EXIT_OK);
	}
}

/* "--name[=value]" at argv[*k]; may consume the next word */
static void long_opt(struct cli *cli, const struct command *cmd, int argc, char **argv, int *k)
{
	const char *a = argv[*k] + 2, *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	bool global;
	int i = find_opt(cmd, a, len, 0, &global);
	const struct cli_opt *o;

	if (i < 0)
		usage_error(cli, "invalid option '--%.*s'", (int)len, a);
	o = global ? &cli_global_opts[i] : &cmd->opts[i];
	if (!o->arg) {
		if (eq)
			usage_error(cli, "option '--%s' takes no argument", o->lng);
		take(cli, i, global, NULL);
		return;
	}
	if (eq)
		take(cli, i, global, eq + 1);
	else if (*k + 1 < argc)
		take(cli, i, global, argv[++*k]);
	else
		usage_error(cli, "option '--%s' needs %s", o->lng, o->arg);
}

/* "-abc" or "-oFILE" / "-o FILE" at argv[*k] */
static void short_opts(struct cli *cli, const struct command *cmd, int argc, char **argv, int *k)
{
	for (const char *c = argv[*k] + 1; *c; c++) {
		bool global;
		int i = find_opt(cmd, NULL, 0, *c, &global);
		const struct cli_opt *o;

		if (i < 0)
			usage_error(cli, "invalid option '-%c'", *c);
		o = global ? &cli_global_opts[i] : &cmd->opts[i];
		if (!o->arg) {
			take(cli, i, global, NULL);
			continue;
		}
		if (c[1])
			take(cli, i, global, c + 1);
		else if (*k + 1 < argc)
			take(cli, i, global, argv[++*k]);
		else
			usage_error(cli, "option '-%c' needs %s", *c, o->arg);
		return;
	}
}

void cli_parse(struct cli *cli, const struct command *cmd, int argc, char **argv)
{
	bool opts = true;
	int n = 0;

	cli->cmd = cmd;
	memset(cli->optval, 0, sizeof(cli->optval));
	memset(cli->optseen, 0, sizeof(cli->optseen));
	/* operands are gathered in place, in order */
	cli->args = argv + 1;
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];

		if (opts && !strcmp(a, "--")) {
			opts = false;
			if (cmd && cmd->stop_at_operand) {
				for (k++; k < argc; k++)
					cli->args[n++] = argv[k];
				break;
			}
			continue;
		}
		if (opts && a[0] == '-' && a[1] == '-') {
			long_opt(cli, cmd, argc, argv, &k);
			continue;
		}
		if (opts && a[0] == '-' && a[1]) {
			short_opts(cli, cmd, argc, argv, &k);
			continue;
		}
		cli->args[n++] = argv[k];
		if (cmd && cmd->stop_at_operand) {
			for (k++; k < argc; k++)
				cli->args[n++] = argv[k];
			break;
		}
	}
	cli->nargs = n;
	if (cmd && cli->format_set && !(cmd->formats & (1u << cli->format)))
		usage_error(cli, "%s output is not available for this command",
			    cli->format == FMT_JSON ? "JSON" :
			    cli->format == FMT_PROMETHEUS ? "Prometheus" : "text");
}

static int opt_index(const struct cli *cli, const char *lng)
{
	for (int i = 0; cli->cmd && cli->cmd->opts && cli->cmd->opts[i].lng; i++)
		if (!strcmp(cli->cmd->opts[i].lng, lng))
			return i;
	return -1;
}

const char *cli_val(const struct cli *cli, const char *lng)
{
	int i = opt_index(cli, lng);

	return i >= 0 ? cli->optval[i] : NULL;
}

bool cli_flag(const struct cli *cli, const char *lng)
{
	int i = opt_index(cli, lng);

	return i >= 0 && cli->optseen[i];
}

static void print_opts(FILE *f, const struct cli_opt *o)
{
	for (int i = 0; o && o[i].lng; i++) {
		char head[64];

		snprintf(head, sizeof(head), "%s%c%s--%s%s%s", o[i].shrt ? "-" : "",
			 o[i].shrt ? o[i].shrt : ' ', o[i].shrt ? ", " : "  ", o[i].lng,
			 o[i].arg ? " " : "", o[i].arg ? o[i].arg : "");
		fprintf(f, "     %-26s %s\n", o[i].shrt ? head : head + 2, o[i].help);
	}
}

void cli_help_cmd(FILE *f, const struct command *cmd)
{
	fprintf(f, "\n  usage: relpoline %s %s\n\n  %s\n", cmd->name, cmd->synopsis, cmd->summary);
	for (int i = 0; cmd->text && cmd->text[i]; i++)
		fprintf(f, "  %s\n", cmd->text[i]);
	if (cmd->opts && cmd->opts[0].lng) {
		fprintf(f, "\n  options:\n");
		print_opts(f, cmd->opts);
	}
	fprintf(f, "\n  global options (anywhere on the command line):\n");
	print_opts(f, cli_global_opts);
	fprintf(f, "\n");
}

int cli_parse_globals(struct cli *cli, int argc, char **argv)
{
	int k;

	cli->cmd = NULL;
	for (k = 1; k < argc && argv[k][0] == '-' && argv[k][1]; k++) {
		if (!strcmp(argv[k], "--"))
			return k + 1;
		if (argv[k][1] == '-')
			long_opt(cli, NULL, argc, argv, &k);
		else
			short_opts(cli, NULL, argc, argv, &k);
	}
	return k;
}
