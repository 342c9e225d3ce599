/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of <linux/module.h> to compile the kernel's lib/glob.c in
 * userspace, as a reference for rp_glob_match() (differential fuzzing).
 */
#ifndef RP_KSHIM_MODULE_H
#define RP_KSHIM_MODULE_H

#include <stdbool.h>
#include <stddef.h>

#define __pure			__attribute__((__pure__))
#define fallthrough		__attribute__((__fallthrough__))
#define EXPORT_SYMBOL(sym)	extern typeof(sym) sym
#define MODULE_DESCRIPTION(s)	extern int rp_kshim_unused
#define MODULE_LICENSE(s)	extern int rp_kshim_unused

#endif /* RP_KSHIM_MODULE_H */
