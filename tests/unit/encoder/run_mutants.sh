#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Mutation check: apply each sed expression of MUTANTS (one per line, '#'
# comments allowed) to the source, rebuild the test binary against the
# mutant and require the test suite to FAIL. The unmutated source is built
# and run the same way first and must PASS (else every mutant would look
# killed). Exits non-zero if the control fails, or a mutation does not
# apply, does not build or survives. Ends with a TAP-like summary line.
#
# The suites run without Check's fork per test (CK_FORK=no: ~0.2 s instead
# of ~10 s a run with ASan), under timeout(1) for mutants that loop: a crash
# or a hang ends the run with a non-zero status, which kills the mutant.
#
# usage: run_mutants.sh OUTDIR SOURCE_C MUTANTS "CC CFLAGS" "OBJS" "LIBS"

set -u
out=$1 src=$2 list=$3 cc=$4 objs=$5 libs=$6
mkdir -p "$out"
n=0 bad=0

build() { # source.c prefix
	$cc -c -o "$2.o" "$1" 2> "$2.cc.log" &&
		$cc -o "$2.bin" $objs "$2.o" $libs 2>> "$2.cc.log"
}
runs() { # prefix [VAR=VALUE...]: run the suite
	local p=$1
	shift
	env CK_FORK=no CK_VERBOSITY=silent "$@" timeout "${MUTANT_TIMEOUT:-60}" "$p.bin" > "$p.log" 2>&1
}
# A mutant first meets the suite without its Check cases tagged "step"
# (single-stepped: most of the time); only one that passes them meets the
# whole suite. A failure of a subset is a failure of the whole.
kills() { # prefix: sets $how
	how="without the step cases"
	runs "$1" CK_EXCLUDE_TAGS=step || { how="$how, exit $?"; return 0; }
	how="by the whole suite"
	runs "$1" || { how="$how, exit $?"; return 0; }
	return 1
}

if ! build "$src" "$out/control" || ! runs "$out/control"; then
	echo "control: the unmutated source does not build or does not pass (see $out/control.*)"
	echo "0 mutants, control failed"
	exit 1
fi
while IFS= read -r expr; do
	case "$expr" in ''|'#'*) continue ;; esac
	n=$((n + 1))
	m="$out/m$n"
	sed -e "$expr" "$src" > "$m.c"
	if cmp -s "$src" "$m.c"; then
		echo "mutant $n: did not apply: $expr"
		bad=$((bad + 1))
		continue
	fi
	# every mutant is meant to compile: a build failure is an error
	if ! build "$m.c" "$m"; then
		echo "mutant $n: BUILD FAILED (see $m.cc.log): $expr"
		bad=$((bad + 1))
		continue
	fi
	if ! kills "$m"; then
		echo "mutant $n: SURVIVED: $expr"
		bad=$((bad + 1))
	else
		echo "mutant $n: killed ($how, $(grep -c ':[EF]:' "$m.log") failing): $expr"
	fi
done < "$list"
echo "$n mutants, $bad survived, did not apply or did not build"
[ "$bad" -eq 0 ]
