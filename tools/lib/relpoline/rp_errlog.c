// SPDX-License-Identifier: GPL-2.0
/*
 * error_log snapshot diffing.
 *
 * tracing/error_log holds the last few errors, each a block of lines:
 *
 *	[   12.345678] relpoline: error: Unknown site
 *	  Command: promote foo+0x10 bar
 *	             ^
 *
 * When full, the oldest entry is dropped. The new entries after a write
 * are therefore those following the longest overlap between the tail of
 * the old snapshot and the head of the new one.
 */
#include <stdlib.h>
#include <string.h>

#include "relpoline.h"

struct ent {
	const char *p;
	size_t len;
};

static size_t split(const char *s, struct ent **out)
{
	size_t n = 0, cap = 0;
	struct ent *v = NULL;
	const char *p = s;

	*out = NULL;
	if (!s)
		return 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		const char *next = nl ? nl + 1 : p + strlen(p);

		if (*p == '[' || n == 0) {
			if (n == cap) {
				struct ent *t;

				cap = cap ? cap * 2 : 16;
				t = realloc(v, cap * sizeof(*v));
				if (!t) {
					free(v);
					return 0;
				}
				v = t;
			}
			v[n].p = p;
			v[n].len = 0;
			n++;
		}
		v[n - 1].len = next - v[n - 1].p;
		p = next;
	}
	*out = v;
	return n;
}

static bool same(const struct ent *a, const struct ent *b)
{
	return a->len == b->len && !memcmp(a->p, b->p, a->len);
}

char *rp_errlog_new(const char *before, const char *after)
{
	struct ent *a, *b;
	size_t na = split(before, &a), nb = split(after, &b);
	size_t j, k, len;
	char *ret = NULL;

	for (j = na < nb ? na : nb; j > 0; j--) {
		for (k = 0; k < j; k++)
			if (!same(&a[na - j + k], &b[k]))
				break;
		if (k == j)
			break;
	}
	if (j < nb) {
		const char *start = b[j].p;

		len = b[nb - 1].p + b[nb - 1].len - start;
		ret = malloc(len + 1);
		if (ret) {
			memcpy(ret, start, len);
			ret[len] = '\0';
		}
	}
	free(a);
	free(b);
	return ret;
}

void rp_errlog_summary(const char *log, char *buf, size_t len)
{
	struct ent *e;
	size_t n = split(log, &e), i, pick = n;
	const char *p, *nl;

	buf[0] = '\0';
	if (!n) {
		free(e);
		return;
	}
	for (i = n; i-- > 0;) {
		nl = memchr(e[i].p, '\n', e[i].len);
		if (memmem(e[i].p, nl ? (size_t)(nl - e[i].p) : e[i].len, "relpoline", 9)) {
			pick = i;
			break;
		}
	}
	if (pick == n)
		pick = n - 1;
	p = e[pick].p;
	nl = memchr(p, '\n', e[pick].len);
	{
		size_t l = nl ? (size_t)(nl - p) : e[pick].len;
		const char *m = memmem(p, l, "error: ", 7);

		if (m) {
			l -= (m + 7) - p;
			p = m + 7;
		} else if (*p == '[' && (m = memchr(p, ']', l))) {
			m++;
			while (m < p + l && *m == ' ')
				m++;
			l -= m - p;
			p = m;
		}
		if (l >= len)
			l = len - 1;
		memcpy(buf, p, l);
		buf[l] = '\0';
	}
	free(e);
}
