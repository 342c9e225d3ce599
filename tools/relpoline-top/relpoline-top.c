// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline-top - live view of relpoline sites
 *
 * This file: options. top_ui.c draws the ncurses view, top_batch.c
 * writes batch/JSON frames, top_source.c reads tracefs, top_model.c
 * computes rates, filters, sorts and formats (no ncurses, no tracefs,
 * unit tested). Each calls only the ones after it.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "top_batch.h"
#include "top_ui.h"

static const char * const usage_msg[] = {
	"",
	"relpoline-top version " RP_TOOLS_VERSION,
	"",
	"  usage: relpoline-top [-h] [-b] [--json] [-d SECONDS] [-i ITERATIONS] [-n ROWS]",
	"                       [-s COLUMN] [-I] [-f TEXT] [--no-profile] [--tracing-dir DIR]",
	"",
	"	  -h/--help: print this menu",
	"	  -b/--batch: plain text frames on stdout (like top -b)",
	"	     --json: one JSON document per frame on stdout",
	"	  -d/--delay SECONDS: time between refreshes (default 1, 0.1..3600)",
	"	  -i/--iterations N: stop after N frames (default: run until quit)",
	"	  -n/--rows N: batch and JSON frames show the first N sites (default all)",
	"	  -s/--sort COLUMN: id site module state hits misses calls hitpct targets",
	"	     (default calls; numeric columns sort busiest first)",
	"	  -I/--invert: invert the sort order",
	"	  -f/--filter TEXT: only sites whose symbol, module, state or",
	"	     targets contain TEXT (case-insensitive)",
	"	     --no-profile: do not hold hit counting on (relpoline/profile_hold)",
	"	     --tracing-dir DIR: tracing directory to read (also env",
	"	     RELPOLINE_TRACING_DIR); no root check then",
	"",
	"  While it runs, relpoline-top holds relpoline/profile_hold open, so the",
	"  stubs count hits per target; the kernel stops counting when the last",
	"  holder is gone (unless relpoline/profile is 1), even after a kill -9.",
	"",
	"  keys: F6 < > s sort  I invert  / F4 filter  r reset view  Enter details",
	"        p pause  + - delay  F1 h ? help  q F10 quit",
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

struct options {
	struct top_opts o;
	double delay;
	bool batch, no_hold, invert;
	int sort;
	const char *filter, *tracing_dir;
};

static long number(const char *arg, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end || errno || v < 1)
		usage_err(what, arg);
	return v;
}

static void parse_options(struct options *op, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help",	 no_argument,	    NULL, 'h' },
		{ "batch",	 no_argument,	    NULL, 'b' },
		{ "json",	 no_argument,	    NULL, 'J' },
		{ "delay",	 required_argument, NULL, 'd' },
		{ "iterations",	 required_argument, NULL, 'i' },
		{ "rows",	 required_argument, NULL, 'n' },
		{ "sort",	 required_argument, NULL, 's' },
		{ "invert",	 no_argument,	    NULL, 'I' },
		{ "filter",	 required_argument, NULL, 'f' },
		{ "no-profile",	 no_argument,	    NULL, 'P' },
		{ "tracing-dir", required_argument, NULL, 'T' },
		{ "version",	 no_argument,	    NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "hbd:i:n:s:If:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 'b': op->batch = true; break;
		case 'J': op->o.json = true; break;
		case 'd':
			op->delay = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(op->delay) || op->delay < 0.1 ||
			    op->delay > 3600)
				usage_err("bad delay '%s' (seconds, 0.1..3600)", optarg);
			break;
		case 'i': op->o.iterations = number(optarg, "bad iteration count '%s' (a number >= 1)"); break;
		case 'n': op->o.rows = number(optarg, "bad row count '%s' (a number >= 1)"); break;
		case 's':
			op->sort = top_col_parse(optarg);
			if (op->sort < 0)
				usage_err("unknown sort column '%s' (id site module state hits misses calls hitpct targets)",
					  optarg);
			break;
		case 'I': op->invert = true; break;
		case 'f': op->filter = optarg; break;
		case 'P': op->no_hold = true; break;
		case 'T': op->tracing_dir = optarg; break;
		case 'V':
			printf("relpoline-top %s\n", RP_TOOLS_VERSION);
			exit(0);
		default:
			if (optopt && optopt < 256 && optopt > ' ')
				usage_err("invalid option or missing argument: -%s",
					  (char[]){ (char)optopt, 0 });
			usage_err("invalid option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_err("unexpected argument '%s'", argv[optind]);
}

int main(int argc, char **argv)
{
	struct options op = { .delay = 1.0, .sort = TOP_DEFAULT_SORT };
	const char *env = getenv("RELPOLINE_TRACING_DIR");
	struct top_source src;
	struct top_model m;
	struct top_info in = { .enabled = -1 };
	char msg[512];
	int ret;

#ifdef __GLIBC__
	/*
	 * Every refresh allocates and frees a few MB (the sites text and its
	 * parse). Keep that memory in the heap instead of mmap/munmap'ing it
	 * each time: it saves thousands of page faults per refresh.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
	if (env && *env)
		op.tracing_dir = env;
	parse_options(&op, argc, argv);
	if (!op.batch && !op.o.json) {
		if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
			fprintf(stderr, "relpoline-top: not a terminal; use -b (text) or --json for batch output\n");
			return 2;
		}
		if (top_ui_check_term(msg, sizeof(msg))) {
			fprintf(stderr, "relpoline-top: %s\n", msg);
			return 2;
		}
	}
	if (!op.tracing_dir && geteuid() != 0) {
		fprintf(stderr, "relpoline-top: needs root (tracefs is root only)\n");
		return 1;
	}
	if (top_source_open(&src, op.tracing_dir, op.no_hold, !op.batch && !op.o.json,
			    msg, sizeof(msg))) {
		fprintf(stderr, "relpoline-top: %s\n", msg);
		return 1;
	}
	top_model_init(&m);
	m.sort = op.sort;
	m.invert = op.invert;
	if (op.filter)
		snprintf(m.filter, sizeof(m.filter), "%s", op.filter);
	in.delay = op.delay;
	rp_stat_init(&in.stat);
	top_signals();
	if (op.batch || op.o.json)
		ret = top_batch_run(&op.o, &src, &m, &in);
	else
		ret = top_ui_run(&src, &m, &in);
	top_source_close(&src);
	top_model_free(&m);
	return ret;
}
