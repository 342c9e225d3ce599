// SPDX-License-Identifier: GPL-2.0
/* The native benchmark's timing statistics and small helpers (rb.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "rb.h"

void die(const char *msg)
{
	fprintf(stderr, "relbench: %s (%s)\n", msg, strerror(errno));
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

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double chunk_median(struct chunked *ch, int *nclean)
{
	*nclean = ch->nclean;
	return ch->nclean ? median(ch->clean, ch->nclean) : median(ch->all, ch->n);
}

void chunk_add(struct chunked *ch, double v, long sw0, long sw1)
{
	ch->all[ch->n++] = v;
	if (sw0 == sw1)
		ch->clean[ch->nclean++] = v;
}
