// SPDX-License-Identifier: GPL-2.0
/*
 * The native benchmark's timing statistics and small helpers (rb.h):
 * shared by relbench and relreplay.
 */
#include <asm/prctl.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rb.h"

void die(const char *msg)
{
	fprintf(stderr, "%s: %s (%s)\n", program_invocation_short_name, msg,
		strerror(errno));
	exit(1);
}

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

u64 rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

void rb_shuffle(int *order, int n)
{
	int i;

	for (i = n - 1; i > 0; i--) {
		int j = rng() % (i + 1), k = order[i];

		order[i] = order[j];
		order[j] = k;
	}
}

int rb_pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "%s: cannot pin to CPU %d, running unpinned\n",
			program_invocation_short_name, cpu);
	return cpu;
}

u8 *rb_gs_setup(void)
{
	u8 *gs = aligned_alloc(4096, GS_SIZE);

	if (!gs)
		die("gs area");
	memset(gs, 0, GS_SIZE);
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)(uintptr_t)gs))
		die("arch_prctl(ARCH_SET_GS)");
	return gs;
}

void rb_gs_release(void)
{
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL);
}

long switches(void)
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

double rb_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double chunk_median(struct chunked *ch, int *nclean)
{
	*nclean = ch->nclean;
	return ch->nclean ? rb_median(ch->clean, ch->nclean) : rb_median(ch->all, ch->n);
}

void chunk_add(struct chunked *ch, double v, long sw0, long sw1)
{
	ch->all[ch->n++] = v;
	if (sw0 == sw1)
		ch->clean[ch->nclean++] = v;
}

double tsc_per_cycle(void)
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
