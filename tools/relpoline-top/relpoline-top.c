// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline-top - live view of relpoline sites
 *
 * This file: options, sampling, the profile knob and batch/JSON output.
 * top_ui.c draws the ncurses view, top_model.c computes rates, filters,
 * sorts and formats (no ncurses, unit tested).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include "top.h"

volatile sig_atomic_t top_stop;

static struct app app;

/* profile knob to restore on exit */
static bool profile_restore;
static char profile_saved[32];

static const char * const usage_msg[] = {
	"",
	"relpoline-top version " RP_TOOLS_VERSION,
	"",
	"  usage: relpoline-top [-h] [-b] [--json] [-d SECONDS] [-n ITERATIONS]",
	"                       [-s COLUMN] [-I] [-f TEXT] [-t DIR]",
	"",
	"	  -h/--help: print this menu",
	"	  -b/--batch: plain text frames on stdout (like top -b)",
	"	     --json: one JSON object per frame on stdout",
	"	  -d/--delay SECONDS: time between refreshes (default 1, min 0.1)",
	"	  -n/--iterations N: stop after N frames (default: run until quit)",
	"	  -s/--sort COLUMN: id site module state hits misses calls hitpct targets",
	"	     (default calls; numeric columns sort busiest first)",
	"	  -I/--invert: invert the sort order",
	"	  -f/--filter TEXT: only sites whose symbol, module, state or",
	"	     targets contain TEXT (case-insensitive)",
	"	  -t/--tracing-dir DIR: tracing directory to read (also env",
	"	     RELPOLINE_TRACING_DIR); no root check then",
	"",
	"  While running, relpoline/profile is set to 1 so the stubs count hits",
	"  per target; the previous value is restored on exit.",
	"",
	"  keys: F6 < > s sort  I invert  / F4 filter  Enter details  p pause",
	"        + - delay  F1 h ? help  q F10 quit",
	"",
	NULL,
};

static void usage(int code)
{
	FILE *f = code ? stderr : stdout;

	for (int i = 0; usage_msg[i]; i++)
		fprintf(f, "%s\n", usage_msg[i]);
	exit(code);
}

static void usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "relpoline-top: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'relpoline-top --help'.\n");
	exit(2);
}

double top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void restore_profile(void)
{
	struct rp_result res;
	char buf[40];

	if (!profile_restore || !app.ctx)
		return;
	profile_restore = false;
	snprintf(buf, sizeof(buf), "%s\n", profile_saved);
	if (rp_write(app.ctx, "profile", buf, false, &res))
		fprintf(stderr, "relpoline-top: could not restore profile=%s: %s\n",
			profile_saved, res.msg);
	rp_result_clear(&res);
}

static void cleanup(void)
{
	restore_profile();
	rp_events_close(app.events);
	app.events = NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: interrupt sleeps */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	/* a closed pipe must end the loop (and restore), not kill us */
	signal(SIGPIPE, SIG_IGN);
}

static void enable_profile(struct app *a)
{
	struct rp_result res;
	char cur[32];

	if (rp_read_str(a->ctx, "profile", cur, sizeof(cur))) {
		snprintf(a->warning, sizeof(a->warning),
			 "no relpoline/profile knob: per-target counts may not move");
		return;
	}
	if (!strcmp(cur, "1"))
		return;
	snprintf(profile_saved, sizeof(profile_saved), "%s", cur);
	if (rp_write(a->ctx, "profile", "1\n", false, &res)) {
		snprintf(a->warning, sizeof(a->warning),
			 "cannot enable profile: %.200s", res.msg);
	} else {
		profile_restore = true;
		a->info.profile_forced = true;
	}
	rp_result_clear(&res);
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * trace_stat/relpoline lists every site before or after its totals. Read
 * it in chunks and stop at the first site row that follows totals (a
 * kernel printing totals in its stat header costs one chunk); otherwise
 * read to the end. As the kernel sorts all sites for every open, the
 * read is also rate limited: when it costs more than STAT_BUDGET of the
 * delay in CPU time it is done only every few refreshes (at most every
 * 11th; the values shown are kept meanwhile).
 */
#define STAT_BUDGET	0.001
static void read_stat(struct app *a)
{
	struct rp_stat st;
	char path[4096];
	double t0;
	size_t scanned = 0;
	bool totals = false, stop = false;
	int fd;

	if (a->stat_skip > 0) {
		a->stat_skip--;
		return;
	}
	t0 = thread_cpu();
	rp_stat_init(&st);
	if (rp_tpath(a->ctx, "trace_stat/relpoline", path, sizeof(path)) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		a->info.stat = st;
		return;
	}
	a->stat_buf.len = 0;
	while (!stop) {
		ssize_t n;

		if (a->stat_buf.cap - a->stat_buf.len < 65536 + 1) {
			size_t nc = a->stat_buf.cap ? a->stat_buf.cap * 2 : 131072;
			char *np = realloc(a->stat_buf.p, nc);

			if (!np)
				break;
			a->stat_buf.p = np;
			a->stat_buf.cap = nc;
		}
		n = read(fd, a->stat_buf.p + a->stat_buf.len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		a->stat_buf.len += n;
		/* classify the complete lines read so far */
		while (scanned < a->stat_buf.len) {
			char *l = a->stat_buf.p + scanned;
			char *nl = memchr(l, '\n', a->stat_buf.len - scanned);
			char *q = l;

			if (!nl)
				break;
			while (q < nl && (*q == ' ' || *q == '\t'))
				q++;
			if (q < nl && ((*q >= '0' && *q <= '9') || memmem(q, nl - q, "+0x", 3))) {
				if (totals) {
					stop = true;
					break;
				}
			} else if (rp_stat_parse(l, nl - l, &st) > 0) {
				totals = true;
			}
			scanned = nl + 1 - a->stat_buf.p;
		}
	}
	close(fd);
	if (!stop && scanned < a->stat_buf.len)
		rp_stat_parse(a->stat_buf.p + scanned, a->stat_buf.len - scanned, &st);
	a->info.stat = st;

	/* EWMA of the CPU cost, then how many refreshes to skip */
	a->stat_cost = a->stat_cost ? 0.7 * a->stat_cost + 0.3 * (thread_cpu() - t0)
				    : thread_cpu() - t0;
	a->stat_skip = (int)(a->stat_cost / (STAT_BUDGET * a->delay));
	if (a->stat_skip > 10)
		a->stat_skip = 10;
}

int top_sample(struct app *a, char *msg, size_t msglen)
{
	struct rp_syntax_err perr;
	struct rp_sites sites;
	double t;
	char buf[32];
	int r;

	t = top_now();
	/* size the buffer from the last read: no realloc copies */
	if (!a->sites_buf.p && a->sites_hint) {
		a->sites_buf.cap = a->sites_hint + a->sites_hint / 8 + 65536 * 2;
		a->sites_buf.p = malloc(a->sites_buf.cap);
		if (!a->sites_buf.p)
			a->sites_buf.cap = 0;
	}
	r = rp_read(a->ctx, "sites", &a->sites_buf);
	if (r) {
		snprintf(msg, msglen, "%s/sites: %s", a->ctx->dir, strerror(-r));
		return -1;
	}
	a->sites_hint = a->sites_buf.len;
	/* the parsed sites own the text from now on */
	r = rp_sites_parse_owned(a->sites_buf.p, a->sites_buf.len, false, &sites, &perr);
	memset(&a->sites_buf, 0, sizeof(a->sites_buf));
	if (r) {
		snprintf(msg, msglen, "sites: %s", r == -ENOMEM ? strerror(ENOMEM) : perr.msg);
		return -1;
	}
	if (top_model_update(&a->model, &sites, a->last_sample ? t - a->last_sample : 0)) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	a->last_sample = t;

	read_stat(a);
	if (rp_read_ll(a->ctx, "enable", &a->info.enabled))
		a->info.enabled = -1;
	if (rp_read_str(a->ctx, "mode", buf, sizeof(buf)))
		buf[0] = '\0';
	snprintf(a->info.mode, sizeof(a->info.mode), "%.15s", buf);
	a->info.now = time(NULL);
	return 0;
}

static int hist_cb(const struct rp_event *ev, void *data)
{
	struct app *a = data;
	struct hist_ent *h;

	if (!a->hist)
		return 1;
	h = &a->hist[(a->hist_head + a->hist_nr) % HIST_MAX];
	if (a->hist_nr < HIST_MAX)
		a->hist_nr++;
	else
		a->hist_head = (a->hist_head + 1) % HIST_MAX;
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

void top_poll_events(struct app *a)
{
	if (a->events)
		rp_events_poll(a->events, hist_cb, a);
}

/* sleep until 'until' (monotonic); false if interrupted by a stop */
static bool sleep_until(double until)
{
	while (!top_stop) {
		double left = until - top_now();
		struct timespec ts;

		if (left <= 0)
			return true;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
	return false;
}

static int write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* write iov[0..n) completely, batching IOV_MAX entries per writev() */
static int writev_all(struct iovec *iov, size_t n)
{
	while (n) {
		int cnt = n > IOV_MAX ? IOV_MAX : (int)n;
		ssize_t w = writev(STDOUT_FILENO, iov, cnt);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		/* skip what was written, possibly into the middle of an entry */
		while (n && (size_t)w >= iov->iov_len) {
			w -= iov->iov_len;
			iov++;
			n--;
		}
		if (n && w) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= w;
		}
	}
	return 0;
}

/*
 * A text frame: the rows are formatted once in memory order and handed
 * to writev() in sort order, without copying them into one buffer.
 */
static int write_text_frame(struct app *a, struct obuf *head, struct obuf *rows,
			    size_t **off, size_t *cap_off, struct iovec **iov, size_t *cap_iov)
{
	const struct top_model *m = &a->model;
	size_t n = 0;

	ob_reset(head);
	top_fmt_batch_head(head, m, &a->info);
	if (top_fmt_rows(m, rows, off, cap_off))
		return -1;
	if (m->nr_view + 2 > *cap_iov) {
		struct iovec *ni = realloc(*iov, (m->nr_view + 2) * sizeof(**iov));

		if (!ni)
			return -1;
		*iov = ni;
		*cap_iov = m->nr_view + 2;
	}
	(*iov)[n++] = (struct iovec){ head->p, head->len };
	for (size_t i = 0; i < m->nr_view; i++) {
		size_t k = m->view[i];

		(*iov)[n++] = (struct iovec){ rows->p + (*off)[k], (*off)[k + 1] - (*off)[k] };
	}
	(*iov)[n++] = (struct iovec){ "\n", 1 };
	return writev_all(*iov, n);
}

static int run_batch(struct app *a)
{
	struct obuf out = { 0 }, rows = { 0 };
	struct iovec *iov = NULL;
	size_t *off = NULL, cap_off = 0, cap_iov = 0;
	char msg[512];
	double next;
	int ret = 0;

	if (top_sample(a, msg, sizeof(msg))) {
		fprintf(stderr, "relpoline-top: %s\n", msg);
		return 1;
	}
	if (a->warning[0])
		fprintf(stderr, "relpoline-top: warning: %s\n", a->warning);
	/* first frame after a short warm-up so it already has rates */
	next = top_now() + (a->delay < 0.5 ? a->delay : 0.5);
	while (!top_stop) {
		if (!sleep_until(next))
			break;
		next += a->delay;
		if (next < top_now())
			next = top_now() + a->delay;
		if (top_sample(a, msg, sizeof(msg))) {
			fprintf(stderr, "relpoline-top: %s\n", msg);
			ret = 1;
			break;
		}
		ob_reset(&out);
		if (a->json)
			top_fmt_json(&out, &a->model, &a->info);
		if (a->json ? write_all(out.p, out.len)
			    : write_text_frame(a, &out, &rows, &off, &cap_off, &iov, &cap_iov)) {
			if (errno != EPIPE) {
				fprintf(stderr, "relpoline-top: write error: %s\n", strerror(errno));
				ret = 1;
			}
			break;
		}
		if (a->iterations && ++a->frames >= a->iterations)
			break;
	}
	ob_free(&out);
	ob_free(&rows);
	free(off);
	free(iov);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help",	 no_argument,	    NULL, 'h' },
		{ "batch",	 no_argument,	    NULL, 'b' },
		{ "json",	 no_argument,	    NULL, 'J' },
		{ "delay",	 required_argument, NULL, 'd' },
		{ "iterations",	 required_argument, NULL, 'n' },
		{ "sort",	 required_argument, NULL, 's' },
		{ "invert",	 no_argument,	    NULL, 'I' },
		{ "filter",	 required_argument, NULL, 'f' },
		{ "tracing-dir", required_argument, NULL, 't' },
		{ "version",	 no_argument,	    NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("RELPOLINE_TRACING_DIR");
	enum rp_open_err why;
	char msg[512], *end;
	int c, ret, sort = TC_CALLS;
	bool invert = false;
	const char *filter = NULL;

#ifdef __GLIBC__
	/*
	 * Every refresh allocates and frees a few MB (the sites text and its
	 * parse). Keep that memory in the heap instead of mmap/munmap'ing it
	 * each time: it saves thousands of page faults per refresh.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
	app.delay = 1.0;
	if (env && *env)
		app.tracing_dir = env;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "hbd:n:s:If:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(0);
			break;
		case 'b':
			app.batch = true;
			break;
		case 'J':
			app.json = true;
			break;
		case 'd':
			app.delay = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(app.delay) || app.delay < 0.1 ||
			    app.delay > 3600)
				usage_err("bad delay '%s' (seconds, 0.1..3600)", optarg);
			break;
		case 'n':
			errno = 0;
			app.iterations = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || app.iterations < 1)
				usage_err("bad iteration count '%s' (a number >= 1)", optarg);
			break;
		case 's':
			sort = top_col_parse(optarg);
			if (sort < 0)
				usage_err("unknown sort column '%s' (id site module state hits misses calls hitpct targets)",
					  optarg);
			break;
		case 'I':
			invert = true;
			break;
		case 'f':
			filter = optarg;
			break;
		case 't':
			app.tracing_dir = optarg;
			break;
		case 'V':
			printf("relpoline-top %s\n", RP_TOOLS_VERSION);
			return 0;
		default:
			if (optopt && optopt < 256 && optopt > ' ')
				usage_err("invalid option or missing argument: -%s",
					  (char[]){ (char)optopt, 0 });
			usage_err("invalid option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_err("unexpected argument '%s'", argv[optind]);
	if (!app.batch && !app.json && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))) {
		fprintf(stderr, "relpoline-top: not a terminal; use -b (text) or --json for batch output\n");
		return 2;
	}

	if (!app.tracing_dir && geteuid() != 0) {
		fprintf(stderr, "relpoline-top: needs root (tracefs is root only and the profile knob is switched on while running)\n");
		return 1;
	}
	app.ctx = rp_open(app.tracing_dir, &why, msg, sizeof(msg));
	if (!app.ctx) {
		fprintf(stderr, "relpoline-top: %s\n", msg);
		return 1;
	}

	top_model_init(&app.model);
	app.model.sort = sort;
	app.model.invert = invert;
	if (filter)
		snprintf(app.model.filter, sizeof(app.model.filter), "%s", filter);
	app.info.delay = app.delay;
	rp_stat_init(&app.info.stat);
	app.info.enabled = -1;

	setup_signals();
	atexit(cleanup);
	enable_profile(&app);

	if (app.batch || app.json) {
		ret = run_batch(&app);
	} else {
		app.hist = calloc(HIST_MAX, sizeof(*app.hist));
		if (app.hist)
			app.events = rp_events_open(app.ctx, RP_EV_PROMOTE | RP_EV_DEMOTE | RP_EV_RETRAIN,
						    app.events_msg, sizeof(app.events_msg));
		ret = top_ui_run(&app);
		free(app.hist);
		app.hist = NULL;
	}
	cleanup();
	top_model_free(&app.model);
	rp_buf_free(&app.sites_buf);
	rp_buf_free(&app.stat_buf);
	rp_close(app.ctx);
	app.ctx = NULL;
	return ret;
}
