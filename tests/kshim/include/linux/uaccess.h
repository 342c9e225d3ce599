/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <linux/uaccess.h>: lib/kstrtox.c's *_from_user() helpers build against
 * these; in userspace "user memory" is ordinary memory.
 */
#ifndef _KSHIM_LINUX_UACCESS_H
#define _KSHIM_LINUX_UACCESS_H

#include <string.h>

#define min(a, b)	((a) < (b) ? (a) : (b))

static inline unsigned long copy_from_user(void *to, const void *from,
					   unsigned long n)
{
	memcpy(to, from, n);
	return 0;
}

#endif /* _KSHIM_LINUX_UACCESS_H */
