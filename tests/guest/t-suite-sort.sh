#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: suites
# The sort KUnit suites (lib/test_sort.c, lib/test_list_sort.c, modules)
# with relpoline idle and churning (tests/guest/suites.sh): sort() and
# list_sort() call their comparison (and swap) callbacks through a function
# pointer on every step, so the sites in lib/sort.c and lib/list_sort.c are
# sampled thousands of times and promoted to the modules' callbacks while
# they run; unloading a module must drop those promotions before its text
# goes.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/suites.sh"

run() {
	suite_kunit_module "$2" "$SUITE_OBJ/lib/test_sort.ko" lib_sort
	suite_kunit_module "$2" "$SUITE_OBJ/lib/test_list_sort.ko" list_sort
}
suite_run "sort KUnit (lib_sort, list_sort)" "$RELPOLINE_RUN/suite-sort" run
