#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Mutation check: apply each sed expression of MUTANTS (one per line, '#'
# comments allowed) to the encoder, rebuild the test binary against the
# mutant and require the test suite to FAIL.  Exits non-zero if a mutation
# does not apply or survives.
#
# usage: run_mutants.sh OUTDIR ENCODER_C MUTANTS "CC CFLAGS" "OBJS" "LIBS"

set -u
out=$1 src=$2 list=$3 cc=$4 objs=$5 libs=$6
mkdir -p "$out"
n=0 bad=0
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
	if ! $cc -c -o "$m.o" "$m.c" 2> "$m.cc.log" ||
	   ! $cc -o "$m.bin" $objs "$m.o" $libs 2>> "$m.cc.log"; then
		echo "mutant $n: BUILD FAILED (see $m.cc.log): $expr"
		bad=$((bad + 1))
		continue
	fi
	if CK_VERBOSITY=silent CK_DEFAULT_TIMEOUT=20 "$m.bin" > "$m.log" 2>&1
	then
		echo "mutant $n: SURVIVED: $expr"
		bad=$((bad + 1))
	else
		echo "mutant $n: killed ($(grep -c ':[EF]:' "$m.log") failing): $expr"
	fi
done < "$list"
echo "$n mutants, $bad survived, did not apply or did not build"
[ "$bad" -eq 0 ]
