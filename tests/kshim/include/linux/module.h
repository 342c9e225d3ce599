/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/module.h>: MODULE_NAME_LEN and the macros lib/glob.c uses. */
#ifndef _KSHIM_LINUX_MODULE_H
#define _KSHIM_LINUX_MODULE_H

#include <linux/export.h>

/* MAX_PARAM_PREFIX_LEN: 64 - sizeof(unsigned long) on 64-bit */
#define MODULE_NAME_LEN		56

#define MODULE_DESCRIPTION(s)	extern int kshim_module_info
#define MODULE_LICENSE(s)	extern int kshim_module_info

#endif /* _KSHIM_LINUX_MODULE_H */
