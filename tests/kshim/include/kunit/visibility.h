/* SPDX-License-Identifier: GPL-2.0 */
/* <kunit/visibility.h>: every symbol is visible to the userspace tests. */
#ifndef _KSHIM_KUNIT_VISIBILITY_H
#define _KSHIM_KUNIT_VISIBILITY_H

#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(sym)	extern typeof(sym) sym

#endif /* _KSHIM_KUNIT_VISIBILITY_H */
