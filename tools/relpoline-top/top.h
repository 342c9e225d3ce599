/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RELPOLINE_TOP_H
#define RELPOLINE_TOP_H

#include <signal.h>

#include "top_model.h"

#define HIST_MAX	1024

struct hist_ent {
	unsigned long long ts;
	enum rp_event_type type;
	long long site_id;
	char site[160];
	char text[320];
};

struct app {
	/* options */
	double delay;
	long iterations;		/* 0: forever */
	bool batch;
	bool json;
	const char *tracing_dir;

	struct rp_ctx *ctx;
	struct top_model model;
	struct top_info info;
	struct rp_buf sites_buf;
	size_t sites_hint;		/* size of the last sites read */
	struct rp_buf stat_buf;
	double stat_cost;		/* CPU seconds per trace_stat read (EWMA) */
	int stat_skip;			/* refreshes to skip reading it */
	double last_sample;		/* monotonic seconds, 0: none yet */
	long frames;

	/* event history (interactive mode) */
	struct rp_events *events;
	char events_msg[256];
	struct hist_ent *hist;
	size_t hist_head, hist_nr;

	char warning[256];		/* shown once on the status line */
};

extern volatile sig_atomic_t top_stop;

double top_now(void);
/* take a sample; 0, or -1 with msg set */
int top_sample(struct app *a, char *msg, size_t msglen);
/* ncurses UI main loop; returns exit code */
int top_ui_run(struct app *a);
/* events: poll into the history ring (no-op without events) */
void top_poll_events(struct app *a);

#endif
