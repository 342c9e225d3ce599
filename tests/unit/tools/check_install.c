// SPDX-License-Identifier: GPL-2.0
/*
 * make install: files in place, relpoline.service accepted by
 * systemd-analyze verify, bash completion driven by 'relpoline help',
 * and an existing /etc/relpoline.conf never overwritten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_helpers.h"

static char root[256];

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

static void install_setup(void)
{
	snprintf(root, sizeof(root), "/tmp/relpoline-install.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void install_teardown(void)
{
	sh("rm -rf '%s'%s", root, "");
}

START_TEST(test_install_tree)
{
	static const char * const files[] = {
		"usr/sbin/relpoline", "usr/sbin/relpoline-top",
		"usr/share/man/man8/relpoline.8", "usr/share/man/man8/relpoline-top.8",
		"usr/lib/systemd/system/relpoline.service",
		"usr/share/bash-completion/completions/relpoline",
		"usr/share/bash-completion/completions/relpoline-top",
		"etc/relpoline.conf",
	};
	char path[512], *t;
	struct stat st;

	ck_assert_int_eq(sh("make -s -C " TOP_DIR "/tools install DESTDIR='%s' PREFIX=/usr%s >/dev/null",
			    root, ""), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, files[i]);
		ck_assert_msg(!stat(path, &st), "make install did not install %s", files[i]);
	}
	snprintf(path, sizeof(path), "%s/usr/lib/systemd/system/relpoline.service", root);
	t = slurp(path, NULL);
	ck_assert_ptr_nonnull(strstr(t, "\nExecStart=/usr/sbin/relpoline apply /etc/relpoline.conf\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nExecStart=-/usr/sbin/relpoline profile load --missing-ok /var/lib/relpoline/profile\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nExecStop=/usr/sbin/relpoline profile save /var/lib/relpoline/profile\n"));
	free(t);
	/* the shipped relpoline.conf is valid */
	ck_assert_int_eq(sh(TOOLS_BIN_DIR "/relpoline apply --check '%s/etc/relpoline.conf'%s", root, ""), 0);

	/* an admin's relpoline.conf survives a reinstall */
	snprintf(path, sizeof(path), "%s/etc/relpoline.conf", root);
	spew(path, "mode manual\n");
	ck_assert_int_eq(sh("make -s -C " TOP_DIR "/tools install DESTDIR='%s' PREFIX=/usr%s >/dev/null",
			    root, ""), 0);
	t = slurp(path, NULL);
	ck_assert_str_eq(t, "mode manual\n");
	free(t);
}
END_TEST

START_TEST(test_unit_verifies)
{
	char unit[512];

	if (system("command -v systemd-analyze >/dev/null"))
		ck_abort_msg("systemd-analyze is missing (systemd)");
	/* installed where the binaries really are, so verify finds them */
	ck_assert_int_eq(sh("make -s -C " TOP_DIR "/tools install PREFIX='%s/usr' SYSCONFDIR='%s/etc' >/dev/null",
			    root, root), 0);
	snprintf(unit, sizeof(unit), "%s/usr/lib/systemd/system/relpoline.service", root);
	ck_assert_int_eq(sh("systemd-analyze verify --man=no '%s' 2>&1%s", unit, ""), 0);
}
END_TEST

START_TEST(test_bash_completion)
{
	char out[4096] = "";
	FILE *p;

	p = popen("PATH=" TOOLS_BIN_DIR ":$PATH bash -c '. " TOP_DIR "/tools/install/relpoline.bash-completion; "
		  "COMP_WORDS=(relpoline s); COMP_CWORD=1; _relpoline; echo \"${COMPREPLY[*]}\"; "
		  "COMP_WORDS=(relpoline set m); COMP_CWORD=2; _relpoline; echo \"${COMPREPLY[*]}\"; "
		  "COMP_WORDS=(relpoline --tracing-dir /tmp profile l); COMP_CWORD=4; _relpoline; echo \"${COMPREPLY[*]}\"'",
		  "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_gt(fread(out, 1, sizeof(out) - 1, p), 0);
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_msg(!strcmp(out, "status sites set\nmax_targets min_samples\nload\n"), "%s", out);
}
END_TEST

Suite *install_suite(void)
{
	Suite *s = suite_create("install");
	TCase *tc = tcase_create("install");

	tcase_add_checked_fixture(tc, install_setup, install_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_install_tree);
	tcase_add_test(tc, test_unit_verifies);
	tcase_add_test(tc, test_bash_completion);
	suite_add_tcase(s, tc);
	return s;
}
