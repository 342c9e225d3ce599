/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_TEXT_POKE_SITE_H
#define _ASM_X86_TEXT_POKE_SITE_H

#include <linux/types.h>

#define TEXT_POKE_SITE_MAX	6

/**
 * struct text_poke_site - one indirect branch site to rewrite in a batch
 * @addr:	address of the site
 * @len:	length of @old and @new (2 to TEXT_POKE_SITE_MAX)
 * @old:	the bytes the site must hold now; the site is left alone
 *		when it does not (a kprobe, another patcher), or when a
 *		kprobe is registered on one of its bytes
 * @new:	the replacement; neither @old nor @new starts with INT3
 * @form:	enum relpoline_form: while the site is rewritten it behaves
 *		as a CALL, JMP or Jcc (@cc) to @dest, returning to (or going
 *		on at) the end of the site; that branch must be what both
 *		@old and @new do
 * @cc:		condition of a Jcc
 * @dest:	see @form
 * @quiesce:	@old has instruction boundaries inside the site at which a
 *		task can be stopped (not counting an INT3 that @new keeps):
 *		wait for every task to leave them before rewriting
 * @result:	out: 0 when rewritten (or already @new), -EBUSY when @old did
 *		not match or a kprobe is registered on the site, -EINVAL for
 *		a malformed entry
 */
struct text_poke_site {
	void		*addr;
	u8		len;
	u8		old[TEXT_POKE_SITE_MAX];
	u8		new[TEXT_POKE_SITE_MAX];
	u8		form;
	u8		cc;
	bool		quiesce;
	unsigned long	dest;
	int		result;
};

/**
 * struct text_poke_site_stats - what a batch cost
 * @patched:	sites rewritten
 * @busy:	sites skipped because they did not hold @old
 * @ipi_rounds:	text_poke_sync() rounds (on_each_cpu IPIs) the batch took
 * @quiesced:	the batch waited for the RCU-tasks grace periods
 */
struct text_poke_site_stats {
	unsigned int	patched;
	unsigned int	busy;
	unsigned long	ipi_rounds;
	bool		quiesced;
};

int text_poke_sites(struct text_poke_site **vec, unsigned int nr,
		    struct text_poke_site_stats *stats);
unsigned long text_poke_sites_emulations(void);
bool text_poke_sites_kprobed(void *addr, unsigned int len);

struct pt_regs;
#ifdef CONFIG_RELPOLINE
int text_poke_sites_int3(struct pt_regs *regs);
unsigned long text_poke_sites_skip(unsigned long addr);
#else
static inline int text_poke_sites_int3(struct pt_regs *regs)
{
	return 0;
}

static inline unsigned long text_poke_sites_skip(unsigned long addr)
{
	return 0;
}
#endif

#ifdef CONFIG_RELPOLINE_KUNIT_TEST
extern void (*text_poke_sites_test_hook)(unsigned int step);
#endif

#endif /* _ASM_X86_TEXT_POKE_SITE_H */
