// SPDX-License-Identifier: GPL-2.0
/*
 * Print relpoline stub sizes in bytes, as a Markdown table; "make sizes".
 * Columns: the stub's options with the rel32 slow path (retpoline mode);
 * the other slow paths add a fixed number of bytes, printed below.
 */
#include <stdio.h>
#include <string.h>

#include <asm/relpoline_encode.h>

enum { LEAN, MISS, MISS_SAMPLE, PROF, PROF_ACCT, NR_COLS };

static const char *const col_names[NR_COLS] = {
	"lean", "+misses", "+misses+sample", "+hits+misses+sample",
	"+hits+misses+sample+depth",
};

static int size_of(u8 reg, int nr, int col, enum rp_slow_kind slow,
		   bool lfence, bool its, u64 at)
{
	struct rp_stub_desc d;
	int i;

	memset(&d, 0, sizeof(d));
	d.stub_addr = at;
	d.reg = reg;
	d.nr_targets = (u8)nr;
	d.count_misses = col >= MISS;
	d.sample = col >= MISS_SAMPLE;
	d.count_hits = col >= PROF;
	for (i = 0; i < nr; i++)
		d.targets[i] = 0xffffffff81000000ULL + 0x40 * i;
	for (i = 0; i < RELPOLINE_MAX_TARGETS; i++)
		d.dest_account[i] = col == PROF_ACCT;
	d.sample_account = col == PROF_ACCT;
	d.slow_kind = slow;
	d.slow_lfence = lfence;
	d.its_safe = its;
	return rp_stub_size(&d);
}

/* The largest ITS padding over all stub addresses mod 64 */
static int its_worst(u8 reg, int nr, int col, bool lfence)
{
	int off, s, base = size_of(reg, nr, col, RP_SLOW_INDIRECT, lfence,
				   false, 0), worst = 0;

	for (off = 0; off < 64; off++) {
		s = size_of(reg, nr, col, RP_SLOW_INDIRECT, lfence, true, off);
		if (s - base > worst)
			worst = s - base;
	}
	return worst;
}

int main(void)
{
	static const struct { const char *name; u8 reg; } regs[] = {
		{ "rax", 0 }, { "rcx..rdi", 1 }, { "r8..r15", 11 },
	};
	unsigned int r;
	int nr, col, rel;

	printf("| reg | targets |");
	for (col = 0; col < NR_COLS; col++)
		printf(" %s |", col_names[col]);
	printf("\n|---|---|");
	for (col = 0; col < NR_COLS; col++)
		printf("---|");
	printf("\n");
	for (r = 0; r < 3; r++)
		for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr++) {
			printf("| %s | %d |", regs[r].name, nr);
			for (col = 0; col < NR_COLS; col++)
				printf(" %d |", size_of(regs[r].reg, nr, col,
							RP_SLOW_REL32, false,
							false, 0));
			printf("\n");
		}
	printf("\nSlow path instead of the rel32 jmp (5 bytes), bytes added:\n");
	for (r = 0; r < 3; r++) {
		rel = size_of(regs[r].reg, 4, PROF, RP_SLOW_REL32, false,
			      false, 0);
		printf("- %s: jmp *%%reg; int3 %+d, lfence; jmp *%%reg; int3 %+d, ITS padding 0..%d more (0..%d with lfence)\n",
		       regs[r].name,
		       size_of(regs[r].reg, 4, PROF, RP_SLOW_INDIRECT, false,
			       false, 0) - rel,
		       size_of(regs[r].reg, 4, PROF, RP_SLOW_INDIRECT, true,
			       false, 0) - rel,
		       its_worst(regs[r].reg, 4, PROF, false),
		       its_worst(regs[r].reg, 4, PROF, true));
	}
	printf("\nRP_STUB_MAX_SIZE = %d\n", RP_STUB_MAX_SIZE);
	return 0;
}
