#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: off lfence stuff
# The stress storm (tests/stress/storm.sh) for 30 seconds in this boot's
# spectre_v2 mode: sites converted between their idle form (inlined
# [lfence;] call/jmp *%reg with landings, or a call-depth thunk call) and
# stubs, over and over, by commands, filter changes, enable cycles and the
# policy at interval_ms 10, while hackbench and checked pipes run, a module
# comes and goes, a CPU goes offline and kprobes come and go. It ends with
# every site holding its idle bytes again (stubbed=0 mismatch=0). The
# retpoline mode's storm is make check's own 60-second run.
set -u
. "$(dirname "$0")/lib.sh"

out=$RELPOLINE_RUN/storm-$RELPOLINE_PROFILE
"$RELPOLINE_TOP/tests/stress/storm.sh" -d "${STORM_SECONDS:-30}" -m "$RPT_KO" -o "$out" > "$out.log" 2>&1
rc=$?
sed -n '/relpoline storm summary/,$p' "$out.log"
res=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out.log" | tail -n 1)
[ -n "$res" ] || { tail -n 30 "$out.log"; fail "the storm printed no result (exit $rc)"; }
[ $rc -eq 0 ] || { sed -n '/^--- failures/,/^=====/p' "$out.log" | head -n 20; fail "storm: $res (exit $rc)"; }
grep -q 'stubbed=0 mismatch=0' "$out.log" || fail "the storm did not end with every site idle"
ok "storm: $res"
