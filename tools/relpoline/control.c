// SPDX-License-Identifier: GPL-2.0
/*
 * Commands that write a knob or one control command:
 * enable, disable, mode, promote, pin, demote, block, unblock, reset,
 * set, cgroup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char * const enable_usage[] = {
	"",
	"  usage: relpoline enable [-t DIR]",
	"         relpoline disable [-t DIR]",
	"",
	"  Write 1 or 0 to relpoline/enable.",
	"",
	NULL,
};

static const char * const mode_usage[] = {
	"",
	"  usage: relpoline mode [-t DIR] auto|manual",
	"",
	"  auto: the kernel retrains and promotes sites every interval_ms.",
	"  manual: only promote/pin/retrain commands change sites.",
	"",
	NULL,
};

static const char * const promote_usage[] = {
	"",
	"  usage: relpoline promote [-t DIR] SITE TARGET[,TARGET...] [TARGET...]",
	"         relpoline pin [-t DIR] SITE TARGET[,TARGET...] [TARGET...]",
	"",
	"  Promote SITE to the given targets, in slot order (at most max_targets).",
	"  'pin' also keeps the promotion across retrains.",
	"",
	"  SITE   is an id, symbol+0xOFF or 0xADDRESS",
	"  TARGET is symbol, symbol[module] or 0xADDRESS",
	"",
	NULL,
};

static const char * const site_usage[] = {
	"",
	"  usage: relpoline demote|block|unblock [-t DIR] SITE",
	"",
	"  demote:  restore the original indirect call of SITE",
	"  block:   demote SITE and never promote it again",
	"  unblock: allow SITE to be promoted again",
	"",
	"  SITE is an id, symbol+0xOFF or 0xADDRESS",
	"",
	NULL,
};

static const char * const reset_usage[] = {
	"",
	"  usage: relpoline reset [-t DIR]",
	"",
	"  Reset the hit and miss counters of every site.",
	"",
	NULL,
};

static const char * const set_usage[] = {
	"",
	"  usage: relpoline set [-t DIR] KNOB VALUE",
	"",
	"  knobs:",
	"     max_targets    1..4 targets per site",
	"     interval_ms    10..60000 ms between automatic retrains",
	"     min_samples    samples a site needs before it is promoted",
	"     threshold_pct  1..100 share of a site's samples a target needs",
	"     sample_period  sample one slow-path call in N",
	"     profile        1: stubs count hits per target, 0: lean stubs",
	"",
	NULL,
};

static const char * const cgroup_usage[] = {
	"",
	"  usage: relpoline cgroup [-t DIR] set PATH WEIGHT",
	"         relpoline cgroup [-t DIR] rm PATH",
	"         relpoline cgroup [-t DIR] clear",
	"         relpoline cgroup [-t DIR] show",
	"",
	"  Weight the samples of a cgroup (absolute cgroup v2 PATH, or '*' for",
	"  the default; WEIGHT 0..1000) when learning targets. 'set' adds or updates an",
	"  entry, 'rm' removes it, 'clear' empties the table, 'show' prints it",
	"  with the samples seen per entry.",
	"",
	NULL,
};

int cmd_enable(struct cli *cli, int argc, char **argv)
{
	if (parse_simple(cli, argc, argv, false, enable_usage) != argc)
		usage_error("enable", "unexpected argument '%s'", argv[optind]);
	cli_open(cli, true);
	return cli_write(cli, "enable", "1\n", false, "enable");
}

int cmd_disable(struct cli *cli, int argc, char **argv)
{
	if (parse_simple(cli, argc, argv, false, enable_usage) != argc)
		usage_error("disable", "unexpected argument '%s'", argv[optind]);
	cli_open(cli, true);
	return cli_write(cli, "enable", "0\n", false, "disable");
}

int cmd_mode(struct cli *cli, int argc, char **argv)
{
	int i = parse_simple(cli, argc, argv, false, mode_usage);
	char buf[16];

	if (argc - i != 1)
		usage_error("mode", "expected exactly one argument: auto or manual");
	if (strcmp(argv[i], "auto") && strcmp(argv[i], "manual"))
		usage_error("mode", "unknown mode '%s' (auto or manual)", argv[i]);
	cli_open(cli, true);
	snprintf(buf, sizeof(buf), "%s\n", argv[i]);
	return cli_write(cli, "mode", buf, false, "mode");
}

static int promote_like(struct cli *cli, int argc, char **argv, const char *verb)
{
	int i = parse_simple(cli, argc, argv, false, promote_usage);
	char *cmd;
	size_t len, n;
	int ret, ntargets = 0;

	if (argc - i < 2)
		usage_error(verb, "expected SITE and at least one TARGET");
	if (!valid_site_arg(argv[i]))
		usage_error(verb, "bad site '%s' (id, symbol+0xOFF or 0xADDRESS)", argv[i]);

	len = strlen(verb) + strlen(argv[i]) + 3;
	for (int a = i + 1; a < argc; a++)
		len += strlen(argv[a]) + 1;
	cmd = malloc(len);
	if (!cmd) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	n = snprintf(cmd, len, "%s %s ", verb, argv[i]);
	for (int a = i + 1; a < argc; a++) {
		char *copy = strdup(argv[a]), *save = NULL, *tok;

		if (!copy) {
			free(cmd);
			err_msg("out of memory");
			return EXIT_FAIL;
		}
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			size_t tl = strlen(tok);

			if (!valid_target_arg(tok))
				usage_error(verb, "bad target '%s' (symbol, symbol[module] or 0xADDRESS)",
					    tok);
			/* the kernel wants distinct targets */
			for (char *q = cmd + strlen(verb) + strlen(argv[i]) + 2; *q;) {
				char *e = strchr(q, ',');
				size_t ql = e ? (size_t)(e - q) : strlen(q);

				if (ql == tl && !strncmp(q, tok, tl))
					usage_error(verb, "target '%s' given twice", tok);
				q += ql + (e ? 1 : 0);
			}
			n += snprintf(cmd + n, len - n, "%s%s", ntargets ? "," : "", tok);
			ntargets++;
		}
		free(copy);
	}
	if (!ntargets)
		usage_error(verb, "expected at least one TARGET");
	if (ntargets > RP_MAX_TARGETS_KNOB)
		usage_error(verb, "at most %d targets per site", RP_MAX_TARGETS_KNOB);
	cli_open(cli, true);
	ret = cli_control(cli, cmd);
	free(cmd);
	return ret;
}

int cmd_promote(struct cli *cli, int argc, char **argv)
{
	return promote_like(cli, argc, argv, "promote");
}

int cmd_pin(struct cli *cli, int argc, char **argv)
{
	return promote_like(cli, argc, argv, "pin");
}

static int site_cmd(struct cli *cli, int argc, char **argv, const char *verb)
{
	int i = parse_simple(cli, argc, argv, false, site_usage);
	char cmd[1024];

	if (argc - i != 1)
		usage_error(verb, "expected exactly one SITE");
	if (!valid_site_arg(argv[i]) || strlen(argv[i]) > 900)
		usage_error(verb, "bad site '%s' (id, symbol+0xOFF or 0xADDRESS)", argv[i]);
	cli_open(cli, true);
	snprintf(cmd, sizeof(cmd), "%s %s", verb, argv[i]);
	return cli_control(cli, cmd);
}

int cmd_demote(struct cli *cli, int argc, char **argv)
{
	return site_cmd(cli, argc, argv, "demote");
}

int cmd_block(struct cli *cli, int argc, char **argv)
{
	return site_cmd(cli, argc, argv, "block");
}

int cmd_unblock(struct cli *cli, int argc, char **argv)
{
	return site_cmd(cli, argc, argv, "unblock");
}

int cmd_reset(struct cli *cli, int argc, char **argv)
{
	if (parse_simple(cli, argc, argv, false, reset_usage) != argc)
		usage_error("reset", "unexpected argument '%s'", argv[optind]);
	cli_open(cli, true);
	return cli_control(cli, "reset");
}

static const struct {
	const char *name;
	long long min, max;
} knob_ranges[] = {
	{ "max_targets",	1,	RP_MAX_TARGETS_KNOB },
	{ "interval_ms",	10,	60000 },
	{ "min_samples",	0,	(1LL << 32) - 1 },
	{ "threshold_pct",	1,	100 },
	{ "sample_period",	0,	(1LL << 32) - 1 },
	{ "profile",		0,	1 },
};

int cmd_set(struct cli *cli, int argc, char **argv)
{
	int i = parse_simple(cli, argc, argv, false, set_usage);
	char buf[64], what[128];
	long long v;
	size_t k;

	if (argc - i != 2)
		usage_error("set", "expected KNOB VALUE");
	for (k = 0; k < sizeof(knob_ranges) / sizeof(knob_ranges[0]); k++)
		if (!strcmp(argv[i], knob_ranges[k].name))
			break;
	if (k == sizeof(knob_ranges) / sizeof(knob_ranges[0]))
		usage_error("set", "unknown knob '%s' (see 'relpoline set --help')", argv[i]);
	if (!parse_long_arg(argv[i + 1], &v))
		usage_error("set", "value '%s' for %s is not an integer", argv[i + 1], argv[i]);
	if (v < knob_ranges[k].min || v > knob_ranges[k].max)
		usage_error("set", "%s must be within %lld..%lld", argv[i],
			    knob_ranges[k].min, knob_ranges[k].max);
	cli_open(cli, true);
	snprintf(buf, sizeof(buf), "%lld\n", v);
	snprintf(what, sizeof(what), "set %s %lld", knob_ranges[k].name, v);
	return cli_write(cli, knob_ranges[k].name, buf, false, what);
}

/* "*" or an absolute cgroup v2 path of at most RP_CGROUP_PATH_MAX bytes */
#define RP_CGROUP_PATH_MAX	255
#define RP_WEIGHT_MAX		1000

static bool valid_cgroup_path(const char *p)
{
	if (!strcmp(p, "*"))
		return true;
	if (p[0] != '/' || strlen(p) > RP_CGROUP_PATH_MAX)
		return false;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '!' || *p == '>' || *p == 0x7f)
			return false;
	return true;
}

int cmd_cgroup(struct cli *cli, int argc, char **argv)
{
	int i = parse_simple(cli, argc, argv, false, cgroup_usage);
	const char *sub;
	char line[4200];
	long long w;

	if (argc - i < 1)
		usage_error("cgroup", "expected set, rm, clear or show");
	sub = argv[i];
	if (!strcmp(sub, "set")) {
		if (argc - i != 3)
			usage_error("cgroup", "usage: cgroup set PATH WEIGHT");
		if (!valid_cgroup_path(argv[i + 1]))
			usage_error("cgroup", "bad cgroup path '%s' (absolute, at most %d bytes, or '*')",
				    argv[i + 1], RP_CGROUP_PATH_MAX);
		if (!parse_long_arg(argv[i + 2], &w) || w < 0 || w > RP_WEIGHT_MAX)
			usage_error("cgroup", "weight '%s' is not an integer within 0..%d",
				    argv[i + 2], RP_WEIGHT_MAX);
		cli_open(cli, true);
		snprintf(line, sizeof(line), "%s %lld\n", argv[i + 1], w);
		return cli_write(cli, "cgroup_weights", line, true, "cgroup set");
	}
	if (!strcmp(sub, "rm")) {
		if (argc - i != 2)
			usage_error("cgroup", "usage: cgroup rm PATH");
		if (!valid_cgroup_path(argv[i + 1]))
			usage_error("cgroup", "bad cgroup path '%s' (absolute, at most %d bytes, or '*')",
				    argv[i + 1], RP_CGROUP_PATH_MAX);
		cli_open(cli, true);
		snprintf(line, sizeof(line), "!%s\n", argv[i + 1]);
		return cli_write(cli, "cgroup_weights", line, true, "cgroup rm");
	}
	if (!strcmp(sub, "clear")) {
		if (argc - i != 1)
			usage_error("cgroup", "usage: cgroup clear");
		cli_open(cli, true);
		return cli_write(cli, "cgroup_weights", "", false, "cgroup clear");
	}
	if (!strcmp(sub, "show")) {
		struct rp_buf b = { 0 };
		int r;

		if (argc - i != 1)
			usage_error("cgroup", "usage: cgroup show");
		cli_open(cli, false);
		r = rp_read(cli->ctx, "cgroup_weights", &b);
		if (r) {
			err_msg("%s/cgroup_weights: %s", cli->ctx->dir, strerror(-r));
			return EXIT_FAIL;
		}
		fwrite(b.p, 1, b.len, stdout);
		rp_buf_free(&b);
		return EXIT_OK;
	}
	usage_error("cgroup", "unknown subcommand '%s' (set, rm, clear or show)", sub);
}
