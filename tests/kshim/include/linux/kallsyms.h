/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/kallsyms.h>: the longest symbol name, with its NUL. */
#ifndef _KSHIM_LINUX_KALLSYMS_H
#define _KSHIM_LINUX_KALLSYMS_H

#define KSYM_NAME_LEN		512

#endif /* _KSHIM_LINUX_KALLSYMS_H */
