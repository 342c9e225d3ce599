// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the relpoline commands. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("relpoline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void usage_error(const struct cli *cli, const char *fmt, ...)
{
	const char *name = cli && cli->cmd ? cli->cmd->name : NULL;
	va_list ap;

	fprintf(stderr, "relpoline%s%s: ", name ? " " : "", name ? name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'relpoline help%s%s'.\n", name ? " " : "", name ? name : "");
	exit(EXIT_USAGE);
}

void cli_nargs(const struct cli *cli, int min, int max, const char *what)
{
	if (cli->nargs > max && max == 0)
		usage_error(cli, "unexpected argument '%s'", cli->args[0]);
	if (cli->nargs < min || cli->nargs > max)
		usage_error(cli, "expected %s", what);
}

void cli_open(struct cli *cli, bool write)
{
	enum rp_open_err why;
	char msg[512];

	/* with -t the files may be a fake tree: no root requirement then */
	if (write && !cli->tracing_dir && geteuid() != 0) {
		err_msg("this command changes kernel state and needs root (try sudo)");
		exit(EXIT_FAIL);
	}
	cli->ctx = rp_open(cli->tracing_dir, &why, msg, sizeof(msg));
	if (!cli->ctx) {
		err_msg("%s", msg);
		if (why == RP_OPEN_PERM && geteuid() != 0)
			err_msg("run as root (the tracing directory is root only)");
		exit(EXIT_FAIL);
	}
}

void cli_close(struct cli *cli)
{
	rp_close(cli->ctx);
	cli->ctx = NULL;
}

static void print_indented(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(stderr, "    %.*s\n", n, p);
		p += n + (nl ? 1 : 0);
	}
}

void report_write_error(const char *what, const struct rp_result *res)
{
	if (res->err == EACCES || res->err == EPERM) {
		err_msg("%s: permission denied (are you root?)", what);
		return;
	}
	if (res->log) {
		err_msg("%s: %s (%s)", what, res->msg, strerror(res->err));
		fprintf(stderr, "  kernel error_log:\n");
		print_indented(res->log);
	} else {
		err_msg("%s: %s", what, strerror(res->err));
	}
}

int cli_write(struct cli *cli, const char *file, const char *text, bool append,
	      const char *what)
{
	struct rp_result res;
	int ret = EXIT_OK;

	if (rp_write(cli->ctx, file, text, append, &res)) {
		report_write_error(what, &res);
		ret = EXIT_FAIL;
	}
	rp_result_clear(&res);
	return ret;
}

int cli_control(struct cli *cli, const char *cmd)
{
	struct rp_result res;
	int ret = EXIT_OK;

	if (rp_control(cli->ctx, cmd, &res)) {
		report_write_error(cmd, &res);
		ret = EXIT_FAIL;
	}
	rp_result_clear(&res);
	return ret;
}

static bool all_hex(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

static bool all_dec(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool symchars(const char *s, const char *e)
{
	if (s == e)
		return false;
	for (; s < e; s++)
		if (isspace((unsigned char)*s) || strchr("+/,:[]", *s))
			return false;
	return true;
}

/* SITE = id | symbol+0xOFF | 0xADDRESS */
bool valid_site_arg(const char *s)
{
	const char *plus;

	if (all_dec(s))
		return true;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return all_hex(s + 2);
	plus = strchr(s, '+');
	if (!plus || !symchars(s, plus))
		return false;
	return plus[1] == '0' && (plus[2] == 'x' || plus[2] == 'X') && all_hex(plus + 3);
}

/* TARGET = symbol | symbol[module] | 0xADDRESS */
bool valid_target_arg(const char *s)
{
	const char *lb = strchr(s, '[');
	size_t n = strlen(s);

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return all_hex(s + 2);
	if (!lb)
		return symchars(s, s + n);
	return n > 2 && s[n - 1] == ']' && symchars(s, lb) && symchars(lb + 1, s + n - 1);
}

bool parse_long_arg(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return *s && !*end && !errno;
}

long long cli_knob_value(const struct cli *cli, const struct rp_knob *k, const char *val)
{
	long long v;

	if (!parse_long_arg(val, &v))
		usage_error(cli, "value '%s' for %s is not an integer", val, k->name);
	if (v < k->min || v > k->max)
		usage_error(cli, "%s must be within %lld..%lld", k->name, k->min, k->max);
	return v;
}

int cli_print(struct obuf *ob)
{
	int r = ob_write(ob, stdout);

	ob_free(ob);
	if (r) {
		err_msg("error writing output");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
