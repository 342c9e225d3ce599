/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/glob.h> for the userspace build of lib/glob.c (see module.h) */
#ifndef RP_KSHIM_GLOB_H
#define RP_KSHIM_GLOB_H

#include <linux/module.h>

bool __pure glob_match(char const *pat, char const *str);

#endif /* RP_KSHIM_GLOB_H */
