// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline retrain [SITE] [--wait] [--timeout SEC]
 *
 * --wait: snapshot sites, send the command, then wait for either a
 * relpoline_retrain event (private instance, real tracefs only) or a
 * change of the retrain counter in trace_stat/relpoline, and print how
 * the sites changed.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char * const retrain_usage[] = {
	"",
	"  usage: relpoline retrain [-t DIR] [SITE] [-w|--wait] [--timeout SEC]",
	"",
	"  Ask the kernel to relearn the targets of all sites, or of SITE.",
	"",
	"	  -w/--wait: return once the retrain finished (relpoline_retrain",
	"	     event, or a change of the retrain counter in trace_stat) and",
	"	     print the sites whose state or targets changed",
	"	  --timeout SEC: give up waiting after SEC seconds (default 10);",
	"	     exit status 1 on timeout",
	"",
	NULL,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct wait_state {
	bool seen;
	struct rp_event ev;
};

static int on_event(const struct rp_event *ev, void *data)
{
	struct wait_state *w = data;

	if (ev->type == RP_EV_RETRAIN) {
		w->seen = true;
		w->ev = *ev;
		return 1;
	}
	return 0;
}

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

static const struct rp_site *find_id(const struct rp_sites *s, unsigned long id)
{
	size_t lo = 0, hi = s->nr;

	/* sites are usually sorted by id; fall back to a scan otherwise */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].id == id)
			return &s->v[mid];
		if (s->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = 0; i < s->nr; i++)
		if (s->v[i].id == id)
			return &s->v[i];
	return NULL;
}

/* print changes; returns number of changed sites */
static int print_diff(const struct rp_sites *a, const struct rp_sites *b)
{
	char name[600], ta[2400], tb[2400];
	int changed = 0;

	for (size_t i = 0; i < b->nr; i++) {
		const struct rp_site *nb = &b->v[i];
		const struct rp_site *na = find_id(a, nb->id);

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
		if (!find_id(b, a->v[i].id)) {
			printf("  %6lu %s: no longer managed (was %s)\n", a->v[i].id,
			       rp_site_name(&a->v[i], name, sizeof(name)),
			       rp_state_name(a->v[i].state));
			changed++;
		}
	}
	return changed;
}

int cmd_retrain(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		{ "wait",	no_argument,	   NULL, 'w' },
		{ "timeout",	required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct rp_sites before, after;
	struct rp_syntax_err perr;
	struct rp_stat st0, st;
	struct rp_events *ev = NULL;
	struct wait_state ws = { 0 };
	double timeout = 10, start;
	bool wait = false, done = false;
	char cmd[1024], msg[512], buf[64];
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "t:hw", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			cli->tracing_dir = optarg;
			break;
		case 'h':
			print_usage(retrain_usage, false);
		case 'w':
			wait = true;
			break;
		case 'T': {
			char *end;

			timeout = strtod(optarg, &end);
			if (*end || end == optarg || !(timeout > 0) || !isfinite(timeout))
				usage_error("retrain", "bad timeout '%s' (seconds > 0)", optarg);
			break;
		}
		default:
			bad_option("retrain", argv);
		}
	}
	if (cli->json)
		usage_error("retrain", "--json is only accepted by read commands (status, sites)");
	if (argc - optind > 1)
		usage_error("retrain", "expected at most one SITE");
	if (argc - optind == 1) {
		if (!valid_site_arg(argv[optind]) || strlen(argv[optind]) > 900)
			usage_error("retrain", "bad site '%s' (id, symbol+0xOFF or 0xADDRESS)",
				    argv[optind]);
		snprintf(cmd, sizeof(cmd), "retrain %s", argv[optind]);
	} else {
		snprintf(cmd, sizeof(cmd), "retrain");
	}

	cli_open(cli, true);
	if (!wait)
		return cli_control(cli, cmd);

	if (rp_read_sites(cli->ctx, false, &before, &perr)) {
		err_msg("%s", perr.msg);
		return EXIT_FAIL;
	}
	if (rp_read_stat(cli->ctx, &st0))
		rp_stat_init(&st0);
	ev = rp_events_open(cli->ctx, RP_EV_RETRAIN, msg, sizeof(msg));
	if (!ev && st0.retrains < 0) {
		err_msg("cannot wait for the retrain: %s, and trace_stat/relpoline has no retrain counter",
			msg);
		rp_sites_free(&before);
		return EXIT_FAIL;
	}

	/* Ctrl-C while waiting must still remove the private trace instance */
	{
		struct sigaction sa = { .sa_handler = on_signal };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}

	ret = cli_control(cli, cmd);
	if (ret) {
		rp_events_close(ev);
		rp_sites_free(&before);
		return ret;
	}

	start = now();
	while (!interrupted) {
		if (ev) {
			rp_events_poll(ev, on_event, &ws);
			if (ws.seen) {
				done = true;
				break;
			}
		}
		if (st0.retrains >= 0 && !rp_read_stat(cli->ctx, &st) &&
		    st.retrains >= 0 && st.retrains != st0.retrains) {
			done = true;
			break;
		}
		if (now() - start >= timeout)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
	rp_events_close(ev);
	if (interrupted) {
		err_msg("interrupted while waiting for the retrain");
		rp_sites_free(&before);
		return EXIT_FAIL;
	}
	if (!done) {
		err_msg("timed out after %g s waiting for the retrain to finish", timeout);
		rp_sites_free(&before);
		return EXIT_FAIL;
	}

	if (rp_read_sites(cli->ctx, false, &after, &perr)) {
		err_msg("%s", perr.msg);
		rp_sites_free(&before);
		return EXIT_FAIL;
	}
	if (!ws.seen && rp_read_stat(cli->ctx, &st))
		rp_stat_init(&st);
	{
		long long dur = ws.seen ? ws.ev.duration_ns : st.last_retrain_ns;
		long long batches = ws.seen ? ws.ev.batches : -1;

		printf("retrain finished after %.3f s", now() - start);
		if (dur >= 0)
			printf(" (kernel: %s", fmt_ns(dur, buf, sizeof(buf)));
		if (batches >= 0)
			printf("%s%lld patch batches", dur >= 0 ? ", " : " (kernel: ", batches);
		if (dur >= 0 || batches >= 0)
			printf(")");
		printf("\n");
	}
	if (!print_diff(&before, &after))
		printf("  no site changed\n");
	rp_sites_free(&before);
	rp_sites_free(&after);
	return EXIT_OK;
}
