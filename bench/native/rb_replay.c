// SPDX-License-Identifier: GPL-2.0
/*
 * relreplay: the trace-driven native replay (issue 14, item 5).
 *
 * A stream file (rb_replay.h) holds a guest workload's real sequence of
 * indirect calls, (site, target) per call, and the promotion set the
 * guest's policy converged to.  relreplay executes that sequence natively,
 * each stream site at a distinct code location holding a real 5-byte call
 * site, in five variants that differ only in those 5 bytes:
 *
 *   floor      a 5-byte NOP: the replay's own cost (the dispatch below);
 *   fixed      "call" to one fixed target: a perfectly predicted direct
 *              call, the best any promotion can do;
 *   plain      "call *%rax; nop3", as upstream lays a site out with
 *              spectre_v2=off;
 *   retpoline  "call __x86_indirect_thunk_rax", the kernel's thunk bytes
 *              (rb_tmpl.S: rb_thunk), as the guest ran (spectre_v2=retpoline);
 *   relpoline  "call <the site's own stub>": real encoder bytes
 *              (relpoline_encode.c) with the site's promoted targets in
 *              the stream's slot order (none: a learning stub), misses
 *              counted, hits counted when the guest counted them
 *              (count_hits), sampling with the guest's sample_period, the
 *              retpoline thunk as the slow path.
 *
 * The sample function is rb_tmpl.S's rb_sample_full, shaped like the
 * kernel's relpoline_sample_thunk (every GPR saved, a %gs ring record,
 * the countdown reloaded with sample_period): a lower bound of the
 * kernel's sampling cost, which also calls into C.  The stubs are placed
 * in 32-byte granules and count in their own counter blocks, packed as
 * alloc_percpu() would (16 bytes, plus 8 per target when hits are
 * counted), addressed as %gs:ctr_base (rb_place_stub, rb_gs_setup).
 *
 * Dispatch.  A site must run many times at one address (its branch
 * predictor entries are per address), so the site code is out of line:
 * per site, a 64-byte slot with the 5 bytes of the site and a RET, the
 * slots of all sites side by side.  The stream is an array of (target,
 * slot) pairs, 8 bytes per call, and a loop (rb_tmpl.S: rb_dispatch)
 *
 *	movl	(%rdi), %eax		the target
 *	movl	4(%rdi), %ecx		the site's slot
 *	addq	$8, %rdi
 *	call	*%rcx
 *	cmpq	%rsi, %rdi; jne 1b
 *
 * walks it.  The loop and the slots are at the same addresses in every
 * variant and only the 5 site bytes are rewritten (as relpoline rewrites
 * a site), so what differs between variants is the sites' own cost;
 * floor shows the dispatch's cost (it is not subtracted).  The
 * dispatcher's own indirect call is the price: it has no counterpart in
 * a retpoline kernel, its mispredictions are in every variant's figure,
 * and it shares the indirect predictor with plain's "call *%rax" (not
 * with a thunk's or a stub's branches), which can make plain dearer and
 * thus the share of the retpoline overhead that relpoline removes look
 * larger.  Two alternatives were measured (-d), on four synthetic
 * streams of 100k-200k calls over 200-2000 sites (gen-stream) on the
 * development machine (an AMD Zen 5 guest), where the default loop cost
 * 10-25 core cycles per call (floor) and relpoline removed 78-98% of the
 * retpoline overhead:
 *   line       straight-line code, per call "mov $target, %eax; call
 *              slot" (10 bytes), in chunks ending in RET: no indirect
 *              branch, but 10 bytes of code per call that are never
 *              reused, so that the measurement becomes the front end
 *              fetching that code: floor 7 cycles per call for 5k calls
 *              (50 KB of code), 38 for 20k, 48-57 for 100k-200k; plain
 *              and retpoline then cost the same, and relpoline, whose
 *              stubs' lines that code evicts on every pass, 30-45 cycles
 *              per call more.  The result depends on the stream's length
 *              more than on its content.
 *   retpoline  the loop's call through a retpoline for %rcx: nothing
 *              shares the indirect predictor, but the front end restarts
 *              before every site, which takes away what a predicted site
 *              gains from running ahead: floor 33-37, relpoline removed
 *              63-87%.
 * The default keeps the front end running ahead through the sites as in
 * the kernel, with a code footprint that does not grow with the stream;
 * the retpoline loop gives a lower bound of the share removed.
 *
 * Timing.  The stream is cut into chunks of CHUNK_CALLS calls, each timed
 * on its own (lfence; rdtsc / rdtscp; lfence, a fraction of a
 * millisecond); a chunk that a context switch interrupted (getrusage)
 * is left out of its median.  A measurement of a variant is a warm-up
 * pass over the whole stream and PASSES timed passes; its figure is the
 * sum over the chunks of each chunk's median (and of each chunk's
 * fastest time), divided by the calls.  A repetition measures every
 * variant once, in a new random order; the result is the median over
 * the repetitions (and the fastest of all), in core cycles by the
 * dependent-ADD calibration done at the start and end of each
 * repetition (as relbench).
 *
 * Checks.  After every relpoline measurement every stub's counters are
 * compared with what the stream implies: per site the misses, the hits
 * of each slot (when counted), the countdown, and the samples in all.
 * After every measurement of any variant one more pass runs with every
 * target counting its calls, which must equal the stream's calls of each
 * target (floor: none; fixed: all at target 0).  A mismatch stops the
 * program (exit 1): the replay replays the stream or nothing.
 *
 * Limits: every site is a 5-byte call through %rax, whatever the
 * kernel's site is (jmp, jcc, another register); the targets return at
 * once; there is no kernel entry, no interrupt, no other code between
 * two calls but the dispatch; the host CPU and its mitigations are not
 * the guest's (userspace indirect branches are not retpolined); every
 * stub samples one miss in sample_period from the start (the kernel's
 * learning stubs sample their first misses one by one: a transient).
 *
 * usage: relreplay [-r REPS] [-p PASSES] [-t SECONDS] [-c CPU] [-d DISPATCH]
 *                  [-D] [-F SID] STREAM...
 *   -r  repetitions (default 7)
 *   -p  timed passes per measurement (default: about 2M calls, 3 to 64)
 *   -t  stop repeating a stream after SECONDS (at least one repetition)
 *   -c  the CPU to run on (default: the last one)
 *   -d  call (default), line or retpoline: the dispatch (above)
 *   -D  dump the counters after every measurement (rctr, rsamples,
 *       rtcount records; for the test)
 *   -F  fault injection, for the test: site SID's stub compares slot 0
 *       with a target that is never called
 *
 * Output (stdout), CSV with a leading record type:
 *   meta,KEY,VALUE
 *   replaymeta,WORKLOAD,KEY,VALUE          the stream (print_stream())
 *   rcalib,WORKLOAD,REP,TSC_TICKS_PER_CORE_CYCLE
 *   rsample,WORKLOAD,REP,VARIANT,TICKS_PER_CALL,BEST_TICKS_PER_CALL,CLEAN_SHARE
 *   replay,WORKLOAD,VARIANT,CYCLES_PER_CALL_MEDIAN,CYCLES_PER_CALL_MIN,CALLS,SITES,TARGETS
 * and with -D:
 *   rctr,WORKLOAD,SID,MISSES,COUNTDOWN,HITS1,HITS2,HITS3,HITS4
 *   rsamples,WORKLOAD,SAMPLES
 *   rtcount,WORKLOAD,VARIANT,TID,CALLS     (the one counting pass)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <asm/relpoline_encode.h>
#include "rb.h"
#include "rb_replay.h"
#include "rp_lowmap.h"

#define RR_WANT		0x50000000UL	/* the low area, if free */
#define RR_AREA_MAX	0x30000000UL	/* from RR_WANT: below 2 GiB */
#define OFF_THUNK	0x0000		/* __x86_indirect_thunk_rax */
#define OFF_SAMPLE	0x0100		/* rb_sample_full */
#define OFF_TARGETS	0x1000
#define TARGET_STRIDE	64
#define SITE_STRIDE	64
#define CHUNK_CALLS	16384
#define REC_BYTES	10		/* -d line: mov $target, %eax; call slot */
#define DISPATCH_BYTES	64		/* the dispatch loop */
#define PAGE		4096UL
#define MAX_REPS	256

enum { D_CALL, D_LINE, D_RETPOLINE, NR_D };
static const char *const dnames[NR_D] = { "call", "line", "retpoline" };

enum { V_FLOOR, V_FIXED, V_PLAIN, V_RETPOLINE, V_RELPOLINE, NR_V };
static const char *const vnames[NR_V] = {
	"floor", "fixed", "plain", "retpoline", "relpoline",
};

struct replay {
	const struct rr_stream *s;
	u8 *area;
	size_t size;
	u32 off_tcount, off_sites, off_stubs, off_block, stubs_end;
	u32 nchunks;
	u32 *chunk_off;			/* [nchunks]: -d line's code */
	struct chunked *ch;		/* [nchunks] */
	u8 *ctrmem;
	struct rp_ctr_block **ctr;	/* [ns] */
	u64 *stub;			/* [ns] */
	u64 (*exp_hits)[RR_MAX_TARGETS];	/* [ns], per pass */
	u64 *exp_misses;		/* [ns], per pass */
	u64 *exp_tcalls;		/* [nt + 1], per pass; nt: never called */
	u64 hits, stub_bytes;
	u32 *rec;			/* (target, slot) per call */
};

static struct {
	int reps, passes, cpu, fault_sid, dispatch;
	double max_secs;
	bool dump;
} opt = { .reps = 7, .cpu = -1, .fault_sid = -1 };

static u8 *gs;

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		die("out of memory");
	return p;
}

static u64 at(const struct replay *r, u64 off)
{
	return (u64)(uintptr_t)r->area + off;
}

/* Target @t's function; t == nt is the one no call goes to */
static u64 target(const struct replay *r, u32 t)
{
	return at(r, OFF_TARGETS + (u64)t * TARGET_STRIDE);
}

static u64 slot(const struct replay *r, u32 sid)
{
	return at(r, r->off_sites + (u64)sid * SITE_STRIDE);
}

/* Per pass: each target's calls, each site's hits per slot and misses */
static void expect(struct replay *r)
{
	const struct rr_stream *s = r->s;
	u64 i;
	int k;

	r->exp_hits = zalloc(s->ns, sizeof(*r->exp_hits));
	r->exp_misses = zalloc(s->ns, sizeof(*r->exp_misses));
	r->exp_tcalls = zalloc(s->nt + 1, sizeof(*r->exp_tcalls));
	for (i = 0; i < s->nc; i++) {
		const struct rr_call *c = &s->calls[i];
		const struct rr_site *site = &s->sites[c->sid];

		r->exp_tcalls[c->tid]++;
		for (k = 0; k < site->n && site->tids[k] != c->tid; k++)
			;
		if (k < site->n) {
			r->exp_hits[c->sid][k]++;
			r->hits++;
		} else {
			r->exp_misses[c->sid]++;
		}
	}
}

static bool counts_hits(const struct replay *r, u32 sid)
{
	return r->s->count_hits && r->s->sites[sid].n;
}

/* The counter blocks, packed as alloc_percpu() would place them */
static void alloc_ctrs(struct replay *r)
{
	const struct rr_stream *s = r->s;
	size_t off = 0;
	u32 i;

	r->ctr = zalloc(s->ns, sizeof(*r->ctr));
	for (i = 0; i < s->ns; i++)
		off += RP_CTR_SIZE(counts_hits(r, i) ? s->sites[i].n : 0);
	r->ctrmem = aligned_alloc(64, (off + 63) / 64 * 64);
	if (!r->ctrmem)
		die("counter blocks");
	for (i = 0, off = 0; i < s->ns; i++) {
		r->ctr[i] = (struct rp_ctr_block *)(r->ctrmem + off);
		off += RP_CTR_SIZE(counts_hits(r, i) ? s->sites[i].n : 0);
	}
}

/* The stub of site @sid as the kernel describes it (rp_stub_describe) */
static void describe(const struct replay *r, u32 sid, struct rp_stub_desc *d)
{
	const struct rr_site *site = &r->s->sites[sid];
	int i;

	memset(d, 0, sizeof(*d));
	d->reg = RP_REG_RAX;
	d->nr_targets = site->n;
	for (i = 0; i < site->n; i++)
		d->targets[i] = d->dests[i] = target(r, site->tids[i]);
	if ((int)sid == opt.fault_sid && site->n)
		d->targets[0] = d->dests[0] = target(r, r->s->nt);
	d->count_hits = counts_hits(r, sid);
	d->count_misses = true;
	d->sample = true;
	d->sample_fn = at(r, OFF_SAMPLE);
	d->ctr_base = rb_ctr_base(r->ctr[sid], gs);
	d->slow_kind = RP_SLOW_REL32;
	d->slow_target = at(r, OFF_THUNK);
}

static u32 page_up(u64 v)
{
	return (u32)((v + PAGE - 1) & ~(PAGE - 1));
}

/* Offsets of the parts of the low area, sized from the stream */
static void layout(struct replay *r)
{
	const struct rr_stream *s = r->s;
	struct rp_stub_desc d;
	u64 off, stubs = 0;
	u32 i, c;

	for (i = 0; i < s->ns; i++) {
		describe(r, i, &d);	/* the size does not depend on addresses */
		stubs += (rp_stub_size(&d) + RB_GRANULE - 1) / RB_GRANULE * RB_GRANULE;
	}
	r->off_tcount = page_up(OFF_TARGETS + (u64)(s->nt + 1) * TARGET_STRIDE);
	r->off_sites = page_up(r->off_tcount + (u64)(s->nt + 1) * 8);
	r->off_stubs = page_up(r->off_sites + (u64)s->ns * SITE_STRIDE);
	r->stubs_end = r->off_stubs + stubs;
	r->off_block = page_up(r->stubs_end);
	r->nchunks = (s->nc + CHUNK_CALLS - 1) / CHUNK_CALLS;
	r->chunk_off = zalloc(r->nchunks, sizeof(*r->chunk_off));
	r->ch = zalloc(r->nchunks, sizeof(*r->ch));
	off = r->off_block + DISPATCH_BYTES;
	for (c = 0; opt.dispatch == D_LINE && c < r->nchunks; c++) {
		u64 n = c + 1 < r->nchunks ? CHUNK_CALLS : s->nc - (u64)c * CHUNK_CALLS;

		r->chunk_off[c] = off;
		off = (off + n * REC_BYTES + 1 + 63) & ~63ULL;
	}
	if (off > RR_AREA_MAX) {
		errno = E2BIG;
		die("the stream needs too much code below 2 GiB");
	}
	r->size = page_up(off);
}

/* The dispatch loop and its array; -d line: the code of the calls */
static void make_dispatch(struct replay *r)
{
	const struct rr_stream *s = r->s;
	const u8 *loop = opt.dispatch == D_RETPOLINE ? rb_dispatch_rp : rb_dispatch;
	const u8 *end = opt.dispatch == D_RETPOLINE ? rb_dispatch_rp_end : rb_dispatch_end;
	u64 i;
	u32 c;

	if (end - loop > DISPATCH_BYTES)
		die("the dispatch loop is too long");
	rb_put(r->area + r->off_block, loop, end - loop);
	r->rec = zalloc(s->nc, 2 * sizeof(*r->rec));
	for (i = 0; i < s->nc; i++) {
		r->rec[2 * i] = (u32)target(r, s->calls[i].tid);
		r->rec[2 * i + 1] = (u32)slot(r, s->calls[i].sid);
	}
	for (c = 0, i = 0; opt.dispatch == D_LINE && c < r->nchunks; c++) {
		u8 *p = r->area + r->chunk_off[c];
		u64 last = i + CHUNK_CALLS < s->nc ? i + CHUNK_CALLS : s->nc;

		for (; i < last; i++) {
			*p = 0xb8;		/* mov $target, %eax */
			memcpy(p + 1, &r->rec[2 * i], 4);
			p = rb_rel32(p + 5, 0xe8, r->rec[2 * i + 1]);
		}
		*p = 0xc3;
	}
}

static void build(struct replay *r)
{
	const struct rr_stream *s = r->s;
	struct rp_stub_layout lay;
	struct rp_stub_desc d;
	u32 i, cursor;

	expect(r);
	alloc_ctrs(r);
	layout(r);
	r->area = rp_map_low_rwx(RR_WANT, r->size);
	if (!r->area)
		die("cannot map the replay area below 2 GiB");
	rb_put(r->area + OFF_THUNK, rb_thunk, rb_thunk_end - rb_thunk);
	rb_put_sample_full(r->area + OFF_SAMPLE, s->sample_period);
	for (i = 0; i <= s->nt; i++)
		r->area[OFF_TARGETS + i * TARGET_STRIDE] = 0xc3;	/* ret */
	r->stub = zalloc(s->ns, sizeof(*r->stub));
	for (i = 0, cursor = r->off_stubs; i < s->ns; i++) {
		describe(r, i, &d);
		r->stub[i] = rb_place_stub(&d, r->area, &cursor, r->stubs_end,
					   &lay, "replay");
		/* the sample function takes ctr_base in %rcx */
		if (lay.scratch != RP_REG_RCX) {
			errno = EINVAL;
			die("scratch register is not %rcx");
		}
		r->area[r->off_sites + i * SITE_STRIDE + 5] = 0xc3;
	}
	r->stub_bytes = cursor - r->off_stubs;
	make_dispatch(r);
}

static void unbuild(struct replay *r)
{
	munmap(r->area, r->size);
	free(r->chunk_off);
	free(r->ch);
	free(r->ctrmem);
	free(r->ctr);
	free(r->stub);
	free(r->exp_hits);
	free(r->exp_misses);
	free(r->exp_tcalls);
	free(r->rec);
	memset(r, 0, sizeof(*r));
}

/* The 5 bytes of every site for variant @v */
static void install(struct replay *r, int v)
{
	u32 i;

	for (i = 0; i < r->s->ns; i++) {
		u8 *p = r->area + r->off_sites + i * SITE_STRIDE;
		u64 dest = 0;
		int ret;

		switch (v) {
		case V_FLOOR:
			memcpy(p, RB_NOP5, 5);
			continue;
		case V_PLAIN:
			memcpy(p, RB_CALL_RAX_NOP3, 5);
			continue;
		case V_FIXED:
			dest = target(r, 0);
			break;
		case V_RETPOLINE:
			dest = at(r, OFF_THUNK);
			break;
		default:
			dest = r->stub[i];
			break;
		}
		ret = rp_encode_site(RELPOLINE_FORM_CALL, 0, slot(r, i), dest, p);
		if (ret != 5) {
			errno = ret < 0 ? -ret : EINVAL;
			die("rp_encode_site");
		}
	}
}

static void reset_ctrs(struct replay *r)
{
	u32 i;

	for (i = 0; i < r->s->ns; i++) {
		struct rp_ctr_block *b = r->ctr[i];

		memset(b, 0, RP_CTR_SIZE(counts_hits(r, i) ? r->s->sites[i].n : 0));
		b->countdown = r->s->sample_period;
	}
	*(u64 *)(gs + GS_SAMPLES) = 0;
}

/* The calls of chunk @c */
static void run_chunk(const struct replay *r, u32 c)
{
	u64 a = (u64)c * CHUNK_CALLS;
	u64 e = a + CHUNK_CALLS < r->s->nc ? a + CHUNK_CALLS : r->s->nc;

	if (opt.dispatch == D_LINE)
		((void (*)(void))(uintptr_t)at(r, r->chunk_off[c]))();
	else
		((void (*)(const u32 *, const u32 *))(uintptr_t)at(r, r->off_block))
			(r->rec + 2 * a, r->rec + 2 * e);
}

/* One pass over the stream; @timed: each chunk into its statistics */
static void run_pass(struct replay *r, bool timed)
{
	long sw0, sw1;
	u64 t0, t1;
	u32 c;

	for (c = 0; c < r->nchunks; c++) {
		if (!timed) {
			run_chunk(r, c);
			continue;
		}
		sw0 = switches();
		t0 = tsc_begin();
		run_chunk(r, c);
		t1 = tsc_end();
		sw1 = switches();
		chunk_add(&r->ch[c], (double)(t1 - t0), sw0, sw1);
	}
}

static void __attribute__((noreturn))
mismatch(const struct replay *r, u32 sid, const char *what, u64 got, u64 want)
{
	fprintf(stderr, "%s: %s: counter mismatch at site %u (%s): %s %llu, want %llu\n",
		program_invocation_short_name, r->s->path, sid, r->s->sites[sid].name,
		what, (unsigned long long)got, (unsigned long long)want);
	exit(1);
}

/* Site @sid's stub after @k passes; returns its samples */
static u64 check_stub(const struct replay *r, u32 sid, u64 k)
{
	const struct rr_stream *s = r->s;
	const struct rp_ctr_block *b = r->ctr[sid];
	u64 misses = k * r->exp_misses[sid], h[RR_MAX_TARGETS] = { 0 }, samples;
	int j, n = counts_hits(r, sid) ? s->sites[sid].n : 0;
	char what[32];
	u32 cd;

	for (j = 0; j < n; j++)
		h[j] = b->hits[j];
	if (opt.dump)
		printf("rctr,%s,%u,%llu,%u,%llu,%llu,%llu,%llu\n", s->workload, sid,
		       (unsigned long long)b->misses, b->countdown,
		       (unsigned long long)h[0], (unsigned long long)h[1],
		       (unsigned long long)h[2], (unsigned long long)h[3]);
	if (b->misses != misses)
		mismatch(r, sid, "misses", b->misses, misses);
	for (j = 0; j < n; j++) {
		snprintf(what, sizeof(what), "hits of slot %d", j + 1);
		if (h[j] != k * r->exp_hits[sid][j])
			mismatch(r, sid, what, h[j], k * r->exp_hits[sid][j]);
	}
	cd = rb_countdown_after(s->sample_period, s->sample_period, misses, &samples);
	if (b->countdown != cd)
		mismatch(r, sid, "countdown", b->countdown, cd);
	return samples;
}

/* Every stub's counters after @k passes of the relpoline variant */
static void check_stubs(const struct replay *r, u64 k)
{
	const struct rr_stream *s = r->s;
	u64 samples = 0, gs_samples = *(u64 *)(gs + GS_SAMPLES);
	u32 i;

	for (i = 0; i < s->ns; i++)
		samples += check_stub(r, i, k);
	if (opt.dump)
		printf("rsamples,%s,%llu\n", s->workload, (unsigned long long)gs_samples);
	if (gs_samples != samples) {
		fprintf(stderr, "%s: %s: %llu samples, want %llu\n", program_invocation_short_name,
			s->path, (unsigned long long)gs_samples, (unsigned long long)samples);
		exit(1);
	}
}

/*
 * One more pass with every target counting its calls ("incq abs32; ret"
 * instead of "ret"): each must have had the stream's calls.
 */
static void check_targets(struct replay *r, int v)
{
	const struct rr_stream *s = r->s;
	u64 *cnt = (u64 *)(r->area + r->off_tcount);
	u32 t;

	memset(cnt, 0, (s->nt + 1) * sizeof(*cnt));
	for (t = 0; t <= s->nt; t++) {
		u8 *p = r->area + OFF_TARGETS + t * TARGET_STRIDE;
		u32 addr = (u32)(uintptr_t)&cnt[t];

		p = rb_put(p, "\x48\xff\x04\x25", 4);	/* incq addr */
		p = rb_put(p, &addr, 4);
		*p = 0xc3;
	}
	run_pass(r, false);
	for (t = 0; t <= s->nt; t++)
		r->area[OFF_TARGETS + t * TARGET_STRIDE] = 0xc3;
	for (t = 0; t <= s->nt; t++) {
		u64 want = v == V_FLOOR ? 0 : v == V_FIXED ? (t ? 0 : s->nc) :
			   r->exp_tcalls[t];

		if (opt.dump)
			printf("rtcount,%s,%s,%u,%llu\n", s->workload, vnames[v], t,
			       (unsigned long long)cnt[t]);
		if (cnt[t] != want) {
			fprintf(stderr, "%s: %s: %s: target %u (%s) called %llu times, want %llu\n",
				program_invocation_short_name, s->path, vnames[v], t,
				t < s->nt ? s->tnames[t] : "never called",
				(unsigned long long)cnt[t], (unsigned long long)want);
			exit(1);
		}
	}
}

/*
 * One measurement of variant @v: a warm-up pass, @passes timed passes;
 * TSC ticks per call (sum of the chunks' medians), in @best from the
 * chunks' fastest times, in @clean the share of chunk timings that no
 * context switch interrupted.
 */
static double measure(struct replay *r, int v, int passes, double *best, double *clean)
{
	double sum = 0, sbest = 0;
	u64 nclean = 0;
	u32 c;
	int k, nc;

	install(r, v);
	reset_ctrs(r);
	for (c = 0; c < r->nchunks; c++)
		r->ch[c].n = r->ch[c].nclean = 0;
	run_pass(r, false);
	for (k = 0; k < passes; k++)
		run_pass(r, true);
	if (v == V_RELPOLINE)
		check_stubs(r, passes + 1);
	check_targets(r, v);
	for (c = 0; c < r->nchunks; c++) {
		double m = r->ch[c].all[0];

		for (k = 1; k < r->ch[c].n; k++)
			if (r->ch[c].all[k] < m)
				m = r->ch[c].all[k];
		sbest += m;
		sum += chunk_median(&r->ch[c], &nc);
		nclean += nc;
	}
	*best = sbest / r->s->nc;
	*clean = (double)nclean / ((double)r->nchunks * passes);
	return sum / r->s->nc;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the stream is: replaymeta records */
static void print_stream(const struct replay *r, const char *file, int passes)
{
	const struct rr_stream *s = r->s;
	u64 slot_hits[RR_MAX_TARGETS] = { 0 }, misses = 0, learning = 0;
	u32 i, promoted = 0, called = 0;
	int j;

#define META(key, fmt, ...) printf("replaymeta,%s," key "," fmt "\n", s->workload, __VA_ARGS__)
	for (i = 0; i < s->ns; i++) {
		u64 calls = r->exp_misses[i];

		for (j = 0; j < RR_MAX_TARGETS; j++) {
			slot_hits[j] += r->exp_hits[i][j];
			calls += r->exp_hits[i][j];
		}
		misses += r->exp_misses[i];
		promoted += s->sites[i].n > 0;
		called += calls > 0;
		learning += s->sites[i].n ? 0 : calls;
	}
	META("file", "%s", file);
	META("calls", "%llu", (unsigned long long)s->nc);
	META("sites", "%u", s->ns);
	META("sites_called", "%u", called);
	META("sites_promoted", "%u", promoted);
	META("targets", "%u", s->nt);
	META("sample_period", "%u", s->sample_period);
	META("count_hits", "%d", s->count_hits);
	META("max_targets", "%u", s->max_targets);
	META("hit_share", "%.6f", (double)r->hits / s->nc);
	for (j = 0; j < RR_MAX_TARGETS; j++)
		printf("replaymeta,%s,hit_share_slot%d,%.6f\n", s->workload, j + 1,
		       (double)slot_hits[j] / s->nc);
	META("learning_call_share", "%.6f", (double)learning / s->nc);
	META("samples_per_call", "%.6f", (double)misses / s->sample_period / s->nc);
	META("stub_bytes", "%llu", (unsigned long long)r->stub_bytes);
	META("chunks", "%u", r->nchunks);
	META("passes", "%d", passes);
#undef META
	fflush(stdout);
}

/* The repetitions of one stream and its replay records */
static void replay_stream(const char *path)
{
	static double ticks[NR_V][MAX_REPS], best[NR_V][MAX_REPS], cal[2 * MAX_REPS];
	struct rr_stream s;
	struct replay r = { .s = &s };
	int order[NR_V], passes, rep, i, v;
	double t0 = now(), clean, lo;

	rr_parse(path, &s);
	if (opt.fault_sid >= (int)s.ns)
		die("-F: no such site");
	build(&r);
	passes = opt.passes;
	if (!passes) {	/* about 2M calls per measurement */
		passes = (int)((2u << 20) / s.nc);
		passes = passes < 3 ? 3 : passes > 64 ? 64 : passes;
	}
	print_stream(&r, path, passes);
	for (i = 0; i < NR_V; i++)
		order[i] = i;
	for (rep = 0; rep < opt.reps; rep++) {
		if (rep && opt.max_secs && now() - t0 > opt.max_secs)
			break;
		rb_shuffle(order, NR_V);
		cal[2 * rep] = tsc_per_cycle();
		printf("rcalib,%s,%d,%.6f\n", s.workload, rep, cal[2 * rep]);
		for (i = 0; i < NR_V; i++) {
			v = order[i];
			ticks[v][rep] = measure(&r, v, passes, &best[v][rep], &clean);
			printf("rsample,%s,%d,%s,%.4f,%.4f,%.3f\n", s.workload, rep,
			       vnames[v], ticks[v][rep], best[v][rep], clean);
		}
		cal[2 * rep + 1] = tsc_per_cycle();
		printf("rcalib,%s,%d,%.6f\n", s.workload, rep, cal[2 * rep + 1]);
		fflush(stdout);
	}
	printf("replaymeta,%s,reps,%d\n", s.workload, rep);
	lo = rb_median(cal, 2 * rep);	/* TSC ticks per core cycle */
	for (v = 0; v < NR_V; v++) {
		double m = rb_median(ticks[v], rep), b = best[v][0];

		for (i = 1; i < rep; i++)
			b = best[v][i] < b ? best[v][i] : b;
		printf("replay,%s,%s,%.4f,%.4f,%llu,%u,%u\n", s.workload, vnames[v],
		       m / lo, b / lo, (unsigned long long)s.nc, s.ns, s.nt);
	}
	fflush(stdout);
	unbuild(&r);
	rr_free(&s);
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: relreplay [-r REPS] [-p PASSES] [-t SECONDS] [-c CPU] [-d call|line|retpoline]\n"
		"                 [-D] [-F SID] STREAM...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int o;

	while ((o = getopt(argc, argv, "r:p:t:c:d:DF:")) != -1) {
		switch (o) {
		case 'r': opt.reps = atoi(optarg); break;
		case 'p': opt.passes = atoi(optarg); break;
		case 't': opt.max_secs = atof(optarg); break;
		case 'c': opt.cpu = atoi(optarg); break;
		case 'D': opt.dump = true; break;
		case 'F': opt.fault_sid = atoi(optarg); break;
		case 'd':
			for (opt.dispatch = 0; opt.dispatch < NR_D &&
			     strcmp(optarg, dnames[opt.dispatch]); opt.dispatch++)
				;
			if (opt.dispatch == NR_D)
				usage();
			break;
		default: usage();
		}
	}
	if (optind == argc || opt.reps < 1 || opt.reps > MAX_REPS || opt.passes < 0 ||
	    opt.passes > MAX_CHUNKS || opt.max_secs < 0)
		usage();
	opt.cpu = rb_pin_cpu(opt.cpu);
	gs = rb_gs_setup();
	printf("meta,reps,%d\n", opt.reps);
	printf("meta,cpu,%d\n", opt.cpu);
	printf("meta,chunk_calls,%d\n", CHUNK_CALLS);
	printf("meta,sample_fn,full\n");
	printf("meta,dispatch,%s\n", dnames[opt.dispatch]);
	printf("meta,variants,%s %s %s %s %s\n", vnames[0], vnames[1], vnames[2],
	       vnames[3], vnames[4]);
	for (; optind < argc; optind++)
		replay_stream(argv[optind]);
	rb_gs_release();
	return 0;
}
