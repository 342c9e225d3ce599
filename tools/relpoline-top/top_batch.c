// SPDX-License-Identifier: GPL-2.0
/* relpoline-top -b / --json: frames on stdout (like top -b). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "top_batch.h"

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

struct frame_bufs {
	struct obuf out, rows;
	size_t *off, cap_off;
	struct iovec *iov;
	size_t cap_iov;
};

/*
 * A text frame of every row: the rows are formatted once in memory order
 * and handed to writev() in sort order, without copying them into one
 * buffer (30,000 sites every refresh).
 */
static int write_all_rows(const struct top_model *m, const struct top_info *in,
			  struct frame_bufs *f)
{
	size_t n = 0;

	ob_reset(&f->out);
	top_fmt_batch_head(&f->out, m, in);
	if (top_fmt_rows(m, &f->rows, &f->off, &f->cap_off))
		return -1;
	if (m->nr_view + 2 > f->cap_iov) {
		struct iovec *ni = realloc(f->iov, (m->nr_view + 2) * sizeof(*ni));

		if (!ni)
			return -1;
		f->iov = ni;
		f->cap_iov = m->nr_view + 2;
	}
	f->iov[n++] = (struct iovec){ f->out.p, f->out.len };
	for (size_t i = 0; i < m->nr_view; i++) {
		size_t k = m->view[i];

		f->iov[n++] = (struct iovec){ f->rows.p + f->off[k], f->off[k + 1] - f->off[k] };
	}
	f->iov[n++] = (struct iovec){ "\n", 1 };
	return writev_all(f->iov, n);
}

static int write_frame(const struct top_opts *o, const struct top_model *m,
		       const struct top_info *in, struct frame_bufs *f)
{
	ob_reset(&f->out);
	if (o->json)
		top_fmt_json(&f->out, m, in, o->rows);
	else if (o->rows)
		top_fmt_batch(&f->out, m, in, o->rows);
	else
		return write_all_rows(m, in, f);
	return write_all(f->out.p, f->out.len);
}

int top_batch_run(const struct top_opts *o, struct top_source *src, struct top_model *m,
		  struct top_info *in)
{
	struct frame_bufs f = { 0 };
	long frames = 0;
	char msg[512];
	double next;
	int ret = 0;

	if (top_source_sample(src, m, in, msg, sizeof(msg))) {
		fprintf(stderr, "relpoline-top: %s\n", msg);
		return 1;
	}
	if (src->warning[0])
		fprintf(stderr, "relpoline-top: warning: %s\n", src->warning);
	/* first frame after a short warm-up so it already has rates */
	next = top_now() + (in->delay < 0.5 ? in->delay : 0.5);
	while (!top_stop) {
		if (!sleep_until(next))
			break;
		next += in->delay;
		if (next < top_now())
			next = top_now() + in->delay;
		if (top_source_sample(src, m, in, msg, sizeof(msg))) {
			fprintf(stderr, "relpoline-top: %s\n", msg);
			ret = 1;
			break;
		}
		if (write_frame(o, m, in, &f)) {
			if (errno != EPIPE) {
				fprintf(stderr, "relpoline-top: write error: %s\n", strerror(errno));
				ret = 1;
			}
			break;
		}
		if (o->iterations && ++frames >= o->iterations)
			break;
	}
	ob_free(&f.out);
	ob_free(&f.rows);
	free(f.off);
	free(f.iov);
	return ret;
}
