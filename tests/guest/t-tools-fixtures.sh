#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline
# The fixtures cannot drift from the kernel: capture the live kernel's
# files again (tests/fixtures/relpoline/capture.sh) and compare their
# shapes with the committed capture (tests/fixtures/relpoline/live), and
# read the fresh capture with the tools' strict parsers.
set -u
. "$(dirname "$0")/lib.sh"
F=$RELPOLINE_TOP/tests/fixtures/relpoline
R=$RELPOLINE_TOP/build/tools/relpoline
TOPB=$RELPOLINE_TOP/build/tools/relpoline-top
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
[ -d "$F/live/tracing" ] || fail "no committed capture in $F/live"
"$F/capture.sh" "$W" || fail "capture.sh"
"$F/signature" "$F/live/tracing" > "$W/want"
"$F/signature" "$W/tracing" > "$W/got"
if ! diff -u "$W/want" "$W/got"; then
	fail "the kernel's files no longer look like tests/fixtures/relpoline/live: regenerate it (see capture.sh)"
fi
ok "the live kernel's formats match the committed capture ($(wc -l < "$W/got") line shapes)"
for args in "status" "status --json" "sites --json" "sites --available" "cgroup show --json"; do
	# shellcheck disable=SC2086
	$R --tracing-dir "$W/tracing" $args > "$W/out" 2>&1 || fail "relpoline $args on the capture: $(cat "$W/out")"
done
$TOPB --tracing-dir "$W/tracing" -b -i 1 -d 0.2 > "$W/out" 2>&1 || fail "relpoline-top on the capture: $(cat "$W/out")"
grep -q 'warning' "$W/out" && fail "relpoline-top warned on the capture: $(cat "$W/out")"
ok "the tools read a fresh capture of the kernel's files without complaint"
