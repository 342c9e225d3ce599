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

#include "top.h"

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
	bool color;
	enum ui_screen scr;
	enum ui_screen back;	/* screen to return to from help */
	unsigned long sel_id;
	bool have_sel;
	long sel;		/* index into the view */
	long top;		/* first visible row */
	int sort_pos;		/* sort menu cursor */
	char status[256];
	struct obuf ob;
};

static const double delays[] = { 0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 30, 60 };
#define NR_DELAYS ((int)(sizeof(delays) / sizeof(delays[0])))

#define KEY_ESC		27
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

static int table_rows(void)
{
	/* 4 header lines, status line, titles, F-key bar */
	int n = LINES - 7;

	return n > 0 ? n : 0;
}

/* keep the selection on the same site across refreshes and re-sorts */
static void clamp_sel(struct app *a, struct ui *u)
{
	struct top_model *m = &a->model;
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

static void move_sel(struct app *a, struct ui *u, long to)
{
	struct top_model *m = &a->model;

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

static void draw_header(struct app *a, struct ui *u)
{
	char *p, *nl;
	int y = 0;

	ob_reset(&u->ob);
	top_fmt_header(&u->ob, &a->model, &a->info);
	for (p = u->ob.p; p && *p && y < 4; y++) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		put_line(y, p, nl - p, y == 0 ? A_BOLD : A_NORMAL, false);
		if (!*nl)
			break;
		p = nl + 1;
	}
}

static void draw_main(struct app *a, struct ui *u)
{
	struct top_model *m = &a->model;
	int start, len, sstart, slen;

	draw_header(a, u);

	move(4, 0);
	clrtoeol();
	if (u->scr == SCR_FILTER) {
		attron(A_BOLD);
		mvprintw(4, 0, "Filter: ");
		attroff(A_BOLD);
		printw("%.*s", COLS > 10 ? COLS - 10 : 0, m->filter);
		attron(A_REVERSE);
		addch(' ');
		attroff(A_REVERSE);
	} else if (u->status[0]) {
		attron(A_BOLD);
		mvaddnstr(4, 0, u->status, COLS);
		attroff(A_BOLD);
	} else {
		mvprintw(4, 0, "Sort: %s, %s%s%s", top_col_name(m->sort),
			 top_col_numeric(m->sort) ^ m->invert ? "descending" : "ascending",
			 m->filter[0] ? "   Filter: " : "", m->filter);
	}

	ob_reset(&u->ob);
	top_fmt_colhdr(&u->ob, 0);
	put_line(5, u->ob.p, u->ob.len, cattr(u, CP_TITLE, A_REVERSE), true);
	top_col_span(m->sort, &start, &len);
	if (start < COLS) {
		if (u->color)
			mvchgat(5, start, len, A_BOLD, CP_SORT, NULL);
		else
			mvchgat(5, start, len, A_BOLD | A_UNDERLINE, 0, NULL);
	}

	clamp_sel(a, u);
	top_col_span(TC_STATE, &sstart, &slen);
	for (int i = 0; i < table_rows(); i++) {
		long idx = u->top + i;
		int row = 6 + i;

		if (idx >= (long)m->nr_view) {
			move(row, 0);
			clrtoeol();
			continue;
		}
		ob_reset(&u->ob);
		top_fmt_row(&u->ob, &m->rows[m->view[idx]], COLS);
		if (idx == u->sel) {
			put_line(row, u->ob.p, u->ob.len, A_REVERSE, true);
		} else {
			int pair = state_pair(m->rows[m->view[idx]].s->state);

			put_line(row, u->ob.p, u->ob.len, A_NORMAL, false);
			if (u->color && pair && sstart < COLS)
				mvchgat(row, sstart, slen, A_NORMAL, pair, NULL);
		}
	}
	if (!m->nr_view && LINES > 7)
		mvaddnstr(6, 0, m->filter[0] ? "(no site matches the filter)" :
			  "(no managed sites)", COLS);

	if (u->scr == SCR_FILTER) {
		static const char * const bar[] = {
			"Enter", "Done   ", "Esc", "Clear  ", "BS", "Delete ", NULL, NULL,
		};
		fkey_bar(u, bar);
	} else {
		const char *bar[] = {
			"F1", "Help   ", "F4", "Filter ", "F6", "SortBy ", "<>", "Column ",
			"I", "Invert ", "Enter", "Detail ", "p", a->info.paused ? "Resume " : "Pause  ",
			"+-", "Delay  ", "F10", "Quit   ", NULL, NULL,
		};
		fkey_bar(u, bar);
	}
}

static const struct top_row *find_row(const struct top_model *m, unsigned long id)
{
	for (size_t i = 0; i < m->nr_rows; i++)
		if (m->rows[i].s->id == id)
			return &m->rows[i];
	return NULL;
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

static void draw_detail(struct app *a, struct ui *u)
{
	const struct top_model *m = &a->model;
	const struct top_row *r = u->have_sel ? find_row(m, u->sel_id) : NULL;
	char name[600], h1[24], h2[24], pc[24], num[32];
	int y = 0;

	erase();
	if (!r) {
		mvprintw(0, 0, "Site %lu is no longer managed.", u->sel_id);
	} else {
		const struct rp_site *s = r->s;
		uint64_t sum = 0;
		int nh = 0;

		rp_site_name(s, name, sizeof(name));
		attron(A_BOLD);
		mvprintw(y++, 0, "Site %lu  %s", s->id, name);
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
		y++;
		for (unsigned int i = 0; i < s->nr_targets; i++)
			sum += s->targets[i].hits;
		attron(cattr(u, CP_TITLE, A_REVERSE));
		mvprintw(y, 0, "%-5s %-48s %14s %10s %7s", "SLOT", "TARGET", "HITS", "HITS/s", "SHARE");
		for (int x = getcurx(stdscr); x < COLS && x > 0; x++)
			addch(' ');
		attroff(cattr(u, CP_TITLE, A_REVERSE));
		y++;
		for (unsigned int i = 0; i < s->nr_targets && y < LINES - 3; i++) {
			const struct rp_target *t = &s->targets[i];
			long long d = top_target_delta(r, i);
			char tn[1100];

			rp_target_name(t, tn, sizeof(tn));
			top_fmt_rate(d < 0 || m->interval <= 0 ? -1 : d / m->interval, h1);
			top_fmt_pct(sum ? 100.0 * t->hits / sum : -1, pc);
			top_fmt_u64(t->hits, num);
			mvprintw(y++, 0, "%5u %-48s %14s %10s %6s%%", i, tn, num, h1, pc);
		}
		if (!s->nr_targets)
			mvprintw(y++, 0, "      (no promoted targets)");
		y++;
		attron(A_BOLD);
		mvprintw(y++, 0, "Promotion history (relpoline events, newest last):");
		attroff(A_BOLD);
		if (!a->events) {
			mvprintw(y++, 0, "  unavailable: %s",
				 a->events_msg[0] ? a->events_msg : "no event instance");
		} else {
			int room = LINES - 1 - y, shown = 0;
			size_t match = 0;

			for (size_t i = 0; i < a->hist_nr; i++)
				if (hist_matches(&a->hist[(a->hist_head + i) % HIST_MAX], s))
					match++;
			for (size_t i = 0; i < a->hist_nr && room > 0; i++) {
				const struct hist_ent *h = &a->hist[(a->hist_head + i) % HIST_MAX];

				if (!hist_matches(h, s))
					continue;
				/* show the newest 'room' entries */
				if (match - nh > (size_t)room) {
					nh++;
					continue;
				}
				mvprintw(y++, 0, "  %6llu.%06llu  %.*s", h->ts / 1000000000ULL,
					 (h->ts / 1000) % 1000000ULL, COLS > 20 ? COLS - 20 : 0, h->text);
				nh++;
				shown++;
			}
			if (!shown)
				mvprintw(y++, 0, "  no promotion event for this site since relpoline-top started");
		}
	}
	{
		static const char * const bar[] = {
			"Esc", "Back   ", "Up/Dn", "Site   ", "p", "Pause  ", "+-", "Delay  ",
			"F10", "Quit   ", NULL, NULL,
		};
		fkey_bar(u, bar);
	}
}

static void draw_help(struct ui *u)
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
		"  p               pause / resume refreshing",
		"  + -             longer / shorter refresh delay",
		"  F1 h ?          this help",
		"  q F10           quit (restores relpoline/profile)",
		"",
		"Columns: HITS/s and MISS/s are per second over the last interval,",
		"CALLS/s their sum, HIT% hits/(hits+misses) over the interval and",
		"TARGETS each promoted target with its share of the hits.",
		"",
		"Press any key to return.",
		NULL,
	};

	erase();
	for (int i = 0; lines[i] && i < LINES; i++)
		mvaddnstr(i, 0, lines[i], COLS);
	(void)u;
}

static void draw_sort(struct app *a, struct ui *u)
{
	int w = 22, h = TC_NR + 2, y0 = 6, x0 = 0;

	draw_main(a, u);
	for (int i = 0; i < h && y0 + i < LINES - 1; i++) {
		move(y0 + i, x0);
		attron(A_REVERSE);
		for (int x = 0; x < w && x0 + x < COLS; x++)
			addch(' ');
		attroff(A_REVERSE);
	}
	attron(A_REVERSE | A_BOLD);
	mvaddnstr(y0, x0 + 1, "Sort by", COLS - 1);
	attroff(A_REVERSE | A_BOLD);
	for (int c = 0; c < TC_NR && y0 + 1 + c < LINES - 1; c++) {
		attr_t at = c == u->sort_pos ? A_NORMAL | A_BOLD : A_REVERSE;

		attron(at);
		mvprintw(y0 + 1 + c, x0 + 1, "%c %-18s", c == (int)a->model.sort ? '*' : ' ',
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

static void draw(struct app *a, struct ui *u)
{
	switch (u->scr) {
	case SCR_DETAIL:
		draw_detail(a, u);
		break;
	case SCR_HELP:
		draw_help(u);
		break;
	case SCR_SORT:
		draw_sort(a, u);
		break;
	default:
		draw_main(a, u);
		break;
	}
	refresh();
}

static void set_delay(struct app *a, int dir)
{
	int i;

	for (i = 0; i < NR_DELAYS - 1 && delays[i] < a->delay - 1e-9; i++)
		;
	/* i: first step >= current delay */
	if (dir > 0) {
		if (delays[i] <= a->delay + 1e-9 && i < NR_DELAYS - 1)
			i++;
	} else {
		if (i > 0)
			i--;
	}
	a->delay = delays[i];
	a->info.delay = a->delay;
}

static void resort(struct app *a)
{
	top_model_view(&a->model);
}

/* returns false to quit */
static bool handle_key(struct app *a, struct ui *u, int ch)
{
	struct top_model *m = &a->model;
	long rows = table_rows() > 0 ? table_rows() : 1;

	u->status[0] = '\0';
	if (ch == KEY_RESIZE)
		return true;

	switch (u->scr) {
	case SCR_FILTER: {
		size_t n = strlen(m->filter);

		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			u->scr = SCR_MAIN;
		} else if (ch == KEY_ESC || ch == KEY_F(4)) {
			m->filter[0] = '\0';
			resort(a);
			u->scr = SCR_MAIN;
		} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (n) {
				m->filter[n - 1] = '\0';
				resort(a);
			}
		} else if (ch == CTRL('u')) {
			m->filter[0] = '\0';
			resort(a);
		} else if (ch >= 32 && ch < 127 && n + 1 < sizeof(m->filter)) {
			m->filter[n] = ch;
			m->filter[n + 1] = '\0';
			resort(a);
		}
		return true;
	}
	case SCR_SORT:
		if (ch == KEY_UP || ch == 'k')
			u->sort_pos = (u->sort_pos + TC_NR - 1) % TC_NR;
		else if (ch == KEY_DOWN || ch == 'j')
			u->sort_pos = (u->sort_pos + 1) % TC_NR;
		else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			m->sort = u->sort_pos;
			resort(a);
			u->scr = SCR_MAIN;
		} else if (ch == KEY_ESC || ch == KEY_F(6) || ch == 's' || ch == 'q') {
			u->scr = SCR_MAIN;
		}
		return true;
	case SCR_HELP:
		if (ch == 'q' || ch == KEY_F(10))
			return false;
		u->scr = u->back;
		return true;
	default:
		break;
	}

	/* keys shared by the main and detail screens */
	switch (ch) {
	case 'q':
	case 'Q':
	case KEY_F(10):
		return false;
	case 'p':
	case 'P':
		a->info.paused = !a->info.paused;
		return true;
	case '+':
	case '=':
		set_delay(a, 1);
		return true;
	case '-':
	case '_':
		set_delay(a, -1);
		return true;
	case KEY_F(1):
	case 'h':
	case '?':
		u->back = u->scr;
		u->scr = SCR_HELP;
		return true;
	case KEY_UP:
	case 'k':
		move_sel(a, u, u->sel - 1);
		return true;
	case KEY_DOWN:
	case 'j':
		move_sel(a, u, u->sel + 1);
		return true;
	default:
		break;
	}

	if (u->scr == SCR_DETAIL) {
		if (ch == KEY_ESC || ch == KEY_LEFT || ch == KEY_BACKSPACE || ch == 127 ||
		    ch == '\n' || ch == '\r' || ch == KEY_ENTER)
			u->scr = SCR_MAIN;
		return true;
	}

	switch (ch) {
	case KEY_NPAGE:
	case ' ':
		move_sel(a, u, u->sel + rows);
		break;
	case KEY_PPAGE:
		move_sel(a, u, u->sel - rows);
		break;
	case KEY_HOME:
	case 'g':
		move_sel(a, u, 0);
		break;
	case KEY_END:
	case 'G':
		move_sel(a, u, (long)m->nr_view - 1);
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (m->nr_view)
			u->scr = SCR_DETAIL;
		break;
	case KEY_F(6):
	case 's':
	case 'S':
		u->sort_pos = m->sort;
		u->scr = SCR_SORT;
		break;
	case '<':
	case ',':
		m->sort = (m->sort + TC_NR - 1) % TC_NR;
		resort(a);
		break;
	case '>':
	case '.':
		m->sort = (m->sort + 1) % TC_NR;
		resort(a);
		break;
	case 'I':
		m->invert = !m->invert;
		resort(a);
		break;
	case '/':
	case KEY_F(4):
		u->scr = SCR_FILTER;
		break;
	case KEY_ESC:
		if (m->filter[0]) {
			m->filter[0] = '\0';
			resort(a);
		}
		break;
	default:
		snprintf(u->status, sizeof(u->status), "unknown key - press F1 or h for help");
		break;
	}
	return true;
}

int top_ui_run(struct app *a)
{
	struct ui u = { 0 };
	SCREEN *scr;
	char msg[512] = "";
	double next;
	int ret = 0;

	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "relpoline-top: cannot initialise the terminal (TERM=%s); use -b\n",
			getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	set_term(scr);
	curses_active = true;
	atexit(ui_atexit);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	init_colors(&u);

	if (a->warning[0])
		snprintf(u.status, sizeof(u.status), "warning: %.240s", a->warning);

	if (top_sample(a, msg, sizeof(msg))) {
		ret = 1;
		goto out;
	}
	/* second sample soon, so rates show up quickly */
	next = top_now() + (a->delay < 0.5 ? a->delay : 0.5);
	draw(a, &u);

	while (!top_stop) {
		double now = top_now();
		bool dirty = false;
		int ms, ch;

		if (!a->info.paused && now >= next) {
			if (top_sample(a, msg, sizeof(msg))) {
				ret = 1;
				break;
			}
			top_poll_events(a);
			next += a->delay;
			if (next < now)
				next = now + a->delay;
			dirty = true;
		}
		if (dirty)
			draw(a, &u);

		ms = a->info.paused ? 250 : (int)((next - top_now()) * 1000);
		if (ms > 250)
			ms = 250;
		if (ms < 0)
			ms = 0;
		timeout(ms);
		ch = getch();
		if (ch == ERR)
			continue;
		do {
			if (!handle_key(a, &u, ch)) {
				top_stop = 1;
				break;
			}
			/* a new delay takes effect from the last sample */
			if (next > a->last_sample + a->delay)
				next = a->last_sample + a->delay;
			timeout(0);
		} while ((ch = getch()) != ERR);
		if (!top_stop)
			draw(a, &u);
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
