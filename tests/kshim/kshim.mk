# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own lib/*.c files that relpoline's pure code uses, compiled
# in userspace from the extracted base tree with the shims of
# tests/kshim/include standing in for the kernel headers they (and
# kernel/trace/relpoline_parse.c) include; nothing is copied. Real kernel
# headers that need no shim (<linux/ctype.h>, <linux/kstrtox.h>,
# <linux/glob.h>) come from the base tree, after the system's.
#
# Set TOP, KSRC and O first; then
#   KSHIM_CPPFLAGS   for every file that includes kernel headers
#   KLIB_OBJS        the lib/ objects, built with $(KLIB_CC) $(KLIB_CFLAGS)
#                    by the rule below (the kernel's own files: warnings
#                    as the kernel builds them, no -Werror)

KSHIM		:= $(TOP)/tests/kshim
KSHIM_HDRS	:= $(wildcard $(KSHIM)/include/*/*.h)
KSHIM_CPPFLAGS	:= -I$(KSHIM)/include -idirafter $(TOP)/include \
		   -idirafter $(KSRC)/include
KLIB		:= ctype kstrtox glob
KLIB_OBJS	:= $(patsubst %,$(O)/klib/%.o,$(KLIB))

$(O)/klib/%.o: $(KSRC)/lib/%.c $(KSHIM_HDRS)
	@mkdir -p $(dir $@)
	$(KLIB_CC) $(KLIB_CFLAGS) $(KSHIM_CPPFLAGS) -c -o $@ $<

$(KSRC)/lib/%.c:
	@echo "tests/kshim: no $@: extract the base tree first" \
	      "(scripts/build-kernel --extract-only)" >&2; exit 1
