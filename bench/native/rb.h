/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the native benchmark's files: the %gs area (static per-CPU
 * data in the kernel), timing with the TSC and the statistics of one
 * measurement.  relbench.c and rb_many.c use it; rb_util.c implements it.
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
/* print "relbench: MSG (strerror(errno))" and exit(1) */
void die(const char *msg) __attribute__((noreturn));
/* xorshift64*, one sequence for the whole run */
u64 rng(void);

#endif /* RB_H */
