// SPDX-License-Identifier: GPL-2.0
/* relpoline record [-o FILE] -- COMMAND: trace-cmd record -e relpoline */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char * const record_usage[] = {
	"",
	"  usage: relpoline record [-o FILE] -- COMMAND [ARGS...]",
	"",
	"  Run COMMAND under 'trace-cmd record -e relpoline -o FILE', recording",
	"  every relpoline event (promotions, demotions, retrains, misses) to",
	"  FILE (default relpoline.dat). Read it with 'trace-cmd report FILE'.",
	"  The exit status is the one of trace-cmd.",
	"",
	"	  -o/--output FILE: trace file to write",
	"",
	NULL,
};

int cmd_record(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output",	required_argument, NULL, 'o' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "relpoline.dat";
	char **av;
	int c, n, i = 0;

	optind = 0;
	opterr = 0;
	/* '+': stop at the command, its options are not ours */
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			print_usage(record_usage, false);
		default:
			bad_option("record", argv);
		}
	}
	if (cli->json)
		usage_error("record", "--json is only accepted by read commands (status, sites)");
	if (cli->tracing_dir)
		err_msg("warning: trace-cmd records the system tracefs, ignoring %s",
			cli->tracing_dir);
	n = argc - optind;
	if (n < 1)
		usage_error("record", "expected -- COMMAND");

	av = calloc(n + 8, sizeof(*av));
	if (!av) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	av[i++] = "trace-cmd";
	av[i++] = "record";
	av[i++] = "-e";
	av[i++] = "relpoline";
	av[i++] = "-o";
	av[i++] = (char *)out;
	av[i++] = "--";
	for (int a = 0; a < n; a++)
		av[i++] = argv[optind + a];
	av[i] = NULL;
	fflush(stdout);
	execvp("trace-cmd", av);
	err_msg("cannot run trace-cmd: %s%s", strerror(errno),
		errno == ENOENT ? " (install trace-cmd)" : "");
	free(av);
	return EXIT_FAIL;
}
