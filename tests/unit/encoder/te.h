/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the encoder unit tests (test_*.c): Check helpers, register
 * names and the test case lists of each file.  The shim (rp_user_shim.h)
 * is force-included by the Makefile.
 */
#ifndef TE_H
#define TE_H

#include <check.h>

#include <asm/relpoline_encode.h>

/*
 * Check's ck_assert*() macros record a checkpoint (a write to the parent
 * process) on every success, which is far too slow for the hot loops here;
 * EXPECT() only reports failures.
 */
#define EXPECT(expr, ...)					\
	do {							\
		if (!(expr))					\
			ck_abort_msg(__VA_ARGS__);		\
	} while (0)

#define NREGS	16
#define RSP	4
#define R11	11
#define NR_VALID_REGS 15

/* every register but %rsp */
extern const u8 valid_regs[NR_VALID_REGS];
extern const char *const reg_names[NREGS];
extern const char *const form_names[3];

/* The scratch register the encoder documents for target register @reg */
static inline u8 te_scratch(u8 reg)
{
	return reg == RP_REG_RAX ? RP_REG_RCX : RP_REG_RAX;
}

/* Is byte @off of a stub inside one of its pushed ranges? */
static inline bool te_in_pushed(const struct rp_stub_layout *l, u32 off)
{
	int i;

	for (i = 0; i < l->nr_pushed; i++)
		if (off >= l->pushed[i].start && off < l->pushed[i].end)
			return true;
	return false;
}

/* test_exec.c, test_decode.c, test_errors.c */
TCase *te_exec_tcase(void);
TCase *te_exec_step_tcase(void);
TCase *te_decode_tcase(void);
TCase *te_errors_tcase(void);

#endif /* TE_H */
