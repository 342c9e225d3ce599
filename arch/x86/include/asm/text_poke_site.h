/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_TEXT_POKE_SITE_H
#define _ASM_X86_TEXT_POKE_SITE_H

#include <linux/types.h>

#define TEXT_POKE_SITE_MAX	6

/**
 * struct text_poke_site - one instruction to replace in a batch
 * @addr:	address of the instruction
 * @len:	length of @old and @new: 5 (CALL/JMP rel32), 6 (CS-prefixed
 *		CALL/JMP rel32, or Jcc rel32)
 * @old:	the bytes the site must hold now; the site is left alone
 *		when it does not (a kprobe, another patcher)
 * @new:	the replacement, an instruction of the same length and
 *		with the same boundaries as @old
 * @result:	out: 0 when patched, -EBUSY when @old did not match,
 *		-EINVAL when the pair is not patchable
 */
struct text_poke_site {
	void	*addr;
	u8	len;
	u8	old[TEXT_POKE_SITE_MAX];
	u8	new[TEXT_POKE_SITE_MAX];
	int	result;
};

/**
 * struct text_poke_site_stats - what a batch cost
 * @patched:	sites rewritten
 * @busy:	sites skipped because they did not hold @old
 * @ipi_rounds:	text_poke_sync() rounds (on_each_cpu IPIs) the batch took
 */
struct text_poke_site_stats {
	unsigned int	patched;
	unsigned int	busy;
	unsigned long	ipi_rounds;
};

int text_poke_sites(struct text_poke_site *sites, unsigned int nr,
		    struct text_poke_site_stats *stats);

#endif /* _ASM_X86_TEXT_POKE_SITE_H */
