#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# repro.sh [-m MODULE.ko] CASE...: focused reproducers, run IN the guest,
# for the kernel problems the storm runs found (tests/stress/README).
# Each case prints "REPRODUCED: ..." (the bug is there) or "not
# reproduced: ..." and the script ends with "N passed, N failed" where a
# reproduced bug is a failure, and so is a case that cannot run (no test
# module) or a write that fails with an error the case does not explain
# ("other").
#
#   filter-trunc   "echo X > set_relpoline_filter" (and cgroup_weights)
#                  appends instead of replacing; "echo > ..." does not clear
#   stale-busy     a site stays "busy" (commands on it fail with EBUSY)
#                  after the kprobe that made it busy is gone
#   enable0-retry  "enable 0" under a kprobe fails with EBUSY; once the
#                  kprobe is gone "enable 0" succeeds but leaves the stub
#   modgoing       an enable write fails with EINVAL when a module whose
#                  sites or targets are in its batch starts going away
#                  between the batch being built and applied
#   modwin         an unrelated control write fails with EBUSY while a
#                  module is being loaded or unloaded (no kprobe anywhere)
#   kprobe-stale   a kprobe created (disabled) on a stubbed site keeps a
#                  copy of the old "call stub"; relpoline repatches the site
#                  and frees the stub; enabling the kprobe and calling
#                  through the site executes the freed stub. EXPECT AN OOPS
#                  (run it last: the guest dies with oops=panic).
#   wrong-target   like kprobe-stale, but the freed stub's slot is reused by
#                  another site's stub first (no INT3 left to trap on)
#   kprobe-opcode  a kprobe created (disabled) on a stubbed site saves the
#                  first byte of "call <stub>"; "enable 0" restores the
#                  inlined "call *%rax" (spectre_v2=off) under it; arming
#                  and disarming the kprobe writes the saved byte back and
#                  the next call through the site goes to a wild address.
#                  EXPECT AN OOPS in an inlined mode (make check's off
#                  boot caught it); in any mode "enable 0" must fail with
#                  EBUSY while the kprobe exists
set -u
top=${RELPOLINE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
ko=$top/build/module-test/relpoline_test.ko
if [ "${1:-}" = -m ]; then ko=$2; shift 2; fi
T=/sys/kernel/tracing
RP=$T/relpoline
RPT=/sys/kernel/debug/relpoline_test
RPW=$top/build/security/rpw	# one write(), prints OK or the errno name
pass=0
fail=0

reset_rp() {
	grep -q rprepro $T/kprobe_events 2>/dev/null && {
		echo 0 > $T/events/kprobes/enable 2>/dev/null
		echo > $T/kprobe_events
	}
	[ -d $RPT ] && rmmod relpoline_test
	echo 1 > $RP/enable 2>/dev/null
	echo 0 > $RP/enable
	echo > $RP/set_relpoline_filter
	echo auto > $RP/mode
	echo 1000 > $RP/interval_ms
	echo 0 > $RP/profile
	echo reset > $RP/control
	echo > $T/error_log
}
ctl() { printf '%s\n' "$1" >> $RP/control; }
state() { awk -v id="$1" '$1 == id { print $6 }' $RP/sites; }
stat_of() { head -n 2 $T/trace_stat/relpoline | tr ' ' '\n' | sed -n "s/^$1=//p"; }
vsite() { awk '!/^#/ && $2 ~ /^vfs_read\+/ { print $1; exit }' $RP/available_sites; }
vname() { awk -v id="$1" '$1 == id { sub(/\/.*/, "", $2); print $2 }' $RP/available_sites; }
result() { # 0|1 text: 1 = reproduced
	if [ "$1" = 1 ]; then echo "REPRODUCED: $2"; fail=$((fail + 1)); else echo "not reproduced: $2"; pass=$((pass + 1)); fi
}

case_stale_busy() {
	echo "== stale-busy"
	reset_rp
	echo manual > $RP/mode
	echo vfs_read > $RP/set_relpoline_filter
	echo 1 > $RP/enable
	V=$(vsite); VN=$(vname $V)
	ctl "promote $V read_zero"
	echo "site $V ($VN): $(grep "^$V " $RP/sites)"
	echo "p:rprepro $VN" >> $T/kprobe_events
	echo 1 > $T/events/kprobes/rprepro/enable
	# profile 1 wants a hit-counting stub at the site: busy. profile 0
	# again wants the stub the site still has: nothing to patch.
	echo 1 > $RP/profile && echo "profile 1: succeeded (unexpected)" || echo "profile 1: EBUSY as expected"
	echo "profile 1: $(grep "^$V " $RP/sites), busy=$(stat_of busy)"
	echo 0 > $RP/profile
	echo "profile 0: $(grep "^$V " $RP/sites), busy=$(stat_of busy)"
	echo 0 > $T/events/kprobes/rprepro/enable
	echo '-:rprepro' >> $T/kprobe_events
	echo reset > $RP/control
	echo auto > $RP/mode
	echo 10 > $RP/interval_ms
	sleep 1
	echo "kprobe removed, 1 s of auto mode: $(grep "^$V " $RP/sites), trace_stat busy=$(stat_of busy)"
	echo > $T/error_log
	out=$(ctl "demote $V" 2>&1); r=$?
	echo "demote $V after the kprobe is gone: rc $r $out"
	grep -A2 'relpoline/control' $T/error_log
	result $([ $r -ne 0 ] && echo 1 || echo 0) "site $V still busy, commands on it fail with EBUSY after its kprobe was removed"
	reset_rp
}

case_filter_trunc() {
	echo "== filter-trunc"
	reset_rp
	echo 'vfs_read' > $RP/set_relpoline_filter
	echo 'vfs_write' > $RP/set_relpoline_filter
	echo "after 'echo vfs_read >' and 'echo vfs_write >':"; sed 's/^/    /' $RP/set_relpoline_filter
	a=$(grep -c . $RP/set_relpoline_filter)
	echo > $RP/set_relpoline_filter
	echo "after 'echo > set_relpoline_filter':"; sed 's/^/    /' $RP/set_relpoline_filter
	b=$(cat $RP/set_relpoline_filter)
	mkdir -p /sys/fs/cgroup/rprepro
	echo '/rprepro 5' > $RP/cgroup_weights
	echo '* 3' > $RP/cgroup_weights
	echo "after 'echo /rprepro 5 >' and 'echo \* 3 >' to cgroup_weights:"; sed 's/^/    /' $RP/cgroup_weights
	c=$(grep -c rprepro $RP/cgroup_weights)
	echo > $RP/cgroup_weights
	echo '* 1' >> $RP/cgroup_weights
	awk '!/^#/ && $1 != "*" { print "!" $1 }' $RP/cgroup_weights >> $RP/cgroup_weights
	rmdir /sys/fs/cgroup/rprepro
	result $([ "$a" != 1 ] || [ "$b" != "#### all sites enabled ####" ] || [ "$c" != 0 ] && echo 1 || echo 0) \
		"'>' appends to set_relpoline_filter/cgroup_weights instead of replacing ($a patterns; cleared: '$b'; weights kept: $c)"
	reset_rp
}

case_enable0_retry() {
	echo "== enable0-retry"
	reset_rp
	echo vfs_read > $RP/set_relpoline_filter
	echo 1 > $RP/enable
	V=$(vsite); VN=$(vname $V)
	echo "p:rprepro $VN" >> $T/kprobe_events
	echo 1 > $T/events/kprobes/rprepro/enable
	echo 0 > $RP/enable && echo "enable 0 under the kprobe: succeeded" || echo "enable 0 under the kprobe: failed (expected EBUSY)"
	echo 0 > $T/events/kprobes/rprepro/enable
	echo '-:rprepro' >> $T/kprobe_events
	echo 0 > $RP/enable && e=ok || e=fail
	sb=$(stat_of stub_bytes)
	echo "kprobe removed, enable 0 again: $e; enable=$(cat $RP/enable) stub_bytes=$sb busy=$(stat_of busy)"
	grep -v '^#' $RP/sites
	if [ -f "$ko" ] && insmod "$ko"; then
		echo verify > $RPT/kernel; echo "verify: $(cat $RPT/kernel)"; rmmod relpoline_test
	fi
	result $([ "$sb" != 0 ] && echo 1 || echo 0) "relpoline disabled, enable 0 succeeded, yet a stub remains (stub_bytes=$sb)"
	reset_rp
}

case_modwin() {
	echo "== modwin"
	reset_rp
	[ -f "$ko" ] || { result 1 "modwin cannot run: no module $ko"; return; }
	echo manual > $RP/mode
	printf "vfs_read\n:mod:relpoline_test\n" >> $RP/set_relpoline_filter
	echo 1 > $RP/enable
	V=$(vsite)
	( for i in $(seq 1 30); do insmod "$ko"; rmmod relpoline_test; done ) &
	bg=$!
	n=0 busy=0 other=0
	while kill -0 $bg 2>/dev/null; do
		out=$(ctl "demote $V" 2>&1)
		n=$((n + 1))
		case "$out" in
		"") ;;
		*busy*) busy=$((busy + 1)); [ $busy = 1 ] && { echo "first EBUSY: $out"; grep -A2 'relpoline/control' $T/error_log | tail -n 3; } ;;
		*) other=$((other + 1)); echo "other error: $out" ;;
		esac
	done
	wait $bg
	echo "$n writes of 'demote $V' during 30 insmod/rmmod cycles: $busy EBUSY, $other other errors; kprobes: $(grep -c . $T/kprobe_events)"
	result $([ $busy -gt 0 ] && echo 1 || echo 0) "control writes fail with EBUSY while a module loads/unloads"
	result $([ $other -gt 0 ] && echo 1 || echo 0) "modwin: $other control writes failed with another error"
	reset_rp
}

# modgoing: a write whose batch was built while a module was live and is
# applied after the module started going (its state changes without
# relpoline_lock) fails with EINVAL
case_modgoing() {
	echo "== modgoing"
	reset_rp
	[ -f "$ko" ] || { result 1 "modgoing cannot run: no module $ko"; return; }
	echo manual > $RP/mode
	# every site: an enable is a batch of thousands, a wide window
	echo 1 > $RP/enable
	(
		for i in $(seq 1 20); do
			insmod "$ko" || continue
			awk '!/^#/ && $3 == "relpoline_test" && $2 !~ /^rpt_run_write/ {
				print "promote " $1 " rpt_t_a[relpoline_test],rpt_t_b[relpoline_test]" }' \
				$RP/available_sites > /tmp/modgoing.cmd
			"$RPW" -a $RP/control "$(cat /tmp/modgoing.cmd)" > /dev/null
			rmmod relpoline_test
		done
	) &
	bg=$!
	n=0 inval=0 other=0
	while kill -0 $bg 2>/dev/null; do
		# "enable 1" while enabled re-syncs every selected site: one batch
		for v in 1 0 1; do
			r=$("$RPW" -t $RP/enable "$v")
			n=$((n + 1))
			case "$r" in
			OK*) ;;
			EINVAL) inval=$((inval + 1)); [ $inval = 1 ] && { echo "first EINVAL (enable $v):"; tail -n 3 $T/error_log; } ;;
			*) other=$((other + 1)); echo "other result of enable $v: $r" ;;
			esac
		done
	done
	wait $bg
	echo "$n enable writes during 20 insmod/promote/rmmod cycles: $inval EINVAL, $other other errors"
	result $([ $inval -gt 0 ] && echo 1 || echo 0) "writes fail with EINVAL while a module goes away"
	result $([ $other -gt 0 ] && echo 1 || echo 0) "modgoing: $other enable writes failed with another error"
	reset_rp
}

# kprobe-stale / wrong-target
case_kprobe_stale() { # reuse: 0|1
	echo "== kprobe-stale (reuse=$1)"
	reset_rp
	echo manual > $RP/mode
	echo 'vfs_read' > $RP/set_relpoline_filter
	echo 1 > $RP/enable
	ids=$(awk '!/^#/ && $2 ~ /^vfs_read\+/ { print $1 }' $RP/available_sites)
	echo "vfs_read sites: $ids"
	n=0
	for V in $ids; do
		ctl "promote $V read_zero,read_iter_zero"
		echo "p:rprepro$n $(vname $V)" >> $T/kprobe_events
		n=$((n + 1))
	done
	grep -v '^#' $RP/sites
	cat $T/kprobe_events
	# Repatch the sites: new stubs; the old ones are freed (INT3-filled)
	# before the write returns.
	for V in $ids; do ctl "promote $V read_null"; done
	if [ "$1" = 1 ]; then
		# Give the freed slots to other sites' stubs.
		echo '*' > $RP/set_relpoline_filter
	fi
	grep -v '^#' $RP/sites | head -n 5
	echo "enabling the kprobes and reading /dev/zero (expect an oops now)"
	sync
	echo 1 > $T/events/kprobes/enable
	s=$(dd if=/dev/zero bs=512 count=4 2>/dev/null | md5sum)
	echo "read /dev/zero through the probed sites: md5 $s (want c99a74c555371a433d121f551d6c6398)"
	echo 0 > $T/events/kprobes/enable
	cat $T/kprobe_profile
	result $([ "$s" != "c99a74c555371a433d121f551d6c6398  -" ] && echo 1 || echo 0) "kprobe emulated a stale call"
	reset_rp
}

case_kprobe_opcode() {
	local V VN e s
	echo "== kprobe-opcode"
	reset_rp
	echo manual > $RP/mode
	echo vfs_read > $RP/set_relpoline_filter
	echo 1 > $RP/enable
	V=$(vsite); VN=$(vname $V)
	echo "site $V ($VN): $(grep "^$V " $RP/sites)"
	echo "p:rprepro $VN" >> $T/kprobe_events
	e=$("$RPW" $RP/enable 0)
	echo "enable 0 with a disabled kprobe on the stubbed site: $e; $(grep "^$V " $RP/sites)"
	echo 1 > $T/events/kprobes/rprepro/enable
	echo 0 > $T/events/kprobes/rprepro/enable
	echo "reading /dev/zero through the site (an oops now, with the bug, in an inlined mode)"
	sync
	s=$(dd if=/dev/zero bs=512 count=4 2>/dev/null | md5sum)
	echo '-:rprepro' >> $T/kprobe_events
	echo 0 > $RP/enable
	echo "kprobe gone, enable 0 again: $(grep "^$V " $RP/sites); busy=$(stat_of busy) stub_bytes=$(stat_of stub_bytes)"
	result $([ "$e" = EBUSY ] && [ "$s" = "c99a74c555371a433d121f551d6c6398  -" ] && [ "$(stat_of stub_bytes)" = 0 ] &&
		echo 0 || echo 1) "enable 0 is refused (EBUSY) while a disabled kprobe sits on the stubbed site, reads stay right, and the site is restored once it is gone"
	reset_rp
}

[ $# -gt 0 ] || set -- filter-trunc stale-busy enable0-retry modwin
for c in "$@"; do
	case $c in
	stale-busy) case_stale_busy ;;
	filter-trunc) case_filter_trunc ;;
	enable0-retry) case_enable0_retry ;;
	modwin) case_modwin ;;
	modgoing) case_modgoing ;;
	kprobe-stale) case_kprobe_stale 0 ;;
	wrong-target) case_kprobe_stale 1 ;;
	kprobe-opcode) case_kprobe_opcode ;;
	*) echo "unknown case $c"; fail=$((fail + 1)) ;;
	esac
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
