#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-guest part of bench/modload: how long module load and unload take
# while relpoline retrains at interval_ms 10 (issue 13, item 3).
#
# usage: modload.sh [CYCLES]   (default 40)
#
# Two phases, CYCLES times "insmod relpoline_test.ko; rmmod relpoline_test"
# each, timed with the guest clock around each command:
#   idle   relpoline disabled (enable 0), no workload
#   churn  relpoline enabled on every site, auto mode, interval_ms 10,
#          sample_period 1, min_samples 1, while hackbench runs in a loop
#          and a shell loop reads /proc files and /dev/zero, so that
#          promotions keep changing and stubs keep being retired
# The timing loop runs SCHED_FIFO (insmod and rmmod inherit it) and the
# workloads SCHED_OTHER, so a cycle's time is its own work and its waits,
# not the workloads' share of the CPU. Prints one line per cycle,
# "cycle PHASE N INSMOD_US RMMOD_US RETRAINS" (the policy rounds that
# completed while rmmod ran: none while relpoline_mutex is held), and per
# phase the exact counts of
# trace_stat/relpoline over its window:
# "window PHASE retrains=R batches=B patched=P seconds=S", and the time of
# each call of relpoline's module notifier, "notify PHASE US" (function_graph).
set -u
top=${RELPOLINE_TOP:?}
RP=/sys/kernel/tracing/relpoline
ST=/sys/kernel/tracing/trace_stat/relpoline
ko=$top/build/module-test/relpoline_test.ko
n=${1:-40}
[ -f "$ko" ] || { echo "modload: no $ko (scripts/build-module)"; exit 1; }
command -v hackbench >/dev/null || { echo "modload: no hackbench (rt-tests)"; exit 1; }

stat() { head -n 2 $ST | tr ' ' '\n' | sed -n "s/^$1=//p"; }

cycles() { # PHASE
	local i t0 t1 t2 r0 r1 b0 p0 s0
	r0=$(stat retrains) b0=$(stat batches) p0=$(stat patched) s0=$(date +%s)
	for i in $(seq 1 "$n"); do
		t0=$(date +%s%N)
		insmod "$ko" || { echo "modload: insmod failed"; return 1; }
		t1=$(date +%s%N)
		r1=$(stat retrains)
		rmmod relpoline_test || { echo "modload: rmmod failed"; return 1; }
		t2=$(date +%s%N)
		echo "cycle $1 $i $(( (t1 - t0) / 1000 )) $(( (t2 - t1) / 1000 )) $(( $(stat retrains) - r1 ))"
	done
	echo "window $1 retrains=$(( $(stat retrains) - r0 )) batches=$(( $(stat batches) - b0 ))" \
		"patched=$(( $(stat patched) - p0 )) seconds=$(( $(date +%s) - s0 ))"
}

# relpoline's own share of a load or unload: the time spent in its module
# notifier (rp_module_notify(), which takes relpoline_mutex), from the
# function_graph tracer, one "notify PHASE US" line per call
T=/sys/kernel/tracing
graph_on() {
	echo rp_module_notify > $T/set_ftrace_filter || return 1
	echo function_graph > $T/current_tracer && echo > $T/trace
}
graph_off() { # PHASE (reads the buffer first: changing the tracer clears it)
	sed -n 's/^ *[0-9]*)[ !+#*@$]*\([0-9.]*\) us *| *rp_module_notify();.*/\1/p' $T/trace |
		awk -v ph="$1" '{ printf "notify %s %d\n", ph, $1 }'
	echo nop > $T/current_tracer
	echo > $T/set_ftrace_filter
}

echo "modload: kernel $(uname -r), $(cat /proc/cmdline)"
echo 0 > $RP/enable
graph_on || echo "modload: no function_graph on rp_module_notify"
chrt -f 50 bash -c "$(declare -f stat cycles); n=$n ko=$ko ST=$ST; cycles idle" || exit 1
graph_off idle

echo 10 > $RP/interval_ms
echo 1 > $RP/sample_period
echo 1 > $RP/min_samples
echo auto > $RP/mode
echo 1 > $RP/enable || { echo "modload: cannot enable relpoline"; exit 1; }
(while :; do hackbench -g 2 -l 50 > /dev/null 2>&1; done) &
hb=$!
(while :; do
	cat /proc/self/stat /proc/meminfo /proc/interrupts > /dev/null
	dd if=/dev/zero of=/dev/null bs=512 count=100 2> /dev/null
done) &
rd=$!
sleep 2
graph_on
chrt -f 50 bash -c "$(declare -f stat cycles); n=$n ko=$ko ST=$ST; cycles churn"
rc=$?
graph_off churn
kill $hb $rd
wait 2> /dev/null
echo "modload: at the end: $(head -n 2 $ST | tail -n 1)"
echo 0 > $RP/enable
exit $rc
