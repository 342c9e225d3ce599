#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline
# The bugs of issue 15, each against the live kernel: cgroup clear,
# profile_hold shared by two relpoline-top instances (and a kill -9),
# profile load in one patch batch, relpoline-top in 80 columns, a
# scrolling sort menu, TERM=dumb, '+' with a long delay, stale trace
# instances, global options anywhere, the kernel's trace_stat format,
# the knob table against the kernel's own ranges, stale profiles.
# Screens are saved in $RELPOLINE_RUN/tools-live/ for the evidence.
set -u
. "$(dirname "$0")/lib.sh"
R=$RELPOLINE_TOP/build/tools/relpoline
TOPB=$RELPOLINE_TOP/build/tools/relpoline-top
T=/sys/kernel/tracing/relpoline
TR=/sys/kernel/tracing
OUT=${RELPOLINE_RUN:-/tmp}/tools-live
mkdir -p "$OUT"
[ -x "$R" ] && [ -x "$TOPB" ] || fail "tools not built (make tools)"
[ -d $T ] || fail "no $T"

cleanup() {
	tmux kill-server 2>/dev/null
	[ -n "${bg:-}" ] && kill -9 $bg 2>/dev/null
	rp_defaults
	rmdir /sys/fs/cgroup/rptl 2>/dev/null
	rpt_cleanup
}
trap cleanup EXIT

stat_val() { # key: a value of trace_stat's "# ..." header lines
	sed -n 's/^#.*[ :]'"$1"'=\([0-9]*\).*/\1/p' $TR/trace_stat/relpoline | head -n 1
}
# wait until the tmux pane shows a pattern (no fixed sleeps); fail after $2 s
wait_pane() { # pattern seconds [file]
	local i
	for i in $(seq 1 $(($2 * 10))); do
		tmux capture-pane -t rp -p > /tmp/pane.txt 2>/dev/null
		grep -qE -- "$1" /tmp/pane.txt && { [ -n "${3:-}" ] && cp /tmp/pane.txt "$3"; return 0; }
		sleep 0.1
	done
	cat /tmp/pane.txt
	fail "the screen never showed '$1'"
}
wait_for() { # seconds command...: until the command succeeds
	local t=$(($1 * 10))
	shift
	while ! "$@"; do
		t=$((t - 1))
		[ $t -gt 0 ] || return 1
		sleep 0.1
	done
}
holders() { cat $T/profile_hold; }
export TERM=xterm-256color

# ---- cgroup clear: the kernel ignores an empty write; clear must clear ----
mkdir -p /sys/fs/cgroup/rptl
$R cgroup set /rptl 500 || fail "cgroup set"
$R cgroup set '*' 7 || fail "cgroup set *"
grep -q '^/rptl 500 ' $T/cgroup_weights || fail "weight not set"
$R cgroup clear || fail "cgroup clear"
cat $T/cgroup_weights
grep -q '^/rptl ' $T/cgroup_weights && fail "cgroup clear left /rptl in the kernel's table"
grep -q '^\* 1 ' $T/cgroup_weights || fail "cgroup clear did not set the default weight back to 1"
$R cgroup show --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["schema"] == 1 and d["kind"] == "cgroups", d
assert [c["path"] for c in d["cgroups"]] == ["*"], d' || fail "cgroup show --json"
rmdir /sys/fs/cgroup/rptl
ok "cgroup clear empties the kernel's table (was a 0-byte write the kernel ignored)"

# ---- trace_stat in the kernel's format: status shows dropped and friends ----
$R status > "$OUT/status.txt" || fail "status: $(cat "$OUT/status.txt")"
cat "$OUT/status.txt"
for k in dropped samples refused patched stub_pool_bytes; do
	grep -qE "^$k: +[0-9]+" "$OUT/status.txt" || grep -qE "^sites: .* [0-9]+ refused" "$OUT/status.txt" ||
		fail "status does not show $k"
	[ -n "$(stat_val $k)" ] || fail "the kernel's trace_stat has no $k"
done
$R status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["schema"] == 1 and d["kind"] == "status"
t = d["totals"]
for k in ("dropped", "samples", "refused", "patched", "stub_pool_bytes", "hits", "misses", "batches"):
    assert isinstance(t[k], int), (k, t)
assert "saved_cycles" not in t or isinstance(t["saved_cycles"], int)' || fail "status --json totals"
$R status --format prometheus > "$OUT/metrics.prom" || fail "status --format prometheus"
grep -qE '^relpoline_samples_dropped_total [0-9]+$' "$OUT/metrics.prom" || fail "no dropped metric"
grep -qE '^relpoline_sites\{state="off"\} [0-9]+$' "$OUT/metrics.prom" || fail "no sites metric"
ok "status reads the kernel's trace_stat strictly; dropped/samples/refused/patched shown; metrics"

# ---- the knob table against the kernel's own ranges ----
for k in max_targets interval_ms min_samples threshold_pct sample_period profile; do
	line=$($R help | awk -v k=$k '/^  knobs/ { s = 1 } s && $1 == k { print $2; exit }')	# "MIN..MAX,"
	min=${line%%..*}; max=${line#*..}; max=${max%,}
	[ -n "$min" ] && [ -n "$max" ] || fail "relpoline help has no range for $k"
	old=$(cat $T/$k)
	echo $((min - 1)) > $T/$k 2>/dev/null && [ $min -gt 0 ] && fail "kernel took $k=$((min - 1)) below the tool's range"
	echo $((max + 1)) > $T/$k 2>/dev/null && fail "kernel took $k=$((max + 1)) above the tool's range"
	$R set $k $max || fail "the tool refused $k=$max, the kernel's maximum"
	$R set $k $((max + 1)) 2>/dev/null && fail "the tool took $k=$((max + 1))"
	$R set $k $min || fail "the tool refused $k=$min"
	echo "$old" > $T/$k
done
ok "knob ranges of relpoline help are the kernel's"

# ---- global options anywhere; no -t ----
$R sites --json --tracing-dir $TR > /dev/null || fail "--tracing-dir after the command"
$R profile save /tmp/g.prof --tracing-dir $TR 2>/dev/null || fail "--tracing-dir after profile save FILE"
$R -t $TR status > /dev/null 2>&1; [ $? = 2 ] || fail "-t must be a usage error"
ok "global options anywhere"

# ---- profile load: one write, one patch batch, for all the sites ----
rpt_load
trap cleanup EXIT	# rpt_load set its own
echo ':mod:relpoline_test' > $T/set_relpoline_filter
$R mode manual || fail "mode"
$R enable || fail "enable"
ids=$(awk '$3 == "relpoline_test" { print $1 }' $T/sites)
n=$(echo $ids | wc -w)
[ "$n" -ge 4 ] || fail "only $n test module sites"
for id in $ids; do $R pin $id 'rpt_t_a[relpoline_test]' || fail "pin $id"; done
$R profile save /tmp/mod.prof || fail "profile save"
grep -q '^kernel ' /tmp/mod.prof || fail "the profile does not record the kernel build"
for id in $ids; do $R demote $id || fail "demote $id"; done
b0=$(stat_val batches)
$R profile load /tmp/mod.prof || fail "profile load"
b1=$(stat_val batches)
for id in $ids; do
	grep -qE "^$id .* pinned .*rpt_t_a\[relpoline_test\]:" $T/sites || fail "site $id not restored"
done
echo "profile load of $n sites: $((b1 - b0)) patch batch(es)"
[ $((b1 - b0)) = 1 ] || fail "profile load of $n sites took $((b1 - b0)) patch batches, want 1 (one write per site took $n)"
ok "profile load: $n sites in 1 patch batch"
$R status --format prometheus -o "$OUT/metrics-enabled.prom" || fail "status --format prometheus -o"
grep -qx 'relpoline_enabled 1' "$OUT/metrics-enabled.prom" || fail "metrics: not enabled"
grep -qE '^relpoline_sites\{state="pinned"\} [1-9]' "$OUT/metrics-enabled.prom" || fail "metrics: no pinned sites"

# ---- a stale profile (another kernel build) changes nothing ----
sed 's/^kernel \([^ ]*\) .*/kernel \1 0000000000000000000000000000000000000000/' /tmp/mod.prof > /tmp/stale.prof
for id in $ids; do $R demote $id; done
cp $T/sites /tmp/sites.before
p0=$(stat_val patched)
$R profile load /tmp/stale.prof 2> /tmp/err.txt; rc=$?
cat /tmp/err.txt
[ $rc = 1 ] || fail "a stale profile was not refused (exit $rc)"
grep -q 'refusing a stale profile' /tmp/err.txt || fail "no clear message for a stale profile"
diff /tmp/sites.before $T/sites || fail "a refused profile changed sites"
[ "$(stat_val patched)" = "$p0" ] || fail "a refused profile patched text"
printf '# relpoline profile v2\nsite rpt_call_rbx+0x1 relpoline_test promoted\n' > /tmp/bad.prof
$R profile load /tmp/bad.prof 2> /tmp/err.txt; [ $? = 1 ] || fail "a corrupt profile was not refused"
grep -q 'line 2' /tmp/err.txt || fail "no line in the corrupt profile message: $(cat /tmp/err.txt)"
diff /tmp/sites.before $T/sites || fail "a corrupt profile changed sites"
ok "stale and corrupt profiles are refused and change nothing"

# ---- retrain is synchronous: --wait reports at once ----
$R retrain --wait > /tmp/rt.txt || fail "retrain --wait"
grep -q '^retrain done' /tmp/rt.txt || fail "retrain --wait: $(cat /tmp/rt.txt)"
ls $TR/instances | grep -q '^relpoline_' && fail "retrain --wait left a trace instance"
ok "retrain --wait, no trace instance"

# ---- profile_hold: two viewers never freeze each other; kill -9 leaves nothing ----
for id in $ids; do $R pin $id 'rpt_t_a[relpoline_test]'; done
[ "$(cat $T/profile)" = 0 ] || fail "profile is not 0"
[ "$(holders)" = 0 ] || fail "profile_hold has holders before the test"
$TOPB -b -d 0.5 > /dev/null 2>&1 &
bg=$!
wait_for 20 sh -c "[ \$(cat $T/profile_hold) = 1 ]" || fail "relpoline-top does not hold profile_hold"
$TOPB -b -i 1 -d 0.2 > /dev/null || fail "second relpoline-top"
[ "$(holders)" = 1 ] || fail "after the second viewer left: $(holders) holders"
[ "$(cat $T/profile)" = 0 ] || fail "relpoline-top wrote the profile knob"
id1=$(echo $ids | cut -d' ' -f1)
h0=$(awk -v i=$id1 '$1 == i { print $7 }' $T/sites)
echo "20 a" > $RPT/run || fail "rpt run"
h1=$(awk -v i=$id1 '$1 == i { print $7 }' $T/sites)
[ "$h1" -gt "$h0" ] || fail "hits froze for the first viewer after the second exited ($h0 -> $h1)"
kill -9 $bg
wait $bg 2>/dev/null
bg=
wait_for 20 sh -c "[ \$(cat $T/profile_hold) = 0 ]" || fail "a killed relpoline-top still holds profile_hold"
echo "20 a" > $RPT/run
h2=$(awk -v i=$id1 '$1 == i { print $7 }' $T/sites)
[ "$h2" = "$h1" ] || fail "hits still counted after the last holder was killed ($h1 -> $h2)"
ok "profile_hold: the second viewer leaving does not freeze the first; kill -9 releases"

# ---- relpoline-top in 80 columns ----
tmux new-session -d -s rp -x 80 -y 24 "$TOPB -d 1 -s calls" || fail "tmux"
( while :; do echo "300 aab" > $RPT/run || exit; done ) &
wl=$!
wait_pane 'CALLS/s' 20
wait_pane '[0-9]+\.[0-9]  +rpt_t_a' 30 "$OUT/top-80x24.txt"
kill $wl; wait $wl 2>/dev/null
cat "$OUT/top-80x24.txt"
hdr=$(grep -m1 ' ID ' "$OUT/top-80x24.txt")
for c in ID SITE STATE 'CALLS/s' 'HIT%' TARGETS; do
	case "$hdr" in *"$c"*) ;; *) fail "column $c is not on an 80-column screen: '$hdr'" ;; esac
done
awk 'length > 80 { exit 1 }' "$OUT/top-80x24.txt" || fail "a line is longer than 80 columns"
ok "relpoline-top at 80x24: ID SITE STATE CALLS/s HIT% TARGETS on screen"

# ---- the sort menu scrolls on a short terminal ----
tmux kill-server
tmux new-session -d -s rp -x 80 -y 12 "$TOPB -d 1 -s id" || fail "tmux"
wait_pane 'CALLS/s' 20
tmux send-keys -t rp s
wait_pane 'Sort by' 10
for i in 1 2 3 4 5 6 7 8; do tmux send-keys -t rp Down; done
wait_pane ' targets' 10 "$OUT/top-sortmenu-80x12.txt"
cat "$OUT/top-sortmenu-80x12.txt"
tmux send-keys -t rp Enter
wait_pane 'Sort: targets' 10
ok "the sort menu scrolls to its last item at 12 lines"

# ---- reset view, '+' keeps a long delay ----
tmux send-keys -t rp / ; tmux send-keys -t rp rpt Enter
wait_pane 'Filter: rpt|\[filtered\]' 10
tmux send-keys -t rp r
wait_pane 'Sort: calls, descending *$' 10
tmux kill-server
tmux new-session -d -s rp -x 100 -y 20 "$TOPB -d 600" || fail "tmux"
wait_pane 'delay 600s' 20
tmux send-keys -t rp +
tmux send-keys -t rp p		# keys are handled in order: [paused] means '+' was
wait_pane '\[paused\]' 10
grep -q 'delay 600s' /tmp/pane.txt || fail "'+' changed a 600 s delay: $(head -n 1 /tmp/pane.txt)"
tmux send-keys -t rp p
tmux send-keys -t rp -
wait_pane 'delay 60s' 5
tmux send-keys -t rp q
wait_for 10 sh -c '! tmux has-session -t rp 2>/dev/null' || fail "q did not quit"
ok "r resets the view; + keeps -d 600, - steps down to 60"

# ---- stale trace instances of killed viewers are removed ----
tmux new-session -d -s rp -x 100 -y 20 "$TOPB -d 1" || fail "tmux"
wait_pane 'CALLS/s' 20
pid=$(pgrep -x relpoline-top | head -n 1)
[ -d $TR/instances/relpoline_$pid ] || fail "no event instance relpoline_$pid"
kill -9 $pid
tmux kill-server
[ -d $TR/instances/relpoline_$pid ] || fail "the instance went away by itself?"
tmux new-session -d -s rp -x 100 -y 20 "$TOPB -d 1" || fail "tmux"
wait_pane 'CALLS/s' 20
[ -d $TR/instances/relpoline_$pid ] && fail "the stale instance relpoline_$pid was not removed"
tmux send-keys -t rp q
wait_for 10 sh -c '! tmux has-session -t rp 2>/dev/null' || fail "q did not quit"
ls $TR/instances | grep '^relpoline_' && fail "an instance is left after q"
ok "a kill -9'd viewer's trace instance is removed by the next one"

# ---- TERM=dumb is refused with a message ----
# stdout is the pane (a terminal), stderr and the exit status go to a file
tmux new-session -d -s rp -x 100 -y 20 "TERM=dumb $TOPB -d 1 2> /tmp/dumb.out; echo rc=\$? >> /tmp/dumb.out; sleep 30" ||
	fail "tmux"
wait_for 10 grep -q rc= /tmp/dumb.out || fail "relpoline-top with TERM=dumb did not exit"
cat /tmp/dumb.out
grep -q 'rc=2' /tmp/dumb.out || fail "TERM=dumb: wrong exit status"
grep -q 'TERM=dumb cannot move the cursor' /tmp/dumb.out || fail "TERM=dumb: no message"
tmux capture-pane -t rp -p > /tmp/pane.txt
[ -z "$(tr -d ' \n' < /tmp/pane.txt)" ] || { cat /tmp/pane.txt; fail "TERM=dumb: something was drawn on the terminal"; }
tmux kill-server
ok "TERM=dumb refused with a message"

# ---- batch frames print the first N rows ----
$TOPB -b -i 1 -d 0.2 -n 3 > /tmp/b.txt || fail "relpoline-top -b -n 3"
[ "$(grep -cE '^ +[0-9]+ ' /tmp/b.txt)" = 3 ] || fail "-n 3 printed $(grep -cE '^ +[0-9]+ ' /tmp/b.txt) rows"
grep -qE '^\([0-9]+ more sites\)$' /tmp/b.txt || fail "no '(N more sites)' line"
ok "relpoline-top -b -n 3"
