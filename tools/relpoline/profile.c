// SPDX-License-Identifier: GPL-2.0
/* relpoline profile save|load|merge */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

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

static int profile_save(struct cli *cli)
{
	struct rp_sites sites;
	struct rp_syntax_err perr;
	struct rp_profile p;
	char comment[512], when[64], host[256] = "?", kid[512];
	const char *file;
	time_t t = time(NULL);
	int r;

	cli_nargs(cli, 2, 2, "'profile save FILE'");
	file = cli->args[1];
	cli_open(cli, false);
	r = rp_read_sites(cli->ctx, false, &sites, &perr);
	if (r) {
		err_msg("%s", perr.msg);
		return EXIT_FAIL;
	}
	r = rp_profile_from_sites(&sites, &p);
	rp_sites_free(&sites);
	if (r) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	if (!rp_kernel_id(cli->ctx, kid, sizeof(kid)))
		p.kernel = strdup(kid);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	gethostname(host, sizeof(host) - 1);
	snprintf(comment, sizeof(comment), "saved %s on %.64s, %zu sites", when, host, p.nr);
	r = write_profile(file, &p, comment);
	if (!r)
		fprintf(stderr, "relpoline: saved %zu sites to %s\n", p.nr,
			strcmp(file, "-") ? file : "stdout");
	rp_profile_free(&p);
	return r ? EXIT_FAIL : EXIT_OK;
}

static int profile_load(struct cli *cli)
{
	const char *kallsyms = cli_val(cli, "kallsyms"), *file;
	bool check = !cli_flag(cli, "no-check");
	struct rp_symtab *symtab = NULL;
	struct rp_load_report rep;
	struct rp_profile p;
	char msg[512];
	int r;

	cli_nargs(cli, 2, 2, "'profile load [-k KALLSYMS | --no-check] FILE'");
	file = cli->args[1];
	if (kallsyms && !check)
		usage_error(cli, "--kallsyms and --no-check exclude each other");
	cli_open(cli, true);
	if (cli_flag(cli, "missing-ok") && strcmp(file, "-") && access(file, F_OK) && errno == ENOENT) {
		fprintf(stderr, "relpoline: %s: no profile yet, nothing to load\n", file);
		return EXIT_OK;
	}
	/* a corrupt profile is refused whole, before anything is written */
	if (read_profile(file, &p))
		return EXIT_FAIL;
	if (!cli_flag(cli, "any-kernel") && rp_profile_check_kernel(cli->ctx, &p, msg, sizeof(msg))) {
		err_msg("%s: refusing a stale profile: %s (sites may have moved; --any-kernel loads it anyway)",
			file, msg);
		rp_profile_free(&p);
		return EXIT_FAIL;
	}
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

static int profile_merge(struct cli *cli)
{
	const char *m = cli_val(cli, "max-targets");
	struct rp_profile *in, out;
	long long maxt = -1;
	char comment[256];
	int n, ret = EXIT_FAIL;

	if (m && (!parse_long_arg(m, &maxt) || maxt < 1 || maxt > 64))
		usage_error(cli, "bad --max-targets '%s'", m);
	if (cli->nargs < 3)
		usage_error(cli, "expected 'profile merge [-m N] OUT IN...'");
	if (maxt < 0) {
		enum rp_open_err why;
		char msg[256];
		struct rp_ctx *ctx = rp_open(cli->tracing_dir, &why, msg, sizeof(msg));

		if (!ctx || rp_read_ll(ctx, "max_targets", &maxt) || maxt < 1)
			maxt = 2;
		rp_close(ctx);
	}
	n = cli->nargs - 2;
	in = calloc(n, sizeof(*in));
	if (!in) {
		err_msg("out of memory");
		return EXIT_FAIL;
	}
	for (int i = 0; i < n; i++)
		if (read_profile(cli->args[2 + i], &in[i]))
			goto out;
	if (rp_profile_merge(in, n, maxt, &out)) {
		err_msg("out of memory");
		goto out;
	}
	snprintf(comment, sizeof(comment), "merged from %d profiles, max %lld targets per site",
		 n, maxt);
	if (!write_profile(cli->args[1], &out, comment)) {
		fprintf(stderr, "relpoline: merged %d profiles into %zu sites in %s\n", n, out.nr,
			cli->args[1]);
		ret = EXIT_OK;
	}
	rp_profile_free(&out);
out:
	for (int i = 0; i < n; i++)
		rp_profile_free(&in[i]);
	free(in);
	return ret;
}

int cmd_profile(struct cli *cli)
{
	const char *sub;

	if (cli->nargs < 1)
		usage_error(cli, "expected save, load or merge");
	sub = cli->args[0];
	if (!strcmp(sub, "save"))
		return profile_save(cli);
	if (!strcmp(sub, "load"))
		return profile_load(cli);
	if (!strcmp(sub, "merge"))
		return profile_merge(cli);
	usage_error(cli, "unknown subcommand '%s' (save, load or merge)", sub);
}
