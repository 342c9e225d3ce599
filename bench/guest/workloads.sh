#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-guest part of the relpoline benchmark: exact counts from the running
# kernel (spectre_v2=retpoline) for real workloads, under auto mode.
#
# usage: workloads.sh [-c CONV_SECS] [-w WINDOW_SECS] [-i INTERVAL_MS]
#                     [-m "MAX_TARGETS..."] [-l "WORKLOADS..."] [-s "A B C..."]
#                     [-k "KNOB=VALUE..."] [-p PREFIX] [-r RECORD_SECS]
#                     [-W WARM_SECS] [-u]
#
# For every max_targets value and workload: the workload is started (its
# server first, if it has one: nginx, redis-server, answering) and runs
# for WARM seconds (default 1), past its own start-up; then every
# promoted site is demoted and the learned data reset ("cold"; the reset
# also starts a new policy interval): relpoline starts cold on a running
# workload, as when it is enabled on a running machine, and the rounds
# are counted from the reset. Relpoline learns for CONV seconds, then a
# WINDOW-second measurement window is
# delimited by two reads of the sites file; their difference gives the
# exact per-site hits and misses of the window. "reset" is not used to
# open the window: it also clears the learned scores, including the held
# scores of promoted targets, so the policy re-decides sites right after
# it (with hackbench, relpoline's own walk site was re-promoted 3 times in
# the 4 rounds after a reset; nothing changed in the 7 rounds before), and
# its own walk adds a call per site.
# relpoline_retrain/promote/demote events are traced throughout,
# relpoline_miss events during the window only. Then, with the first
# max_targets value, the switch chain "A B C" runs A until converged (the
# last cold run, if it was A and is still running), switches to B without
# resetting anything (re-convergence), then to C. With -u, the first
# max_targets value's workloads run once more with the load started right
# after the reset ("startup-mtN-WORKLOAD"), so that the rounds include
# its start-up: under TCG a start-up (exec and set-up from the 9p root,
# dbench's first phase of file creation) spans a whole interval.
#
# This script runs SCHED_FIFO so that its sleeps and reads keep time
# under load; the workloads run SCHED_OTHER (chrt -o 0).
#
# Everything is written to $RELPOLINE_RUN/wl/ for bench/report.py:
#   RUN-sites0.txt RUN-sites1.txt  the sites file at window start and end
#   RUN-stat.txt                   trace_stat/relpoline's header lines at the
#                                  end (totals, the kernel's estimate)
#   RUN-trace.txt                  the trace buffer (markers and events)
#   RUN-times.txt                  guest clock (ns) of start/window/end
#   RUN-wl.log                     the workload's output
# where RUN is "mtN-WORKLOAD", "pre-A" or "switch-A-B", prefixed with
# PREFIX- when -p is given. -k sets further relpoline knobs (e.g.
# "min_samples=4") before enabling.
#
# With -r SECS (the native replay, bench/README.md), after the runs: every
# workload again, in manual mode with every site learning (all demoted,
# nothing promoted) and sample_period 1, so that every call of a managed
# site is a sampled miss and a relpoline_miss event; trace-cmd records
# SECS seconds of them. In $RELPOLINE_RUN/wl/replay/:
#   WORKLOAD.dat          the trace-cmd recording
#   WORKLOAD-record.log   trace-cmd's output (its per-CPU overruns)
#   WORKLOAD-knobs.txt    the knobs of the converged run (sample_period,
#                         profile, max_targets) that the replay uses
# The promotion set replayed is that of the first max_targets' converged
# run of the workload (mtN-WORKLOAD-sites1.txt); bench/replay-stream
# joins the two.
set -u
T=/sys/kernel/tracing/relpoline
TR=/sys/kernel/tracing
S=$TR/trace_stat/relpoline
# the header lines of trace_stat (totals, "# estimate:", rows), no row
stat_head() { sed -n '/^#/!q;p' $S; }
TOP=${RELPOLINE_TOP:?}
OUT=${RELPOLINE_RUN:?}/wl
SYSLOOP=$TOP/build/bench/sysloop

conv=4 win=3 interval=500 mts="2 1 4" rec=0 warm=1 startup=0
wls="hackbench dbench nginx redis sysloop"
chain="sysloop hackbench"
knobs= prefix=
while getopts c:w:i:m:l:s:k:p:r:W:u o; do
	case $o in
	c) conv=$OPTARG ;; w) win=$OPTARG ;; i) interval=$OPTARG ;;
	m) mts=$OPTARG ;; l) wls=$OPTARG ;; s) chain=$OPTARG ;;
	k) knobs=$OPTARG ;; p) prefix=$OPTARG- ;; r) rec=$OPTARG ;;
	W) warm=$OPTARG ;; u) startup=1 ;;
	*) echo "usage: $0 [-c CONV] [-w WIN] [-i MS] [-m MTS] [-l WLS] [-s SWITCHES] [-r REC] [-W WARM] [-u]"; exit 2 ;;
	esac
done
mkdir -p "$OUT"
log() { echo "bench-guest: $*"; }
now() { date +%s%N; }
mark() { echo "bench: $*" > $TR/trace_marker; }

[ -d $T ] || { log "no $T: relpoline is not available"; exit 1; }
chrt -f -p 20 $$ || log "cannot run SCHED_FIFO: timings will stretch under load"
for b in hackbench dbench nginx redis-server redis-benchmark wrk trace-cmd "$SYSLOOP"; do
	command -v "$b" >/dev/null || { log "missing $b"; exit 1; }
done

# ---- workloads: each runs in its own session, killed as a group ----

wl_pgid=
wl_err=
# wl_server NAME: the servers of client/server workloads, started and
# ready before the cold reset and the run's start, so that the rounds
# counted from the start see the workload's traffic, not its setup
wl_server() {
	wl_err=
	case $1 in
	nginx)
		chrt -o 0 nginx -p /tmp/nginx -c /tmp/nginx.conf -e /tmp/nginx/error.log ||
			{ log "nginx failed"; wl_err=nginx; }
		for i in 1 2 3 4 5 6 7 8 9 10; do
			(exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null && break
			sleep 0.3
		done
		;;
	redis)
		chrt -o 0 redis-server --port 6390 --save '' --appendonly no --daemonize yes --dir /tmp \
			--logfile /tmp/redis.log --pidfile /tmp/redis.pid ||
			{ log "redis-server failed"; wl_err=redis-server; }
		for i in 1 2 3 4 5 6 7 8 9 10; do
			redis-cli -p 6390 ping > /dev/null 2>&1 && break
			sleep 0.3
		done
		;;
	esac
}

# wl_start NAME LOGFILE: the load (after wl_server NAME)
wl_start() {
	local name=$1 logf=$2
	case $name in
	hackbench)
		setsid chrt -o 0 hackbench -g 2 -f 5 -l 100000000 > "$logf" 2>&1 &
		;;
	dbench)
		rm -rf /tmp/dbench && mkdir -p /tmp/dbench
		(cd /tmp/dbench && exec setsid chrt -o 0 dbench -t 3600 -c /tmp/dbench-client.txt 2) > "$logf" 2>&1 &
		;;
	nginx)
		setsid chrt -o 0 wrk -t1 -c4 -d3600s http://127.0.0.1:8080/file.bin > "$logf" 2>&1 &
		;;
	redis)
		setsid chrt -o 0 redis-benchmark -p 6390 -q -c 4 -n 1000000000 -t get,set > "$logf" 2>&1 &
		;;
	sysloop)
		setsid chrt -o 0 "$SYSLOOP" 0 > "$logf" 2>&1 &
		;;
	*) log "unknown workload $name"; return 1 ;;
	esac
	wl_pgid=$!
}

wl_stop() {	# NAME PGID
	local name=$1 pg=$2
	kill -TERM -- "-$pg" 2>/dev/null
	sleep 0.3
	kill -KILL -- "-$pg" 2>/dev/null
	wait "$pg" 2>/dev/null
	case $name in
	nginx) [ -f /tmp/nginx/nginx.pid ] && kill -QUIT "$(cat /tmp/nginx/nginx.pid)" 2>/dev/null ;;
	redis) redis-cli -p 6390 shutdown nosave > /dev/null 2>&1 ;;
	esac
	sleep 0.3
}

# Every workload's data is on the guest's tmpfs, not on the 9p root the
# harness shares with the host: dbench's clients read their load file
# as they run, which would mix 9p's file operations into the workload's.
cp /usr/share/dbench/client.txt /tmp/dbench-client.txt

mkdir -p /tmp/nginx/html /tmp/nginx/tmp
head -c 16384 /dev/urandom > /tmp/nginx/html/file.bin
cat > /tmp/nginx.conf <<'EOF'
worker_processes 1;
daemon on;
master_process on;
user root;
pid /tmp/nginx/nginx.pid;
error_log /tmp/nginx/error.log;
events { worker_connections 256; }
http {
	access_log off;
	default_type application/octet-stream;
	sendfile on;
	keepalive_requests 1000000;
	client_body_temp_path /tmp/nginx/tmp/body;
	proxy_temp_path /tmp/nginx/tmp/proxy;
	fastcgi_temp_path /tmp/nginx/tmp/fastcgi;
	uwsgi_temp_path /tmp/nginx/tmp/uwsgi;
	scgi_temp_path /tmp/nginx/tmp/scgi;
	server {
		listen 127.0.0.1:8080;
		root /tmp/nginx/html;
	}
}
EOF

# ---- relpoline ----

cfg() { echo "$2" > $T/$1 || { log "cannot set $1=$2"; exit 1; }; }
ev() { echo "$2" > $TR/events/relpoline/$1/enable; }

# Demote every promoted site and forget everything learned, in manual mode:
# a policy round between the demotes and the reset would promote sites
# again from what it had learned before (and the trace, cleared after,
# would not show it). The caller puts auto mode back once the trace is
# clear; the reset has started a new interval, so the first round comes
# interval_ms after it.
cold() {
	cfg mode manual
	awk '$1 ~ /^[0-9]+$/ && $6 == "promoted" { print "demote " $1 }' $T/sites > /tmp/demote
	rm -f /tmp/demote.*
	split -l 100 /tmp/demote /tmp/demote.
	for f in /tmp/demote.*; do
		[ -s "$f" ] && { cat "$f" > $T/control || log "demote failed"; }
	done
	echo reset > $T/control
}

# run_one RUN WORKLOAD COLD(0|1) [PREV_WORKLOAD PREV_PGID [WARM]]: leaves
# the workload running (its group in $wl_pgid); stops the previous one, if
# given, right before starting this one (the switch). A cold run starts
# the workload WARM seconds (default $warm) before the reset; with 0, or
# a switch, the load starts at the round count's start.
run_one() {
	local run=$1 wl=$2 cold=$3 prev=${4:-} prevpg=${5:-} w=${6:-$warm} t0 t1 t2 early=0
	log "$run: $wl (cold=$cold)"
	wl_server "$wl"
	if [ "$cold" = 1 ] && [ "$w" != 0 ]; then
		wl_start "$wl" "$OUT/$run-wl.log"
		early=1
		sleep "$w"
	fi
	[ "$cold" = 1 ] && cold
	echo 0 > $TR/tracing_on
	echo > $TR/trace
	echo 1 > $TR/tracing_on
	cfg mode auto
	[ -n "$prev" ] && wl_stop "$prev" "$prevpg"
	t0=$(now)
	mark "start $run"
	[ $early = 1 ] || wl_start "$wl" "$OUT/$run-wl.log"
	sleep "$conv"
	cat $T/sites > "$OUT/$run-sites0.txt"
	ev relpoline_miss 1
	t1=$(now)
	mark "window $run"
	sleep "$win"
	mark "end $run"
	t2=$(now)
	# the workload must still be running: a run whose workload died
	# measured an idle guest (report.py counts it as failed)
	local alive=1
	kill -0 -- "-$wl_pgid" 2>/dev/null || { alive=0; log "$run: the workload is not running at the end of the window"; }
	ev relpoline_miss 0
	cat $T/sites > "$OUT/$run-sites1.txt"
	stat_head > "$OUT/$run-stat.txt"
	echo "start=$t0 window=$t1 end=$t2 warm_s=$([ "$cold" = 1 ] && echo "$w" || echo 0) max_targets=$(cat $T/max_targets) interval_ms=$(cat $T/interval_ms) min_samples=$(cat $T/min_samples) threshold_pct=$(cat $T/threshold_pct) sample_period=$(cat $T/sample_period) wl_alive=$alive wl_err=${wl_err:-none}" > "$OUT/$run-times.txt"
	echo 0 > $TR/tracing_on
	cat $TR/trace > "$OUT/$run-trace.txt"
	echo 1 > $TR/tracing_on
}

echo 8192 > $TR/buffer_size_kb
echo > $T/set_relpoline_filter
cfg mode auto
cfg interval_ms "$interval"
cfg profile 1
for kv in $knobs; do
	cfg "${kv%%=*}" "${kv#*=}"
done
ev relpoline_retrain 1
ev relpoline_promote 1
ev relpoline_demote 1
ev relpoline_miss 0
stat_head > "$OUT/boot-stat.txt"
t0=$(now)
cfg enable 1
t1=$(now)
stat_head > "$OUT/enable-stat.txt"
echo "enable_ns=$((t1 - t0))" > "$OUT/enable-time.txt"
log "enabled in $(( (t1 - t0) / 1000000 )) ms: $(sed -n 1p $S)"

first_mt= last= lastpg=
for mt in $mts; do
	first_mt=${first_mt:-$mt}
	cfg max_targets "$mt"
	for wl in $wls; do
		run_one "${prefix}mt$mt-$wl" "$wl" 1
		last=$wl lastpg=$wl_pgid
		[ "$mt" = "$first_mt" ] && [ "$wl" = "${chain%% *}" ] && [ "$wl" = "${wls##* }" ] && continue
		wl_stop "$wl" "$wl_pgid"
		last=
	done
	# the switch chain, after the first max_targets' cold runs
	if [ "$mt" = "$first_mt" ] && [ -n "$chain" ]; then
		set -- $chain
		if [ "$last" != "$1" ]; then
			[ -n "$last" ] && wl_stop "$last" "$lastpg"
			run_one "${prefix}pre-$1" "$1" 1
			lastpg=$wl_pgid
		fi
		a=$1
		shift
		for b in "$@"; do
			run_one "${prefix}switch-$a-$b" "$b" 0 "$a" "$lastpg"
			a=$b lastpg=$wl_pgid
		done
		wl_stop "$a" "$lastpg"
	fi
done

# ---- the workloads' start-ups counted too (-u) ----

if [ "$startup" = 1 ]; then
	cfg max_targets "$first_mt"
	for wl in $wls; do
		run_one "startup-${prefix}mt$first_mt-$wl" "$wl" 1 "" "" 0
		wl_stop "$wl" "$wl_pgid"
	done
fi

# ---- the replay's recordings (-r) ----

# record_one WORKLOAD KNOBS_LINE: every call of every managed site, for
# $rec seconds of the workload running
record_one() {
	local wl=$1 knobs=$2 dir=$OUT/replay pg
	log "record: $wl ($rec s, every call sampled)"
	wl_server "$wl"
	cold
	cfg sample_period 1
	wl_start "$wl" "$dir/$wl-wl.log"
	pg=$wl_pgid
	sleep 1
	echo "$knobs" > "$dir/$wl-knobs.txt"
	# into the guest's tmpfs: trace-cmd splices, which 9p does not take
	trace-cmd record -b 32768 -e relpoline:relpoline_miss -o "/tmp/rec-$wl.dat" \
		sleep "$rec" > "$dir/$wl-record.log" 2>&1 ||
		log "record: trace-cmd failed for $wl (see $dir/$wl-record.log)"
	kill -0 -- "-$pg" 2>/dev/null || log "record: $wl is not running at the end"
	wl_stop "$wl" "$pg"
	cp "/tmp/rec-$wl.dat" "$dir/$wl.dat" && rm -f "/tmp/rec-$wl.dat"
}

if [ "$rec" != 0 ]; then
	mkdir -p "$OUT/replay"
	sp=$(cat $T/sample_period) prof=$(cat $T/profile)
	cfg mode manual
	for wl in $wls; do
		record_one "$wl" "workload=$wl sample_period=$sp count_hits=$prof max_targets=$first_mt sites=${prefix}mt$first_mt-$wl-sites1.txt"
	done
	cold
	cfg sample_period "$sp"
	cfg mode auto
fi

stat_head > "$OUT/final-stat.txt"
t0=$(now)
cfg enable 0
t1=$(now)
echo "disable_ns=$((t1 - t0))" >> "$OUT/enable-time.txt"
log "done"
