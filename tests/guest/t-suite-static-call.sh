#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: suites on
# The static_call selftest (CONFIG_STATIC_CALL_SELFTEST=y,
# kernel/static_call_inline.c) runs once, as an early_initcall, and says
# nothing unless it fails (a WARN, which fails the boot): that it ran and
# returned 0 is read from the initcall_finish events the boot records
# (trace_event=initcall:initcall_finish in tests/guest/plan). It runs in
# the "suites" boot (relpoline idle) and in the "on" boot (relpoline=on),
# but always before relpoline can patch anything: relpoline=on enables
# from rp_init_tracefs(), a late_initcall, and the knobs are tracefs files,
# so the selftest cannot run while relpoline churns; the test shows the
# order. What it exercises, static_call_update() rewriting text, does run
# under churn in the "suites" boot: tracepoints call their probes through
# static calls, so enabling and disabling sched:sched_switch in two trace
# buffers updates one 200 times with relpoline idle and 200 times with it
# churning (tests/guest/suites.sh), each update seen in what the buffers
# record. (Switching the preemption model would update more static calls,
# but /sys/kernel/debug/sched/preempt needs CONFIG_SCHED_DEBUG, which the
# test kernel does not have.)
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/suites.sh"

T=/sys/kernel/tracing
zcat /proc/config.gz | grep -qx CONFIG_STATIC_CALL_SELFTEST=y || fail "CONFIG_STATIC_CALL_SELFTEST is not set"
grep -qw 'trace_event=initcall:initcall_finish' /proc/cmdline ||
	fail "this boot does not record initcalls (trace_event=initcall:initcall_finish)"
# initcall_finish lines, in order: "func=SYMBOL+0x0/0xSIZE ret=N"
sed -n 's/.* initcall_finish: func=\([^+ ]*\)+[^ ]* ret=\(-\{0,1\}[0-9]*\)$/\1 \2/p' $T/trace > /tmp/initcalls
echo 0 > $T/events/initcall/enable
echo > $T/trace
n=$(wc -l < /tmp/initcalls)
sc=$(grep -n '^test_static_call_init ' /tmp/initcalls)
rp=$(grep -n '^rp_init_tracefs ' /tmp/initcalls)
echo "$n initcalls recorded; the static_call selftest: ${sc:-none}; relpoline's tracefs and relpoline=on: ${rp:-none}"
[ "$n" -gt 100 ] || fail "too few initcalls recorded ($n): the trace buffer lost the boot's events"
[ -n "$sc" ] || fail "test_static_call_init did not run"
[ "${sc##* }" = 0 ] || fail "test_static_call_init returned ${sc##* }"
[ -n "$rp" ] || fail "rp_init_tracefs did not run"
dmesg | grep -q 'static_call_inline' && { dmesg | grep -B 2 -A 10 static_call_inline; fail "a report from static_call_inline.c"; }
[ "${sc%%:*}" -lt "${rp%%:*}" ] || fail "the order of initcalls is not the one this test describes"
case "$RELPOLINE_PROFILE" in
on)
	dmesg | grep -q 'relpoline: enabled at boot (relpoline=on)' || fail "relpoline=on did not enable relpoline"
	ok "static_call selftest: returned 0, before relpoline=on enabled relpoline (initcall ${sc%%:*} of $n, relpoline ${rp%%:*})"
	exit 0 ;;
*)
	ok "static_call selftest: returned 0, relpoline idle (initcall ${sc%%:*} of $n)" ;;
esac

# static_call_update() under churn: a tracepoint calls its probe through
# a static call, updated whenever its number of probes changes (0: the
# iterator, 1: the probe itself, 2: the iterator; tracepoint_update_call()).
# sched:sched_switch enabled at the top level and in an instance registers
# the probe twice, with two data pointers: four updates a cycle.
T=/sys/kernel/tracing
I=$T/instances/relpoline-static-call
mkdir -p $I || fail "cannot create $I"
# TOP INST: the event's enable in each buffer, then whether each buffer
# recorded a sched_switch while the kernel switched tasks (sleep)
sw_state() {
	local b
	for b in $T $I; do echo > $b/trace; done
	sleep 0.05
	for b in $T $I; do
		if grep -q 'sched_switch:' $b/trace; then echo -n 1; else echo -n 0; fi
	done
}
sw_set() { echo "$1" > $T/events/sched/sched_switch/enable && echo "$2" > $I/events/sched/sched_switch/enable; }
run() { # MODE OUT
	local i st r=pass
	for i in $(seq 1 50); do
		for st in "1 0" "1 1" "0 1" "0 0"; do
			# shellcheck disable=SC2086
			sw_set $st || { r="fail (cycle $i: writing enable $st)"; break 2; }
			[ "$(sw_state)" = "${st/ /}" ] || { r="fail (cycle $i: enable $st, recorded $(sw_state))"; break 2; }
		done
	done
	sw_set 0 0
	printf 'static_call_update: 200 sched_switch probe updates, each one seen in the trace\t%s\n' "$r" > "$2"
}
suite_run "tracepoint static_call_update" "$RELPOLINE_RUN/suite-static-call" run
rmdir $I
