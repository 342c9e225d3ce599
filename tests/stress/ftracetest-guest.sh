#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ftracetest-guest.sh off|on [MODULE.ko]: run IN the guest (see
# tests/stress/run-ftracetest). Runs the base tree's whole upstream
# ftracetest (default test.d) from a copy in /tmp, with relpoline
# disabled ("off") or enabled in auto mode (interval_ms 1000) and a light
# background syscall workload ("on", build/bench/sysloop). Prints ftracetest's output, its
# result counts, and for "on" relpoline's activity, which must show policy
# rounds, samples and promoted sites at the end; then (if the test
# module is given) disables relpoline and checks that every site holds its
# boot bytes again. Logs go to $RELPOLINE_RUN/ftracetest-logs.
# FTRACETEST_TESTS (by hand): run these tests of test.d instead of all.
set -u
mode=${1:?off or on}
ko=${2:-}
top=${RELPOLINE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
T=/sys/kernel/tracing
RP=$T/relpoline
out=${RELPOLINE_RUN:-/tmp}
ft=/tmp/ftrace

echo "ftracetest-guest: kernel $(uname -r), mode $mode, cmdline: $(cat /proc/cmdline)"
rm -rf "$ft"
cp -r "$top/build/linux/tools/testing/selftests/ftrace" "$ft" || exit 1

bgpid=
if [ "$mode" = on ]; then
	echo auto > $RP/mode
	echo 1000 > $RP/interval_ms
	echo 1 > $RP/enable || { echo "ftracetest-guest: could not enable relpoline"; exit 1; }
	# Light: it keeps the read/write/pipe sites learning and promoted
	# without taking the guest's CPU from ftracetest (TCG runs both vCPUs
	# on one thread): 100 ms of syscalls a second. One process that opens
	# its files once: upstream tests such as kretprobe_entry_arg.tc pair
	# trace lines of vfs_open and assume nothing else opens files meanwhile
	# (a loop of dd/cat/sort processes made it fail now and then).
	[ -x "$top/build/bench/sysloop" ] || { echo "ftracetest-guest: no build/bench/sysloop"; exit 1; }
	"$top/build/bench/sysloop" 0 100 900 > /dev/null 2>&1 &
	bgpid=$!
	echo "ftracetest-guest: relpoline enabled (auto, interval_ms 1000), workload pid $bgpid"
	head -n 2 $T/trace_stat/relpoline
fi

start=$(date +%s)
# (also to the run directory as it goes, to see progress from the host)
# (FTRACETEST_TESTS: test files or directories instead of all of test.d)
# shellcheck disable=SC2086
(cd "$ft" && ./ftracetest -l /tmp/ftracetest-logs ${FTRACETEST_TESTS:-}) 2>&1 |
	tee "$out/ftracetest.out" > /tmp/ftracetest.out
rc=${PIPESTATUS[0]}
end=$(date +%s)
[ -n "$bgpid" ] && { kill "$bgpid"; wait "$bgpid" 2>/dev/null; }

cat /tmp/ftracetest.out
echo "ftracetest-guest: ftracetest exit $rc, $((end - start)) s"
mkdir -p "$out/ftracetest-logs"
cp -r /tmp/ftracetest-logs/. "$out/ftracetest-logs/" 2>/dev/null

st=0
if [ -d $RP ]; then
	echo "ftracetest-guest: relpoline after the run: enable=$(cat $RP/enable) mode=$(cat $RP/mode)"
	head -n 2 $T/trace_stat/relpoline
	if [ "$mode" = on ]; then
		grep -q '^1$' $RP/enable || { echo "ftracetest-guest: relpoline was disabled during the run"; st=1; }
		# relpoline must have done its work meanwhile: policy rounds ran
		# and sites are promoted (the workload's read/write/pipe calls)
		stat=$(head -n 2 $T/trace_stat/relpoline | tr ' ' '\n')
		v() { printf '%s\n' "$stat" | sed -n "s/^$1=//p"; }
		echo "ftracetest-guest: after the run: promoted=$(v promoted) retrains=$(v retrains) patched=$(v patched) samples=$(v samples)"
		[ "$(v promoted)" -gt 0 ] 2>/dev/null || { echo "ftracetest-guest: no site promoted during the run"; st=1; }
		[ "$(v retrains)" -gt 0 ] 2>/dev/null || { echo "ftracetest-guest: no policy round ran"; st=1; }
		[ "$(v samples)" -gt 0 ] 2>/dev/null || { echo "ftracetest-guest: no sample was taken"; st=1; }
	fi
	if [ -z "$ko" ] || [ ! -f "$ko" ]; then
		echo "ftracetest-guest: no test module ($ko): the restore check cannot run"; st=1
	else
		echo nop > $T/current_tracer
		echo > $T/kprobe_events 2>/dev/null
		if ! echo 0 > $RP/enable; then
			echo "ftracetest-guest: enable 0 failed"; st=1
		fi
		if insmod "$ko"; then
			echo verify > /sys/kernel/debug/relpoline_test/kernel
			v=$(cat /sys/kernel/debug/relpoline_test/kernel)
			echo "ftracetest-guest: after enable 0: $v"
			case " $v" in
			*" stubbed=0 "*"mismatch=0 "*) ;;
			*) echo "ftracetest-guest: text not restored"; st=1 ;;
			esac
			rmmod relpoline_test
		else
			echo "ftracetest-guest: insmod $ko failed: the restore check cannot run"; st=1
		fi
	fi
fi
echo "ftracetest-guest: done (status $st)"
exit $st
