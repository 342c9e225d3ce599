#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline
# The relpoline CLI and relpoline-top against the live kernel: every
# command, JSON output, errors and exit codes, a profile saved, dropped
# and loaded back, relpoline-top batch frames of a running workload,
# `relpoline record`, and an interactive relpoline-top driven through tmux.
set -u
. "$(dirname "$0")/lib.sh"
R=$RELPOLINE_TOP/build/tools/relpoline
TOPB=$RELPOLINE_TOP/build/tools/relpoline-top
T=/sys/kernel/tracing/relpoline
[ -x "$R" ] && [ -x "$TOPB" ] || fail "tools not built (make tools)"

cleanup() {
	tmux kill-server 2>/dev/null
	$R disable 2>/dev/null
	echo > $T/set_relpoline_filter
	echo '* 1' > $T/cgroup_weights
	rpt_cleanup
}
trap cleanup EXIT

json_ok() { python3 -c 'import json, sys; json.load(sys.stdin)' || fail "invalid JSON from: $*"; }
zeroread() { for i in $(seq 1 "$1"); do dd if=/dev/zero of=/dev/null bs=1 count=1000 2>/dev/null; done; }

$R status > /tmp/st.txt || fail "status"
grep -q 'disabled' /tmp/st.txt || fail "status does not say disabled"
$R status --json | json_ok status
ok "status, status --json"

$R frob 2>/dev/null; [ $? = 2 ] || fail "unknown command must exit 2"
$R set max_targets 9 2>/tmp/err.txt; rc=$?
cat /tmp/err.txt
[ $rc = 1 ] || [ $rc = 2 ] || fail "out-of-range set must fail (got $rc)"
grep -q 'max_targets' /tmp/err.txt || fail "no message naming the knob"
echo 9 > $T/max_targets 2>/dev/null && fail "the kernel accepted max_targets 9"
$R promote 123456789 read_zero 2>/tmp/err.txt; [ $? = 1 ] || fail "promote while disabled must exit 1"
grep -q 'disabled' /tmp/err.txt || fail "no clear message for a disabled kernel: $(cat /tmp/err.txt)"
ok "usage error 2, kernel errors 1 with the error_log message"

echo 'vfs_read' > $T/set_relpoline_filter
$R set interval_ms 60000 || fail "set interval_ms"
$R set profile 1 || fail "set profile"
$R mode manual || fail "mode manual"
[ "$(cat $T/mode)" = manual ] || fail "mode not manual"
$R enable || fail "enable"
[ "$(cat $T/enable)" = 1 ] || fail "not enabled"
zeroread 20
$R retrain --wait > /tmp/rt.txt || fail "retrain --wait"
cat /tmp/rt.txt
grep -q 'read_zero' /tmp/rt.txt || fail "retrain --wait does not report the read_zero promotion"
$R sites > /tmp/s.txt || fail "sites"
cat /tmp/s.txt
site=$(awk '$2 ~ /^vfs_read\+/ && / promoted / {print $1}' /tmp/s.txt | head -n 1)
[ -n "$site" ] || fail "no promoted vfs_read site"
$R sites --json | json_ok sites
$R sites --json | grep -q '"read_zero"' || fail "sites --json lacks read_zero"
ok "learned and promoted vfs_read -> read_zero (site $site)"

$R pin "$site" read_zero,proc_reg_read || fail "pin"
grep -qE "^$site .* pinned .*read_zero:[0-9]+ proc_reg_read:" $T/sites || fail "pin not shown"
$R demote "$site" || fail "demote"
grep -qE "^$site .* learning " $T/sites || fail "demote not shown"
$R block "$site" || fail "block"
grep -qE "^$site .* blocked " $T/sites || fail "block not shown"
$R unblock "$site" || fail "unblock"
$R promote "$site" read_zero || fail "promote"
grep -qE "^$site .* promoted .*read_zero:" $T/sites || fail "promote not shown"
$R reset || fail "reset"
awk -v s="$site" '$1 == s && ($7 != 0 || $8 != 0) {exit 1}' $T/sites || fail "reset did not zero counts"
ok "pin, demote, block, unblock, promote, reset"

mkdir -p /sys/fs/cgroup/rptools
$R cgroup set /rptools 500 || fail "cgroup set"
grep -q '^/rptools 500 ' $T/cgroup_weights || fail "cgroup weight not set"
$R cgroup rm /rptools || fail "cgroup rm"
grep -q '^/rptools ' $T/cgroup_weights && fail "cgroup weight not removed"
$R cgroup set /no/such/cgroup 5 2>/dev/null && fail "cgroup set on a missing cgroup must fail"
rmdir /sys/fs/cgroup/rptools
ok "cgroup set/rm"

# Profiles: save, lose the promotions (disable/enable keeps them, so demote), load.
$R pin "$site" read_zero || fail "pin for profile"
$R profile save /tmp/p1.prof || fail "profile save"
cat /tmp/p1.prof
grep -qE '^site vfs_read\+0x[0-9a-f]+ - pinned read_zero' /tmp/p1.prof || fail "profile lacks the pinned site"
$R disable || fail "disable"
[ "$(cat $T/enable)" = 0 ] || fail "not disabled"
$R enable || fail "re-enable"
$R demote "$site" || fail "demote before load"
grep -qE "^$site .* learning " $T/sites || fail "not learning before load"
$R profile load /tmp/p1.prof || fail "profile load"
grep -qE "^$site .* pinned .*read_zero:" $T/sites || fail "profile load did not restore the pin"
printf '# relpoline profile v1\nsite no_such_function+0x10 - promoted read_zero:5\n' > /tmp/bad.prof
$R profile load /tmp/bad.prof 2>/tmp/err.txt; [ $? = 1 ] || fail "loading a profile with a missing site must exit 1"
cat /tmp/err.txt
$R profile merge /tmp/m.prof /tmp/p1.prof /tmp/p1.prof || fail "profile merge"
grep -q read_zero /tmp/m.prof || fail "merged profile lacks read_zero"
ok "profile save, disable, enable, load restores the same promotions; merge"

$R mode auto
$R record -o /tmp/rp.dat -- sh -c "echo 'promote $site proc_reg_read' > $T/control; echo retrain > $T/control; echo 'demote $site' > $T/control" || fail "record"
trace-cmd report -i /tmp/rp.dat > /tmp/rep.txt 2>&1
grep relpoline_ /tmp/rep.txt | head
grep -q 'relpoline_promote:.*vfs_read.*proc_reg_read' /tmp/rep.txt || fail "no relpoline_promote with symbols in the report"
grep -q 'relpoline_retrain:' /tmp/rep.txt || fail "no relpoline_retrain in the report"
grep -q 'relpoline_demote:.*vfs_read' /tmp/rep.txt || fail "no relpoline_demote in the report"
ok "record: trace.dat with relpoline events and symbols"

# relpoline-top batch frames while a workload runs.
$R promote "$site" read_zero
( zeroread 400 ) &
wl=$!
$TOPB -b -i 2 -d 1 > /tmp/top.txt || fail "relpoline-top -b"
wait $wl
cat /tmp/top.txt
[ "$(grep -c '^relpoline-top' /tmp/top.txt)" = 2 ] || fail "expected 2 frames"
grep -q 'read_zero' /tmp/top.txt || fail "frames lack the promoted site's target"
$TOPB -b -i 1 -d 1 --json | json_ok relpoline-top --json
[ "$(cat $T/profile)" = 1 ] || fail "relpoline-top changed the profile knob"
$R set profile 0
$TOPB -b -i 1 -d 1 > /dev/null
[ "$(cat $T/profile)" = 0 ] || fail "relpoline-top changed the profile knob (0)"
[ "$(cat $T/profile_hold)" = 0 ] || fail "relpoline-top left a profile_hold holder"
ok "relpoline-top -b / --json frames; the profile knob is left alone"

# Interactive: sort, filter, detail, quit, through tmux. Each key is
# followed by waiting (up to 30 s) for the screen to show its effect.
# Manual mode: in auto mode a policy round (TCG is slow: interval_ms can
# pass) may promote the site to another target (proc_reg_read: /proc reads).
$R mode manual
$R promote "$site" read_zero || fail "promote before the interactive view"
export TERM=xterm-256color
screen() { tmux capture-pane -t rp -p; }
sortline() { screen | grep -m1 '^Sort: '; }
until_true() { # what command...: poll until the command succeeds, 30 s at most
	local what=$1 i
	shift
	for i in $(seq 1 150); do "$@" && return 0; sleep 0.2; done
	screen
	fail "interactive relpoline-top: $what"
}
tmux new-session -d -s rp -x 160 -y 40 "$TOPB -d 1" || fail "tmux"
until_true "no first frame" eval 'screen | grep -q "^Sort: " && screen | grep -q relpoline-top'
s0=$(sortline)
tmux send-keys -t rp '>'
until_true "'>' did not change the sort column ($s0)" eval '[ "$(sortline)" != "$s0" ]'
tmux send-keys -t rp '/' ; tmux send-keys -t rp 'vfs_read' Enter
until_true "the filter is not shown" eval 'sortline | grep -q "Filter: vfs_read"'
until_true "no vfs_read row under the filter" eval 'screen | grep -q "vfs_read+"'
screen > /tmp/scr1.txt
tmux send-keys -t rp Enter
until_true "Enter showed no detail view with read_zero" eval 'screen | grep -q "^Site [0-9]* *vfs_read+" && screen | grep -q read_zero'
screen > /tmp/scr2.txt
tmux send-keys -t rp q
until_true "q did not quit" eval '! tmux has-session -t rp 2>/dev/null'
cat /tmp/scr1.txt; echo ----; cat /tmp/scr2.txt
grep -q 'relpoline-top' /tmp/scr1.txt || fail "no header on the interactive screen"
grep -q 'vfs_read' /tmp/scr1.txt || fail "filtered screen lacks vfs_read"
grep -q 'read_zero' /tmp/scr2.txt || fail "detail view lacks the target"
[ "$(cat $T/profile)" = 0 ] || fail "interactive relpoline-top changed the profile knob"
ok "interactive relpoline-top: sort, filter, detail, quit"
