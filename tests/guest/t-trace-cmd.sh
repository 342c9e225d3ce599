#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline
# trace-cmd records the relpoline events while relpoline learns, promotes
# and demotes vfs_read's f_op->read call site; trace-cmd report shows them
# with symbol names.
set -u
. "$(dirname "$0")/lib.sh"
T=/sys/kernel/tracing/relpoline
DAT=/tmp/relpoline-trace-cmd.dat

command -v trace-cmd >/dev/null || skip "no trace-cmd"
[ -d $T ] || skip "no $T"

cleanup() {
	echo 0 > $T/enable
	echo > $T/set_relpoline_filter
	for kv in mode=auto max_targets=2 interval_ms=1000 min_samples=32 threshold_pct=10 sample_period=16 profile=0; do
		echo "${kv#*=}" > $T/${kv%%=*}
	done
	echo reset > $T/control
	rm -f $DAT $DAT.txt /tmp/relpoline-workload.sh /tmp/relpoline-record.log /tmp/relpoline-seq /tmp/relpoline-cmds /tmp/relpoline-workload.done
}
trap cleanup EXIT

trace-cmd --version | head -n 1
# Start from vfs_read's sites learning: policy state (a promotion left by
# an earlier user) is kept across disable.
echo manual > $T/mode
echo vfs_read > $T/set_relpoline_filter || fail "filter"
echo 1 > $T/enable || fail "enable"
awk '!/^#/ && ($6 == "promoted" || $6 == "pinned") { print "demote " $1 }
     !/^#/ && $6 == "blocked" { print "unblock " $1 }' $T/sites > /tmp/relpoline-cmds
[ -s /tmp/relpoline-cmds ] && { cat /tmp/relpoline-cmds > $T/control || fail "$(cat /tmp/relpoline-cmds)"; }
echo 0 > $T/enable
echo reset > $T/control
# The workload, run by trace-cmd record: enable on vfs_read in manual
# mode, read /dev/zero byte by byte, retrain (promotes read_zero), then
# demote, promote and demote again by command.
rm -f /tmp/relpoline-workload.done
cat > /tmp/relpoline-workload.sh <<'WL'
set -ex
T=/sys/kernel/tracing/relpoline
echo manual > $T/mode
echo 60000 > $T/interval_ms
echo 4 > $T/sample_period
echo vfs_read > $T/set_relpoline_filter
echo 1 > $T/enable
dd if=/dev/zero of=/dev/null bs=1 count=4000 2>/dev/null
echo retrain > $T/control
id=$(awk '!/^#/ && / read_zero:/ { print $1 }' $T/sites)
[ -n "$id" ]
echo "demote $id" > $T/control
echo "promote $id read_zero" > $T/control
echo "demote $id" > $T/control
echo 0 > $T/enable
touch /tmp/relpoline-workload.done
WL
trace-cmd record -e relpoline -o $DAT sh /tmp/relpoline-workload.sh > /tmp/relpoline-record.log 2>&1 ||
	{ cat /tmp/relpoline-record.log; fail "trace-cmd record failed"; }
[ -f /tmp/relpoline-workload.done ] ||
	{ cat /tmp/relpoline-record.log; cat $T/sites; fail "the workload failed"; }
tail -n 3 /tmp/relpoline-record.log
trace-cmd report -i $DAT > $DAT.txt 2>&1 || { tail $DAT.txt; fail "trace-cmd report"; }
echo "$(grep -c relpoline_miss $DAT.txt) relpoline_miss events; the others:"
grep -E 'relpoline_(promote|demote|retrain):' $DAT.txt
grep -m 3 'relpoline_miss:' $DAT.txt

site='vfs_read\+0x[0-9a-f]+'
grep -Eq "relpoline_miss: +site=$site(/0x[0-9a-f]+)? target=read_zero(\+0x0(/0x[0-9a-f]+)?)? cgroup=[0-9]+" $DAT.txt ||
	fail "no relpoline_miss at vfs_read with target read_zero"
ok "relpoline_miss with symbol names"
grep -Eq "relpoline_retrain: +changed=1 batches=1 ipi_rounds=[0-9]+ duration_us=[0-9]+" $DAT.txt ||
	fail "no relpoline_retrain with changed=1"
ok "relpoline_retrain"
n=$(grep -Ec "relpoline_promote: +site=$site(/0x[0-9a-f]+)? nr=1 targets=read_zero" $DAT.txt)
[ "$n" = 2 ] || fail "$n relpoline_promote events to read_zero at vfs_read, want 2 (retrain, command)"
ok "relpoline_promote (policy and command)"
n=$(grep -Ec "relpoline_demote: +site=$site(/0x[0-9a-f]+)? reason=command" $DAT.txt)
[ "$n" = 2 ] || fail "$n relpoline_demote events with reason=command at vfs_read, want 2"
ok "relpoline_demote"
# in order: retrain's promote, retrain, demote, promote, demote
grep -Eo 'relpoline_(promote|demote|retrain):' $DAT.txt | tr -d : | tr '\n' ' ' > /tmp/relpoline-seq
[ "$(cat /tmp/relpoline-seq)" = "relpoline_promote relpoline_retrain relpoline_demote relpoline_promote relpoline_demote " ] ||
	fail "event order: $(cat /tmp/relpoline-seq)"
ok "events in order"
