/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_RELPOLINE_H
#define _LINUX_RELPOLINE_H

#include <linux/types.h>

#ifdef CONFIG_RELPOLINE
bool is_relpoline_stub(unsigned long addr);
int relpoline_address_lookup(unsigned long addr, unsigned long *size,
			     unsigned long *off, char **modname, char *namebuf);
int relpoline_get_kallsym(unsigned int symnum, unsigned long *value, char *type,
			  char *name);
#else
static inline bool is_relpoline_stub(unsigned long addr)
{
	return false;
}

static inline int relpoline_address_lookup(unsigned long addr, unsigned long *size,
					   unsigned long *off, char **modname,
					   char *namebuf)
{
	return 0;
}

static inline int relpoline_get_kallsym(unsigned int symnum, unsigned long *value,
					char *type, char *name)
{
	return -ERANGE;
}
#endif

#endif /* _LINUX_RELPOLINE_H */
