/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_RELPOLINE_H
#define _LINUX_RELPOLINE_H

#include <linux/types.h>

#ifdef CONFIG_RELPOLINE
bool is_relpoline_stub(unsigned long addr);
#else
static inline bool is_relpoline_stub(unsigned long addr)
{
	return false;
}
#endif

#endif /* _LINUX_RELPOLINE_H */
