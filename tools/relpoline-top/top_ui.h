/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RELPOLINE_TOP_UI_H
#define RELPOLINE_TOP_UI_H

#include "top_source.h"

/*
 * Can this terminal be drawn on? 0, or -1 with msg saying why not
 * (unknown TERM, or one that cannot move the cursor such as TERM=dumb).
 */
int top_ui_check_term(char *msg, size_t len);
/* the ncurses view until quit or a signal; exit code */
int top_ui_run(struct top_source *src, struct top_model *m, struct top_info *in);

#endif
