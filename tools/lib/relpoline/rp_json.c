// SPDX-License-Identifier: GPL-2.0
/*
 * The one JSON writer of the tools and the objects every document shares
 * (site, states, totals), so that relpoline status/sites/cgroup show and
 * relpoline-top --json use the same field names and scales.
 */
#include <inttypes.h>
#include <stdio.h>

#include "relpoline.h"

static void put_chars(struct obuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '"':  ob_puts(b, "\\\""); break;
		case '\\': ob_puts(b, "\\\\"); break;
		case '\n': ob_puts(b, "\\n"); break;
		case '\t': ob_puts(b, "\\t"); break;
		case '\r': ob_puts(b, "\\r"); break;
		default:
			if (c < 0x20)
				ob_printf(b, "\\u%04x", c);
			else
				ob_putc(b, c);
		}
	}
}

/* the separator and "key": of the next value */
static void key(struct rp_json *j, const char *k)
{
	if (j->depth && !j->first[j->depth - 1])
		ob_putc(j->b, ',');
	if (j->depth)
		j->first[j->depth - 1] = false;
	if (k) {
		ob_putc(j->b, '"');
		put_chars(j->b, k);
		ob_puts(j->b, "\":");
	}
}

static void open_(struct rp_json *j, const char *k, char c)
{
	key(j, k);
	ob_putc(j->b, c);
	if (j->depth < RP_JSON_DEPTH) {
		j->first[j->depth] = true;
		j->closer[j->depth] = c == '{' ? '}' : ']';
	}
	j->depth++;
}

void rp_json_obj(struct rp_json *j, const char *k)
{
	open_(j, k, '{');
}

void rp_json_arr(struct rp_json *j, const char *k)
{
	open_(j, k, '[');
}

void rp_json_close(struct rp_json *j, char c)
{
	if (j->depth && j->depth <= RP_JSON_DEPTH)
		c = j->closer[j->depth - 1];
	ob_putc(j->b, c);
	if (j->depth)
		j->depth--;
}

void rp_json_begin(struct rp_json *j, struct obuf *b, const char *kind)
{
	j->b = b;
	j->depth = 0;
	rp_json_obj(j, NULL);
	rp_json_ll(j, "schema", RP_JSON_SCHEMA);
	rp_json_str(j, "kind", kind);
}

void rp_json_end(struct rp_json *j)
{
	while (j->depth)
		rp_json_close(j, 0);
	ob_putc(j->b, '\n');
}

void rp_json_str(struct rp_json *j, const char *k, const char *s)
{
	key(j, k);
	if (!s) {
		ob_puts(j->b, "null");
		return;
	}
	ob_putc(j->b, '"');
	put_chars(j->b, s);
	ob_putc(j->b, '"');
}

void rp_json_u64(struct rp_json *j, const char *k, uint64_t v)
{
	char num[24];

	key(j, k);
	ob_putn(j->b, num, rp_fmt_u64(v, num));
}

void rp_json_ll(struct rp_json *j, const char *k, long long v)
{
	if (v < 0) {
		key(j, k);
		ob_puts(j->b, "null");
		return;
	}
	rp_json_u64(j, k, v);
}

void rp_json_bool(struct rp_json *j, const char *k, int v)
{
	key(j, k);
	ob_puts(j->b, v < 0 ? "null" : v ? "true" : "false");
}

void rp_json_num(struct rp_json *j, const char *k, double v, int dec)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
	char num[48];
	uint64_t t, p;
	size_t n;

	key(j, k);
	if (!(v >= 0)) {
		ob_puts(j->b, "null");
		return;
	}
	if (dec < 0)
		dec = 0;
	if (dec > 6)
		dec = 6;
	if (v > 1e12) {
		ob_printf(j->b, "%.*f", dec, v);
		return;
	}
	p = pow10[dec];
	t = (uint64_t)(v * p + 0.5);
	n = rp_fmt_u64(t / p, num);
	if (dec) {
		num[n++] = '.';
		for (uint64_t d = p / 10; d; d /= 10)
			num[n++] = '0' + (t / d) % 10;
	}
	ob_putn(j->b, num, n);
}

static double pct(long long hits, long long misses)
{
	return hits < 0 || misses < 0 || hits + misses == 0 ? -1 :
	       100.0 * hits / (double)(hits + misses);
}

void rp_json_site(struct rp_json *j, const struct rp_site *s, const struct rp_site_rates *r)
{
	char name[600];

	rp_json_obj(j, NULL);
	rp_json_u64(j, "id", s->id);
	rp_json_str(j, "site", rp_site_name(s, name, sizeof(name)));
	rp_json_str(j, "symbol", s->sym);
	rp_json_u64(j, "offset", s->off);
	rp_json_u64(j, "size", s->size);
	rp_json_str(j, "module", s->mod);
	rp_json_str(j, "form", rp_form_name(s->form));
	rp_json_str(j, "reg", s->reg);
	if (s->state != RP_STATE_NONE) {
		rp_json_str(j, "state", rp_state_name(s->state));
		rp_json_u64(j, "hits", s->hits);
		rp_json_u64(j, "misses", s->misses);
		rp_json_num(j, "hit_pct", pct(s->hits, s->misses), 3);
		if (r) {
			rp_json_num(j, "hits_per_s", r->hits_per_s, 3);
			rp_json_num(j, "misses_per_s", r->misses_per_s, 3);
			rp_json_num(j, "hit_pct_now", r->hit_pct_now, 3);
		}
		rp_json_arr(j, "targets");
		for (unsigned int i = 0; i < s->nr_targets; i++) {
			const struct rp_target *t = &s->targets[i];

			rp_json_obj(j, NULL);
			rp_json_str(j, "symbol", t->sym);
			rp_json_str(j, "module", t->mod);
			rp_json_u64(j, "hits", t->hits);
			if (r)
				rp_json_num(j, "hits_per_s",
					    !r->target_hits_delta || r->target_hits_delta[i] < 0 ||
					    r->interval <= 0 ? -1 :
					    r->target_hits_delta[i] / r->interval, 3);
			rp_json_close(j, '}');
		}
		rp_json_close(j, ']');
	}
	rp_json_close(j, '}');
}

void rp_json_states(struct rp_json *j, const long long *states)
{
	rp_json_obj(j, "states");
	for (int s = 0; s < RP_STATE_NR; s++)
		rp_json_ll(j, rp_state_name(s), states[s]);
	rp_json_close(j, '}');
}

void rp_json_totals(struct rp_json *j, const struct rp_stat *st)
{
	rp_json_obj(j, "totals");
	for (size_t i = 0; i < rp_nr_stat_keys; i++) {
		const struct rp_stat_key *k = &rp_stat_keys[i];
		long long v = rp_stat_val(st, k);

		/* optional values the kernel does not have are left out */
		if (v < 0 && !k->required)
			continue;
		rp_json_ll(j, k->name, v);
	}
	rp_json_num(j, "hit_pct", pct(st->hits, st->misses), 3);
	rp_json_close(j, '}');
}
