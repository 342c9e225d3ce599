/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/export.h>: an export is a redundant declaration (it takes the ';'). */
#ifndef _KSHIM_LINUX_EXPORT_H
#define _KSHIM_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)	extern typeof(sym) sym

#endif /* _KSHIM_LINUX_EXPORT_H */
