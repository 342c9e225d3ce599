/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the native benchmark's files: the %gs area (static per-CPU
 * data in the kernel), timing with the TSC, the statistics of one
 * measurement (rb_util.c) and the code emission (rb_code.c) that
 * relbench.c, rb_many.c and rb_replay.c (relreplay) share.
 */
#ifndef RB_H
#define RB_H

/* The %gs area */
#define GS_SIZE		0x2000
#define GS_SAMPLES	0x0108	/* u64 samples taken */
#define GS_DEPTH	0x0110	/* u64 call depth (retbleed=stuff) */
#define GS_RING		0x0800	/* 64 x 16 bytes */

/*
 * The stubs' counter blocks (alloc_percpu() in the kernel) are anywhere in
 * memory; a stub counts in %gs:ctr_base, so the per-CPU pointer of
 * @block is its distance from the %gs base @gs.
 */
static inline u64 rb_ctr_base(const void *block, const u8 *gs)
{
	return (u64)(uintptr_t)block - (u64)(uintptr_t)gs;
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

#define MAX_CHUNKS 256

/*
 * The timed chunks of one measurement that no context switch interrupted
 * (the machine is shared): their median, and how many there were.  With
 * none, the median of all chunks.
 */
struct chunked {
	double all[MAX_CHUNKS], clean[MAX_CHUNKS];
	int n, nclean;
};

void chunk_add(struct chunked *ch, double v, long sw0, long sw1);
double chunk_median(struct chunked *ch, int *nclean);
/* voluntary + involuntary context switches of this thread so far */
long switches(void);
/* print "PROGRAM: MSG (strerror(errno))" and exit(1) */
void die(const char *msg) __attribute__((noreturn));
/* xorshift64*, one sequence for the whole run */
u64 rng(void);
/* a new random order of @order[0..@n) (Fisher-Yates, with rng()) */
void rb_shuffle(int *order, int n);
/*
 * Pin this thread to @cpu (-1: the last online CPU); returns the CPU, or
 * says on stderr that it runs unpinned
 */
int rb_pin_cpu(int cpu);
/* The %gs area: GS_SIZE zeroed bytes, the %gs base (arch_prctl) */
u8 *rb_gs_setup(void);
/* %gs base 0 again */
void rb_gs_release(void);
/* the median of @v[0..@n), which it sorts */
double rb_median(double *v, int n);
/* TSC ticks per core clock cycle (rb_calib: 64 dependent ADDs = 64 cycles) */
double tsc_per_cycle(void);

/*
 * rb_code.c: code emission shared by relbench and relreplay.
 */
#define RB_GRANULE	32		/* the stub allocator's granule */
#define RB_NEVER	0x7fffffffU	/* a countdown that never samples */

/* Site bytes: a 5-byte NOP; "call *%rax; nop3" (upstream, spectre_v2=off) */
#define RB_NOP5			"\x0f\x1f\x44\x00\x00"
#define RB_CALL_RAX_NOP3	"\xff\xd0\x0f\x1f\x00"

struct rp_stub_desc;
struct rp_stub_layout;

/* copy @n bytes to @p; returns the byte after them */
u8 *rb_put(u8 *p, const void *bytes, int n);
/* e8/e9 rel32 at @p to @dest; returns the byte after it */
u8 *rb_rel32(u8 *p, u8 op, u64 dest);
/*
 * Encode @d at @base + *@cursor (d->stub_addr is set), advance *@cursor by
 * whole granules; dies (naming @what) when the stub does not fit below
 * @limit or the encoder refuses it.  @lay may be NULL.  Returns the stub.
 */
u64 rb_place_stub(struct rp_stub_desc *d, u8 *base, u32 *cursor, u32 limit,
		  struct rp_stub_layout *lay, const char *what);
/*
 * The sample functions of rb_tmpl.S at @dst, counting the samples in
 * %gs:GS_SAMPLES and reloading the stub's countdown with @period; the
 * "full" one is shaped like the kernel's relpoline_sample_thunk
 * (every GPR saved, a %gs ring record).  They use %rcx as the stub's
 * ctr_base: stubs of a %rax site.
 */
void rb_put_sample_cheap(u8 *dst, u32 period);
void rb_put_sample_full(u8 *dst, u32 period);
/*
 * The countdown a sampling stub shows after @misses misses from @c0 when
 * its sample function reloads it with @period; the samples taken in
 * *@samples
 */
u32 rb_countdown_after(u32 c0, u32 period, u64 misses, u64 *samples);

/* rb_tmpl.S */
extern const u8 rb_loop[], rb_loop_site[], rb_loop_end[];
extern const u8 rb_dispatch[], rb_dispatch_end[];
extern const u8 rb_dispatch_rp[], rb_dispatch_rp_end[];
extern const u8 rb_thunk[], rb_thunk_end[];
extern const u8 rb_thunk_pause[], rb_thunk_pause_end[];
extern const u8 rb_target[], rb_target_end[];
extern const u8 rb_sample_cheap[], rb_sample_cheap_end[];
extern const u8 rb_sample_cheap_per[], rb_sample_cheap_n[];
extern const u8 rb_sample_full[], rb_sample_full_end[];
extern const u8 rb_sample_full_per[], rb_sample_full_n[];
extern const u8 rb_sample_full_n2[], rb_sample_full_ring[], rb_sample_full_ring8[];
extern void rb_calib(u64 iters);

#endif /* RB_H */
