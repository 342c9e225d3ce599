#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: retpoline
# Cgroup-weighted learning: one test-module site (rpt_c_call) called from
# two cgroups with different targets; the promoted target follows the
# cgroup weights (relpoline/cgroup_weights), and a weight-0 cgroup never
# influences promotion however many calls it makes.
set -u
. "$(dirname "$0")/lib.sh"
T=/sys/kernel/tracing/relpoline
CG=/sys/fs/cgroup
A=rptest_cg_A
B=rptest_cg_B

[ -d $T ] || skip "no $T"
grep -q " $CG cgroup2 " /proc/mounts || skip "no cgroup2 hierarchy at $CG"

cleanup() {
	echo 0 > $T/enable
	echo > $T/set_relpoline_filter
	echo > $T/cgroup_weights
	# without relying on ">" replacing the table
	for p in /$A /$B; do
		grep -q "^$p " $T/cgroup_weights && echo "!$p" >> $T/cgroup_weights
	done
	echo '* 1' >> $T/cgroup_weights
	for kv in mode=auto max_targets=2 interval_ms=1000 min_samples=32 threshold_pct=10 sample_period=16 profile=0; do
		echo "${kv#*=}" > $T/${kv%%=*}
	done
	echo reset > $T/control
	rmdir $CG/$A $CG/$B 2>/dev/null
	rpt_cleanup
}

w() { # file text: write, failing the test on error
	echo "$2" >> $T/$1 || fail "write '$2' to $1"
}

# drive CGROUP "N PATTERN": a new shell joins CGROUP and calls every harness site
drive() {
	bash -c 'echo $$ > "$1/cgroup.procs" && echo "$2" > "$3/run"' rp "$CG/$1" "$2" "$RPT" ||
		fail "'$2' from cgroup $1"
}

site_line() { awk -v id="$S" '$1 == id' $T/sites; }
targets() { site_line | awk '{ for (i = 9; i <= NF; i++) { t = $i; sub(/:[0-9]+$/, "", t); printf "%s%s", (i > 9 ? " " : ""), t } }'; }
samples() { awk -v p="/$1" '$1 == p { print $3 }' $T/cgroup_weights; }
# about N: other managed sites (a filter left by an earlier user that
# could not be cleared) may add a few samples from the driving shells
about() { [ "$1" -ge "$2" ] && [ "$1" -le $(( $2 + $2 / 20 )) ]; }

# expect TARGET: after a retrain the site is promoted to exactly TARGET
expect() {
	echo retrain >> $T/control || fail "retrain"
	echo "  $(site_line)"
	sed 's/^/  /' $T/cgroup_weights
	[ "$(site_line | awk '{print $6}')" = promoted ] || fail "site not promoted: $(site_line)"
	[ "$(targets)" = "rpt_t_$1[relpoline_test]" ] || fail "promoted to '$(targets)', want rpt_t_$1"
}

rpt_load
trap cleanup EXIT
rmdir $CG/$A $CG/$B 2>/dev/null
mkdir $CG/$A $CG/$B || fail "mkdir cgroups"
S=$(awk '$2 ~ /^rpt_c_call\+/ { print $1; exit }' $T/available_sites)
[ -n "$S" ] || fail "no rpt_c_call site in available_sites"

echo rpt_c_call > $T/set_relpoline_filter || fail "filter"
[ "$(cat $T/set_relpoline_filter)" = rpt_c_call ] ||
	echo "WARNING: the filter is not just rpt_c_call: $(tr '\n' ' ' < $T/set_relpoline_filter)"
for kv in mode=manual max_targets=1 sample_period=1 min_samples=8 interval_ms=60000; do
	echo "${kv#*=}" > $T/${kv%%=*} || fail "set $kv"
done
echo reset > $T/control
echo 1 > $T/enable || fail "enable"
echo "site $(site_line)"

echo "A=1000 B=1; A calls rpt_t_a 200 times, B calls rpt_t_b 400 times: want a"
w cgroup_weights "/$A 1000"
w cgroup_weights "/$B 1"
drive $A "200 a"
drive $B "400 b"
expect a
about "$(samples $A)" 200 && about "$(samples $B)" 400 ||
	fail "samples per cgroup: A $(samples $A), B $(samples $B); want 200, 400"
ok "A's weight wins"

echo "A=1 B=1000, reset, demoted, same calls: want b"
w cgroup_weights "/$A 1"
w cgroup_weights "/$B 1000"
w control reset
w control "demote $S"
[ "$(samples $A)" = 0 ] && [ "$(samples $B)" = 0 ] || fail "reset did not clear the cgroup samples"
drive $A "200 a"
drive $B "400 b"
expect b
ok "B's weight wins"

echo "A=0 B=1, demoted; A calls rpt_t_a 2000 times, B calls rpt_t_b 100 times: want b"
w cgroup_weights "/$A 0"
w cgroup_weights "/$B 1"
w control reset
w control "demote $S"
drive $A "2000 a"
drive $B "100 b"
expect b
about "$(samples $A)" 2000 || fail "a weight-0 cgroup's samples are still counted: A $(samples $A), want 2000"
ok "a weight-0 cgroup is excluded"

echo "control: A=1 B=1, same calls: want a"
w cgroup_weights "/$A 1"
w control reset
w control "demote $S"
drive $A "2000 a"
drive $B "100 b"
expect a
ok "with weight 1 A's calls count"

echo "the default weight applies to unlisted cgroups: remove A, default 0"
w cgroup_weights "!/$A"
w cgroup_weights "* 0"
w control reset
w control "demote $S"
drive $A "2000 a"
drive $B "100 b"
expect b
ok "default weight 0 excludes the unlisted cgroup"
