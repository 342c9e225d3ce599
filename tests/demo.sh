#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The `make run` demo, run inside the guest.
set -u
top=${RELPOLINE_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
T=/sys/kernel/tracing

echo "== kernel $(uname -r): $(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2)"
dmesg | grep -E 'relpoline' | sed 's/^/   /'
echo "== tracefs ($T)"
ls $T | column -c 100 2>/dev/null || ls $T

if [ -d $T/relpoline ]; then
	echo "== relpoline tracefs interface"
	ls $T/relpoline
fi

ko=$top/build/module-test/relpoline_test.ko
if [ -f "$ko" ]; then
	d=/sys/kernel/debug/relpoline_test
	echo "== relpoline core, through the test module's indirect call sites"
	insmod "$ko" || exit 1
	echo ab > $d/promote
	echo "20000 aab" > $d/run && echo "   20000 calls, targets a,a,b (promoted a,b): $(cat $d/counts)"
	echo "5000 c" > $d/run && echo "   5000 more calls to c (not promoted):       $(cat $d/counts)"
	echo "   sites:"
	sed 's/^/     /' $d/sites
	echo off > $d/promote
	rmmod relpoline_test
fi
if [ -x "$top/build/tools/relpoline-top" ] && [ -d $T/relpoline ]; then
	echo "== relpoline-top"
	"$top/build/tools/relpoline-top" -b -n 2 -d 1
fi
