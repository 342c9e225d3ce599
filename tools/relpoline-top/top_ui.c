// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline-top ncurses view: header, site table, detail and help
 * screens, sort menu and filter prompt. Colours only when the terminal
 * has them and NO_COLOR is not set; everything stays readable in
 * monochrome (reverse video marks the selection and the title bars).
 */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "top_ui.h"

enum {
	CP_TITLE = 1,		/* column titles */
	CP_LABEL,		/* F-key bar labels */
	CP_PROMOTED,
	CP_PINNED,
	CP_LEARNING,
	CP_BLOCKED,
	CP_BUSY,
	CP_SORT,		/* sort column title */
};

enum ui_screen { SCR_MAIN, SCR_DETAIL, SCR_HELP, SCR_SORT, SCR_FILTER };

struct ui {
	struct top_source *src;
	struct top_model *m;
	struct top_info *in;
	struct top_layout lay;
	bool color;
	enum ui_screen scr;
	enum ui_screen back;	/* screen to return to from help */
	unsigned long sel_id;
	bool have_sel;
	long sel;		/* index into the view */
	long top;		/* first visible row */
	int sort_pos;		/* sort menu cursor */
	int sort_top;		/* first sort menu item shown */
	char status[256];
	struct obuf ob;
};

#define KEY_ESC		27
#undef CTRL
#define CTRL(x)		((x) & 0x1f)

static bool curses_active;

static void ui_atexit(void)
{
	if (curses_active && !isendwin())
		endwin();
	curses_active = false;
}

static attr_t cattr(const struct ui *u, int pair, attr_t mono)
{
	return u->color ? (attr_t)COLOR_PAIR(pair) : mono;
}

static void init_colors(struct ui *u)
{
	const char *nc = getenv("NO_COLOR");

	/* https://no-color.org: set and not empty disables colour */
	u->color = has_colors() && !(nc && *nc);
	if (!u->color)
		return;
	start_color();
	use_default_colors();
	init_pair(CP_TITLE, COLOR_BLACK, COLOR_GREEN);
	init_pair(CP_LABEL, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_PROMOTED, COLOR_GREEN, -1);
	init_pair(CP_PINNED, COLOR_CYAN, -1);
	init_pair(CP_LEARNING, COLOR_YELLOW, -1);
	init_pair(CP_BLOCKED, COLOR_RED, -1);
	init_pair(CP_BUSY, COLOR_MAGENTA, -1);
	init_pair(CP_SORT, COLOR_BLACK, COLOR_CYAN);
}

static int state_pair(enum rp_state s)
{
	switch (s) {
	case RP_STATE_PROMOTED:	return CP_PROMOTED;
	case RP_STATE_PINNED:	return CP_PINNED;
	case RP_STATE_LEARNING:	return CP_LEARNING;
	case RP_STATE_BLOCKED:	return CP_BLOCKED;
	case RP_STATE_BUSY:	return CP_BUSY;
	default:		return 0;
	}
}

/* n chars of s at row y; 'fill' paints the rest of the row with attr a */
static void put_line(int y, const char *s, size_t n, attr_t a, bool fill)
{
	if (y < 0 || y >= LINES)
		return;
	move(y, 0);
	clrtoeol();
	attron(a);
	if (n > (size_t)COLS)
		n = COLS;
	mvaddnstr(y, 0, s, (int)n);
	if (fill)
		for (int x = (int)n; x < COLS; x++)
			mvaddch(y, x, ' ');
	attroff(a);
}

static void fkey_bar(const struct ui *u, const char * const *items)
{
	int x = 0, y = LINES - 1;

	if (y < 0)
		return;
	move(y, 0);
	clrtoeol();
	for (int i = 0; items[i] && items[i + 1]; i += 2) {
		int kl = strlen(items[i]), ll = strlen(items[i + 1]);

		if (x + kl >= COLS)
			break;
		attron(A_BOLD);
		mvaddstr(y, x, items[i]);
		attroff(A_BOLD);
		x += kl;
		attron(cattr(u, CP_LABEL, A_REVERSE));
		mvaddnstr(y, x, items[i + 1], COLS - x > ll ? ll : COLS - x);
		attroff(cattr(u, CP_LABEL, A_REVERSE));
		x += ll;
	}
}

/* header, status line, titles, F-key bar */
#define TABLE_Y		(TOP_HEADER_LINES + 2)

static int table_rows(void)
{
	int n = LINES - TABLE_Y - 1;

	return n > 0 ? n : 0;
}

/* keep the selection on the same site across refreshes and re-sorts */
static void clamp_sel(struct ui *u)
{
	struct top_model *m = u->m;
	long n = (long)m->nr_view, rows = table_rows();

	if (u->have_sel) {
		long i = top_model_find(m, u->sel_id);

		if (i >= 0)
			u->sel = i;
	}
	if (u->sel >= n)
		u->sel = n - 1;
	if (u->sel < 0)
		u->sel = 0;
	if (n) {
		u->sel_id = m->rows[m->view[u->sel]].s->id;
		u->have_sel = true;
	}
	if (u->top > u->sel)
		u->top = u->sel;
	if (rows && u->sel >= u->top + rows)
		u->top = u->sel - rows + 1;
	if (u->top > n - rows)
		u->top = n - rows;
	if (u->top < 0)
		u->top = 0;
}

static void move_sel(struct ui *u, long to)
{
	struct top_model *m = u->m;

	if (!m->nr_view)
		return;
	if (to >= (long)m->nr_view)
		to = m->nr_view - 1;
	if (to < 0)
		to = 0;
	u->sel = to;
	u->sel_id = m->rows[m->view[to]].s->id;
	u->have_sel = true;
}

static void draw_header(struct ui *u)
{
	char *p, *nl;
	int y = 0;

	ob_reset(&u->ob);
	top_fmt_header(&u->ob, u->m, u->in);
	for (p = u->ob.p; p && *p && y < TOP_HEADER_LINES; y++) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		put_line(y, p, nl - p, y == 0 ? A_BOLD : A_NORMAL, false);
		if (!*nl)
			break;
		p = nl + 1;
	}
}

static void draw_status(struct ui *u)
{
	struct top_model *m = u->m;
	int y = TOP_HEADER_LINES;

	move(y, 0);
	clrtoeol();
	if (u->scr == SCR_FILTER) {
		attron(A_BOLD);
		mvprintw(y, 0, "Filter: ");
		attroff(A_BOLD);
		printw("%.*s", COLS > 10 ? COLS - 10 : 0, m->filter);
		attron(A_REVERSE);
		addch(' ');
		attroff(A_REVERSE);
	} else if (u->status[0]) {
		attron(A_BOLD);
		mvaddnstr(y, 0, u->status, COLS);
		attroff(A_BOLD);
	} else {
		mvprintw(y, 0, "Sort: %s, %s%s%s", top_col_name(m->sort),
			 top_col_numeric(m->sort) ^ m->invert ? "descending" : "ascending",
			 m->filter[0] ? "   Filter: " : "", m->filter);
	}
}

static void draw_table(struct ui *u)
{
	struct top_model *m = u->m;
	int start, len, sstart, slen;
	bool state_shown;

	top_layout(&u->lay, COLS);
	ob_reset(&u->ob);
	top_fmt_colhdr(&u->ob, &u->lay);
	put_line(TABLE_Y - 1, u->ob.p, u->ob.len, cattr(u, CP_TITLE, A_REVERSE), true);
	if (top_col_span(&u->lay, m->sort, &start, &len) && start < COLS)
		mvchgat(TABLE_Y - 1, start, len, A_BOLD | (u->color ? 0 : A_UNDERLINE),
			u->color ? CP_SORT : 0, NULL);
	clamp_sel(u);
	state_shown = top_col_span(&u->lay, TC_STATE, &sstart, &slen);
	for (int i = 0; i < table_rows(); i++) {
		long idx = u->top + i;
		int row = TABLE_Y + i, pair;

		if (idx >= (long)m->nr_view) {
			move(row, 0);
			clrtoeol();
			continue;
		}
		ob_reset(&u->ob);
		top_fmt_row(&u->ob, &m->rows[m->view[idx]], &u->lay);
		if (idx == u->sel) {
			put_line(row, u->ob.p, u->ob.len, A_REVERSE, true);
			continue;
		}
		put_line(row, u->ob.p, u->ob.len, A_NORMAL, false);
		pair = state_pair(m->rows[m->view[idx]].s->state);
		if (u->color && pair && state_shown && sstart < COLS)
			mvchgat(row, sstart, slen, A_NORMAL, pair, NULL);
	}
	if (!m->nr_view && LINES > TABLE_Y + 1)
		mvaddnstr(TABLE_Y, 0, m->filter[0] ? "(no site matches the filter)" :
			  "(no managed sites)", COLS);
}

static void draw_main(struct ui *u)
{
	draw_header(u);
	draw_status(u);
	draw_table(u);
	if (u->scr == SCR_FILTER) {
		static const char * const bar[] = {
			"Enter", "Done   ", "Esc", "Clear  ", "BS", "Delete ", NULL, NULL,
		};
		fkey_bar(u, bar);
	} else {
		const char *bar[] = {
			"F1", "Help   ", "F4", "Filter ", "F6", "SortBy ", "Enter", "Detail ",
			"r", "Reset  ", "p", u->in->paused ? "Resume " : "Pause  ",
			"+-", "Delay  ", "F10", "Quit   ", NULL, NULL,
		};
		fkey_bar(u, bar);
	}
}

static bool hist_matches(const struct hist_ent *h, const struct rp_site *s)
{
	char key[600];
	size_t n;

	if (h->site_id >= 0)
		return (unsigned long)h->site_id == s->id;
	if (!h->site[0])
		return false;
	n = snprintf(key, sizeof(key), "%s+0x%lx", s->sym, s->off);
	return !strncmp(h->site, key, n) &&
	       (h->site[n] == '\0' || h->site[n] == '/' || h->site[n] == ' ');
}

static int draw_targets(struct ui *u, const struct top_row *r, int y)
{
	const struct rp_site *s = r->s;
	char h1[24], pc[24], num[32], tn[1100];
	uint64_t sum = 0;

	for (unsigned int i = 0; i < s->nr_targets; i++)
		sum += s->targets[i].hits;
	attron(cattr(u, CP_TITLE, A_REVERSE));
	mvprintw(y, 0, "%-5s %-40s %14s %10s %7s", "SLOT", "TARGET", "HITS", "HITS/s", "SHARE");
	for (int x = getcurx(stdscr); x < COLS && x > 0; x++)
		addch(' ');
	attroff(cattr(u, CP_TITLE, A_REVERSE));
	y++;
	for (unsigned int i = 0; i < s->nr_targets && y < LINES - 3; i++) {
		const struct rp_target *t = &s->targets[i];
		long long d = top_target_delta(r, i);

		rp_target_name(t, tn, sizeof(tn));
		top_fmt_rate(d < 0 || u->m->interval <= 0 ? -1 : d / u->m->interval, h1);
		top_fmt_pct(sum ? 100.0 * t->hits / sum : -1, pc);
		top_fmt_u64(t->hits, num);
		mvprintw(y++, 0, "%5u %-40.40s %14s %10s %6s%%", i, tn, num, h1, pc);
	}
	if (!s->nr_targets)
		mvprintw(y++, 0, "      (no promoted targets)");
	return y;
}

static void draw_history(struct ui *u, const struct rp_site *s, int y)
{
	const struct top_source *src = u->src;
	int room = LINES - 1 - y, shown = 0;
	size_t match = 0, nh = 0;

	attron(A_BOLD);
	mvprintw(y++, 0, "Promotion history (relpoline events, newest last):");
	attroff(A_BOLD);
	room--;
	if (!src->events) {
		mvprintw(y, 0, "  unavailable: %.*s", COLS > 20 ? COLS - 20 : 0,
			 src->events_msg[0] ? src->events_msg : "no event instance");
		return;
	}
	for (size_t i = 0; i < src->hist_nr; i++)
		match += hist_matches(top_source_hist(src, i), s);
	for (size_t i = 0; i < src->hist_nr && room > 0; i++) {
		const struct hist_ent *h = top_source_hist(src, i);

		if (!hist_matches(h, s))
			continue;
		/* show the newest 'room' entries */
		if (match - nh++ > (size_t)room)
			continue;
		mvprintw(y++, 0, "  %6llu.%06llu  %.*s", h->ts / 1000000000ULL,
			 (h->ts / 1000) % 1000000ULL, COLS > 20 ? COLS - 20 : 0, h->text);
		room--;
		shown++;
	}
	if (!shown)
		mvprintw(y, 0, "  no promotion event for this site since relpoline-top started");
}

static void draw_detail(struct ui *u)
{
	static const char * const bar[] = {
		"Esc", "Back   ", "Up/Dn", "Site   ", "p", "Pause  ", "+-", "Delay  ",
		"F10", "Quit   ", NULL, NULL,
	};
	const struct top_row *r = u->have_sel ? top_model_row(u->m, u->sel_id) : NULL;
	char name[600], h1[24], h2[24], pc[24];
	const struct rp_site *s;
	int y = 0;

	erase();
	if (!r) {
		mvprintw(0, 0, "Site %lu is no longer managed.", u->sel_id);
		fkey_bar(u, bar);
		return;
	}
	s = r->s;
	attron(A_BOLD);
	mvprintw(y++, 0, "Site %lu  %s", s->id, rp_site_name(s, name, sizeof(name)));
	attroff(A_BOLD);
	mvprintw(y++, 0, "module %s  form %s  reg %s  state ", s->mod ? s->mod : "-",
		 rp_form_name(s->form), s->reg);
	attron(u->color ? COLOR_PAIR(state_pair(s->state)) : A_BOLD);
	printw("%s", rp_state_name(s->state));
	attroff(u->color ? COLOR_PAIR(state_pair(s->state)) : A_BOLD);
	top_fmt_rate(r->hits_rate, h1);
	top_fmt_rate(r->miss_rate, h2);
	top_fmt_pct(r->hit_pct, pc);
	mvprintw(y++, 0, "hits %" PRIu64 " (%s/s)  misses %" PRIu64 " (%s/s)  hit %s%s",
		 s->hits, h1, s->misses, h2, pc, r->hit_pct < 0 ? "" : "%");
	y = draw_targets(u, r, y + 1);
	draw_history(u, s, y + 1);
	fkey_bar(u, bar);
}

static void draw_help(void)
{
	static const char * const lines[] = {
		"relpoline-top " RP_TOOLS_VERSION " - live view of relpoline call sites",
		"",
		"  Up/Down PgUp/PgDn Home/End  select a site",
		"  Enter           details of the selected site: targets and history",
		"  F6 s            choose the sort column",
		"  < >             sort by the previous / next column",
		"  I               invert the sort order",
		"  / F4            filter by symbol, module, state or target (Esc clears)",
		"  r               reset the view: default sort, no filter, first site",
		"  p               pause / resume refreshing",
		"  + -             longer / shorter refresh delay",
		"  F1 h ?          this help",
		"  q F10           quit",
		"",
		"HITS/s and MISS/s are per second over the last interval, CALLS/s their",
		"sum, HIT% hits/(hits+misses) over the interval, TARGETS each promoted",
		"target with its share of the hits. Narrow terminals show ID, SITE,",
		"STATE, CALLS/s, HIT% and TARGETS first. Hits are counted while",
		"relpoline-top runs (relpoline/profile_hold).",
		"",
		"Knobs ('relpoline set KNOB VALUE'):",
		NULL,
	};
	int y = 0;

	erase();
	for (int i = 0; lines[i] && y < LINES - 1; i++)
		mvaddnstr(y++, 0, lines[i], COLS);
	for (size_t i = 0; i < rp_nr_knobs && y < LINES - 1; i++)
		mvprintw(y++, 0, "  %-14s %lld..%lld (default %lld): %.*s", rp_knobs[i].name,
			 rp_knobs[i].min, rp_knobs[i].max, rp_knobs[i].def,
			 COLS > 50 ? COLS - 50 : 0, rp_knobs[i].help);
	if (y < LINES)
		mvaddnstr(LINES - 1, 0, "Press any key to return.", COLS);
}

/* the sort menu: a window of the columns that scrolls with the cursor */
static void draw_sort(struct ui *u)
{
	int w = 22, y0 = TABLE_Y, x0 = 0;
	int room = LINES - 1 - y0 - 1;	/* item lines between title and F-key bar */

	draw_main(u);
	if (room < 1)
		room = 1;
	if (u->sort_pos < u->sort_top)
		u->sort_top = u->sort_pos;
	if (u->sort_pos >= u->sort_top + room)
		u->sort_top = u->sort_pos - room + 1;
	attron(A_REVERSE | A_BOLD);
	mvprintw(y0, x0, " Sort by %*s", w - 9, "");
	if (room < TC_NR)	/* a small terminal: say where the window is */
		mvprintw(y0, x0 + 9, "%d/%d", u->sort_pos + 1, TC_NR);
	attroff(A_REVERSE | A_BOLD);
	for (int i = 0; i < room && u->sort_top + i < TC_NR; i++) {
		int c = u->sort_top + i;
		attr_t at = c == u->sort_pos ? A_BOLD : A_REVERSE;

		attron(at);
		mvprintw(y0 + 1 + i, x0, " %c %-*s", c == (int)u->m->sort ? '*' : ' ', w - 4,
			 top_col_name(c));
		attroff(at);
	}
	{
		static const char * const bar[] = {
			"Enter", "Sort   ", "Esc", "Cancel ", NULL, NULL,
		};
		fkey_bar(u, bar);
	}
}

static void draw(struct ui *u)
{
	switch (u->scr) {
	case SCR_DETAIL:
		draw_detail(u);
		break;
	case SCR_HELP:
		draw_help();
		break;
	case SCR_SORT:
		draw_sort(u);
		break;
	default:
		draw_main(u);
		break;
	}
	refresh();
}

static bool is_enter(int ch)
{
	return ch == '\n' || ch == '\r' || ch == KEY_ENTER;
}

static void key_filter(struct ui *u, int ch)
{
	struct top_model *m = u->m;
	size_t n = strlen(m->filter);

	if (is_enter(ch)) {
		u->scr = SCR_MAIN;
		return;
	}
	if (ch == KEY_ESC || ch == KEY_F(4)) {
		m->filter[0] = '\0';
		u->scr = SCR_MAIN;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (!n)
			return;
		m->filter[n - 1] = '\0';
	} else if (ch == CTRL('u')) {
		m->filter[0] = '\0';
	} else if (ch >= 32 && ch < 127 && n + 1 < sizeof(m->filter)) {
		m->filter[n] = ch;
		m->filter[n + 1] = '\0';
	} else {
		return;
	}
	top_model_view(m);
}

static void key_sort(struct ui *u, int ch)
{
	if (ch == KEY_UP || ch == 'k') {
		u->sort_pos = (u->sort_pos + TC_NR - 1) % TC_NR;
	} else if (ch == KEY_DOWN || ch == 'j') {
		u->sort_pos = (u->sort_pos + 1) % TC_NR;
	} else if (is_enter(ch)) {
		u->m->sort = u->sort_pos;
		top_model_view(u->m);
		u->scr = SCR_MAIN;
	} else if (ch == KEY_ESC || ch == KEY_F(6) || ch == 's' || ch == 'q') {
		u->scr = SCR_MAIN;
	}
}

/* keys of the main and detail screens; -1: not one of them, 0: quit, 1: done */
static int key_common(struct ui *u, int ch)
{
	switch (ch) {
	case 'q': case 'Q': case KEY_F(10):
		return 0;
	case 'p': case 'P':
		u->in->paused = !u->in->paused;
		return 1;
	case '+': case '=':
		u->in->delay = top_delay_step(u->in->delay, 1);
		return 1;
	case '-': case '_':
		u->in->delay = top_delay_step(u->in->delay, -1);
		return 1;
	case KEY_F(1): case 'h': case '?':
		u->back = u->scr;
		u->scr = SCR_HELP;
		return 1;
	case KEY_UP: case 'k':
		move_sel(u, u->sel - 1);
		return 1;
	case KEY_DOWN: case 'j':
		move_sel(u, u->sel + 1);
		return 1;
	}
	return -1;
}

static void key_main(struct ui *u, int ch)
{
	struct top_model *m = u->m;
	long rows = table_rows() > 0 ? table_rows() : 1;

	switch (ch) {
	case KEY_NPAGE: case ' ':
		move_sel(u, u->sel + rows);
		return;
	case KEY_PPAGE:
		move_sel(u, u->sel - rows);
		return;
	case KEY_HOME: case 'g':
		move_sel(u, 0);
		return;
	case KEY_END: case 'G':
		move_sel(u, (long)m->nr_view - 1);
		return;
	case '\n': case '\r': case KEY_ENTER:
		if (m->nr_view)
			u->scr = SCR_DETAIL;
		return;
	case KEY_F(6): case 's': case 'S':
		u->sort_pos = m->sort;
		u->scr = SCR_SORT;
		return;
	case '<': case ',':
		m->sort = (m->sort + TC_NR - 1) % TC_NR;
		break;
	case '>': case '.':
		m->sort = (m->sort + 1) % TC_NR;
		break;
	case 'I':
		m->invert = !m->invert;
		break;
	case '/': case KEY_F(4):
		u->scr = SCR_FILTER;
		return;
	case 'r': case 'R':
		top_model_reset_view(m);
		u->have_sel = false;
		u->sel = u->top = 0;
		return;
	case KEY_ESC:
		m->filter[0] = '\0';
		break;
	default:
		snprintf(u->status, sizeof(u->status), "unknown key - press F1 or h for help");
		return;
	}
	top_model_view(m);
}

/* returns false to quit */
static bool handle_key(struct ui *u, int ch)
{
	int r;

	u->status[0] = '\0';
	if (ch == KEY_RESIZE)
		return true;
	switch (u->scr) {
	case SCR_FILTER:
		key_filter(u, ch);
		return true;
	case SCR_SORT:
		key_sort(u, ch);
		return true;
	case SCR_HELP:
		if (ch == 'q' || ch == KEY_F(10))
			return false;
		u->scr = u->back;
		return true;
	default:
		break;
	}
	r = key_common(u, ch);
	if (r >= 0)
		return r;
	if (u->scr == SCR_DETAIL) {
		if (ch == KEY_ESC || ch == KEY_LEFT || ch == KEY_BACKSPACE || ch == 127 || is_enter(ch))
			u->scr = SCR_MAIN;
		return true;
	}
	key_main(u, ch);
	return true;
}

static SCREEN *ui_start(struct ui *u)
{
	SCREEN *scr = newterm(NULL, stdout, stdin);

	if (!scr)
		return NULL;
	set_term(scr);
	curses_active = true;
	atexit(ui_atexit);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	init_colors(u);
	return scr;
}

/* wait for a key until the next sample is due; handle every queued key */
static void ui_keys(struct ui *u, double next)
{
	int ms = u->in->paused ? 250 : (int)((next - top_now()) * 1000), ch;

	if (ms > 250)
		ms = 250;
	if (ms < 0)
		ms = 0;
	timeout(ms);
	ch = getch();
	if (ch == ERR)
		return;
	do {
		if (!handle_key(u, ch)) {
			top_stop = 1;
			return;
		}
		timeout(0);
	} while ((ch = getch()) != ERR);
	draw(u);
}

int top_ui_run(struct top_source *src, struct top_model *m, struct top_info *in)
{
	struct ui u = { .src = src, .m = m, .in = in };
	char msg[512] = "";
	SCREEN *scr;
	double next;
	int ret = 0;

	scr = ui_start(&u);
	if (!scr) {
		fprintf(stderr, "relpoline-top: cannot initialise the terminal (TERM=%s); use -b\n",
			getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	if (src->warning[0])
		snprintf(u.status, sizeof(u.status), "warning: %.240s", src->warning);
	if (top_source_sample(src, m, in, msg, sizeof(msg))) {
		ret = 1;
		goto out;
	}
	/* second sample soon, so rates show up quickly */
	next = top_now() + (in->delay < 0.5 ? in->delay : 0.5);
	draw(&u);
	while (!top_stop) {
		double now = top_now();

		if (!in->paused && now >= next) {
			if (top_source_sample(src, m, in, msg, sizeof(msg))) {
				ret = 1;
				break;
			}
			top_source_poll(src);
			next += in->delay;
			if (next < now)
				next = now + in->delay;
			draw(&u);
		}
		ui_keys(&u, next);
		/* a new delay takes effect from the last sample */
		if (next > src->last_sample + in->delay)
			next = src->last_sample + in->delay;
	}
out:
	ob_free(&u.ob);
	endwin();
	delscreen(scr);
	curses_active = false;
	if (ret)
		fprintf(stderr, "relpoline-top: %s\n", msg);
	return ret;
}
