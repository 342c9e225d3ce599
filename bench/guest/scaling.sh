#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-guest scaling benchmark with relpoline_bulk.ko, a module of N
# synthetic sites (bench/gen-bulk, built into build/bench/bulk-N):
#  1. pass "all", empty filter: n=0 (vmlinux only, the baseline), then for
#     each N of ALL_NS (default: the largest N only, to save guest time):
#     load, enable (every vmlinux and module site gets a learning stub: one
#     patch batch), disable (boot bytes back: one batch), unload;
#  2. pass "filter": set_relpoline_filter ":mod:relpoline_bulk", then for
#     each N: load, enable (only the module's sites), call every site once
#     through its stub, disable, unload.
# The "all" pass comes first because the filter cannot be cleared again
# ("echo > set_relpoline_filter" appends: O_TRUNC is gone from f_flags by
# the time write() looks at it). In the filter pass trace_stat is only
# read while relpoline is disabled: while enabled, every read evaluates
# the filter for every site, which for a module site is a kallsyms lookup,
# a linear scan of the module's symbols (O(N^2) per read).
#
# One line per step goes to $RELPOLINE_RUN/scaling.txt:
#   n=N pass=P step=STEP ns=NANOSECONDS <the "# hits=..." totals line>
#   n=N pass=P step=states <the "# totals:" line>
#   n=N pass=filter step=calls calls=C
# STEP: insmod, before, enable, disable, after, rmmod (ns: the guest clock
# around the write; under TCG only relative values mean anything).
#
# usage: scaling.sh "N..." ["ALL_NS..."]
set -u
T=/sys/kernel/tracing/relpoline
S=/sys/kernel/tracing/trace_stat/relpoline
TOP=${RELPOLINE_TOP:?}
OUT=${RELPOLINE_RUN:?}/scaling.txt
ns=${1:-"1000 10000 30000"}
all_ns=${2:-${ns##* }}
: > "$OUT"
log() { echo "bench-scaling: $*"; }
now() { date +%s%N; }
totals() { head -n 2 $S | sed -n 2p | sed 's/^# //'; }
states() { head -n 1 $S | sed 's/^# totals: //'; }
rec() { echo "n=$1 pass=$2 step=$3 ns=$4 $(totals)" >> "$OUT"; }
wr() { echo "$2" > "$1"; }
# timed VAR CMD...: run CMD, set VAR to its duration in ns
timed() {
	local v=$1 t0 t1 r
	shift
	t0=$(now)
	"$@"
	r=$?
	t1=$(now)
	eval "$v=$((t1 - t0))"
	return $r
}

[ "$(cat $T/set_relpoline_filter)" = "#### all sites enabled ####" ] ||
	{ log "the filter is not empty"; exit 1; }
echo manual > $T/mode
echo 60000 > $T/interval_ms
echo 0 > $T/profile
rc=0

load() {
	local n=$1 ko=$TOP/build/bench/bulk-$1/relpoline_bulk.ko d
	[ -f "$ko" ] || { log "missing $ko"; rc=1; return 1; }
	timed d insmod "$ko" || { log "insmod $ko failed"; rc=1; return 1; }
	rec "$n" "$2" insmod "$d"
}
unload() {
	local d
	timed d rmmod relpoline_bulk || { log "rmmod failed"; rc=1; }
	rec "$1" "$2" rmmod "$d"
}

pass_all() {
	local n=$1 d
	rec "$n" all before 0
	timed d wr $T/enable 1 || { log "n=$n all: enable failed"; rc=1; }
	rec "$n" all enable "$d"
	echo "n=$n pass=all step=states $(states)" >> "$OUT"
	timed d wr $T/enable 0 || { log "n=$n all: disable failed"; rc=1; }
	rec "$n" all disable "$d"
	log "n=$n all: enable+disable done"
}

pass_filter() {
	local n=$1 d
	rec "$n" filter before 0
	timed d wr $T/enable 1 || { log "n=$n filter: enable failed"; rc=1; }
	echo "n=$n pass=filter step=enable ns=$d" >> "$OUT"
	echo 1 > /sys/kernel/debug/relpoline_bulk/run
	echo "n=$n pass=filter step=calls calls=$(cat /sys/kernel/debug/relpoline_bulk/calls)" >> "$OUT"
	timed d wr $T/enable 0 || { log "n=$n filter: disable failed"; rc=1; }
	echo "n=$n pass=filter step=disable ns=$d" >> "$OUT"
	rec "$n" filter after 0
	log "n=$n filter: enable+run+disable done"
}

pass_all 0
for n in $all_ns; do
	load "$n" all || continue
	pass_all "$n"
	unload "$n" all
done
echo ':mod:relpoline_bulk' > $T/set_relpoline_filter || { log "filter failed"; exit 1; }
for n in $ns; do
	load "$n" filter || continue
	pass_filter "$n"
	unload "$n" filter
done
cat "$OUT"
exit $rc
