/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RELPOLINE_TOP_BATCH_H
#define RELPOLINE_TOP_BATCH_H

#include "top_source.h"

/* the options of relpoline-top the frame loops need */
struct top_opts {
	long iterations;		/* 0: forever */
	size_t rows;			/* batch rows per frame, 0: all */
	bool json;
};

/* batch/JSON frames until iterations, a signal or a write error; exit code */
int top_batch_run(const struct top_opts *o, struct top_source *src, struct top_model *m,
		  struct top_info *in);

#endif
