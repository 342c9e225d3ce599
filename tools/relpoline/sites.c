// SPDX-License-Identifier: GPL-2.0
/* relpoline sites */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static unsigned int parse_states(const struct cli *cli, const char *arg)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	unsigned int mask = 0;

	if (!copy) {
		err_msg("out of memory");
		exit(EXIT_FAIL);
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int s = rp_state_parse(tok);

		if (s < 0)
			usage_error(cli, "unknown state '%s'", tok);
		mask |= 1u << s;
	}
	free(copy);
	if (!mask)
		usage_error(cli, "--state needs at least one state");
	return mask;
}

static void text_row(struct obuf *ob, const struct rp_site *s, bool available)
{
	char name[600], tname[1100];

	ob_printf(ob, "%6lu  %-48s %-16s %-4s %-4s", s->id, rp_site_name(s, name, sizeof(name)),
		  s->mod ? s->mod : "-", rp_form_name(s->form), s->reg);
	if (!available) {
		ob_printf(ob, " %-9s %12" PRIu64 " %12" PRIu64, rp_state_name(s->state),
			  s->hits, s->misses);
		for (unsigned int t = 0; t < s->nr_targets; t++)
			ob_printf(ob, "%s%s:%" PRIu64, t ? " " : "  ",
				  rp_target_name(&s->targets[t], tname, sizeof(tname)),
				  s->targets[t].hits);
	}
	ob_putc(ob, '\n');
}

int cmd_sites(struct cli *cli)
{
	const char *states = cli_val(cli, "state");
	bool available = cli_flag(cli, "available");
	unsigned int mask = states ? parse_states(cli, states) : 0;
	struct rp_syntax_err perr;
	struct obuf ob = { 0 };
	struct rp_sites sites;
	struct rp_json j;
	int r;

	cli_nargs(cli, 0, 0, "no argument");
	if (available && mask)
		usage_error(cli, "--state cannot be combined with --available");
	cli_open(cli, false);
	r = rp_read_sites(cli->ctx, available, &sites, &perr);
	if (r) {
		err_msg("%s", perr.msg);
		if (r == -EACCES || r == -EPERM)
			err_msg("run as root");
		return EXIT_FAIL;
	}
	if (cli->format == FMT_JSON) {
		rp_json_begin(&j, &ob, available ? "available_sites" : "sites");
		rp_json_arr(&j, "sites");
	} else if (available) {
		ob_printf(&ob, "%6s  %-48s %-16s %-4s %-4s\n", "ID", "SITE", "MODULE", "FORM", "REG");
	} else {
		ob_printf(&ob, "%6s  %-48s %-16s %-4s %-4s %-9s %12s %12s  %s\n", "ID", "SITE",
			  "MODULE", "FORM", "REG", "STATE", "HITS", "MISSES", "TARGETS");
	}
	for (size_t i = 0; i < sites.nr; i++) {
		const struct rp_site *s = &sites.v[i];

		if (mask && !(mask & (1u << s->state)))
			continue;
		if (cli->format == FMT_JSON)
			rp_json_site(&j, s, NULL);
		else
			text_row(&ob, s, available);
	}
	if (cli->format == FMT_JSON)
		rp_json_end(&j);
	rp_sites_free(&sites);
	return cli_print(&ob);
}
