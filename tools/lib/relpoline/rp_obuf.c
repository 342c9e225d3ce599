// SPDX-License-Identifier: GPL-2.0
/* A growable output buffer: the tools format into it, then write once. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relpoline.h"

void ob_grow_slow(struct obuf *b, size_t n)
{
	size_t ncap = b->cap ? b->cap : 4096;
	char *np;

	while (ncap < b->len + n + 1)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (!np) {
		fprintf(stderr, "relpoline: out of memory\n");
		exit(1);
	}
	b->p = np;
	b->cap = ncap;
}

void ob_free(struct obuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void ob_reset(struct obuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void ob_printf(struct obuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ob_grow(b, n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

int ob_write(const struct obuf *b, FILE *f)
{
	if (b->len && fwrite(b->p, 1, b->len, f) != b->len)
		return -1;
	return 0;
}

size_t rp_fmt_u64(uint64_t v, char *buf)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}
