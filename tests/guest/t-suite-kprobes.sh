#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: suites
# The kprobes KUnit suite (lib/test_kprobes.c, CONFIG_KPROBES_SANITY_TEST=m)
# with relpoline idle and churning (tests/guest/suites.sh). It is a module,
# loaded after relpoline is set up: its own call sites (it calls its probed
# targets through function pointers) get stubs at load, are sampled at
# every call and promoted while the suite runs, so stubs jump straight to
# kprobed and kretprobed functions and the kretprobe stack traces unwind
# through them; unloading it drops promotions to its functions.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/suites.sh"

run() { suite_kunit_module "$2" "$SUITE_OBJ/lib/test_kprobes.ko" kprobes_test; }
suite_run "kprobes KUnit (kprobes_test)" "$RELPOLINE_RUN/suite-kprobes" run
