/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RELPOLINE_CLI_H
#define RELPOLINE_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "relpoline.h"

/* exit codes */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct cli {
	const char *tracing_dir;	/* -t / RELPOLINE_TRACING_DIR, or NULL */
	bool json;
	struct rp_ctx *ctx;
};

/* common long options, to be merged into each command's table */
#define CLI_COMMON_LONGOPTS				\
	{ "tracing-dir", required_argument, NULL, 't' },	\
	{ "help",	no_argument,	    NULL, 'h' }
#define CLI_JSON_LONGOPT { "json", no_argument, NULL, 'J' }

void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* print "relpoline CMD: MSG" + hint and exit(EXIT_USAGE) */
void usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void bad_option(const char *cmd, char **argv) __attribute__((noreturn));
void print_usage(const char * const *msg, bool err) __attribute__((noreturn));

/* open the interface; exits with a clear message on failure */
void cli_open(struct cli *cli, bool write);
void cli_close(struct cli *cli);

/* report a failed write: "relpoline: WHAT: reason" + kernel error_log */
void report_write_error(const char *what, const struct rp_result *res);
/* write a knob (truncate) / append; returns exit code */
int cli_write(struct cli *cli, const char *file, const char *text, bool append,
	      const char *what);
int cli_control(struct cli *cli, const char *cmd);

bool valid_site_arg(const char *s);
bool valid_target_arg(const char *s);
bool parse_long_arg(const char *s, long long *v);

const char *fmt_ns(long long ns, char *buf, size_t len);

/* commands */
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_sites(struct cli *cli, int argc, char **argv);
int cmd_enable(struct cli *cli, int argc, char **argv);
int cmd_disable(struct cli *cli, int argc, char **argv);
int cmd_mode(struct cli *cli, int argc, char **argv);
int cmd_retrain(struct cli *cli, int argc, char **argv);
int cmd_promote(struct cli *cli, int argc, char **argv);
int cmd_pin(struct cli *cli, int argc, char **argv);
int cmd_demote(struct cli *cli, int argc, char **argv);
int cmd_block(struct cli *cli, int argc, char **argv);
int cmd_unblock(struct cli *cli, int argc, char **argv);
int cmd_reset(struct cli *cli, int argc, char **argv);
int cmd_set(struct cli *cli, int argc, char **argv);
int cmd_cgroup(struct cli *cli, int argc, char **argv);
int cmd_profile(struct cli *cli, int argc, char **argv);
int cmd_record(struct cli *cli, int argc, char **argv);

/*
 * Parse the options every command shares (-t, -h and, if allow_json,
 * --json). Returns the index of the first operand. help is the usage
 * text of the command.
 */
int parse_simple(struct cli *cli, int argc, char **argv, bool allow_json,
		 const char * const *help);

#endif
