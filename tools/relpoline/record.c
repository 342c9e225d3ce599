// SPDX-License-Identifier: GPL-2.0
/* relpoline record [-o FILE] -- COMMAND: trace-cmd record -e relpoline */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_record(struct cli *cli)
{
	const char *out = cli_val(cli, "output");
	char **av;
	int i = 0;

	if (cli->nargs < 1)
		usage_error(cli, "expected -- COMMAND");
	if (cli->tracing_dir)
		err_msg("warning: trace-cmd records the system tracefs, ignoring %s",
			cli->tracing_dir);
	av = calloc(cli->nargs + 8, sizeof(*av));
	if (!av) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	av[i++] = "trace-cmd";
	av[i++] = "record";
	av[i++] = "-e";
	av[i++] = "relpoline";
	av[i++] = "-o";
	av[i++] = (char *)(out ? out : "relpoline.dat");
	av[i++] = "--";
	for (int a = 0; a < cli->nargs; a++)
		av[i++] = cli->args[a];
	av[i] = NULL;
	fflush(stdout);
	execvp("trace-cmd", av);
	err_msg("cannot run trace-cmd: %s%s", strerror(errno),
		errno == ENOENT ? " (install trace-cmd)" : "");
	free(av);
	return EXIT_FAIL;
}
