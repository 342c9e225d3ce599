// SPDX-License-Identifier: GPL-2.0
/*
 * Check runner for the relpoline userspace tools.
 *
 *	make -C tools check
 *
 * Prints Check's summary line ("NN%: Checks: N, Failures: F, Errors: E")
 * and exits non-zero if any test failed.
 */
#include <stdlib.h>

#include "test_helpers.h"

int main(void)
{
	SRunner *sr = srunner_create(sites_suite());
	int failed;

	srunner_add_suite(sr, stat_errlog_suite());
	srunner_add_suite(sr, profile_suite());
	srunner_add_suite(sr, top_suite());
	srunner_add_suite(sr, source_suite());
	srunner_add_suite(sr, install_suite());
	srunner_add_suite(sr, events_suite());
	srunner_add_suite(sr, cli_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
