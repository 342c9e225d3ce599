// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline retrain [SITE] [--wait]
 *
 * The kernel runs the policy round synchronously, inside the write: when
 * it returns, the promotions are in place. --wait therefore only reads
 * sites before and after and prints what changed.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void targets_str(const struct rp_site *s, char *buf, size_t len)
{
	size_t n = 0;
	char t[1100];

	buf[0] = '\0';
	for (unsigned int i = 0; i < s->nr_targets && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? "," : "",
			      rp_target_name(&s->targets[i], t, sizeof(t)));
	if (!s->nr_targets)
		snprintf(buf, len, "-");
}

/* print changes; returns number of changed sites */
static int print_diff(const struct rp_sites *a, const struct rp_sites *b)
{
	char name[600], ta[2400], tb[2400];
	int changed = 0;

	for (size_t i = 0; i < b->nr; i++) {
		const struct rp_site *nb = &b->v[i];
		const struct rp_site *na = rp_sites_find_id(a, nb->id);

		targets_str(nb, tb, sizeof(tb));
		rp_site_name(nb, name, sizeof(name));
		if (!na) {
			printf("  %6lu %s: new, %s [%s]\n", nb->id, name, rp_state_name(nb->state), tb);
			changed++;
			continue;
		}
		targets_str(na, ta, sizeof(ta));
		if (na->state != nb->state || strcmp(ta, tb)) {
			printf("  %6lu %s: %s [%s] -> %s [%s]\n", nb->id, name,
			       rp_state_name(na->state), ta, rp_state_name(nb->state), tb);
			changed++;
		}
	}
	for (size_t i = 0; i < a->nr; i++) {
		if (!rp_sites_find_id(b, a->v[i].id)) {
			printf("  %6lu %s: no longer managed (was %s)\n", a->v[i].id,
			       rp_site_name(&a->v[i], name, sizeof(name)),
			       rp_state_name(a->v[i].state));
			changed++;
		}
	}
	return changed;
}

int cmd_retrain(struct cli *cli)
{
	struct rp_sites before, after;
	struct rp_syntax_err perr;
	struct rp_stat st;
	char cmd[1024];
	int ret;

	cli_nargs(cli, 0, 1, "at most one SITE");
	if (cli->nargs == 1) {
		if (!valid_site_arg(cli->args[0]) || strlen(cli->args[0]) > 900)
			usage_error(cli, "bad site '%s' (id, symbol+0xOFF or 0xADDRESS)", cli->args[0]);
		snprintf(cmd, sizeof(cmd), "retrain %s", cli->args[0]);
	} else {
		snprintf(cmd, sizeof(cmd), "retrain");
	}
	cli_open(cli, true);
	if (!cli_flag(cli, "wait"))
		return cli_control(cli, cmd);

	if (rp_read_sites(cli->ctx, false, &before, &perr)) {
		err_msg("%s", perr.msg);
		return EXIT_FAIL;
	}
	ret = cli_control(cli, cmd);
	if (ret) {
		rp_sites_free(&before);
		return ret;
	}
	if (rp_read_sites(cli->ctx, false, &after, &perr)) {
		err_msg("%s", perr.msg);
		rp_sites_free(&before);
		return EXIT_FAIL;
	}
	if (!rp_read_stat(cli->ctx, &st, &perr) && st.last_retrain_us >= 0)
		printf("retrain done (kernel: %lld us)\n", st.last_retrain_us);
	else
		printf("retrain done\n");
	if (!print_diff(&before, &after))
		printf("  no site changed\n");
	rp_sites_free(&before);
	rp_sites_free(&after);
	return EXIT_OK;
}
