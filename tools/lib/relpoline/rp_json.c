// SPDX-License-Identifier: GPL-2.0
/* Minimal JSON emitters shared by relpoline and relpoline-top. */
#include <inttypes.h>
#include <stdio.h>

#include "relpoline.h"

void rp_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				putc(c, f);
		}
	}
	putc('"', f);
}

void rp_json_ll_or_null(FILE *f, long long v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%lld", v);
}

void rp_json_site(FILE *f, const struct rp_site *s)
{
	char name[600];

	fprintf(f, "{\"id\":%lu,\"site\":", s->id);
	rp_json_str(f, rp_site_name(s, name, sizeof(name)));
	fputs(",\"symbol\":", f);
	rp_json_str(f, s->sym);
	fprintf(f, ",\"offset\":%lu,\"size\":%lu,\"module\":", s->off, s->size);
	rp_json_str(f, s->mod);
	fprintf(f, ",\"form\":\"%s\",\"reg\":", rp_form_name(s->form));
	rp_json_str(f, s->reg);
	if (s->state != RP_STATE_NONE) {
		fprintf(f, ",\"state\":\"%s\",\"hits\":%" PRIu64 ",\"misses\":%" PRIu64
			",\"targets\":[", rp_state_name(s->state), s->hits, s->misses);
		for (unsigned int i = 0; i < s->nr_targets; i++) {
			const struct rp_target *t = &s->targets[i];

			fputs(i ? ",{\"symbol\":" : "{\"symbol\":", f);
			rp_json_str(f, t->sym);
			fputs(",\"module\":", f);
			rp_json_str(f, t->mod);
			fprintf(f, ",\"hits\":%" PRIu64 "}", t->hits);
		}
		putc(']', f);
	}
	putc('}', f);
}
