// SPDX-License-Identifier: GPL-2.0
/*
 * Refuse terminals the ncurses view cannot draw on, with a message,
 * before ncurses takes over the screen (TERM=dumb printed garbage).
 * Apart from top_ui.c because <term.h> defines macros such as 'lines'.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "top_ui.h"

int top_ui_check_term(char *msg, size_t len)
{
	const char *term = getenv("TERM");
	char *cup;
	int err = 0;

	if (!term || !*term || !strcmp(term, "dumb")) {
		snprintf(msg, len, "TERM=%s cannot move the cursor; use -b or --json for batch output",
			 term ? term : "");
		return -1;
	}
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		snprintf(msg, len, "unknown terminal type TERM=%s; use -b or --json for batch output", term);
		return -1;
	}
	cup = tigetstr("cup");
	if (!cup || cup == (char *)-1 || tigetflag("hc") > 0) {
		snprintf(msg, len, "TERM=%s cannot move the cursor; use -b or --json for batch output", term);
		del_curterm(cur_term);
		return -1;
	}
	del_curterm(cur_term);
	return 0;
}

