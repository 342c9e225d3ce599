// SPDX-License-Identifier: GPL-2.0
/* relpoline sites */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char * const sites_usage[] = {
	"",
	"  usage: relpoline sites [-t DIR] [--json] [-a|--available] [-s|--state S[,S...]]",
	"",
	"  List the managed sites: id, site, module, form, register, state,",
	"  hits, misses and the promoted targets with their hit counts.",
	"",
	"	  -a/--available: list every known site (available_sites) instead",
	"	  -s/--state S[,S...]: only sites in these states",
	"	     (off learning promoted pinned blocked busy)",
	"	  --json: one JSON object {\"sites\":[...]}",
	"",
	NULL,
};

int cmd_sites(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		CLI_JSON_LONGOPT,
		{ "available",	no_argument,	    NULL, 'a' },
		{ "state",	required_argument,  NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int state_mask = 0;
	bool available = false;
	struct rp_sites sites;
	struct rp_syntax_err perr;
	int c, r;
	bool first = true;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "t:has:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			cli->tracing_dir = optarg;
			break;
		case 'h':
			print_usage(sites_usage, false);
		case 'J':
			cli->json = true;
			break;
		case 'a':
			available = true;
			break;
		case 's': {
			char *copy = strdup(optarg), *save = NULL, *tok;

			for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				int s = rp_state_parse(tok);

				if (s < 0)
					usage_error("sites", "unknown state '%s'", tok);
				state_mask |= 1u << s;
			}
			free(copy);
			if (!state_mask)
				usage_error("sites", "--state needs at least one state");
			break;
		}
		default:
			bad_option("sites", argv);
		}
	}
	if (optind != argc)
		usage_error("sites", "unexpected argument '%s'", argv[optind]);
	if (available && state_mask)
		usage_error("sites", "--state cannot be combined with --available");

	cli_open(cli, false);
	r = rp_read_sites(cli->ctx, available, &sites, &perr);
	if (r) {
		err_msg("%s", perr.msg);
		if (r == -EACCES || r == -EPERM)
			err_msg("run as root");
		return EXIT_FAIL;
	}

	if (cli->json)
		fputs("{\"sites\":[", stdout);
	else if (available)
		printf("%6s  %-48s %-16s %-4s %-4s\n", "ID", "SITE", "MODULE", "FORM", "REG");
	else
		printf("%6s  %-48s %-16s %-4s %-4s %-9s %12s %12s  %s\n", "ID", "SITE", "MODULE",
		       "FORM", "REG", "STATE", "HITS", "MISSES", "TARGETS");

	for (size_t i = 0; i < sites.nr; i++) {
		const struct rp_site *s = &sites.v[i];
		char name[600], tname[1100];

		if (state_mask && !(state_mask & (1u << s->state)))
			continue;
		if (cli->json) {
			if (!first)
				putchar(',');
			rp_json_site(stdout, s);
			first = false;
			continue;
		}
		printf("%6lu  %-48s %-16s %-4s %-4s", s->id, rp_site_name(s, name, sizeof(name)),
		       s->mod ? s->mod : "-", rp_form_name(s->form), s->reg);
		if (!available) {
			printf(" %-9s %12" PRIu64 " %12" PRIu64, rp_state_name(s->state),
			       s->hits, s->misses);
			for (unsigned int t = 0; t < s->nr_targets; t++)
				printf("%s%s:%" PRIu64, t ? " " : "  ",
				       rp_target_name(&s->targets[t], tname, sizeof(tname)),
				       s->targets[t].hits);
		}
		putchar('\n');
	}
	if (cli->json)
		fputs("]}\n", stdout);
	rp_sites_free(&sites);
	return EXIT_OK;
}
