// SPDX-License-Identifier: GPL-2.0
/* relpoline status: text, JSON (the shared schema) or Prometheus metrics */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct status {
	long long enabled;
	char mode[32];
	long long knob[16];
	long long available;		/* -1: unknown */
	long long managed;
	struct rp_stat st;
	bool have_stat;
	char stat_err[256];
	char sites_err[256];
};

static long long count_lines(const struct rp_ctx *ctx, const char *name)
{
	struct rp_buf b = { 0 };
	long long n = 0;

	if (rp_read(ctx, name, &b))
		return -1;
	for (char *p = b.p; p && *p;) {
		char *nl = strchr(p, '\n');

		if (*p != '#' && *p != '\n')
			n++;
		if (!nl)
			break;
		p = nl + 1;
	}
	rp_buf_free(&b);
	return n;
}

static void gather(struct cli *cli, struct status *s)
{
	struct rp_syntax_err err = { 0 };
	struct rp_sites sites;

	if (rp_read_ll(cli->ctx, "enable", &s->enabled))
		s->enabled = -1;
	if (rp_read_str(cli->ctx, "mode", s->mode, sizeof(s->mode)))
		s->mode[0] = '\0';
	for (size_t i = 0; i < rp_nr_knobs; i++)
		if (rp_read_ll(cli->ctx, rp_knobs[i].name, &s->knob[i]))
			s->knob[i] = -1;
	s->available = count_lines(cli->ctx, "available_sites");
	if (rp_read_sites(cli->ctx, false, &sites, &err)) {
		s->managed = -1;
		snprintf(s->sites_err, sizeof(s->sites_err), "%s", err.msg);
	} else {
		s->managed = sites.nr;
		rp_sites_free(&sites);
	}
	s->have_stat = !rp_read_stat(cli->ctx, &s->st, &err);
	if (!s->have_stat) {
		rp_stat_init(&s->st);
		snprintf(s->stat_err, sizeof(s->stat_err), "%s", err.msg);
	}
}

static void text_ll(struct obuf *ob, const char *key, long long v)
{
	if (v < 0)
		ob_printf(ob, "%-16s -\n", key);
	else
		ob_printf(ob, "%-16s %lld\n", key, v);
}

/* The kernel's estimate of what promotion saves, in words. */
static void text_estimate(struct obuf *ob, const struct rp_stat *st)
{
	long long d = rp_stat_saved_per_hit_x100(st);

	if (d < 0) {
		ob_printf(ob, "%-16s - (not calibrated: relpoline was never enabled)\n", "estimate:");
		return;
	}
	ob_printf(ob, "%-16s a hit saves %.2f cycles (slow path %.2f, hit %.2f)", "estimate:",
		  d / 100.0, st->slow_cycles_x100 / 100.0, st->hit_cycles_x100 / 100.0);
	if (st->saved_cycles_per_sec >= 0 && st->cpu_share_ppm >= 0)
		ob_printf(ob, "; %lld cycles/s saved, %.4f%% of one CPU (last %.1f s)",
			  st->saved_cycles_per_sec, st->cpu_share_ppm / 1e4,
			  st->saved_window_ms / 1e3);
	else
		ob_puts(ob, "; no rate (hits not counted, or no window of a second yet)");
	ob_putc(ob, '\n');
}

static void fmt_text(struct obuf *ob, const struct status *s)
{
	const struct rp_stat *st = &s->st;
	char key[64];

	ob_printf(ob, "%-16s %s\n", "relpoline:", s->enabled < 0 ? "-" :
		  s->enabled ? "enabled" : "disabled");
	ob_printf(ob, "%-16s %s\n", "mode:", s->mode[0] ? s->mode : "-");
	for (size_t i = 0; i < rp_nr_knobs; i++) {
		snprintf(key, sizeof(key), "%s:", rp_knobs[i].name);
		text_ll(ob, key, s->knob[i]);
	}
	ob_printf(ob, "%-16s %lld managed, %lld available, %lld refused\n", "sites:",
		  s->managed, s->available, st->refused);
	ob_printf(ob, "%-16s", "states:");
	for (int i = 0; i < RP_STATE_NR; i++)
		ob_printf(ob, " %s %lld", rp_state_name(i), st->state[i]);
	ob_putc(ob, '\n');
	for (size_t i = 0; i < rp_nr_stat_keys; i++) {
		const struct rp_stat_key *k = &rp_stat_keys[i];

		if (!strcmp(k->name, "sites") || !strcmp(k->name, "refused") ||
		    (!k->required && rp_stat_val(st, k) < 0))
			continue;
		snprintf(key, sizeof(key), "%s:", k->name);
		text_ll(ob, key, rp_stat_val(st, k));
	}
	if (st->hits >= 0 && st->hits + st->misses)
		ob_printf(ob, "%-16s %.2f%%\n", "hit_pct:",
			  100.0 * st->hits / (double)(st->hits + st->misses));
	else
		ob_printf(ob, "%-16s -\n", "hit_pct:");
	text_estimate(ob, st);
	if (st->dropped > 0)
		ob_printf(ob, "warning: %lld samples were dropped: learning is starved "
			  "(raise sample_period or lower interval_ms)\n", st->dropped);
}

static void fmt_json(struct obuf *ob, struct cli *cli, const struct status *s)
{
	struct rp_json j;

	rp_json_begin(&j, ob, "status");
	rp_json_str(&j, "tracing_dir", cli->ctx->tracing_dir);
	rp_json_bool(&j, "enabled", s->enabled < 0 ? -1 : !!s->enabled);
	rp_json_str(&j, "mode", s->mode[0] ? s->mode : NULL);
	rp_json_obj(&j, "knobs");
	for (size_t i = 0; i < rp_nr_knobs; i++)
		rp_json_ll(&j, rp_knobs[i].name, s->knob[i]);
	rp_json_close(&j, '}');
	rp_json_obj(&j, "sites");
	rp_json_ll(&j, "managed", s->managed);
	rp_json_ll(&j, "available", s->available);
	rp_json_close(&j, '}');
	rp_json_states(&j, s->st.state);
	rp_json_totals(&j, &s->st);
	rp_json_end(&j);
}

static void metric(struct obuf *ob, const char *name, const char *type, const char *help)
{
	ob_printf(ob, "# HELP relpoline_%s %s\n# TYPE relpoline_%s %s\n", name, help, name, type);
}

/* name, counter?, help of the trace_stat totals as metrics */
static const struct {
	const char *key, *metric, *help;
	bool counter;
} prom_map[] = {
	{ "hits", "hits_total", "Calls that took a promoted target (counted while profiling).", true },
	{ "misses", "misses_total", "Calls that took a stub's slow path.", true },
	{ "samples", "samples_total", "Slow-path calls recorded for learning.", true },
	{ "dropped", "samples_dropped_total", "Samples lost because the learning tables were full (learning starved).", true },
	{ "retrains", "retrains_total", "Policy rounds.", true },
	{ "round_sites", "last_round_sites", "Sites the last policy round visited (those sampled lately).", false },
	{ "batches", "patch_batches_total", "Text patching batches.", true },
	{ "ipi_rounds", "ipi_rounds_total", "IPI rounds of text patching.", true },
	{ "patched", "sites_patched_total", "Site rewrites.", true },
	{ "refused", "sites_refused", "Sites relpoline never patches.", false },
	{ "stub_bytes", "stub_bytes", "Stub memory in use.", false },
	{ "stub_pool_bytes", "stub_pool_bytes", "Stub memory allocated.", false },
	{ "saved_cycles", "saved_cycles_total", "Kernel estimate of the cycles promotion saved.", true },
	{ "saved_cycles_per_sec", "saved_cycles_per_second",
	  "Kernel estimate of the cycles saved per second, over its last window.", false },
	{ "cpu_share_ppm", "saved_cpu_share_ppm",
	  "The cycles saved per second, in parts per million of one CPU (estimate).", false },
};

static void fmt_prometheus(struct obuf *ob, const struct status *s)
{
	const struct rp_stat *st = &s->st;

	metric(ob, "enabled", "gauge", "1 if relpoline is enabled.");
	ob_printf(ob, "relpoline_enabled %lld\n", s->enabled < 0 ? 0 : s->enabled);
	metric(ob, "sites", "gauge", "Sites by state.");
	for (int i = 0; i < RP_STATE_NR; i++)
		if (st->state[i] >= 0)
			ob_printf(ob, "relpoline_sites{state=\"%s\"} %lld\n", rp_state_name(i), st->state[i]);
	for (size_t i = 0; i < sizeof(prom_map) / sizeof(prom_map[0]); i++) {
		for (size_t k = 0; k < rp_nr_stat_keys; k++) {
			long long v = rp_stat_val(st, &rp_stat_keys[k]);

			if (strcmp(rp_stat_keys[k].name, prom_map[i].key) || v < 0)
				continue;
			metric(ob, prom_map[i].metric, prom_map[i].counter ? "counter" : "gauge",
			       prom_map[i].help);
			ob_printf(ob, "relpoline_%s %lld\n", prom_map[i].metric, v);
		}
	}
	if (st->last_retrain_us >= 0) {
		metric(ob, "last_retrain_seconds", "gauge", "Duration of the last policy round.");
		ob_printf(ob, "relpoline_last_retrain_seconds %.6f\n", st->last_retrain_us / 1e6);
	}
	metric(ob, "knob", "gauge", "Knob values.");
	for (size_t i = 0; i < rp_nr_knobs; i++)
		if (s->knob[i] >= 0)
			ob_printf(ob, "relpoline_knob{knob=\"%s\"} %lld\n", rp_knobs[i].name, s->knob[i]);
}

/* write to file atomically (textfile collectors read whole files) */
static int write_file(const char *file, const struct obuf *ob)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", file, (int)getpid()) >= (int)sizeof(tmp)) {
		err_msg("%s: file name too long", file);
		return EXIT_FAIL;
	}
	f = fopen(tmp, "w");
	if (!f || ob_write(ob, f) | fclose(f) || rename(tmp, file)) {
		err_msg("%s: %s", f ? file : tmp, strerror(errno));
		unlink(tmp);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_status(struct cli *cli)
{
	struct obuf ob = { 0 };
	struct status s;
	const char *out = cli_val(cli, "output");
	int ret;

	cli_nargs(cli, 0, 0, "no argument");
	cli_open(cli, false);
	memset(&s, 0, sizeof(s));
	gather(cli, &s);
	if (s.managed < 0) {
		/* a sites file the strict parser refuses is an error too */
		err_msg("%s", s.sites_err);
		return EXIT_FAIL;
	}
	if (!s.have_stat) {
		/* the totals are what status is for: a wrong format is an error */
		err_msg("%s", s.stat_err);
		return EXIT_FAIL;
	}
	if (cli->format == FMT_JSON)
		fmt_json(&ob, cli, &s);
	else if (cli->format == FMT_PROMETHEUS)
		fmt_prometheus(&ob, &s);
	else
		fmt_text(&ob, &s);
	if (!out)
		return cli_print(&ob);
	ret = write_file(out, &ob);
	ob_free(&ob);
	return ret;
}
