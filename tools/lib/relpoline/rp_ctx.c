// SPDX-License-Identifier: GPL-2.0
/*
 * Locate the relpoline tracefs directory and do I/O on its files.
 *
 * Files are accessed with plain open/read/write on the paths below the
 * tracing dir that libtracefs found; this works the same on a fake tree
 * of regular files (unit tests, -t DIR).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <tracefs.h>

#include "relpoline.h"

void rp_result_clear(struct rp_result *r)
{
	free(r->log);
	memset(r, 0, sizeof(*r));
}

static struct rp_ctx *ctx_new(const char *tdir)
{
	struct rp_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	ctx->tracing_dir = strdup(tdir);
	if (ctx->tracing_dir && asprintf(&ctx->dir, "%s/relpoline", tdir) < 0)
		ctx->dir = NULL;
	if (!ctx->tracing_dir || !ctx->dir) {
		rp_close(ctx);
		return NULL;
	}
	return ctx;
}

static int check_dir(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return 0;
}

struct rp_ctx *rp_open(const char *dir, enum rp_open_err *why,
		       char *msg, size_t msglen)
{
	const char *tdir = dir;
	struct rp_ctx *ctx;
	char path[4096];
	int r;

	*why = RP_OPEN_OK;
	msg[0] = '\0';

	if (!tdir) {
		const char *mnt = NULL;

		/* do not mount it behind the admin's back: just look */
		r = tracefs_tracing_dir_is_mounted(false, &mnt);
		if (r <= 0 || !(tdir = tracefs_tracing_dir())) {
			*why = RP_OPEN_NO_TRACEFS;
			snprintf(msg, msglen,
				 "tracefs is not mounted (try: mount -t tracefs nodev /sys/kernel/tracing)");
			return NULL;
		}
	} else {
		r = check_dir(tdir);
		if (r) {
			*why = (r == -EACCES || r == -EPERM) ? RP_OPEN_PERM : RP_OPEN_NO_DIR;
			snprintf(msg, msglen, "tracing directory %s: %s", tdir, strerror(-r));
			return NULL;
		}
	}

	snprintf(path, sizeof(path), "%s/relpoline", tdir);
	r = check_dir(path);
	if (r == -EACCES || r == -EPERM) {
		*why = RP_OPEN_PERM;
		snprintf(msg, msglen, "%s: permission denied (relpoline needs root)", path);
		return NULL;
	}
	if (r) {
		*why = RP_OPEN_NO_RELPOLINE;
		snprintf(msg, msglen,
			 "%s not found: this kernel has no relpoline support (CONFIG_RELPOLINE=y needed)",
			 path);
		return NULL;
	}

	ctx = ctx_new(tdir);
	if (!ctx) {
		*why = RP_OPEN_NOMEM;
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	ctx->fake = dir != NULL;
	return ctx;
}

void rp_close(struct rp_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->tracing_dir);
	free(ctx->dir);
	free(ctx);
}

int rp_path(const struct rp_ctx *ctx, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", ctx->dir, name);

	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

int rp_tpath(const struct rp_ctx *ctx, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", ctx->tracing_dir, name);

	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

bool rp_exists(const struct rp_ctx *ctx, const char *name)
{
	char path[4096];

	return !rp_path(ctx, name, path, sizeof(path)) && !access(path, F_OK);
}

void rp_buf_free(struct rp_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int rp_read_path(const char *path, struct rp_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	b->len = 0;
	if (fd < 0)
		return -errno;
	for (;;) {
		if (b->cap - b->len < 65536 + 1) {
			size_t ncap = b->cap ? b->cap * 2 : 131072;
			char *np = realloc(b->p, ncap);

			if (!np) {
				close(fd);
				return -ENOMEM;
			}
			b->p = np;
			b->cap = ncap;
		}
		n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		b->len += n;
	}
	b->p[b->len] = '\0';
	close(fd);
	return 0;
}

int rp_read(const struct rp_ctx *ctx, const char *name, struct rp_buf *b)
{
	char path[4096];
	int r = rp_path(ctx, name, path, sizeof(path));

	return r ? r : rp_read_path(path, b);
}

int rp_read_tracing(const struct rp_ctx *ctx, const char *name, struct rp_buf *b)
{
	char path[4096];
	int r = rp_tpath(ctx, name, path, sizeof(path));

	return r ? r : rp_read_path(path, b);
}

int rp_read_str(const struct rp_ctx *ctx, const char *name, char *buf, size_t len)
{
	struct rp_buf b = { 0 };
	char *s, *e;
	int r = rp_read(ctx, name, &b);

	if (r)
		return r;
	s = b.p;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		e--;
	*e = '\0';
	snprintf(buf, len, "%s", s);
	rp_buf_free(&b);
	return 0;
}

int rp_read_ll(const struct rp_ctx *ctx, const char *name, long long *val)
{
	char buf[64], *end;
	int r = rp_read_str(ctx, name, buf, sizeof(buf));

	if (r)
		return r;
	errno = 0;
	*val = strtoll(buf, &end, 0);
	if (end == buf || *end || errno)
		return -EINVAL;
	return 0;
}

/* error_log contents, "" if the file is missing */
static char *read_errlog(const struct rp_ctx *ctx)
{
	struct rp_buf b = { 0 };

	if (rp_read_tracing(ctx, "error_log", &b))
		return strdup("");
	return b.p ? b.p : strdup("");
}

static void fill_error(struct rp_ctx *ctx, struct rp_result *res, int err,
		       const char *before)
{
	char *after;

	res->err = err;
	after = before ? read_errlog(ctx) : NULL;
	if (after) {
		res->log = rp_errlog_new(before, after);
		free(after);
	}
	if (res->log)
		rp_errlog_summary(res->log, res->msg, sizeof(res->msg));
	if (!res->msg[0])
		snprintf(res->msg, sizeof(res->msg), "%s", strerror(err));
}

int rp_write(struct rp_ctx *ctx, const char *name, const char *text,
	     bool append, struct rp_result *res)
{
	char path[4096], *before;
	size_t len = strlen(text);
	ssize_t n;
	int fd, err;

	memset(res, 0, sizeof(*res));
	if (rp_path(ctx, name, path, sizeof(path))) {
		fill_error(ctx, res, ENAMETOOLONG, NULL);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0) {
		err = errno;
		fill_error(ctx, res, err, NULL);
		return -err;
	}
	before = read_errlog(ctx);
	err = 0;
	while (len) {
		n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			break;
		}
		/* the kernel may consume less than a whole buffer: go on */
		text += n;
		len -= n;
	}
	if (!err && close(fd)) {
		fd = -1;
		err = errno;
	}
	if (fd >= 0 && err)
		close(fd);
	if (err)
		fill_error(ctx, res, err, before);
	free(before);
	return -err;
}

int rp_control(struct rp_ctx *ctx, const char *cmd, struct rp_result *res)
{
	size_t len = strlen(cmd);
	char *line;
	int r;

	if (len && cmd[len - 1] == '\n')
		return rp_write(ctx, "control", cmd, true, res);
	line = malloc(len + 2);
	if (!line) {
		memset(res, 0, sizeof(*res));
		res->err = ENOMEM;
		snprintf(res->msg, sizeof(res->msg), "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	memcpy(line, cmd, len);
	line[len] = '\n';
	line[len + 1] = '\0';
	r = rp_write(ctx, "control", line, true, res);
	free(line);
	return r;
}

int rp_read_sites(const struct rp_ctx *ctx, bool available, struct rp_sites *out,
		  struct rp_syntax_err *err)
{
	struct rp_buf b = { 0 };
	const char *name = available ? "available_sites" : "sites";
	int r = rp_read(ctx, name, &b);

	if (r) {
		err->line = 0;
		snprintf(err->msg, sizeof(err->msg), "%s/%s: %s", ctx->dir, name, strerror(-r));
		return r;
	}
	r = rp_sites_parse(b.p, b.len, available, out, err);
	if (r && r != -ENOMEM) {
		char tmp[sizeof(err->msg)];

		snprintf(tmp, sizeof(tmp), "%s", err->msg);
		snprintf(err->msg, sizeof(err->msg), "%s: %.230s", name, tmp);
	}
	rp_buf_free(&b);
	return r;
}

int rp_read_stat(const struct rp_ctx *ctx, struct rp_stat *st, struct rp_syntax_err *err)
{
	struct rp_buf b = { 0 };
	int r;

	rp_stat_init(st);
	r = rp_read_tracing(ctx, "trace_stat/relpoline", &b);
	if (r) {
		snprintf(err->msg, sizeof(err->msg), "%s/trace_stat/relpoline: %s",
			 ctx->tracing_dir, strerror(-r));
		return r;
	}
	r = rp_stat_parse(b.p, b.len, st, err);
	rp_buf_free(&b);
	return r;
}

int rp_read_cgroups(const struct rp_ctx *ctx, struct rp_cgroups *cg, struct rp_syntax_err *err)
{
	struct rp_buf b = { 0 };
	int r = rp_read(ctx, "cgroup_weights", &b);

	if (r) {
		memset(cg, 0, sizeof(*cg));
		snprintf(err->msg, sizeof(err->msg), "%s/cgroup_weights: %s", ctx->dir, strerror(-r));
		return r;
	}
	r = rp_cgroups_parse(b.p ? b.p : "", b.len, cg, err);
	rp_buf_free(&b);
	return r;
}

/* send lines[from, to) in one write; 0 or -errno with res filled */
static int control_write(struct rp_ctx *ctx, const char * const *lines, size_t from, size_t to,
			 struct obuf *ob, struct rp_result *res)
{
	ob_reset(ob);
	for (size_t i = from; i < to; i++) {
		ob_puts(ob, lines[i]);
		ob_putc(ob, '\n');
	}
	return rp_write(ctx, "control", ob->p, true, res);
}

int rp_control_lines(struct rp_ctx *ctx, const char * const *lines, size_t n,
		     rp_line_err_fn err_cb, void *data, unsigned int *writes)
{
	struct obuf ob = { 0 };
	struct rp_result res;
	unsigned int nw = 0;
	int failed = 0;

	for (size_t from = 0, to; from < n; from = to) {
		size_t bytes = 0;

		for (to = from; to < n && to - from < RP_CONTROL_BATCH; to++) {
			size_t l = strlen(lines[to]) + 1;

			if (to > from && bytes + l > RP_MAX_WRITE)
				break;
			bytes += l;
		}
		nw++;
		if (!control_write(ctx, lines, from, to, &ob, &res)) {
			rp_result_clear(&res);
			continue;
		}
		if (to - from == 1) {
			/* a single line: this result is its report */
			failed++;
			if (err_cb)
				err_cb(from, &res, data);
			rp_result_clear(&res);
			continue;
		}
		rp_result_clear(&res);
		/* which lines failed: each one alone */
		for (size_t i = from; i < to; i++) {
			nw++;
			if (control_write(ctx, lines, i, i + 1, &ob, &res)) {
				failed++;
				if (err_cb)
					err_cb(i, &res, data);
			}
			rp_result_clear(&res);
		}
	}
	ob_free(&ob);
	if (writes)
		*writes = nw;
	return failed;
}

/* The GNU build id in the ELF notes of /sys/kernel/notes, as hex. */
static int build_id(char *buf, size_t len)
{
	struct rp_buf b = { 0 };
	size_t off = 0;
	int r = rp_read_path("/sys/kernel/notes", &b);

	if (r)
		return r;
	r = -ENOENT;
	while (off + 12 <= b.len) {
		uint32_t namesz, descsz, type;

		memcpy(&namesz, b.p + off, 4);
		memcpy(&descsz, b.p + off + 4, 4);
		memcpy(&type, b.p + off + 8, 4);
		off += 12;
		if (off + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u) > b.len)
			break;
		if (type == 3 && namesz == 4 && !memcmp(b.p + off, "GNU", 4) &&
		    descsz && descsz * 2 < len) {
			const unsigned char *d = (const unsigned char *)b.p + off + 4;

			for (uint32_t i = 0; i < descsz; i++)
				snprintf(buf + 2 * i, 3, "%02x", d[i]);
			r = 0;
			break;
		}
		off += ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
	}
	rp_buf_free(&b);
	return r;
}

int rp_kernel_id(const struct rp_ctx *ctx, char *buf, size_t len)
{
	char id[256];
	struct utsname u;
	int r;

	if (ctx->fake) {
		char path[4096];
		struct rp_buf b = { 0 };

		if (rp_tpath(ctx, "kernel_id", path, sizeof(path)))
			return -ENAMETOOLONG;
		r = rp_read_path(path, &b);
		if (r)
			return r;
		b.p[strcspn(b.p, "\n")] = '\0';
		snprintf(buf, len, "%s", b.p);
		rp_buf_free(&b);
		return buf[0] ? 0 : -ENOENT;
	}
	if (uname(&u))
		return -errno;
	if (build_id(id, sizeof(id))) {
		/* no build id: the version string ("#1 SMP ... date"), blanks squeezed */
		size_t n = 0;

		for (const char *p = u.version; *p && n + 1 < sizeof(id); p++)
			if (*p != ' ')
				id[n++] = *p;
		id[n] = '\0';
	}
	snprintf(buf, len, "%s %s", u.release, id);
	return 0;
}
