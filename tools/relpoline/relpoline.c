// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline - control runtime indirect call promotion through tracefs
 *
 * The command table below is the one place a command is described: the
 * parser, 'relpoline help' and 'relpoline COMMAND --help' read it. One
 * file per group of commands (status.c, sites.c, control.c, retrain.c,
 * profile.c, apply.c, record.c); librelpoline does the tracefs work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char * const promote_text[] = {
	"Compare these targets (1 to 4, whatever max_targets says) in this order.",
	"'pin': the same, and the policy leaves the site alone.",
	"SITE   is an id, symbol+0xOFF or 0xADDRESS",
	"TARGET is symbol, symbol[module] or 0xADDRESS (the entry of a function)",
	NULL,
};

static const struct cli_opt sites_opts[] = {
	{ "available", 'a', NULL, "every site relpoline can manage (available_sites)" },
	{ "state", 's', "S[,S...]", "only sites in these states (off learning promoted pinned blocked busy)" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt status_opts[] = {
	{ "output", 'o', "FILE", "write to FILE atomically (node_exporter textfile collector)" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt retrain_opts[] = {
	{ "wait", 'w', NULL, "print the sites whose state or targets changed" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt profile_opts[] = {
	{ "kallsyms", 'k', "FILE", "load: check targets against this kallsyms file" },
	{ "no-check", 0, NULL, "load: do not check targets, let the kernel reject them" },
	{ "any-kernel", 0, NULL, "load: also a profile saved on another kernel build" },
	{ "missing-ok", 0, NULL, "load: a missing FILE is not an error (first boot)" },
	{ "max-targets", 'm', "N", "merge: targets kept per site (default: max_targets, else 2)" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt apply_opts[] = {
	{ "check", 'n', NULL, "only check FILE, change nothing" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt record_opts[] = {
	{ "output", 'o', "FILE", "trace file to write (default relpoline.dat)" },
	{ NULL, 0, NULL, NULL },
};

static const char * const status_text[] = {
	"Enabled state, mode, every knob, sites per state and the totals of",
	"trace_stat/relpoline: hits, misses, samples and dropped samples (learning",
	"starved), retrains, patch batches, IPI rounds, sites patched, stub memory.",
	"--format prometheus writes node_exporter textfile-collector metrics.",
	NULL,
};

static const char * const retrain_text[] = {
	"Merge the samples and run the policy now, for every site or for SITE",
	"(whose learned data is cleared first), in either mode. The kernel does",
	"it synchronously: the new promotions are in place when this returns.",
	NULL,
};

static const char * const reset_text[] = {
	"Zero the hit and miss counts, the learned samples and the samples",
	"counted per cgroup_weights entry.",
	NULL,
};

static const char * const demote_text[] = {
	"demote:  back to learning (the stub stays, without targets)",
	"block:   boot-time bytes, never promoted (also while disabled)",
	"unblock: back to learning (also while disabled)",
	"SITE is an id, symbol+0xOFF or 0xADDRESS.",
	NULL,
};

static const char * const filter_text[] = {
	"Which sites are managed, by containing function (set_ftrace_filter",
	"syntax: glob, !glob, glob:mod:NAME). show prints the patterns, set",
	"replaces them, add appends, clear selects every site again.",
	NULL,
};

static const char * const cgroup_text[] = {
	"Weight the samples of a cgroup v2 PATH (absolute, or '*' for the default;",
	"WEIGHT 0..1000) when learning. set adds or updates an entry, rm removes",
	"it, clear removes every entry and sets the default weight back to 1,",
	"show prints the table with the samples counted per entry.",
	NULL,
};

static const char * const profile_text[] = {
	"save:  the promoted and pinned sites and their targets, as symbols,",
	"       with the kernel build they were learned on ('-': stdout)",
	"load:  promote/pin every site of FILE ('-': stdin), in batches of 128",
	"       sites per write. A corrupt profile, or one saved on another",
	"       kernel build, is refused and changes nothing; sites or targets",
	"       that no longer exist are reported and skipped (exit status 1)",
	"merge: sum the hits of the inputs per site and target, keep the N",
	"       hottest targets of each site (pinned stays pinned)",
	NULL,
};

static const char * const apply_text[] = {
	"Apply a configuration file (/etc/relpoline.conf): every line is a",
	"relpoline command without 'relpoline': set KNOB VALUE, mode auto|manual,",
	"filter PATTERN..., cgroup set PATH WEIGHT, block SITE, enable, disable.",
	"The whole file is checked first: a bad line changes nothing. Then knobs",
	"and mode, the filter, the cgroup weights, blocks, and enable/disable last.",
	NULL,
};

static const char * const record_text[] = {
	"Run COMMAND under 'trace-cmd record -e relpoline -o FILE'; read it with",
	"'trace-cmd report FILE'. The exit status is trace-cmd's.",
	NULL,
};

static const char * const help_text[] = {
	"Without COMMAND: every command. With it: its usage and options.",
	NULL,
};

#define CMD(n, syn, sum, ...) \
	{ .name = #n, .fn = cmd_##n, .synopsis = syn, .summary = sum, __VA_ARGS__ }

static const struct command commands[] = {
	CMD(help, "[COMMAND]", "this overview, or the usage of COMMAND", .text = help_text),
	CMD(status, "[--format text|json|prometheus] [-o FILE]",
	    "state, knobs, site counts and the kernel's totals", .text = status_text,
	    .opts = status_opts, .formats = CLI_TEXT | CLI_JSON | CLI_PROM),
	CMD(sites, "[--json] [-a|--available] [-s|--state S[,S...]]",
	    "the managed sites (or every site relpoline knows)", .opts = sites_opts,
	    .formats = CLI_TEXT | CLI_JSON),
	CMD(enable, "", "stub every site the filter selects"),
	CMD(disable, "", "give every site its boot-time bytes back (promotions are kept)"),
	CMD(mode, "auto|manual", "auto: the policy runs every interval_ms; manual: only commands"),
	CMD(retrain, "[SITE] [-w|--wait]", "run the policy now", .text = retrain_text,
	    .opts = retrain_opts),
	CMD(promote, "SITE TARGET[,TARGET...] [TARGET...]",
	    "compare SITE with these targets (the policy may change them)", .text = promote_text),
	CMD(pin, "SITE TARGET[,TARGET...] [TARGET...]",
	    "the same, and the policy leaves SITE alone", .text = promote_text),
	CMD(demote, "SITE", "back to learning", .text = demote_text),
	CMD(block, "SITE", "never promote SITE", .text = demote_text),
	CMD(unblock, "SITE", "SITE may be promoted again", .text = demote_text),
	CMD(reset, "", "zero the counters and the learned samples", .text = reset_text),
	CMD(set, "KNOB VALUE", "write a knob (relpoline help set lists them)"),
	CMD(filter, "show | set PATTERN... | add PATTERN... | clear",
	    "the sites relpoline manages", .text = filter_text),
	CMD(cgroup, "set PATH WEIGHT | rm PATH | clear | show [--json]",
	    "weigh the samples of cgroups", .text = cgroup_text, .formats = CLI_TEXT | CLI_JSON),
	CMD(profile,
	    "save FILE | load [-k KALLSYMS|--no-check] [--any-kernel] [--missing-ok] FILE | merge [-m N] OUT IN...",
	    "save, load and merge learned promotions", .text = profile_text, .opts = profile_opts),
	CMD(apply, "[-n|--check] FILE", "apply a relpoline.conf", .text = apply_text,
	    .opts = apply_opts),
	CMD(record, "[-o FILE] [--] COMMAND [ARGS...]",
	    "trace-cmd record -e relpoline while COMMAND runs", .text = record_text,
	    .opts = record_opts, .stop_at_operand = true),
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *cli_find_cmd(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

void cli_help_all(FILE *f)
{
	fprintf(f, "\nrelpoline version %s\n\n", RP_TOOLS_VERSION);
	fprintf(f, "  usage: relpoline [--tracing-dir DIR] [--json] COMMAND [ARGS...]\n\n");
	fprintf(f, "  commands ('relpoline help COMMAND' for one):\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "     %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n  knobs (relpoline set KNOB VALUE):\n");
	for (size_t i = 0; i < rp_nr_knobs; i++)
		fprintf(f, "     %-14s %lld..%lld, default %lld: %s\n", rp_knobs[i].name,
			rp_knobs[i].min, rp_knobs[i].max, rp_knobs[i].def, rp_knobs[i].help);
	fprintf(f, "\n  global options, accepted anywhere:\n");
	for (int i = 0; cli_global_opts[i].lng; i++)
		fprintf(f, "     %s%s--%s%s%s\n", cli_global_opts[i].shrt ? "-h, " : "", "",
			cli_global_opts[i].lng, cli_global_opts[i].arg ? " " : "",
			cli_global_opts[i].arg ? cli_global_opts[i].arg : "");
	fprintf(f, "\n  exit status: 0 success, 1 failure, 2 usage error\n\n");
}

int cmd_help(struct cli *cli)
{
	const struct command *c;

	cli_nargs(cli, 0, 1, "at most one COMMAND");
	if (!cli->nargs) {
		cli_help_all(stdout);
		return EXIT_OK;
	}
	c = cli_find_cmd(cli->args[0]);
	if (!c)
		usage_error(cli, "unknown command '%s'", cli->args[0]);
	cli_help_cmd(stdout, c);
	if (!strcmp(c->name, "set"))
		for (size_t i = 0; i < rp_nr_knobs; i++)
			printf("     %-14s %lld..%lld, default %lld: %s\n", rp_knobs[i].name,
			       rp_knobs[i].min, rp_knobs[i].max, rp_knobs[i].def, rp_knobs[i].help);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const char *env = getenv("RELPOLINE_TRACING_DIR");
	const struct command *cmd;
	int k, ret;

	if (env && *env)
		cli.tracing_dir = env;
	k = cli_parse_globals(&cli, argc, argv);
	if (k >= argc) {
		fprintf(stderr, "relpoline: missing command\nTry 'relpoline help'.\n");
		return EXIT_USAGE;
	}
	cmd = cli_find_cmd(argv[k]);
	if (!cmd) {
		fprintf(stderr, "relpoline: unknown command '%s'\nTry 'relpoline help'.\n", argv[k]);
		return EXIT_USAGE;
	}
	cli_parse(&cli, cmd, argc - k, argv + k);
	ret = cmd->fn(&cli);
	cli_close(&cli);
	if (fflush(stdout) || ferror(stdout)) {
		err_msg("error writing output");
		return EXIT_FAIL;
	}
	return ret;
}
