/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native replay (relreplay): a recorded stream of (site, target)
 * calls, as rb_stream.c reads it from a stream file (format version 1):
 *
 *	# relpoline replay stream 1
 *	P workload=W sample_period=N count_hits=0|1 max_targets=M [key=value...]
 *	T <tid> <name>			each target, tid 0..NT-1 in order
 *	S <sid> <name> <n> [tid...]	each site, sid 0..NS-1 in order, with
 *					its n (0..4) promoted targets in slot
 *					order
 *	C <sid> <tid>			each call, in stream order
 *
 * The first line is the header above; other lines starting with '#' are
 * comments.  The records come in this order: one P line, the T lines,
 * the S lines, the C lines (at least one of each).  Fields are separated
 * by blanks; a name is one token without blanks; numbers are decimal,
 * without sign.  A site promotes a target at most once.  P's other
 * key=value fields are ignored.  Anything else is an error, reported as
 * "FILE:LINE: what" (exit status 1).
 */
#ifndef RB_REPLAY_H
#define RB_REPLAY_H

#define RR_MAX_TARGETS	4		/* RELPOLINE_MAX_TARGETS */
#define RR_MAX_IDS	(1U << 20)	/* sites, targets */
#define RR_MAX_CALLS	(32U << 20)	/* calls: 16 bytes of memory each */
#define RR_MAX_PERIOD	1000000		/* the kernel's sample_period */
#define RR_NAME_MAX	64		/* workload name */

struct rr_site {
	char *name;
	u8 n;				/* promoted targets */
	u32 tids[RR_MAX_TARGETS];	/* in slot order */
};

struct rr_call {
	u32 sid, tid;
};

struct rr_stream {
	const char *path;
	char workload[RR_NAME_MAX];
	u32 sample_period;
	bool count_hits;
	u32 max_targets;
	u32 nt, ns;
	u64 nc;
	char **tnames;			/* [nt] */
	struct rr_site *sites;		/* [ns] */
	struct rr_call *calls;		/* [nc] */
};

/* Read @path into @s; a malformed file exits with "FILE:LINE: what" */
void rr_parse(const char *path, struct rr_stream *s);
void rr_free(struct rr_stream *s);

#endif /* RB_REPLAY_H */
