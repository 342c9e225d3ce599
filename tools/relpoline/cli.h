/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The relpoline command line: one table of commands (relpoline.c), one
 * option parser (cli_opts.c) that accepts the global options anywhere
 * (before the command, between its words, after its operands), as the
 * kernel's tools/lib/subcmd does, and helpers shared by the commands.
 */
#ifndef RELPOLINE_CLI_H
#define RELPOLINE_CLI_H

#include <stdbool.h>

#include "relpoline.h"

/* exit codes */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

enum cli_format { FMT_TEXT, FMT_JSON, FMT_PROMETHEUS };

#define CLI_MAX_OPTS	8

struct cli {
	const char *tracing_dir;	/* --tracing-dir / RELPOLINE_TRACING_DIR, or NULL */
	enum cli_format format;
	bool format_set;
	struct rp_ctx *ctx;
	const struct command *cmd;
	/* operands of the command (after the options were taken out) */
	int nargs;
	char **args;
	/* values of the command's own options, by their index in cmd->opts */
	const char *optval[CLI_MAX_OPTS];
	bool optseen[CLI_MAX_OPTS];
};

/* an option of a command: long name, optional short letter */
struct cli_opt {
	const char *lng;
	int shrt;
	const char *arg;		/* name of its argument, NULL: a flag */
	const char *help;
};

/* formats a command accepts (bit mask of 1 << enum cli_format) */
#define CLI_TEXT	(1u << FMT_TEXT)
#define CLI_JSON	(1u << FMT_JSON)
#define CLI_PROM	(1u << FMT_PROMETHEUS)

struct command {
	const char *name;
	int (*fn)(struct cli *cli);
	const char *synopsis;		/* after "relpoline NAME " */
	const char *summary;		/* one line for 'relpoline help' */
	const char * const *text;	/* more lines for 'relpoline help NAME' */
	const struct cli_opt *opts;	/* the command's own options, NULL-terminated */
	unsigned int formats;		/* CLI_TEXT if none other */
	bool stop_at_operand;		/* record: the rest is someone else's */
};


extern const struct cli_opt cli_global_opts[];

/*
 * Parse a command's arguments (argv[0] is the command name). Options of
 * the command and the global ones may come anywhere; "--" ends them.
 * Fills cli->args/nargs and cli->optval/optseen. Exits with status 2 and a
 * message on a bad option; prints the command's help for -h/--help.
 */
void cli_parse(struct cli *cli, const struct command *cmd, int argc, char **argv);
/* the global options before the command; returns the command's index */
int cli_parse_globals(struct cli *cli, int argc, char **argv);
/* value of the command's option named lng, or NULL */
const char *cli_val(const struct cli *cli, const char *lng);
bool cli_flag(const struct cli *cli, const char *lng);
/* help: the command overview, or one command's usage */
void cli_help_all(FILE *f);
void cli_help_cmd(FILE *f, const struct command *cmd);
const struct command *cli_find_cmd(const char *name);

void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* print "relpoline CMD: MSG" + hint and exit(EXIT_USAGE) */
void usage_error(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* exactly n operands (min..max), else a usage error naming what is expected */
void cli_nargs(const struct cli *cli, int min, int max, const char *what);

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
/* validate a knob VALUE against the knob table; usage error if bad */
long long cli_knob_value(const struct cli *cli, const struct rp_knob *k, const char *val);

/* print a document built in an obuf; EXIT_OK or EXIT_FAIL */
int cli_print(struct obuf *ob);

/* commands */
int cmd_help(struct cli *cli);
int cmd_status(struct cli *cli);
int cmd_sites(struct cli *cli);
int cmd_enable(struct cli *cli);
int cmd_disable(struct cli *cli);
int cmd_mode(struct cli *cli);
int cmd_retrain(struct cli *cli);
int cmd_promote(struct cli *cli);
int cmd_pin(struct cli *cli);
int cmd_demote(struct cli *cli);
int cmd_block(struct cli *cli);
int cmd_unblock(struct cli *cli);
int cmd_reset(struct cli *cli);
int cmd_set(struct cli *cli);
int cmd_filter(struct cli *cli);
int cmd_cgroup(struct cli *cli);
int cmd_profile(struct cli *cli);
int cmd_apply(struct cli *cli);
int cmd_record(struct cli *cli);


#endif
