/* SPDX-License-Identifier: GPL-2.0 */
/* The many-site pattern of the native benchmark (rb_many.c). */
#ifndef RB_MANY_H
#define RB_MANY_H

/*
 * Build every many-site variant; @gs_area is the %gs area (GS_* of rb.h),
 * @thunk the retpoline thunk's bytes.
 */
void rb_many_setup(u8 *gs_area, const u8 *thunk, int thunk_len);
/* number of variants */
int rb_many_count(void);
/* "meta" and "mconfig,ID,MODE,LAYOUT,AVG_STUB_BYTES" lines */
void rb_many_print_configs(void);
/*
 * TSC ticks per site of variant @id: the median of @passes clean passes;
 * in @best the fastest pass (noise on a shared machine only adds time)
 */
double rb_many_measure(int id, int passes, int *nclean, double *best);

#endif /* RB_MANY_H */
