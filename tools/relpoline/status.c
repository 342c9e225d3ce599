// SPDX-License-Identifier: GPL-2.0
/* relpoline status */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char * const status_usage[] = {
	"",
	"  usage: relpoline status [-t DIR] [--json]",
	"",
	"  Show whether relpoline is enabled, its mode and knobs, the number of",
	"  sites per state, hit/miss totals and the trace_stat totals.",
	"  Values the kernel does not provide are shown as '-' (null in JSON).",
	"",
	NULL,
};

static const char * const knobs[] = {
	"max_targets", "interval_ms", "min_samples", "threshold_pct",
	"sample_period", "profile",
};
#define NR_KNOBS (sizeof(knobs) / sizeof(knobs[0]))

static size_t count_lines(const struct rp_ctx *ctx, const char *name, bool *ok)
{
	struct rp_buf b = { 0 };
	size_t n = 0;
	char *p;

	*ok = !rp_read(ctx, name, &b);
	if (!*ok)
		return 0;
	for (p = b.p; p && *p;) {
		char *nl = strchr(p, '\n');

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != '#' && *p != '\n')
			n++;
		if (!nl)
			break;
		p = nl + 1;
	}
	rp_buf_free(&b);
	return n;
}

static void text_val(const char *key, long long v)
{
	if (v < 0)
		printf("%-15s -\n", key);
	else
		printf("%-15s %lld\n", key, v);
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	long long knob[NR_KNOBS], enabled = -1;
	char mode[32] = "";
	struct rp_sites sites;
	struct rp_syntax_err perr;
	struct rp_stat st;
	long long states[RP_STATE_NR] = { 0 };
	uint64_t hits = 0, misses = 0;
	size_t avail;
	bool have_avail, have_stat;
	int r;

	if (parse_simple(cli, argc, argv, true, status_usage) != argc)
		usage_error("status", "unexpected argument '%s'", argv[optind]);
	cli_open(cli, false);

	if (rp_read_ll(cli->ctx, "enable", &enabled))
		enabled = -1;
	if (rp_read_str(cli->ctx, "mode", mode, sizeof(mode)))
		mode[0] = '\0';
	for (size_t i = 0; i < NR_KNOBS; i++)
		if (rp_read_ll(cli->ctx, knobs[i], &knob[i]))
			knob[i] = -1;

	r = rp_read_sites(cli->ctx, false, &sites, &perr);
	if (r) {
		err_msg("%s", perr.msg);
		if (r == -EACCES || r == -EPERM)
			err_msg("run as root");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < sites.nr; i++) {
		states[sites.v[i].state]++;
		hits += sites.v[i].hits;
		misses += sites.v[i].misses;
	}
	avail = count_lines(cli->ctx, "available_sites", &have_avail);
	have_stat = !rp_read_stat(cli->ctx, &st);
	if (!have_stat)
		rp_stat_init(&st);

	if (cli->json) {
		printf("{\"tracing_dir\":");
		rp_json_str(stdout, cli->ctx->tracing_dir);
		printf(",\"enabled\":%s,\"mode\":",
		       enabled < 0 ? "null" : enabled ? "true" : "false");
		rp_json_str(stdout, mode[0] ? mode : NULL);
		printf(",\"knobs\":{");
		for (size_t i = 0; i < NR_KNOBS; i++) {
			printf("%s\"%s\":", i ? "," : "", knobs[i]);
			rp_json_ll_or_null(stdout, knob[i]);
		}
		printf("},\"sites\":{\"managed\":%zu,\"available\":", sites.nr);
		rp_json_ll_or_null(stdout, have_avail ? (long long)avail : -1);
		printf(",\"states\":{");
		for (int s = 0; s < RP_STATE_NR; s++)
			printf("%s\"%s\":%lld", s ? "," : "", rp_state_name(s), states[s]);
		printf("}},\"hits\":%" PRIu64 ",\"misses\":%" PRIu64 ",\"hit_rate\":", hits, misses);
		if (hits + misses)
			printf("%.6f", (double)hits / (double)(hits + misses));
		else
			printf("null");
		printf(",\"stat\":{\"available\":%s,\"retrains\":", have_stat ? "true" : "false");
		rp_json_ll_or_null(stdout, st.retrains);
		printf(",\"patch_batches\":");
		rp_json_ll_or_null(stdout, st.batches);
		printf(",\"ipi_rounds\":");
		rp_json_ll_or_null(stdout, st.ipi_rounds);
		printf(",\"last_retrain_ns\":");
		rp_json_ll_or_null(stdout, st.last_retrain_ns);
		printf(",\"stub_bytes\":");
		rp_json_ll_or_null(stdout, st.stub_bytes);
		printf("}}\n");
	} else {
		char buf[64];

		printf("%-15s %s\n", "relpoline:",
		       enabled < 0 ? "-" : enabled ? "enabled" : "disabled");
		printf("%-15s %s\n", "mode:", mode[0] ? mode : "-");
		for (size_t i = 0; i < NR_KNOBS; i++) {
			snprintf(buf, sizeof(buf), "%s:", knobs[i]);
			text_val(buf, knob[i]);
		}
		if (have_avail)
			printf("%-15s %zu managed, %zu available\n", "sites:", sites.nr, avail);
		else
			printf("%-15s %zu managed\n", "sites:", sites.nr);
		printf("%-15s", "states:");
		for (int s = 0; s < RP_STATE_NR; s++)
			printf(" %s %lld", rp_state_name(s), states[s]);
		printf("\n");
		printf("%-15s %" PRIu64 "\n", "hits:", hits);
		printf("%-15s %" PRIu64 "\n", "misses:", misses);
		if (hits + misses)
			printf("%-15s %.2f%%\n", "hit_rate:", 100.0 * hits / (double)(hits + misses));
		else
			printf("%-15s -\n", "hit_rate:");
		text_val("retrains:", st.retrains);
		text_val("patch_batches:", st.batches);
		text_val("ipi_rounds:", st.ipi_rounds);
		printf("%-15s %s\n", "last_retrain:", fmt_ns(st.last_retrain_ns, buf, sizeof(buf)));
		text_val("stub_bytes:", st.stub_bytes);
	}
	rp_sites_free(&sites);
	return EXIT_OK;
}
