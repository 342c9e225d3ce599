// SPDX-License-Identifier: GPL-2.0
/*
 * Native micro-benchmark of relpoline call sites.
 *
 * Executes the real stub bytes produced by the shared encoder
 * (arch/x86/kernel/relpoline_encode.c, built in userspace with the shim of
 * tests/unit/encoder) from an RWX area below 2 GiB, with per-CPU counters
 * addressed through %gs (arch_prctl(ARCH_SET_GS)), like the kernel.
 *
 * One loop (rb_tmpl.S: rb_loop) walks a precomputed array of call targets
 * and executes a 5-byte call site that is rewritten for every variant:
 * a 5-byte NOP (loop overhead), a direct call, "call *%rax", "lfence; call
 * *%rax", a call to the kernel's retpoline thunk, or a call to a relpoline
 * stub (promoted hits, misses, sampling, hit counting).  Every (pattern,
 * variant) pair is measured once per repetition, in a shuffled order, so
 * that all of them see the same machine conditions; the report uses the
 * median over the repetitions.
 *
 * After every measurement the stub's counters are checked against the
 * counts expected from the target array: a stub that does not do what the
 * encoder promises aborts the benchmark.
 *
 * The many-site pattern (rb_many.c: 4,096 sites, per spectre_v2 mode the
 * upstream, relpoline idle and old idle layouts, promoted hits and misses)
 * is measured in the same shuffled order, 4 * PASSES passes of 4,096
 * calls each.
 *
 * Output (stdout), CSV with a leading record type:
 *   meta,KEY,VALUE
 *   config,ID,PATTERN,VARIANT,GROUP,NR_TARGETS,HIT_FRACTION,STUB_BYTES
 *   sample,REP,ID,TSC_TICKS_PER_CALL,CLEAN_PASSES
 *   mconfig,ID,MODE,LAYOUT,AVG_STUB_BYTES
 *   msample,REP,ID,TSC_TICKS_PER_CALL,CLEAN_PASSES,BEST_PASS_TICKS_PER_CALL
 *   calib,REP,TSC_TICKS_PER_CORE_CYCLE
 *
 * usage: relbench [-r REPS] [-p PASSES] [-c CPU]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <asm/relpoline_encode.h>
#include "rb.h"
#include "rb_many.h"
#include "rp_lowmap.h"

/* The low RWX area */
#define LOW_WANT	0x30000000UL
#define LOW_SIZE	(1UL << 20)
#define OFF_LOOP	0x0000
#define OFF_THUNK	0x1000
#define OFF_THUNK_P	0x1040
#define OFF_S_CHEAP	0x1080
#define OFF_S_FULL	0x1100
#define OFF_TARGETS	0x2000
#define TARGET_STRIDE	64
#define NR_TARGETS	18	/* 16 used by the patterns + 2 never called */
#define OFF_STUBS	0x4000
#define STUB_SLOT	128	/* as the kernel's stub allocator */

/* the single-site stubs' counter blocks */
#define BLOCK_STRIDE	64
#define MAX_STUBS	(NR_VARIANTS * NR_PATTERNS)

#define ARR_LEN		65536	/* 512 KiB of target pointers per pattern */

enum kind { K_NOP, K_DIRECT, K_INDIRECT, K_LFENCE_IND, K_THUNK, K_THUNK_PAUSE,
	    K_STUB };
enum order { O_HOT_FIRST, O_HOT_LAST, O_COLD };
enum sfn { S_NONE, S_NEVER, S_CHEAP, S_FULL };

struct variant {
	const char *name;
	const char *group;
	enum kind kind;
	int nr;			/* stub targets */
	enum order order;
	bool count_hits;
	enum sfn sample;	/* S_NONE: no sampling code in the stub */
	u32 period;
};

static const struct variant variants[] = {
	{ "nop",		"base", K_NOP },
	{ "direct",		"base", K_DIRECT },
	{ "indirect",		"base", K_INDIRECT },
	{ "lfence_indirect",	"base", K_LFENCE_IND },
	{ "retpoline",		"base", K_THUNK },
	{ "retpoline_pause",	"base", K_THUNK_PAUSE },
	{ "hit1",		"hit",	K_STUB, 1, O_HOT_FIRST, false, S_NEVER },
	{ "hit2",		"hit",	K_STUB, 2, O_HOT_FIRST, false, S_NEVER },
	{ "hit2_last",		"hit",	K_STUB, 2, O_HOT_LAST, false, S_NEVER },
	{ "hit4",		"hit",	K_STUB, 4, O_HOT_FIRST, false, S_NEVER },
	{ "hit4_last",		"hit",	K_STUB, 4, O_HOT_LAST, false, S_NEVER },
	{ "prof1",		"prof", K_STUB, 1, O_HOT_FIRST, true, S_NEVER },
	{ "prof2",		"prof", K_STUB, 2, O_HOT_FIRST, true, S_NEVER },
	{ "prof4",		"prof", K_STUB, 4, O_HOT_FIRST, true, S_NEVER },
	{ "prof4_last",		"prof", K_STUB, 4, O_HOT_LAST, true, S_NEVER },
	{ "learn_nosample",	"miss", K_STUB, 0, O_COLD, false, S_NONE },
	{ "learn",		"miss", K_STUB, 0, O_COLD, false, S_NEVER },
	{ "learn_s16",		"miss", K_STUB, 0, O_COLD, false, S_CHEAP, 16 },
	{ "learn_s16_full",	"miss", K_STUB, 0, O_COLD, false, S_FULL, 16 },
	{ "miss2",		"miss", K_STUB, 2, O_COLD, false, S_NEVER },
	{ "miss2_s16",		"miss", K_STUB, 2, O_COLD, false, S_CHEAP, 16 },
	{ "miss2_prof",		"miss", K_STUB, 2, O_COLD, true, S_NEVER },
};
#define NR_VARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

static const char *const patterns[] = { "mono", "p50_50", "p90_10", "mega16" };
#define NR_PATTERNS 4

struct config {
	int id;
	int pat;
	const struct variant *v;
	u8 site[5];
	u64 stub;
	int stub_len;
	u64 targets[RELPOLINE_MAX_TARGETS];
	struct rp_ctr_block *ctr;	/* this CPU's counter block */
	u64 exp_hits[RELPOLINE_MAX_TARGETS];	/* per pass */
	u64 exp_misses;			/* per pass */
};

static u8 *low;
static u8 *gs;
static u8 *blocks;
static u64 *arrays[NR_PATTERNS];
static struct config configs[NR_PATTERNS * NR_VARIANTS];
static int nr_configs;

static u64 addr(u32 off)
{
	return (u64)(uintptr_t)(low + off);
}

static u64 target(int i)
{
	return addr(OFF_TARGETS + i * TARGET_STRIDE);
}

static void put_tmpl(u32 off, const u8 *start, const u8 *end)
{
	memcpy(low + off, start, end - start);
}

static void map_areas(void)
{
	void *p;
	int i;

	p = rp_map_low_rwx(LOW_WANT, LOW_SIZE);
	if (!p)
		die("cannot map the low RWX area below 2 GiB");
	low = p;

	gs = rb_gs_setup();
	blocks = aligned_alloc(64, MAX_STUBS * BLOCK_STRIDE);
	if (!blocks)
		die("counter blocks");

	put_tmpl(OFF_LOOP, rb_loop, rb_loop_end);
	put_tmpl(OFF_THUNK, rb_thunk, rb_thunk_end);
	put_tmpl(OFF_THUNK_P, rb_thunk_pause, rb_thunk_pause_end);
	for (i = 0; i < NR_TARGETS; i++)
		put_tmpl(OFF_TARGETS + i * TARGET_STRIDE, rb_target, rb_target_end);

	/* the sampling variants' period */
	rb_put_sample_cheap(low + OFF_S_CHEAP, 16);
	rb_put_sample_full(low + OFF_S_FULL, 16);
}

static void make_arrays(void)
{
	int p, i;

	for (p = 0; p < NR_PATTERNS; p++) {
		arrays[p] = aligned_alloc(4096, ARR_LEN * sizeof(u64));
		if (!arrays[p])
			die("arrays");
		for (i = 0; i < ARR_LEN; i++) {
			u64 r = rng() >> 11;	/* 53 random bits */
			int t;

			switch (p) {
			case 0: t = 0; break;
			case 1: t = (r & 1) ? 1 : 0; break;
			case 2: t = (r % 10) == 0 ? 1 : 0; break;
			default: t = r % 16; break;
			}
			arrays[p][i] = target(t);
		}
	}
}

static u64 *gs64(s32 disp)
{
	return (u64 *)(gs + disp);
}

static void build_configs(void)
{
	int p, vi, i, nstub = 0, ret;

	for (p = 0; p < NR_PATTERNS; p++) {
		for (vi = 0; vi < NR_VARIANTS; vi++) {
			const struct variant *v = &variants[vi];
			struct config *c = &configs[nr_configs];
			u64 site = addr(OFF_LOOP + (rb_loop_site - rb_loop));
			u64 dest = 0;

			c->id = nr_configs++;
			c->pat = p;
			c->v = v;
			switch (v->kind) {
			case K_NOP:
				memcpy(c->site, RB_NOP5, 5);
				break;
			case K_INDIRECT:	/* call *%rax; nopl (%rax) */
				memcpy(c->site, RB_CALL_RAX_NOP3, 5);
				break;
			case K_LFENCE_IND:	/* lfence; call *%rax */
				memcpy(c->site, "\x0f\xae\xe8\xff\xd0", 5);
				break;
			case K_DIRECT:
				dest = target(0);	/* the hottest target */
				break;
			case K_THUNK:
				dest = addr(OFF_THUNK);
				break;
			case K_THUNK_PAUSE:
				dest = addr(OFF_THUNK_P);
				break;
			case K_STUB: {
				struct rp_stub_desc d = { 0 };
				struct rp_stub_layout lay;

				c->stub = addr(OFF_STUBS + nstub * STUB_SLOT);
				c->ctr = (struct rp_ctr_block *)(blocks +
						nstub * BLOCK_STRIDE);
				nstub++;
				d.stub_addr = c->stub;
				d.reg = RP_REG_RAX;
				d.nr_targets = v->nr;
				for (i = 0; i < v->nr; i++) {
					int t = v->order == O_HOT_FIRST ? i :
						v->order == O_HOT_LAST ? v->nr - 1 - i :
						16 + i;
					c->targets[i] = d.targets[i] = target(t);
					d.dests[i] = d.targets[i];
				}
				d.count_hits = v->count_hits;
				d.count_misses = true;
				d.sample = v->sample != S_NONE;
				d.ctr_base = rb_ctr_base(c->ctr, gs);
				d.sample_fn = addr(v->sample == S_FULL ? OFF_S_FULL :
						   OFF_S_CHEAP);
				d.slow_kind = RP_SLOW_REL32;
				d.slow_target = addr(OFF_THUNK);
				ret = rp_encode_stub(&d, low + (c->stub - addr(0)),
						     STUB_SLOT, &lay);
				if (ret < 0) {
					errno = -ret;
					die("rp_encode_stub");
				}
				/* the sample functions use %rcx as ctr_base */
				if (lay.scratch != RP_REG_NONE &&
				    lay.scratch != RP_REG_RCX) {
					errno = EINVAL;
					die("scratch register is not %rcx");
				}
				c->stub_len = ret;
				dest = c->stub;
				for (i = 0; i < ARR_LEN; i++) {
					int k;

					for (k = 0; k < v->nr; k++)
						if (arrays[p][i] == c->targets[k])
							break;
					if (k < v->nr)
						c->exp_hits[k]++;
					else
						c->exp_misses++;
				}
				break;
			}
			}
			if (dest) {
				ret = rp_encode_site(RELPOLINE_FORM_CALL, 0, site, dest, c->site);
				if (ret != 5) {
					errno = ret < 0 ? -ret : EINVAL;
					die("rp_encode_site");
				}
			}
		}
	}
}

typedef void (*loop_fn)(const u64 *arr, u64 ncalls, u64 mask);

static void check(const struct config *c, u64 passes)
{
	const struct variant *v = c->v;
	u64 miss, want_samples = 0, samples = *gs64(GS_SAMPLES);
	bool sampling = v->sample == S_CHEAP || v->sample == S_FULL;
	u32 cd = RB_NEVER;
	int i;

	if (v->kind != K_STUB)
		return;
	miss = c->ctr->misses;
	if (miss != passes * c->exp_misses)
		goto bad;
	/* the countdown of a stub without sampling code stays as it was */
	if (sampling || v->sample == S_NEVER)
		cd = rb_countdown_after(sampling ? v->period : RB_NEVER,
					v->period, miss, &want_samples);
	if (c->ctr->countdown != cd || samples != want_samples)
		goto bad;
	for (i = 0; i < v->nr; i++) {
		u64 want = v->count_hits ? passes * c->exp_hits[i] : 0;

		if (c->ctr->hits[i] != want)
			goto bad;
	}
	return;
bad:
	fprintf(stderr, "relbench: counter mismatch for %s/%s: misses %llu (want %llu), samples %llu (want %llu), countdown %u (want %u)\n",
		patterns[c->pat], v->name, (unsigned long long)miss,
		(unsigned long long)(passes * c->exp_misses),
		(unsigned long long)samples, (unsigned long long)want_samples,
		c->ctr->countdown, cd);
	exit(1);
}

/*
 * One measurement of ~1M calls: @passes passes over the target array, each
 * timed on its own; TSC ticks per call of the median clean pass.
 */
static double measure(const struct config *c, int passes, int *nclean)
{
	loop_fn loop = (loop_fn)(uintptr_t)addr(OFF_LOOP);
	u8 *site = low + OFF_LOOP + (rb_loop_site - rb_loop);
	const struct variant *v = c->v;
	struct chunked ch = { .n = 0 };
	u64 t0, t1;
	long sw0, sw1;
	int k;

	memcpy(site, c->site, 5);
	*gs64(GS_SAMPLES) = 0;
	if (c->ctr) {
		memset(c->ctr, 0, sizeof(*c->ctr));
		c->ctr->countdown = (v->sample == S_CHEAP ||
				     v->sample == S_FULL) ?
				    v->period : RB_NEVER;
	}
	/* warm up: one pass, counted in the check */
	loop(arrays[c->pat], ARR_LEN, ARR_LEN - 1);
	for (k = 0; k < passes; k++) {
		sw0 = switches();
		t0 = tsc_begin();
		loop(arrays[c->pat], ARR_LEN, ARR_LEN - 1);
		t1 = tsc_end();
		sw1 = switches();
		chunk_add(&ch, (double)(t1 - t0) / ARR_LEN, sw0, sw1);
	}
	check(c, passes + 1);
	return chunk_median(&ch, nclean);
}

/* One repetition: every single-site and many-site variant, shuffled */
static void run_rep(int r, int passes, int *order, int n)
{
	int i, nclean;
	double t, best;

	rb_shuffle(order, n);	/* a new order every repetition */
	printf("calib,%d,%.6f\n", r, tsc_per_cycle());
	for (i = 0; i < n; i++) {
		if (order[i] >= nr_configs) {
			int id = order[i] - nr_configs;

			t = rb_many_measure(id, 4 * passes, &nclean, &best);
			printf("msample,%d,%d,%.4f,%d,%.4f\n", r, id, t,
			       nclean, best);
			continue;
		}
		t = measure(&configs[order[i]], passes, &nclean);
		printf("sample,%d,%d,%.4f,%d\n", r, order[i], t, nclean);
	}
	printf("calib,%d,%.6f\n", r, tsc_per_cycle());
	fflush(stdout);
}

static void print_configs(int reps, int passes, int cpu)
{
	int i, k;

	printf("meta,reps,%d\n", reps);
	printf("meta,calls_per_measurement,%d\n", passes * ARR_LEN);
	printf("meta,array_len,%d\n", ARR_LEN);
	printf("meta,cpu,%d\n", cpu);
	printf("meta,low_area,0x%llx\n", (unsigned long long)addr(0));
	printf("meta,site_reg,rax\n");
	for (i = 0; i < nr_configs; i++) {
		const struct config *c = &configs[i];
		u64 hits = 0;

		for (k = 0; k < c->v->nr; k++)
			hits += c->exp_hits[k];
		printf("config,%d,%s,%s,%s,%d,%.6f,%d\n", c->id, patterns[c->pat],
		       c->v->name, c->v->group, c->v->nr,
		       c->v->kind == K_STUB ? (double)hits / ARR_LEN : -1.0,
		       c->stub_len);
	}
	rb_many_print_configs();
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int reps = 15, passes = 16, cpu = -1, opt, r, i, n;
	static int order[NR_PATTERNS * NR_VARIANTS + 64];

	while ((opt = getopt(argc, argv, "r:p:c:")) != -1) {
		switch (opt) {
		case 'r': reps = atoi(optarg); break;
		case 'p': passes = atoi(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: relbench [-r REPS] [-p PASSES] [-c CPU]\n");
			return 2;
		}
	}
	if (reps < 1 || passes < 1 || 4 * passes > MAX_CHUNKS)
		return 2;
	cpu = rb_pin_cpu(cpu);

	map_areas();
	make_arrays();
	build_configs();
	rb_many_setup(gs, rb_thunk, (int)(rb_thunk_end - rb_thunk));
	n = nr_configs + rb_many_count();
	if (n > (int)(sizeof(order) / sizeof(order[0])))
		die("too many variants");
	print_configs(reps, passes, cpu);

	for (i = 0; i < n; i++)
		order[i] = i;
	for (r = 0; r < reps; r++)
		run_rep(r, passes, order, n);
	rb_gs_release();
	return 0;
}
