// SPDX-License-Identifier: GPL-2.0
/*
 * The one reader of kallsyms-format files ("ADDR TYPE NAME [MODULE]"):
 * profile loading checks that targets exist, the event follower hands
 * the symbols to libtraceevent to name addresses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "relpoline.h"

static int cmp_name(const char *n1, const char *m1, const char *n2, const char *m2)
{
	int c = strcmp(n1, n2);

	if (c)
		return c;
	if (!m1 || !m2)
		return m1 ? 1 : (m2 ? -1 : 0);
	return strcmp(m1, m2);
}

static int cmp_sym(const void *a, const void *b)
{
	const struct rp_sym *x = a, *y = b;

	return cmp_name(x->name, x->mod, y->name, y->mod);
}

/* split a NUL-terminated line into at most 4 blank-separated fields */
static int fields(char *q, char **f)
{
	int nf = 0;

	while (*q && nf < 4) {
		while (*q == ' ' || *q == '\t')
			q++;
		if (!*q)
			break;
		f[nf++] = q;
		while (*q && *q != ' ' && *q != '\t')
			q++;
		if (*q)
			*q++ = '\0';
	}
	return nf;
}

static int add_line(struct rp_symtab *t, size_t *cap, char *line)
{
	struct rp_sym *s;
	char *f[4], *end;
	int nf = fields(line, f);
	size_t ml;

	if (nf < 3)
		return 0;
	if (t->nr == *cap) {
		size_t nc = *cap ? *cap * 2 : 4096;
		struct rp_sym *nv = realloc(t->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		t->v = nv;
		*cap = nc;
	}
	s = &t->v[t->nr];
	s->addr = strtoull(f[0], &end, 16);
	s->type = f[1][0];
	s->name = f[2];
	s->mod = NULL;
	if (nf == 4 && f[3][0] == '[' && (ml = strlen(f[3])) > 2 && f[3][ml - 1] == ']') {
		f[3][ml - 1] = '\0';
		s->mod = f[3] + 1;
	}
	t->nr++;
	return 0;
}

struct rp_symtab *rp_symtab_load(const char *path)
{
	struct rp_buf b = { 0 };
	struct rp_symtab *t;
	size_t cap = 0;
	char *p, *end;
	int r = rp_read_path(path, &b);

	if (r) {
		errno = -r;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		rp_buf_free(&b);
		errno = ENOMEM;
		return NULL;
	}
	t->buf = b.p;
	for (p = b.p, end = b.p + b.len; p < end;) {
		char *nl = memchr(p, '\n', end - p);

		if (nl)
			*nl = '\0';
		if (add_line(t, &cap, p)) {
			rp_symtab_free(t);
			errno = ENOMEM;
			return NULL;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	qsort(t->v, t->nr, sizeof(*t->v), cmp_sym);
	return t;
}

void rp_symtab_free(struct rp_symtab *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->buf);
	free(t);
}

bool rp_symtab_exists(const char *sym, const char *mod, void *data)
{
	const struct rp_symtab *t = data;
	struct rp_sym key = { .name = sym, .mod = mod };

	return bsearch(&key, t->v, t->nr, sizeof(*t->v), cmp_sym) != NULL;
}
