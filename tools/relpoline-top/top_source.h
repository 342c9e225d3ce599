/* SPDX-License-Identifier: GPL-2.0 */
/*
 * relpoline-top's data source: samples relpoline/sites and the totals of
 * trace_stat/relpoline into the model, holds hit counting on through
 * relpoline/profile_hold while it runs, and follows the relpoline trace
 * events into a history ring (interactive mode). Everything that touches
 * tracefs is here; it works on a fake tree of regular files too, which
 * is how it is unit tested.
 */
#ifndef RELPOLINE_TOP_SOURCE_H
#define RELPOLINE_TOP_SOURCE_H

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

struct top_source {
	struct rp_ctx *ctx;
	struct rp_buf sites_buf;
	size_t sites_hint;		/* size of the last sites read */
	struct rp_buf stat_buf;
	double stat_cost;		/* CPU seconds per trace_stat read (EWMA) */
	int stat_skip;			/* refreshes to skip reading it */
	double last_sample;		/* monotonic seconds, 0: none yet */
	int hold_fd;			/* relpoline/profile_hold, -1: none */

	/* event history (interactive mode) */
	struct rp_events *events;
	char events_msg[256];
	struct hist_ent *hist;
	size_t hist_head, hist_nr;

	char warning[256];		/* shown once */
};

/* set by SIGINT/SIGTERM/SIGHUP/SIGQUIT: the loops stop */
extern volatile sig_atomic_t top_stop;
void top_signals(void);
double top_now(void);

/*
 * Open the tracing dir; hold profiling unless no_hold; follow events if
 * asked. 0, or -1 with msg set.
 */
int top_source_open(struct top_source *src, const char *tracing_dir, bool no_hold,
		    bool events, char *msg, size_t len);
/* take a sample into m and in; 0, or -1 with msg set */
int top_source_sample(struct top_source *src, struct top_model *m, struct top_info *in,
		      char *msg, size_t len);
/* events: poll into the history ring (no-op without events) */
void top_source_poll(struct top_source *src);
/* the i-th history entry (0 oldest) */
const struct hist_ent *top_source_hist(const struct top_source *src, size_t i);
void top_source_close(struct top_source *src);

#endif
