/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <linux/types.h>: the UAPI header, plus the kernel's own integer types
 * (u64 is unsigned long long, as in the kernel, so that kstrtou64() and
 * kstrtoull() take the same pointer type), bool and size_t.
 */
#ifndef _KSHIM_LINUX_TYPES_H
#define _KSHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

typedef unsigned char		u8;
typedef signed char		s8;
typedef unsigned short		u16;
typedef short			s16;
typedef unsigned int		u32;
typedef int			s32;
typedef unsigned long long	u64;
typedef long long		s64;

#endif /* _KSHIM_LINUX_TYPES_H */
