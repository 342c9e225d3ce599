#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: suites
# The upstream livepatch selftests (tools/testing/selftests/livepatch of
# the base tree, every script of its TEST_PROGS; their test_modules and
# helper built by scripts/build-module into build/module-test/livepatch)
# with relpoline idle and churning (tests/guest/suites.sh). Each script
# exits 0 (pass), 4 (skip) or else (fail), as kselftest counts them, and
# prints "TEST: NAME ... ok" per case; both are compared. Livepatch
# transitions need a reliable stack trace of every task, so tasks stopped
# inside stubs must unwind; patched functions are reached through stubs
# that jump to their entries.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/suites.sh"

LP=$RELPOLINE_TOP/build/module-test/livepatch
D=$RELPOLINE_RUN/suite-livepatch
mkdir -p "$D"
[ -d "$LP/test_modules" ] && [ -x "$LP/test_klp-call_getpid" ] ||
	fail "the livepatch selftests are not built (scripts/build-module)"
# every script of the Makefile's TEST_PROGS, and every test-*.sh is one
progs=$(awk '/^TEST_PROGS[[:space:]]*:?=/ { f = 1 }
	f { for (i = 1; i <= NF; i++) if ($i ~ /\.sh$/) print $i; if ($NF != "\\") f = 0 }' "$LP/Makefile")
[ -n "$progs" ] || fail "no TEST_PROGS in $LP/Makefile"
[ "$(printf '%s\n' $progs | sort)" = "$(cd "$LP" && ls test-*.sh | sort)" ] ||
	fail "TEST_PROGS and the test-*.sh files differ"
echo "scripts: $(echo $progs)"

run() { # MODE OUT
	local t rc r
	for t in $progs; do
		(cd "$LP" && KDIR=$SUITE_OBJ timeout 900 "./$t") > "$D/$1-$t.log" 2>&1
		rc=$?
		case $rc in
		0) r=pass ;;
		4) r=skip ;;
		*) r="fail (exit $rc)" ;;
		esac
		printf '%s\t%s\n' "$t" "$r" >> "$2"
		# its cases: kselftest's "TEST: NAME ... ok" lines
		sed -nE 's/^TEST: (.*) \.\.\. (ok|not ok)$/\1\t\2/p' "$D/$1-$t.log" |
			awk -F'\t' -v t="$t" '{ print t ": " $1 "\t" ($2 == "ok" ? "pass" : "fail") }' >> "$2"
		[ $rc = 0 ] || { echo "--- $t with relpoline $1 (exit $rc):"; tail -n 30 "$D/$1-$t.log"; }
	done
}
suite_run "livepatch selftests" "$D" run
