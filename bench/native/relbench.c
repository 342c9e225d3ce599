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
 * After every measurement the stub's %gs counters are checked against the
 * counts expected from the target array: a stub that does not do what the
 * encoder promises aborts the benchmark.
 *
 * Output (stdout), CSV with a leading record type:
 *   meta,KEY,VALUE
 *   config,ID,PATTERN,VARIANT,GROUP,NR_TARGETS,HIT_FRACTION,STUB_BYTES
 *   sample,REP,ID,TSC_TICKS_PER_CALL,CLEAN_PASSES
 *   calib,REP,TSC_TICKS_PER_CORE_CYCLE
 *
 * usage: relbench [-r REPS] [-p PASSES] [-c CPU]
 */
#include <asm/prctl.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <asm/relpoline_encode.h>
#include "rp_lowmap.h"

/* rb_tmpl.S */
extern const u8 rb_loop[], rb_loop_site[], rb_loop_end[];
extern const u8 rb_thunk[], rb_thunk_end[];
extern const u8 rb_thunk_pause[], rb_thunk_pause_end[];
extern const u8 rb_target[], rb_target_end[];
extern const u8 rb_sample_cheap[], rb_sample_cheap_end[];
extern const u8 rb_sample_cheap_per[], rb_sample_cheap_n[];
extern const u8 rb_sample_full[], rb_sample_full_end[];
extern const u8 rb_sample_full_per[], rb_sample_full_n[];
extern const u8 rb_sample_full_n2[], rb_sample_full_ring[], rb_sample_full_ring8[];
extern void rb_calib(u64 iters);

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

/* The %gs area (static per-CPU data in the kernel) */
#define GS_SIZE		0x2000
#define GS_THIS_CPU_OFF	0x0100	/* u64 this_cpu_off */
#define GS_SAMPLES	0x0108	/* u64 samples taken */
#define GS_RING		0x0800	/* 64 x 16 bytes */

/*
 * The stubs' counter blocks (alloc_percpu() in the kernel): anywhere in
 * memory, reached as ctr_base + this_cpu_off, with THIS_CPU_OFF a 64-bit
 * offset as the kernel's per-CPU offsets are.
 */
#define THIS_CPU_OFF	0x00003ee700000000ULL
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

static void die(const char *msg)
{
	fprintf(stderr, "relbench: %s (%s)\n", msg, strerror(errno));
	exit(1);
}

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

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void map_areas(void)
{
	void *p;
	int i;

	p = rp_map_low_rwx(LOW_WANT, LOW_SIZE);
	if (!p)
		die("cannot map the low RWX area below 2 GiB");
	low = p;

	gs = aligned_alloc(4096, GS_SIZE);
	if (!gs)
		die("gs area");
	memset(gs, 0, GS_SIZE);
	*(u64 *)(gs + GS_THIS_CPU_OFF) = THIS_CPU_OFF;
	blocks = aligned_alloc(64, MAX_STUBS * BLOCK_STRIDE);
	if (!blocks)
		die("counter blocks");
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)(uintptr_t)gs))
		die("arch_prctl(ARCH_SET_GS)");

	put_tmpl(OFF_LOOP, rb_loop, rb_loop_end);
	put_tmpl(OFF_THUNK, rb_thunk, rb_thunk_end);
	put_tmpl(OFF_THUNK_P, rb_thunk_pause, rb_thunk_pause_end);
	for (i = 0; i < NR_TARGETS; i++)
		put_tmpl(OFF_TARGETS + i * TARGET_STRIDE, rb_target, rb_target_end);

	put_tmpl(OFF_S_CHEAP, rb_sample_cheap, rb_sample_cheap_end);
#define AT(base, tmpl, lbl) (low + (base) + ((lbl) - (tmpl)))
	put32(AT(OFF_S_CHEAP, rb_sample_cheap, rb_sample_cheap_n), GS_SAMPLES);
	put_tmpl(OFF_S_FULL, rb_sample_full, rb_sample_full_end);
	put32(AT(OFF_S_FULL, rb_sample_full, rb_sample_full_n), GS_SAMPLES);
	put32(AT(OFF_S_FULL, rb_sample_full, rb_sample_full_n2), GS_SAMPLES);
	put32(AT(OFF_S_FULL, rb_sample_full, rb_sample_full_ring), GS_RING);
	put32(AT(OFF_S_FULL, rb_sample_full, rb_sample_full_ring8), GS_RING + 8);
}

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
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
				memcpy(c->site, "\x0f\x1f\x44\x00\x00", 5);
				break;
			case K_INDIRECT:	/* call *%rax; nopl (%rax) */
				memcpy(c->site, "\xff\xd0\x0f\x1f\x00", 5);
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
				d.ctr_base = (u64)(uintptr_t)c->ctr - THIS_CPU_OFF;
				d.this_cpu_off = GS_THIS_CPU_OFF;
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
				/* the sample functions use %rcx as the block */
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

static inline u64 tsc_begin(void)
{
	u32 lo, hi;

	asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((u64)hi << 32) | lo;
}

static inline u64 tsc_end(void)
{
	u32 lo, hi, aux;

	asm volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux) :: "memory");
	return ((u64)hi << 32) | lo;
}

typedef void (*loop_fn)(const u64 *arr, u64 ncalls, u64 mask);

static void check(const struct config *c, u64 passes)
{
	const struct variant *v = c->v;
	u64 miss, samples = *gs64(GS_SAMPLES);
	int i;

	if (v->kind != K_STUB)
		return;
	miss = c->ctr->misses;
	if (miss != passes * c->exp_misses)
		goto bad;
	for (i = 0; i < v->nr; i++) {
		u64 want = v->count_hits ? passes * c->exp_hits[i] : 0;

		if (c->ctr->hits[i] != want)
			goto bad;
	}
	if ((v->sample == S_CHEAP || v->sample == S_FULL) &&
	    samples != miss / v->period)
		goto bad;
	if ((v->sample == S_NEVER || v->sample == S_NONE) && samples)
		goto bad;
	return;
bad:
	fprintf(stderr, "relbench: counter mismatch for %s/%s: misses %llu (want %llu), samples %llu\n",
		patterns[c->pat], v->name, (unsigned long long)miss,
		(unsigned long long)(passes * c->exp_misses),
		(unsigned long long)samples);
	exit(1);
}

static long switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_CHUNKS 256

/*
 * The chunks of one measurement that no context switch interrupted (the
 * machine is shared): their median, and how many there were.  With none,
 * the median of all chunks.
 */
struct chunked {
	double all[MAX_CHUNKS], clean[MAX_CHUNKS];
	int n, nclean;
};

static double chunk_median(struct chunked *ch, int *nclean)
{
	*nclean = ch->nclean;
	return ch->nclean ? median(ch->clean, ch->nclean) : median(ch->all, ch->n);
}

static void chunk_add(struct chunked *ch, double v, long sw0, long sw1)
{
	ch->all[ch->n++] = v;
	if (sw0 == sw1)
		ch->clean[ch->nclean++] = v;
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
				    v->period : 0x7fffffffU;
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

/* TSC ticks per core clock cycle (64 dependent ADDs = 64 cycles) */
static double calib(void)
{
	const u64 iters = 20000;
	struct chunked ch = { .n = 0 };
	u64 t0, t1;
	long sw0, sw1;
	int k, nclean;

	for (k = 0; k < 16; k++) {
		sw0 = switches();
		t0 = tsc_begin();
		rb_calib(iters);
		t1 = tsc_end();
		sw1 = switches();
		chunk_add(&ch, (double)(t1 - t0) / (double)(64 * iters), sw0, sw1);
	}
	return chunk_median(&ch, &nclean);
}

int main(int argc, char **argv)
{
	int reps = 15, passes = 16, cpu = -1, opt, r, i, nclean;
	int order[NR_PATTERNS * NR_VARIANTS];
	cpu_set_t set;

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
	if (reps < 1 || passes < 1 || passes > MAX_CHUNKS)
		return 2;
	if (cpu < 0)
		cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "relbench: cannot pin to CPU %d, running unpinned\n", cpu);

	map_areas();
	make_arrays();
	build_configs();

	printf("meta,reps,%d\n", reps);
	printf("meta,calls_per_measurement,%d\n", passes * ARR_LEN);
	printf("meta,array_len,%d\n", ARR_LEN);
	printf("meta,cpu,%d\n", cpu);
	printf("meta,low_area,0x%llx\n", (unsigned long long)addr(0));
	printf("meta,site_reg,rax\n");
	for (i = 0; i < nr_configs; i++) {
		const struct config *c = &configs[i];
		u64 hits = 0;
		int k;

		for (k = 0; k < c->v->nr; k++)
			hits += c->exp_hits[k];
		printf("config,%d,%s,%s,%s,%d,%.6f,%d\n", c->id, patterns[c->pat],
		       c->v->name, c->v->group, c->v->nr,
		       c->v->kind == K_STUB ? (double)hits / ARR_LEN : -1.0,
		       c->stub_len);
	}
	fflush(stdout);

	for (i = 0; i < nr_configs; i++)
		order[i] = i;
	for (r = 0; r < reps; r++) {
		/* Fisher-Yates: a new order every repetition */
		for (i = nr_configs - 1; i > 0; i--) {
			int j = rng() % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		printf("calib,%d,%.6f\n", r, calib());
		for (i = 0; i < nr_configs; i++) {
			const struct config *c = &configs[order[i]];

			double t = measure(c, passes, &nclean);

			printf("sample,%d,%d,%.4f,%d\n", r, c->id, t, nclean);
		}
		printf("calib,%d,%.6f\n", r, calib());
		fflush(stdout);
	}
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL);
	return 0;
}
