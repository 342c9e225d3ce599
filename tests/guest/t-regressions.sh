#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline off lfence
# The focused reproducers of kernel bugs the storm runs found
# (tests/stress/README, "Kernel problems found"), as regression tests:
# each must print "not reproduced". kprobe-stale runs last: with the bug
# back, it oopses the guest (and the run fails on the console report).
set -u
. "$(dirname "$0")/lib.sh"
[ -d /sys/kernel/tracing/relpoline ] || skip "no relpoline in tracefs"
# In the inlined modes (off, lfence) only the case whose bug there is an
# oops and not in the retpoline mode.
case "$RELPOLINE_PROFILE" in
off|lfence) cases=(kprobe-opcode) ;;
*) cases=(filter-trunc stale-busy enable0-retry modwin modgoing wrong-target kprobe-opcode kprobe-stale) ;;
esac
bash "$RELPOLINE_TOP/tests/stress/repro.sh" "${cases[@]}"
