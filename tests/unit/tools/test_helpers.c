// SPDX-License-Identifier: GPL-2.0
/* Helpers for the relpoline tools unit tests. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_helpers.h"

char *slurp(const char *path, size_t *len)
{
	struct rp_buf b = { 0 };
	int r = rp_read_path(path, &b);

	ck_assert_msg(r == 0, "cannot read %s: %s", path, strerror(-r));
	if (len)
		*len = b.len;
	return b.p;
}

void spew(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

char *fake_tree(void)
{
	char tmpl[] = "/tmp/relpoline-test.XXXXXX", cmd[512], *dir, *tree;

	dir = mkdtemp(tmpl);
	ck_assert(dir != NULL);
	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s/'", FIX("tracing"), dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert(asprintf(&tree, "%s/tracing", dir) > 0);
	return tree;
}

void rm_tree(const char *tree)
{
	char cmd[512];

	/* tree is DIR/tracing: remove DIR */
	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strrchr(tree, '/') - tree), tree);
	if (system(cmd))
		fprintf(stderr, "warning: %s failed\n", cmd);
}

const char *tpath(const char *tree, const char *rel)
{
	static char bufs[4][1024];
	static int i;
	char *b = bufs[i++ & 3];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tree, rel);
	return b;
}

int run_uid = -1;

static void drain(int fd, char **buf, size_t *len, size_t *cap)
{
	char tmp[65536];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n <= 0)
		return;
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = realloc(*buf, *cap);
		ck_assert(*buf != NULL);
	}
	memcpy(*buf + *len, tmp, n);
	*len += n;
	(*buf)[*len] = '\0';
}

void run_tool(struct run *r, const char *tool, const char * const *argv,
	      const char *env_dir, const char *input)
{
	int out[2], err[2], in[2], st, n = 0;
	char path[1024];
	const char *av[64];
	size_t olen = 0, ocap = 0, elen = 0, ecap = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", TOOLS_BIN_DIR, tool);
	av[n++] = tool;
	for (int i = 0; argv && argv[i] && n < 63; i++)
		av[n++] = argv[i];
	av[n] = NULL;

	ck_assert(pipe(out) == 0 && pipe(err) == 0 && pipe(in) == 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		if (run_uid >= 0 && (setgid(run_uid) || setuid(run_uid)))
			_exit(126);
		if (env_dir)
			setenv("RELPOLINE_TRACING_DIR", env_dir, 1);
		else
			unsetenv("RELPOLINE_TRACING_DIR");
		execv(path, (char **)av);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (input && write(in[1], input, strlen(input)) < 0)
		perror("write");
	close(in[1]);

	r->out = calloc(1, 1);
	r->err = calloc(1, 1);
	ocap = ecap = 1;
	/* poll() skips negative fds: closed pipes are set to -1 */
	while (out[0] >= 0 || err[0] >= 0) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			int *fd = i ? &err[0] : &out[0];
			size_t *len = i ? &elen : &olen;
			size_t before = *len;

			if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (i)
				drain(*fd, &r->err, &elen, &ecap);
			else
				drain(*fd, &r->out, &olen, &ocap);
			if (*len == before) {
				close(*fd);
				*fd = -1;
			}
		}
	}
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                 */

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *skip_value(const char *p, int depth);

static const char *skip_string(const char *p)
{
	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return NULL;
			}
		}
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *skip_number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (isdigit((unsigned char)*p))
		while (isdigit((unsigned char)*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p > s ? p : NULL;
}

static const char *skip_value(const char *p, int depth)
{
	if (depth > 64)
		return NULL;
	p = ws(p);
	switch (*p) {
	case '{':
		p = ws(p + 1);
		if (*p == '}')
			return p + 1;
		for (;;) {
			p = skip_string(ws(p));
			if (!p)
				return NULL;
			p = ws(p);
			if (*p != ':')
				return NULL;
			p = skip_value(p + 1, depth + 1);
			if (!p)
				return NULL;
			p = ws(p);
			if (*p == '}')
				return p + 1;
			if (*p != ',')
				return NULL;
			p++;
		}
	case '[':
		p = ws(p + 1);
		if (*p == ']')
			return p + 1;
		for (;;) {
			p = skip_value(p, depth + 1);
			if (!p)
				return NULL;
			p = ws(p);
			if (*p == ']')
				return p + 1;
			if (*p != ',')
				return NULL;
			p++;
		}
	case '"':
		return skip_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return skip_number(p);
	}
}

bool json_valid(const char *s)
{
	const char *e = skip_value(s, 0);

	return e && !*ws(e);
}

const char *json_get(const char *obj, const char *key)
{
	const char *p = ws(obj);
	size_t kl = strlen(key);

	if (*p != '{')
		return NULL;
	p = ws(p + 1);
	if (*p == '}')
		return NULL;
	for (;;) {
		const char *ks = ws(p), *ke = skip_string(ks), *v;

		if (!ke)
			return NULL;
		p = ws(ke);
		if (*p != ':')
			return NULL;
		v = ws(p + 1);
		if ((size_t)(ke - ks - 2) == kl && !strncmp(ks + 1, key, kl))
			return v;
		p = skip_value(v, 1);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p != ',')
			return NULL;
		p++;
	}
}

int json_array_len(const char *arr)
{
	const char *p = ws(arr);
	int n = 0;

	if (*p != '[')
		return -1;
	p = ws(p + 1);
	if (*p == ']')
		return 0;
	for (;;) {
		p = skip_value(p, 1);
		if (!p)
			return -1;
		n++;
		p = ws(p);
		if (*p == ']')
			return n;
		if (*p != ',')
			return -1;
		p++;
	}
}

const char *json_at(const char *arr, int i)
{
	const char *p = ws(arr);

	if (*p != '[')
		return NULL;
	p = ws(p + 1);
	for (; i > 0; i--) {
		p = skip_value(p, 1);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
	return *p == ']' ? NULL : p;
}

double json_num(const char *v)
{
	ck_assert_msg(v != NULL, "missing JSON value");
	ck_assert_msg(skip_number(ws(v)) != NULL, "not a number: %.20s", v);
	return strtod(v, NULL);
}

bool json_is(const char *v, const char *lit)
{
	size_t n = strlen(lit);

	if (!v)
		return false;
	if (!strcmp(lit, "true") || !strcmp(lit, "false") || !strcmp(lit, "null"))
		return !strncmp(v, lit, n);
	return v[0] == '"' && !strncmp(v + 1, lit, n) && v[n + 1] == '"';
}
