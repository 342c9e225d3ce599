#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline off lfence on disabled stuff retpoline-norp off-norp stuff-norp suites clang clang-norp clang-fineibt
# The guest booted our kernel, tracefs is there, and the spectre_v2 mode
# is the one the boot's line of tests/guest/plan expects (v2=TEXT, passed
# by run-suite as RELPOLINE_EXPECT_V2).
set -u
fail=0
RPT_OBJ=${RELPOLINE_TOP:?}/build/obj-${RELPOLINE_KVARIANT:-test}
RPT_KO=$RELPOLINE_TOP/build/module-${RELPOLINE_KVARIANT:-test}/relpoline_test.ko
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }

check "tracefs mounted at /sys/kernel/tracing" "grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts"
check "tracing README readable" "head -c 20 /sys/kernel/tracing/README | grep -q ."
check "kernel release is ours ($(uname -r))" "uname -r | grep -q -- '-relpoline\$'"
check "CONFIG_RELPOLINE=y in /proc/config.gz" "zcat /proc/config.gz | grep -qx CONFIG_RELPOLINE=y"
check "kernel built from this tree's base version" "[ \"\$(uname -r)\" = \"\$(cat $RPT_OBJ/include/config/kernel.release)\" ]"
v2=$(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2)
echo "spectre_v2: $v2"
if [ -n "${RELPOLINE_EXPECT_V2:-}" ]; then
	check "spectre_v2 reports '$RELPOLINE_EXPECT_V2'" "grep -qF -- \"\$RELPOLINE_EXPECT_V2\" /sys/devices/system/cpu/vulnerabilities/spectre_v2"
else
	echo "(no v2= expectation for this boot: the mode is not checked)"
fi
T=/sys/kernel/tracing/relpoline
case "$RELPOLINE_PROFILE" in
on)
	check "relpoline=on: enabled at boot" "[ \"\$(cat $T/enable)\" = 1 ]"
	check "relpoline=on: auto mode" "[ \"\$(cat $T/mode)\" = auto ]"
	# the first policy round (interval_ms after boot), waited for with a
	# generous deadline rather than a fixed sleep
	ran() { grep -q 'retrains=[1-9]' /sys/kernel/tracing/trace_stat/relpoline; }
	for i in $(seq 1 300); do ran && break; sleep 0.2; done
	n=$(grep -vc '^#' $T/sites)
	echo "managed sites at boot: $n; $(head -n 2 /sys/kernel/tracing/trace_stat/relpoline | tail -n 1)"
	check "relpoline=on: sites managed" "[ $n -gt 1000 ]"
	check "relpoline=on: the policy ran (within 60 s)" "ran"
	;;
disabled|*-norp)
	check "relpoline=off: no tracefs directory" "[ ! -e $T ]"
	check "relpoline=off: one log line says why" "dmesg | grep -q 'relpoline: disabled: disabled on the command line'"
	check "relpoline=off: the test module loads without its files" "insmod $RPT_KO && [ ! -e /sys/kernel/debug/relpoline_test ] && rmmod relpoline_test"
	;;
stuff)
	check "retbleed=stuff: call depth tracking" "dmesg | grep -q 'RETBleed: Mitigation: Stuffing'"
	check "relpoline available and idle with call depth tracking" "[ \"\$(cat $T/enable)\" = 0 ] && dmesg | grep -q 'relpoline: [0-9]* vmlinux sites'"
	;;
*)
	check "relpoline available and idle" "[ \"\$(cat $T/enable)\" = 0 ] && dmesg | grep -q 'relpoline: [0-9]* vmlinux sites'"
	;;
esac
check "two CPUs online" "[ \"\$(cat /sys/devices/system/cpu/online)\" = 0-1 ]"
exit $fail
