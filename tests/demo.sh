#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The `make run` demo, run inside the guest: relpoline in auto mode on every
# site of the kernel while a real workload runs, watched with relpoline-top.
set -u
top=${RELPOLINE_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
T=/sys/kernel/tracing
R=$top/build/tools/relpoline

echo "== kernel $(uname -r), spectre_v2: $(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2)"
dmesg | grep -E 'relpoline:' | sed 's/^/   /'
if [ ! -d $T/relpoline ]; then
	echo "relpoline is not available on this kernel"; ls $T; exit 1
fi

echo "== enabling relpoline: auto mode, every site, 500 ms retrain interval"
$R set interval_ms 500
$R mode auto
$R enable
$R status | sed 's/^/   /'

echo "== workload: hackbench, reads from /dev/zero, pipes, shell loops (20 s)"
(
	end=$((SECONDS + 20))
	while [ $SECONDS -lt $end ]; do
		hackbench -g 2 -l 50 > /dev/null 2>&1
		dd if=/dev/zero of=/dev/null bs=512 count=5000 2>/dev/null
		seq 1 3000 | sort -n | tail -n 1 > /dev/null
		cat /proc/self/status > /dev/null
	done
) &
wl=$!
sleep 4
echo "== relpoline-top -b (3 frames of the 15 busiest sites, 2 s apart)"
"$top/build/tools/relpoline-top" -b -i 3 -n 15 -d 2
wait $wl

echo "== promoted sites (first 15)"
$R sites | awk 'NR == 1 || / promoted | pinned /' | head -n 16
echo "== relpoline status (trace_stat/relpoline totals)"
$R status | sed 's/^/   /'
$R disable
echo "== disabled: every site restored to its boot-time bytes"
