// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline - control runtime indirect call promotion through tracefs
 *
 * One file per group of commands (status.c, sites.c, control.c,
 * retrain.c, profile.c, record.c); librelpoline does the tracefs work.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char * const main_usage[] = {
	"",
	"relpoline version " RP_TOOLS_VERSION,
	"",
	"  usage: relpoline [-t DIR] [--json] COMMAND [ARGS...]",
	"",
	"  read commands (accept --json):",
	"     status                       - state, knobs, site counts and totals",
	"     sites [--available] [--state S[,S...]]",
	"                                  - managed sites (or all known sites)",
	"",
	"  commands that change kernel state (root):",
	"     enable | disable             - switch relpoline on or off",
	"     mode auto|manual             - automatic or manual promotion",
	"     retrain [SITE] [--wait] [--timeout SEC]",
	"                                  - relearn targets, optionally wait and show changes",
	"     promote SITE TARGET...       - promote a site to up to max_targets targets",
	"     pin SITE TARGET...           - like promote, and keep it across retrains",
	"     demote SITE | block SITE | unblock SITE",
	"     reset                        - reset all counters",
	"     set KNOB VALUE               - max_targets interval_ms min_samples",
	"                                    threshold_pct sample_period profile",
	"     cgroup set PATH WEIGHT | cgroup rm PATH | cgroup clear | cgroup show",
	"     profile save FILE            - save promotions as a symbolic profile",
	"     profile load FILE            - re-apply a saved profile",
	"     profile merge [-m N] OUT IN...",
	"                                  - merge profiles weighted by hit counts",
	"     record [-o FILE] -- COMMAND  - trace-cmd record -e relpoline while running COMMAND",
	"",
	"  SITE   is an id, symbol+0xOFF or 0xADDRESS",
	"  TARGET is symbol, symbol[module] or 0xADDRESS",
	"",
	"  options:",
	"     -t/--tracing-dir DIR  use DIR as the tracing directory (also env",
	"                           RELPOLINE_TRACING_DIR); no root check then",
	"     --json                JSON output for read commands",
	"     -h/--help             this text; 'relpoline COMMAND -h' for a command",
	"     --version             print the version",
	"",
	"  exit status: 0 success, 1 failure, 2 usage error",
	NULL,
};

struct command {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
};

static const struct command commands[] = {
	{ "status",	cmd_status },
	{ "sites",	cmd_sites },
	{ "enable",	cmd_enable },
	{ "disable",	cmd_disable },
	{ "mode",	cmd_mode },
	{ "retrain",	cmd_retrain },
	{ "promote",	cmd_promote },
	{ "pin",	cmd_pin },
	{ "demote",	cmd_demote },
	{ "block",	cmd_block },
	{ "unblock",	cmd_unblock },
	{ "reset",	cmd_reset },
	{ "set",	cmd_set },
	{ "cgroup",	cmd_cgroup },
	{ "profile",	cmd_profile },
	{ "record",	cmd_record },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		CLI_JSON_LONGOPT,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	const char *env = getenv("RELPOLINE_TRACING_DIR");
	int c;

	if (env && *env)
		cli.tracing_dir = env;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			cli.tracing_dir = optarg;
			break;
		case 'J':
			cli.json = true;
			break;
		case 'h':
			print_usage(main_usage, false);
		case 'V':
			printf("relpoline %s\n", RP_TOOLS_VERSION);
			return EXIT_OK;
		default:
			if (optopt == 't')
				fprintf(stderr, "relpoline: option '-t' needs a directory argument\n");
			else
				fprintf(stderr, "relpoline: invalid option '%s'\n", argv[optind - 1]);
			fprintf(stderr, "Try 'relpoline --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "relpoline: missing command\n");
		print_usage(main_usage, true);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[optind], commands[i].name)) {
			int ret = commands[i].fn(&cli, argc - optind, argv + optind);

			cli_close(&cli);
			if (fflush(stdout) || ferror(stdout)) {
				err_msg("error writing output");
				return EXIT_FAIL;
			}
			return ret;
		}
	}
	fprintf(stderr, "relpoline: unknown command '%s'\nTry 'relpoline --help'.\n", argv[optind]);
	return EXIT_USAGE;
}
