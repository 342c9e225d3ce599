#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline off lfence on disabled
# The guest booted our kernel, tracefs is there, and the spectre_v2 mode
# asked for on the command line is the one the kernel reports.
set -u
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }

check "tracefs mounted at /sys/kernel/tracing" "grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts"
check "tracing README readable" "head -c 20 /sys/kernel/tracing/README | grep -q ."
check "kernel release is ours ($(uname -r))" "uname -r | grep -q -- '-relpoline\$'"
check "CONFIG_RELPOLINE=y in /proc/config.gz" "zcat /proc/config.gz | grep -qx CONFIG_RELPOLINE=y"
check "kernel built from this tree's base version" "[ \"\$(uname -r)\" = \"\$(cat $RELPOLINE_TOP/build/obj-test/include/config/kernel.release)\" ]"
v2=$(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2)
echo "spectre_v2: $v2"
case "$RELPOLINE_PROFILE" in
retpoline) check "spectre_v2=retpoline reports retpolines" "grep -q 'spectre_v2=retpoline' /proc/cmdline && echo '$v2' | grep -q 'Mitigation: Retpolines'" ;;
off) check "spectre_v2=off reports no mitigation" "echo '$v2' | grep -q 'Vulnerable'" ;;
lfence) check "spectre_v2=retpoline,lfence reports LFENCE" "echo '$v2' | grep -q 'LFENCE'" ;;
esac
T=/sys/kernel/tracing/relpoline
case "$RELPOLINE_PROFILE" in
on)
	check "relpoline=on: enabled at boot" "[ \"\$(cat $T/enable)\" = 1 ]"
	check "relpoline=on: auto mode" "[ \"\$(cat $T/mode)\" = auto ]"
	sleep 3
	n=$(grep -vc '^#' $T/sites)
	echo "managed sites at boot: $n"
	check "relpoline=on: sites managed" "[ $n -gt 1000 ]"
	check "relpoline=on: the policy ran" "grep -q 'retrains=[1-9]' /sys/kernel/tracing/trace_stat/relpoline"
	;;
disabled)
	check "relpoline=off: no tracefs directory" "[ ! -e $T ]"
	check "relpoline=off: one log line says why" "dmesg | grep -q 'relpoline: disabled: disabled on the command line'"
	check "relpoline=off: the test module loads without its files" "insmod $RELPOLINE_TOP/build/module-test/relpoline_test.ko && [ ! -e /sys/kernel/debug/relpoline_test ] && rmmod relpoline_test"
	;;
*)
	check "relpoline available and idle" "[ \"\$(cat $T/enable)\" = 0 ] && dmesg | grep -q 'relpoline: [0-9]* vmlinux sites'"
	;;
esac
check "two CPUs online" "[ \"\$(cat /sys/devices/system/cpu/online)\" = 0-1 ]"
exit $fail
