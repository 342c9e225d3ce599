// SPDX-License-Identifier: GPL-2.0
/* Print relpoline stub sizes; "make sizes". */
#include <stdio.h>
#include <string.h>

#include <asm/relpoline_encode.h>

static int size_of(u8 reg, int nr, bool hits, bool misses, bool sample,
		   enum rp_slow_kind slow, bool lfence)
{
	struct rp_stub_desc d;
	int i;

	memset(&d, 0, sizeof(d));
	d.reg = reg;
	d.nr_targets = (u8)nr;
	for (i = 0; i < nr; i++)
		d.targets[i] = 0xffffffff81000000ULL + 0x40 * i;
	d.count_hits = hits;
	d.count_misses = misses;
	d.sample = sample;
	d.slow_kind = slow;
	d.slow_lfence = lfence;
	return rp_stub_size(&d);
}

int main(void)
{
	static const struct { const char *name; u8 reg; } regs[] = {
		{ "rax", 0 }, { "r11", 11 },
	};
	unsigned int r;
	int nr;

	printf("%-5s %-3s %6s %9s %13s %17s\n", "reg", "nr", "lean",
	       "indirect", "ind+lfence", "hits+miss+sample");
	for (r = 0; r < 2; r++)
		for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr++)
			printf("%-5s %-3d %6d %9d %13d %17d\n", regs[r].name,
			       nr,
			       size_of(regs[r].reg, nr, 0, 0, 0,
				       RP_SLOW_REL32, 0),
			       size_of(regs[r].reg, nr, 0, 0, 0,
				       RP_SLOW_INDIRECT, 0),
			       size_of(regs[r].reg, nr, 0, 0, 0,
				       RP_SLOW_INDIRECT, 1),
			       size_of(regs[r].reg, nr, 1, 1, 1,
				       RP_SLOW_REL32, 0));
	return 0;
}
