/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/compiler.h>: the attributes the kernel headers and lib/ files use. */
#ifndef _KSHIM_LINUX_COMPILER_H
#define _KSHIM_LINUX_COMPILER_H

#define __pure			__attribute__((__pure__))
#define __must_check		__attribute__((__warn_unused_result__))
#define noinline		__attribute__((__noinline__))
#define fallthrough		__attribute__((__fallthrough__))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define __user

#endif /* _KSHIM_LINUX_COMPILER_H */
