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

void usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "relpoline %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'relpoline %s --help'.\n", cmd);
	exit(EXIT_USAGE);
}

void print_usage(const char * const *msg, bool err)
{
	FILE *f = err ? stderr : stdout;

	for (int i = 0; msg[i]; i++)
		fprintf(f, "%s\n", msg[i]);
	exit(err ? EXIT_USAGE : EXIT_OK);
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

const char *fmt_ns(long long ns, char *buf, size_t len)
{
	if (ns < 0)
		snprintf(buf, len, "-");
	else if (ns < 10000)
		snprintf(buf, len, "%lld ns", ns);
	else if (ns < 10000000)
		snprintf(buf, len, "%.3f us", ns / 1e3);
	else if (ns < 10000000000LL)
		snprintf(buf, len, "%.3f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3f s", ns / 1e9);
	return buf;
}

void bad_option(const char *cmd, char **argv)
{
	if (optopt == 't')
		usage_error(cmd, "option '-t' needs a directory argument");
	if (optopt && optopt < 256 && optopt > ' ' && optopt != '?')
		usage_error(cmd, "invalid option '-%c' (or missing argument)", optopt);
	usage_error(cmd, "invalid option '%s' (or missing argument)", argv[optind - 1]);
}

int parse_simple(struct cli *cli, int argc, char **argv, bool allow_json,
		 const char * const *help)
{
	static const struct option opts[] = {
		CLI_COMMON_LONGOPTS,
		CLI_JSON_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			cli->tracing_dir = optarg;
			break;
		case 'h':
			print_usage(help, false);
		case 'J':
			if (!allow_json)
				usage_error(argv[0], "--json is only accepted by read commands (status, sites)");
			cli->json = true;
			break;
		default:
			bad_option(argv[0], argv);
		}
	}
	if (cli->json && !allow_json)
		usage_error(argv[0], "--json is only accepted by read commands (status, sites)");
	return optind;
}
