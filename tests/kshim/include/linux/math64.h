/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/math64.h>: div_u64() for lib/kstrtox.c, div64_u64() for relpoline_parse.c. */
#ifndef _KSHIM_LINUX_MATH64_H
#define _KSHIM_LINUX_MATH64_H

#include <linux/types.h>

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

#endif /* _KSHIM_LINUX_MATH64_H */
