// SPDX-License-Identifier: GPL-2.0
/* relpoline-top's data source: see top_source.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "top_source.h"

volatile sig_atomic_t top_stop;

static void on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

void top_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: interrupt sleeps */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	/* a closed pipe must end the loop, not kill us */
	signal(SIGPIPE, SIG_IGN);
}

double top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Hit counting stays on while we hold a descriptor of profile_hold, and
 * goes off (unless the profile knob is 1) when the last holder is gone,
 * even if we are killed: no knob to switch and restore.
 */
static void hold_profile(struct top_source *src)
{
	char path[4096];

	src->hold_fd = -1;
	if (rp_path(src->ctx, "profile_hold", path, sizeof(path)))
		return;
	src->hold_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (src->hold_fd < 0)
		snprintf(src->warning, sizeof(src->warning),
			 "cannot hold hit counting (%s/profile_hold: %s): per-target shares move only while profile is 1",
			 src->ctx->dir, strerror(errno));
}

int top_source_open(struct top_source *src, const char *tracing_dir, bool no_hold,
		    bool events, char *msg, size_t len)
{
	enum rp_open_err why;

	memset(src, 0, sizeof(*src));
	src->hold_fd = -1;
	src->ctx = rp_open(tracing_dir, &why, msg, len);
	if (!src->ctx)
		return -1;
	if (!no_hold)
		hold_profile(src);
	if (events) {
		src->hist = calloc(HIST_MAX, sizeof(*src->hist));
		if (src->hist)
			src->events = rp_events_open(src->ctx, RP_EV_PROMOTE | RP_EV_DEMOTE | RP_EV_RETRAIN,
						     src->events_msg, sizeof(src->events_msg));
	}
	return 0;
}

void top_source_close(struct top_source *src)
{
	rp_events_close(src->events);
	src->events = NULL;
	if (src->hold_fd >= 0)
		close(src->hold_fd);
	src->hold_fd = -1;
	free(src->hist);
	src->hist = NULL;
	rp_buf_free(&src->sites_buf);
	rp_buf_free(&src->stat_buf);
	rp_close(src->ctx);
	src->ctx = NULL;
}

/*
 * trace_stat/relpoline: the totals are its first lines, the per-site
 * rows follow; read until the first row. As the kernel collects and
 * sorts every site when the file is opened, the read is rate limited:
 * when it costs more than STAT_BUDGET of the delay in CPU time it is done
 * only every few refreshes (at most every 11th; the values shown are kept
 * meanwhile).
 */
#define STAT_BUDGET	0.001
static void read_stat(struct top_source *src, struct top_info *in)
{
	struct rp_syntax_err err;
	struct rp_buf *b = &src->stat_buf;
	char path[4096];
	double t0;
	int fd;

	if (src->stat_skip > 0) {
		src->stat_skip--;
		return;
	}
	t0 = thread_cpu();
	if (rp_tpath(src->ctx, "trace_stat/relpoline", path, sizeof(path)) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rp_stat_init(&in->stat);
		return;
	}
	b->len = 0;
	for (;;) {
		ssize_t n;
		char *nl;

		if (b->cap - b->len < 65536 + 1) {
			size_t nc = b->cap ? b->cap * 2 : 131072;
			char *np = realloc(b->p, nc);

			if (!np)
				break;
			b->p = np;
			b->cap = nc;
		}
		n = read(fd, b->p + b->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->len += n;
		b->p[b->len] = '\0';
		/* a complete line that is not a header: the totals are all in */
		nl = b->p;
		while ((nl = memchr(nl, '\n', b->p + b->len - nl)) && nl[1] == '#')
			nl++;
		if (nl && nl + 1 < b->p + b->len)
			break;
	}
	close(fd);
	if (rp_stat_parse(b->p ? b->p : "", b->len, &in->stat, &err) &&
	    !src->warning[0])
		snprintf(src->warning, sizeof(src->warning), "%s", err.msg);

	/* EWMA of the CPU cost, then how many refreshes to skip */
	src->stat_cost = src->stat_cost ? 0.7 * src->stat_cost + 0.3 * (thread_cpu() - t0)
					: thread_cpu() - t0;
	src->stat_skip = (int)(src->stat_cost / (STAT_BUDGET * in->delay));
	if (src->stat_skip > 10)
		src->stat_skip = 10;
}

int top_source_sample(struct top_source *src, struct top_model *m, struct top_info *in,
		      char *msg, size_t len)
{
	struct rp_syntax_err perr;
	struct rp_sites sites;
	double t = top_now();
	char buf[32];
	int r;

	/* size the buffer from the last read: no realloc copies */
	if (!src->sites_buf.p && src->sites_hint) {
		src->sites_buf.cap = src->sites_hint + src->sites_hint / 8 + 65536 * 2;
		src->sites_buf.p = malloc(src->sites_buf.cap);
		if (!src->sites_buf.p)
			src->sites_buf.cap = 0;
	}
	r = rp_read(src->ctx, "sites", &src->sites_buf);
	if (r) {
		snprintf(msg, len, "%s/sites: %s", src->ctx->dir, strerror(-r));
		return -1;
	}
	src->sites_hint = src->sites_buf.len;
	/* the parsed sites own the text from now on */
	r = rp_sites_parse_owned(src->sites_buf.p, src->sites_buf.len, false, &sites, &perr);
	memset(&src->sites_buf, 0, sizeof(src->sites_buf));
	if (r) {
		snprintf(msg, len, "sites: %s", r == -ENOMEM ? strerror(ENOMEM) : perr.msg);
		return -1;
	}
	if (top_model_update(m, &sites, src->last_sample ? t - src->last_sample : 0)) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	src->last_sample = t;
	read_stat(src, in);
	if (rp_read_ll(src->ctx, "enable", &in->enabled))
		in->enabled = -1;
	if (rp_read_str(src->ctx, "mode", buf, sizeof(buf)))
		buf[0] = '\0';
	snprintf(in->mode, sizeof(in->mode), "%.15s", buf);
	in->holding = src->hold_fd >= 0;
	in->now = time(NULL);
	return 0;
}

static int hist_cb(const struct rp_event *ev, void *data)
{
	struct top_source *src = data;
	struct hist_ent *h = &src->hist[(src->hist_head + src->hist_nr) % HIST_MAX];

	if (src->hist_nr < HIST_MAX)
		src->hist_nr++;
	else
		src->hist_head = (src->hist_head + 1) % HIST_MAX;
	h->ts = ev->ts;
	h->type = ev->type;
	h->site_id = ev->site_id;
	snprintf(h->site, sizeof(h->site), "%.159s", ev->site);
	switch (ev->type) {
	case RP_EV_PROMOTE:
		snprintf(h->text, sizeof(h->text), "%s %.300s",
			 ev->pinned == 1 ? "pin     " : "promote ",
			 ev->targets[0] ? ev->targets : ev->info);
		break;
	case RP_EV_DEMOTE:
		snprintf(h->text, sizeof(h->text), "demote   %.300s",
			 ev->reason[0] ? ev->reason : ev->info);
		break;
	case RP_EV_RETRAIN:
		snprintf(h->text, sizeof(h->text), "retrain  %.300s", ev->info);
		break;
	default:
		snprintf(h->text, sizeof(h->text), "%-8s %.300s", ev->name, ev->info);
		break;
	}
	return 0;
}

void top_source_poll(struct top_source *src)
{
	if (src->events && src->hist)
		rp_events_poll(src->events, hist_cb, src);
}

const struct hist_ent *top_source_hist(const struct top_source *src, size_t i)
{
	return &src->hist[(src->hist_head + i) % HIST_MAX];
}
