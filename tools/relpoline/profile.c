// SPDX-License-Identifier: GPL-2.0
/* relpoline profile save|load|merge */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char * const profile_usage[] = {
	"",
	"  usage: relpoline profile [-t DIR] save FILE",
	"         relpoline profile [-t DIR] load [-k KALLSYMS | --no-check] FILE",
	"         relpoline profile [-t DIR] merge [-m N] OUT IN...",
	"",
	"  save:  write the promoted and pinned sites, their targets and hit",
	"         counts to FILE ('-' for stdout) as symbols, so the profile",
	"         stays valid across reboots, KASLR and rebuilt modules",
	"  load:  promote/pin every site of FILE ('-' for stdin); sites or",
	"         targets that no longer exist are reported and skipped, the",
	"         rest is applied; exit status 1 if anything was skipped",
	"  merge: sum the hit counts of the inputs per site and target and keep",
	"         the N hottest targets of each site (a site pinned in any input",
	"         stays pinned to pinned targets)",
	"",
	"	  -k/--kallsyms FILE: check targets against this kallsyms file",
	"	     (default /proc/kallsyms, no check with -t)",
	"	  --no-check: do not check targets, let the kernel reject them",
	"	  -m/--max-targets N: targets kept per site when merging",
	"	     (default: the kernel's max_targets if readable, else 2)",
	"",
	NULL,
};

static int read_profile(const char *file, struct rp_profile *p)
{
	struct rp_syntax_err perr;
	struct rp_buf b = { 0 };
	int r;

	if (!strcmp(file, "-")) {
		r = rp_read_path("/dev/stdin", &b);
	} else {
		r = rp_read_path(file, &b);
	}
	if (r) {
		err_msg("%s: %s", file, strerror(-r));
		return -1;
	}
	r = rp_profile_parse(b.p, b.len, p, &perr);
	rp_buf_free(&b);
	if (r) {
		err_msg("%s: %s", file, r == -ENOMEM ? strerror(ENOMEM) : perr.msg);
		return -1;
	}
	return 0;
}

static int write_profile(const char *file, const struct rp_profile *p, const char *comment)
{
	char tmp[4096];
	FILE *f;

	if (!strcmp(file, "-"))
		return rp_profile_write(stdout, p, comment) ? -1 : 0;

	/* write then rename: never leave a half written profile behind */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", file, (int)getpid()) >= (int)sizeof(tmp)) {
		err_msg("%s: file name too long", file);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		err_msg("%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (rp_profile_write(f, p, comment) || fclose(f)) {
		err_msg("%s: write error: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, file)) {
		err_msg("%s: %s", file, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int profile_save(struct cli *cli, int argc, char **argv)
{
	struct rp_sites sites;
	struct rp_syntax_err perr;
	struct rp_profile p;
	struct utsname u;
	char comment[512], when[64], host[256] = "?";
	time_t t = time(NULL);
	size_t skipped = 0;
	int r;

	if (argc != 1)
		usage_error("profile", "usage: profile save FILE");
	cli_open(cli, false);
	r = rp_read_sites(cli->ctx, false, &sites, &perr);
	if (r) {
		err_msg("%s", perr.msg);
		return EXIT_FAIL;
	}
	if (rp_profile_from_sites(&sites, &p)) {
		err_msg("out of memory");
		rp_sites_free(&sites);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < sites.nr; i++)
		if ((sites.v[i].state == RP_STATE_PROMOTED || sites.v[i].state == RP_STATE_PINNED) &&
		    !sites.v[i].nr_targets)
			skipped++;
	rp_sites_free(&sites);

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	gethostname(host, sizeof(host) - 1);
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	snprintf(comment, sizeof(comment), "saved %s on %.64s (Linux %.64s), %zu sites", when,
		 host, u.release, p.nr);
	r = write_profile(argv[0], &p, comment);
	if (!r)
		fprintf(stderr, "relpoline: saved %zu sites to %s\n", p.nr,
			strcmp(argv[0], "-") ? argv[0] : "stdout");
	if (skipped)
		err_msg("warning: %zu promoted sites listed no targets and were not saved", skipped);
	rp_profile_free(&p);
	return r ? EXIT_FAIL : EXIT_OK;
}

static int profile_load(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kallsyms",	required_argument, NULL, 'k' },
		{ "no-check",	no_argument,	   NULL, 'N' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kallsyms = NULL;
	bool check = true;
	struct rp_symtab *symtab = NULL;
	struct rp_load_report rep;
	struct rp_profile p;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kallsyms = optarg;
			break;
		case 'N':
			check = false;
			break;
		case 'h':
			print_usage(profile_usage, false);
		default:
			bad_option("profile load", argv);
		}
	}
	if (argc - optind != 1)
		usage_error("profile", "usage: profile load [-k KALLSYMS | --no-check] FILE");
	if (kallsyms && !check)
		usage_error("profile", "--kallsyms and --no-check exclude each other");
	cli_open(cli, true);
	if (read_profile(argv[optind], &p))
		return EXIT_FAIL;
	if (check && !kallsyms && !cli->ctx->fake)
		kallsyms = "/proc/kallsyms";
	if (check && kallsyms) {
		symtab = rp_symtab_load(kallsyms);
		if (!symtab) {
			err_msg("%s: cannot read symbols: %s", kallsyms, strerror(errno));
			rp_profile_free(&p);
			return EXIT_FAIL;
		}
	}
	r = rp_profile_load(cli->ctx, &p, symtab ? rp_symtab_exists : NULL, symtab, stderr, &rep);
	if (r >= 0)
		fprintf(stderr, "relpoline: %u of %zu sites applied, %u failed, %u targets dropped\n",
			rep.applied, p.nr, rep.failed, rep.missing_targets);
	rp_symtab_free(symtab);
	rp_profile_free(&p);
	return r == 0 ? EXIT_OK : EXIT_FAIL;
}

static int profile_merge(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "max-targets", required_argument, NULL, 'm' },
		{ "help",	 no_argument,	    NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rp_profile *in, out;
	long long maxt = -1;
	char comment[256];
	int c, n, ret = EXIT_FAIL;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!parse_long_arg(optarg, &maxt) || maxt < 1 || maxt > 64)
				usage_error("profile", "bad --max-targets '%s'", optarg);
			break;
		case 'h':
			print_usage(profile_usage, false);
		default:
			bad_option("profile merge", argv);
		}
	}
	if (argc - optind < 2)
		usage_error("profile", "usage: profile merge [-m N] OUT IN...");
	if (maxt < 0) {
		enum rp_open_err why;
		char msg[256];
		struct rp_ctx *ctx = rp_open(cli->tracing_dir, &why, msg, sizeof(msg));

		if (!ctx || rp_read_ll(ctx, "max_targets", &maxt) || maxt < 1)
			maxt = 2;
		rp_close(ctx);
	}
	n = argc - optind - 1;
	in = calloc(n, sizeof(*in));
	if (!in) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	for (int i = 0; i < n; i++)
		if (read_profile(argv[optind + 1 + i], &in[i]))
			goto out;
	if (rp_profile_merge(in, n, maxt, &out)) {
		err_msg("out of memory");
		goto out;
	}
	snprintf(comment, sizeof(comment), "merged from %d profiles, max %lld targets per site",
		 n, maxt);
	if (!write_profile(argv[optind], &out, comment)) {
		fprintf(stderr, "relpoline: merged %d profiles into %zu sites in %s\n", n, out.nr,
			argv[optind]);
		ret = EXIT_OK;
	}
	rp_profile_free(&out);
out:
	for (int i = 0; i < n; i++)
		rp_profile_free(&in[i]);
	free(in);
	return ret;
}

int cmd_profile(struct cli *cli, int argc, char **argv)
{
	int i = 1;

	/* options before the subcommand: -t DIR, -h */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			print_usage(profile_usage, false);
		if ((!strcmp(argv[i], "-t") || !strcmp(argv[i], "--tracing-dir")) && i + 1 < argc) {
			cli->tracing_dir = argv[i + 1];
			i += 2;
			continue;
		}
		if (!strncmp(argv[i], "--tracing-dir=", 14)) {
			cli->tracing_dir = argv[i] + 14;
			i++;
			continue;
		}
		usage_error("profile", "invalid option '%s'", argv[i]);
	}
	if (cli->json)
		usage_error("profile", "--json is only accepted by read commands (status, sites)");
	if (i >= argc)
		usage_error("profile", "expected save, load or merge");
	if (!strcmp(argv[i], "save")) {
		int j = i + 1;

		if (j < argc && (!strcmp(argv[j], "-h") || !strcmp(argv[j], "--help")))
			print_usage(profile_usage, false);
		return profile_save(cli, argc - j, argv + j);
	}
	if (!strcmp(argv[i], "load"))
		return profile_load(cli, argc - i, argv + i);
	if (!strcmp(argv[i], "merge"))
		return profile_merge(cli, argc - i, argv + i);
	usage_error("profile", "unknown subcommand '%s' (save, load or merge)", argv[i]);
}
